"""Click options made from the settings table: type, range, default and help written once.

``table_option("dropout")`` is ``--dropout`` with the table's range as a click
type, its default shown as ``[default: 0.0]`` and its line of help. A setting
the table marks ``recipe`` has no default on the command line: when not given,
the data set's recipe fills it (``[default: the data set's recipe]``).
"""

from __future__ import annotations

import math

import click

from ..settings import SETTINGS
from ..settings.constraints import (Boolean, Device, DType, Integer, NoneValue, Options, Real,
                                    SequenceOf)


class IntList(click.ParamType):
    """Comma-separated positive integers: ``100`` or ``32,32``; ``none`` for an empty list."""

    name = "INTS"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        text = str(value).strip().lower()
        if text in ("", "none"):
            return ()
        try:
            items = tuple(int(v) for v in text.split(","))
        except ValueError:
            self.fail(f"{value!r} is not a comma-separated list of integers", param, ctx)
        if any(v <= 0 for v in items):
            hint = " (for a linear model, with no hidden layer, give 'none')" \
                if 0 in items else ""
            self.fail(f"{value!r} must hold positive integers{hint}", param, ctx)
        return items


class NameList(click.ParamType):
    """One name, or a comma-separated name per hidden layer, from ``choices``."""

    name = "NAME[,NAME...]"

    def __init__(self, choices):
        self.choices = tuple(choices)

    def convert(self, value, param, ctx):
        names = tuple(v.strip() for v in str(value).split(","))
        bad = [n for n in names if n not in self.choices]
        if bad:
            self.fail(f"unknown {bad[0]!r}; choose from {', '.join(self.choices)}", param, ctx)
        return names[0] if len(names) == 1 else names


class BatchSize(click.ParamType):
    """A positive whole number, or ``full`` for the whole training set."""

    name = "INTEGER|full"

    def convert(self, value, param, ctx):
        if value is None or value == "full" or isinstance(value, int):
            return value
        if str(value).strip().lower() == "full":
            return "full"
        try:
            size = int(value)
        except ValueError:
            self.fail(f"{value!r} is not a whole number or 'full'", param, ctx)
        if size <= 0:
            self.fail(f"must be positive, got {size}", param, ctx)
        return size


def click_type(constraints) -> click.ParamType | None:
    """The click type that accepts what ``constraints`` accept (None: a flag pair)."""
    kinds = [c for c in constraints if not isinstance(c, NoneValue)]
    first = kinds[0]
    if any(isinstance(c, Options) and c.choices == ("full",) for c in kinds):
        return BatchSize()
    if isinstance(first, Boolean):
        return None
    if len(kinds) == 2 and isinstance(kinds[1], SequenceOf):
        if isinstance(first, Integer):
            return IntList()
        return NameList(first.choices)
    if isinstance(first, Options):
        return click.Choice(list(first.choices))
    if isinstance(first, DType):
        return click.Choice(["float32", "float64"])
    if isinstance(first, Integer):
        high = None if math.isinf(first.high) else int(first.high)
        return click.IntRange(min=first.low, max=high)
    if isinstance(first, Real):
        return click.FloatRange(
            min=first.low, max=None if math.isinf(first.high) else first.high,
            min_open=first.closed in ("right", "neither"),
            max_open=first.closed in ("left", "neither") and math.isfinite(first.high))
    if isinstance(first, Device):
        return click.STRING
    raise TypeError(f"no click type for {constraints!r}")


def _shown(value) -> str:
    if isinstance(value, tuple):
        return ",".join(map(str, value)) or "none"
    return str(value)


def table_option(name: str, *, default_from_table: bool = True, extra_help: str = ""):
    """The click option of setting ``name``.

    ``default_from_table=False`` gives the option no default (None: "not
    given"), with the table's default named in the help: for the settings a
    caller fills itself (the recipe's, a network's sizes).
    """
    s = SETTINGS[name]
    flag = "--" + name.replace("_", "-")
    kind = click_type(s.accepts)
    help_ = f"{s.help}{' ' + extra_help if extra_help else ''}"
    if s.recipe:
        help_ += " [default: the data set's recipe]"
        default, show = None, False
    elif not default_from_table:
        help_ += f" [default: {_shown(s.default)}]"
        default, show = None, False
    else:
        default, show = s.default, True
    if kind is None:  # --standardize/--no-standardize
        return click.option(f"{flag}/--no-{flag[2:]}", default=default, show_default=show,
                            help=help_)
    if isinstance(kind, (IntList, NameList)) and isinstance(default, tuple):
        default = _shown(default)
    return click.option(flag, type=kind, default=default, show_default=show, help=help_)
