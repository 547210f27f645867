"""The estimator's hyper-parameters as a table of constraints, checked by one loop.

In the spirit of scikit-learn's ``_parameter_constraints`` (whose validator is
private): each hyper-parameter lists what it accepts; ``check_params`` tries
each entry and, when none accepts the value, raises one ``ValueError`` that
names the parameter, what it accepts and what it got
(``dropout must be a number in [0, 1), got 1.5``). Adding a hyper-parameter is
one line in ``PARAMETERS``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state

from ..engine.activations import ACTIVATIONS
from ..engine.optim import DEFAULT_LR, OPTIMIZERS, SCHEDULES
from ..training.callbacks import Callback

ARCHITECTURES = ("mlp", "resnet")
BACKENDS = ("numpy", "torch")
DTYPES = ("float32", "float64")
NO_PATIENCE = 2**62  # "never stop": EarlyStopping still tracks (and restores) the best epoch


# -- constraints: each says whether it accepts a value, and what it accepts -----------------

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
    """An integer (not a bool) ``>= low``."""
    low: int

    def accepts(self, value) -> bool:
        return isinstance(value, numbers.Integral) and not _is_bool(value) and value >= self.low

    def __str__(self):
        return f"an integer >= {self.low}"


@dataclass(frozen=True)
class Real:
    """A finite real number (not a bool) in an interval; ``closed`` says which ends belong."""
    low: float
    high: float
    closed: str = "both"  # "both", "left", "right" or "neither"

    def accepts(self, value) -> bool:
        if not isinstance(value, numbers.Real) or _is_bool(value) or not math.isfinite(value):
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
class SequenceOf:
    """A non-empty list or tuple whose every item one constraint accepts."""
    item: object
    name: str
    empty: bool = False

    def accepts(self, value) -> bool:
        return (_is_sequence(value) and (self.empty or len(value) > 0)
                and all(self.item.accepts(v) for v in value))

    def __str__(self):
        return self.name


class RandomState:
    def accepts(self, value) -> bool:
        try:
            check_random_state(value)
        except ValueError:
            return False
        return True

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


POSITIVE_INT = Integer(1)
ACTIVATION = Options(tuple(ACTIVATIONS))

PARAMETERS: dict[str, list] = {
    "hidden": [POSITIVE_INT, SequenceOf(POSITIVE_INT, "a sequence of positive ints",
                                        empty=True)],
    "architecture": [Options(ARCHITECTURES)],
    "width": [POSITIVE_INT],
    "depth": [Integer(0)],
    "activation": [ACTIVATION, SequenceOf(ACTIVATION, "one name per hidden layer")],
    "dropout": [Real(0, 1, closed="left")],
    "optimizer": [Options(tuple(OPTIMIZERS))],
    "lr": [NoneValue(), Real(0, math.inf, closed="neither")],
    "momentum": [Real(0, 1, closed="left")],
    "schedule": [Options(SCHEDULES)],
    "batch_size": [POSITIVE_INT, NoneValue(), Options(("full",))],
    "epochs": [POSITIVE_INT],
    "weight_decay": [Real(0, math.inf)],
    "early_stopping": [Boolean()],
    "validation_fraction": [Real(0, 1, closed="neither")],
    "patience": [POSITIVE_INT, NoneValue()],
    "tol": [Real(0, math.inf)],
    "random_state": [RandomState()],
    "backend": [Options(BACKENDS)],
    "device": [Device()],
    "dtype": [DType()],
    "verbose": [Boolean(), Integer(0)],
    "progress_bar": [Boolean()],
    "callbacks": [NoneValue(), SequenceOf(InstanceOf(Callback, "Callback"),
                                          "a list of nnlearn.training.Callback", empty=True)],
    "class_weight": [NoneValue(), Options(("balanced",)), InstanceOf(dict, "a dict")],
    "warm_start": [Boolean()],
}


def _accepted(constraints) -> str:
    """``"an integer >= 1, None or 'full'"``."""
    names = [str(c) for c in constraints]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def validate(params: dict) -> None:
    """Raise a ``ValueError`` naming the first hyper-parameter that no constraint accepts."""
    for name, constraints in PARAMETERS.items():
        value = params[name]
        if not any(c.accepts(value) for c in constraints):
            raise ValueError(f"{name} must be {_accepted(constraints)}, got {value!r}")


# -- what the engine takes, once every value is known to be acceptable ------------------------

@dataclass(frozen=True)
class Settings:
    """The hyper-parameters after validation, in the types the engine takes."""

    network_key: tuple  # what fixes the network's shape: changing it forbids warm starts
    backend_key: tuple  # what fixes the backend and optimiser: changing it rebuilds them
    hidden: tuple
    activation: str | tuple
    lr: float
    batch_size: int | None
    patience: int | None
    dtype: np.dtype


def hidden_tuple(hidden) -> tuple[int, ...]:
    """``hidden`` as a tuple of ints (an int is one hidden layer)."""
    return (int(hidden),) if isinstance(hidden, numbers.Integral) else tuple(map(int, hidden))


def check_params(params: dict) -> Settings:
    """Check every hyper-parameter (``get_params()``), then the combinations.

    Returns
    -------
    Settings
    """
    validate(params)
    p = params
    hidden = hidden_tuple(p["hidden"])
    activation = p["activation"] if isinstance(p["activation"], str) else tuple(p["activation"])
    if p["architecture"] == "mlp":
        shape = ("mlp", hidden)
        if not isinstance(activation, str) and len(activation) != len(hidden):
            raise ValueError(f"activation must be a name or one name per hidden layer "
                             f"({len(hidden)}), got {p['activation']!r}")
    else:
        shape = ("resnet", int(p["width"]), int(p["depth"]))
        if not isinstance(activation, str):
            raise ValueError(f"a resnet takes one activation name, got {p['activation']!r}")
    if p["backend"] == "numpy" and p["device"] not in ("cpu", "auto"):
        raise ValueError(f"device={p['device']!r} needs backend='torch': the NumPy backend "
                         "runs on the CPU")
    dtype = np.dtype(p["dtype"])
    batch_size = None if p["batch_size"] in (None, "full") else int(p["batch_size"])
    lr = DEFAULT_LR[p["optimizer"]] if p["lr"] is None else float(p["lr"])
    return Settings(
        network_key=(*shape, activation, float(p["dropout"]), dtype.name),
        backend_key=(p["backend"], p["device"], p["optimizer"], float(p["momentum"]),
                     float(p["weight_decay"])),
        hidden=hidden, activation=activation, lr=lr, batch_size=batch_size,
        patience=None if p["patience"] is None else int(p["patience"]), dtype=dtype)
