"""Click options made from the settings table: type, range, default and help written once.

``table_option("dropout")`` is ``--dropout`` with a click type that parses the
text and lets the table check it (``TableType``: one validator for every face),
its default shown as ``[default: 0.0]`` and its line of help. A setting
the table marks ``recipe`` has no default on the command line: when not given,
the data set's recipe fills it (``[default: the data set's recipe]``).
"""

from __future__ import annotations

import click

from ..settings import FULL, SETTINGS
from ..settings.constraints import (DTYPES, Boolean, DType, Integer, NoneValue, Options, Real,
                                    SequenceOf)


class TableType(click.ParamType):
    """A setting's value on the command line: parsed from text here, checked by the
    settings table (``Setting.check``), the one validator of every face."""

    name = "TEXT"

    def __init__(self, setting=None, name: str | None = None):
        self.setting = setting  # None: an option that is no setting (parsed only)
        self.name = name or type(self).name

    def get_metavar(self, param, ctx=None):
        """Names as ``[a|b]`` (as ``click.Choice``); otherwise the type's name."""
        accepts = self.setting.accepts if self.setting else ()
        names = [c.choices for c in accepts if isinstance(c, Options)]
        names += [DTYPES for c in accepts if isinstance(c, DType)]
        if names and type(self) is TableType:
            return "[" + "|".join(names[0]) + "]"
        return self.name
    def parse(self, text: str, fail):
        return text

    def convert(self, value, param, ctx):
        def fail(message):
            self.fail(message, param, ctx)

        parsed = self.parse(value.strip(), fail) if isinstance(value, str) else value
        try:
            if self.setting is not None:
                self.setting.check(parsed)
        except ValueError as err:
            fail(str(err))
        return parsed


class Number(TableType):
    """An int or a float, by the setting's first constraint."""

    def __init__(self, setting, kind):
        super().__init__(setting, "INTEGER" if kind is int else "FLOAT")
        self.kind = kind

    def parse(self, text, fail):
        try:
            return self.kind(text)
        except ValueError:
            fail(f"{text!r} is not {'a whole number' if self.kind is int else 'a number'}")


class IntList(TableType):
    """Comma-separated integers: ``100`` or ``32,32``; ``none`` for an empty list."""

    name = "INTS"

    def parse(self, text, fail):
        if text.lower() in ("", "none"):
            return ()
        try:
            items = tuple(int(v) for v in text.split(","))
        except ValueError:
            fail(f"{text!r} is not a comma-separated list of integers")
        if any(v <= 0 for v in items):
            hint = " (for a linear model, with no hidden layer, give 'none')" \
                if 0 in items else ""
            fail(f"{text!r} must hold positive integers{hint}")
        return items


class NameList(TableType):
    """One name, or a comma-separated name per hidden layer."""

    name = "NAME[,NAME...]"

    def parse(self, text, fail):
        names = tuple(v.strip() for v in text.split(","))
        return names[0] if len(names) == 1 else names


class BatchSize(TableType):
    """A whole number of rows, or ``full`` for the whole training set."""

    name = "INTEGER|full"

    def parse(self, text, fail):
        if text.lower() == FULL:
            return FULL
        try:
            return int(text)
        except ValueError:
            fail(f"{text!r} is not a whole number or {FULL!r}")


def click_type(setting) -> click.ParamType | None:
    """The click type of a setting: parses the text, and the table checks it (None: a
    flag pair)."""
    kinds = [c for c in setting.accepts if not isinstance(c, NoneValue)]
    first = kinds[0]
    if any(isinstance(c, Options) and FULL in c.choices for c in kinds):
        return BatchSize(setting)
    if isinstance(first, Boolean):
        return None
    if len(kinds) == 2 and isinstance(kinds[1], SequenceOf):
        return IntList(setting) if isinstance(first, Integer) else NameList(setting)
    if isinstance(first, Integer):
        return Number(setting, int)
    if isinstance(first, Real):
        return Number(setting, float)
    return TableType(setting)  # a name (Options, DType, Device): the table knows them


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
    kind = click_type(s)
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
