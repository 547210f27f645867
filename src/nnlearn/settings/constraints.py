"""What a setting accepts: small constraint objects, each with ``accepts`` and a name.

In the spirit of scikit-learn's ``_parameter_constraints`` (whose validator is
private): a setting lists the constraints it accepts, and ``check`` raises one
``ValueError`` that names the setting, what it accepts and what it got
(``dropout must be a number in [0, 1), got 1.5``). The command line turns the
same objects into click types (``nnlearn.cli.options``) and the playground
into its fields (``nnlearn.playground.settings``).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Protocol

import numpy as np

DTYPES = ("float32", "float64")


class Constraint(Protocol):
    """What a setting accepts: ``accepts(value)``, and ``str()`` says it in words."""

    def accepts(self, value) -> bool: ...


def _is_bool(value) -> bool:
    return isinstance(value, (bool, np.bool_))


def _is_sequence(value) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


@dataclass(frozen=True)
class Options:
    """One of a few fixed values (strings compared by equality)."""
    choices: tuple

    def accepts(self, value) -> bool:
        return isinstance(value, str) and value in self.choices

    def __str__(self):
        if len(self.choices) == 1:
            return repr(self.choices[0])
        return f"one of {', '.join(map(repr, self.choices))}"


@dataclass(frozen=True)
class Integer:
    """An integer (not a bool) in ``[low, high]``."""
    low: int
    high: float = math.inf

    def accepts(self, value) -> bool:
        return (isinstance(value, numbers.Integral) and not _is_bool(value)
                and self.low <= int(value) <= self.high)

    def __str__(self):
        if math.isfinite(self.high):
            return f"an integer in [{self.low}, {self.high}]"
        return f"an integer >= {self.low}"


@dataclass(frozen=True)
class Real:
    """A finite real number (not a bool) in an interval; ``closed`` says which ends belong."""
    low: float
    high: float
    closed: str = "both"  # "both", "left", "right" or "neither"

    def accepts(self, value) -> bool:
        if not isinstance(value, numbers.Real) or _is_bool(value):
            return False
        value = float(value)
        if not math.isfinite(value):
            return False
        above = value >= self.low if self.closed in ("both", "left") else value > self.low
        below = value <= self.high if self.closed in ("both", "right") else value < self.high
        return above and below

    def __str__(self):
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") and math.isfinite(self.high) else ")"
        return f"a number in {left}{self.low}, {self.high}{right}"


class Boolean:
    def accepts(self, value) -> bool:
        return _is_bool(value)

    def __str__(self):
        return "True or False"


class NoneValue:
    def accepts(self, value) -> bool:
        return value is None

    def __str__(self):
        return "None"


@dataclass(frozen=True)
class InstanceOf:
    kind: type
    name: str

    def accepts(self, value) -> bool:
        return isinstance(value, self.kind)

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class HasMethods:
    """An object with these methods (a callback, by what the loop calls on it): checked by
    behaviour, so that the table need not import the classes of the layers above it."""
    methods: tuple
    name: str

    def accepts(self, value) -> bool:
        return all(callable(getattr(value, m, None)) for m in self.methods)

    def __str__(self):
        return self.name


@dataclass(frozen=True)
class SequenceOf:
    """A non-empty list or tuple whose every item one constraint accepts."""
    item: Constraint
    name: str
    empty: bool = False

    def accepts(self, value) -> bool:
        return (_is_sequence(value) and (self.empty or len(value) > 0)
                and all(self.item.accepts(v) for v in value))

    def __str__(self):
        return self.name


class RandomState:
    """What ``sklearn.utils.check_random_state`` takes: None, an int that seeds NumPy's
    legacy generator (0 to 2**32 - 1), or a ``numpy.random.RandomState``. Checked here
    without importing scikit-learn, so that the table loads fast."""

    def accepts(self, value) -> bool:
        if value is None or isinstance(value, np.random.RandomState):
            return True
        return isinstance(value, numbers.Integral) and 0 <= int(value) < 2**32

    def __str__(self):
        return "None, an int or a numpy RandomState"


class Device:
    def accepts(self, value) -> bool:
        return isinstance(value, str) and (value in ("cpu", "cuda", "auto") or (
            value.startswith("cuda:") and value[5:].isdigit()))

    def __str__(self):
        return "'cpu', 'cuda', 'cuda:N' or 'auto'"


class DType:
    def accepts(self, value) -> bool:
        try:
            return np.dtype(value).name in DTYPES
        except TypeError:
            return False

    def __str__(self):
        return f"one of {', '.join(map(repr, DTYPES))}"


def describe(constraints) -> str:
    """``"an integer >= 1, None or 'full'"``: what a list of constraints accepts."""
    names = [str(c) for c in constraints]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def check(name: str, constraints, value) -> None:
    """Raise a ``ValueError`` naming ``name`` when no constraint accepts ``value``."""
    if not any(c.accepts(value) for c in constraints):
        raise ValueError(f"{name} must be {describe(constraints)}, got {value!r}")
