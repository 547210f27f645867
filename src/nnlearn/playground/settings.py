"""What the page may ask for: one table of settings, their limits, and one loop that checks them.

Every value from the page goes through ``validate``. A value of the wrong kind or
an unknown name is refused and the previous value kept; a number outside its
range is capped. Either way a one-line message says what happened, and the page
shows it. Nothing the page sends can make the server build a network or a data
set larger than the limits below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..data.toy import TOY
from ..engine.activations import ACTIVATIONS
from ..engine.optim import DEFAULT_LR, OPTIMIZERS, SCHEDULES

UPLOAD = "upload"  #: the ``data`` value of the user's own file
ARCHITECTURES = ("plain", "resnet")
MAX_LAYERS = 32  #: hidden layers ("tens of layers")
MAX_WIDTH = 512  #: units per hidden layer ("a few hundred")
MAX_PARAMETERS = 2_000_000  #: a bound on memory and on the cost of one frame
MAX_POINTS = 5000
MAX_CLASSES = 8
FIXED_CLASSES = {"moons": 2, "xor": 2}  # toy sets whose law has exactly two classes


@dataclass(frozen=True)
class Field:
    """One setting: its kind (``int``, ``float``, ``choice``, ``ints``, ``names``),
    default and limits. ``None`` is allowed where ``optional``."""

    kind: str
    default: object
    lo: float | None = None
    hi: float | None = None
    choices: tuple = ()
    optional: bool = False


FIELDS = {
    "data": Field("choice", "rings", choices=(*TOY, UPLOAD)),
    "classes": Field("int", 2, 2, MAX_CLASSES),
    "points": Field("int", 500, 20, MAX_POINTS),
    "noise": Field("float", 0.1, 0.0, 1.0),
    "test_fraction": Field("float", 0.2, 0.1, 0.9),
    "seed": Field("int", 0, 0, 2**31 - 1),
    "architecture": Field("choice", "plain", choices=ARCHITECTURES),
    "hidden": Field("ints", (16, 16), 1, MAX_WIDTH),
    "activation": Field("names", ("relu", "relu"), choices=tuple(n for n in ACTIVATIONS
                                                          if n != "identity")),
    "dropout": Field("float", 0.0, 0.0, 0.9),
    "optimizer": Field("choice", "adam", choices=tuple(OPTIMIZERS)),
    "lr": Field("float", None, 1e-6, 10.0, optional=True),
    "schedule": Field("choice", "constant", choices=SCHEDULES),
    "batch_size": Field("int", 10, 0, MAX_POINTS),  # 0: the whole training set
    "iterations": Field("int", 10_000, 1, 1_000_000),
}

DEFAULTS = {name: f.default for name, f in FIELDS.items()}


def _number(name, f: Field, value):
    """``value`` as the field's number, or raise ValueError with a message."""
    if isinstance(value, bool):
        raise ValueError(f"{name}: {value!r} is not a number")
    if isinstance(value, str):
        value = value.strip()
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{name}: {value!r} is not a finite number")
    if f.kind in ("int", "ints"):
        if number != round(number):
            raise ValueError(f"{name}: {value!r} is not a whole number")
        return int(round(number))
    return number


def _capped(name, f: Field, number, messages):
    if f.lo is not None and number < f.lo:
        messages.append(f"{name}: {number:g} is below the smallest allowed value, {f.lo:g}; "
                        f"using {f.lo:g}")
        return type(number)(f.lo)
    if f.hi is not None and number > f.hi:
        messages.append(f"{name}: {number:g} is above the limit, {f.hi:g}; using {f.hi:g}")
        return type(number)(f.hi)
    return number


def _list(name, value, limit):
    if isinstance(value, str):
        value = [v for v in value.replace(" ", "").split(",") if v != ""]
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{name}: expected a list such as 16,16, got {value!r}")
    if len(value) > limit:
        raise ValueError(f"{name}: {len(value)} entries; at most {limit} hidden layers")
    return list(value)


def _clean(name, f: Field, value, messages):
    """The checked value of one field; raises ValueError to refuse it."""
    if f.kind == "ints" and value == "":
        return ()  # no hidden layer: a linear classifier (as the URL writes it)
    if value is None or value == "":
        if f.optional:
            return None
        raise ValueError(f"{name}: a value is needed")
    if f.kind == "choice":
        if not isinstance(value, str) or value not in f.choices:
            raise ValueError(f"{name}: unknown value {str(value)[:40]!r}; choose one of: "
                             f"{', '.join(f.choices)}")
        return value
    if f.kind == "ints":
        return tuple(_capped(name, f, _number(name, f, v), messages)
                     for v in _list(name, value, MAX_LAYERS))
    if f.kind == "names":
        names = _list(name, value, MAX_LAYERS) or [f.default[0]]
        for v in names:
            if not isinstance(v, str) or v not in f.choices:
                raise ValueError(f"{name}: unknown activation {str(v)[:40]!r}; choose one of: "
                                 f"{', '.join(f.choices)}")
        return tuple(names)
    return _capped(name, f, _number(name, f, value), messages)


def validate(changes, current=None) -> tuple[dict, list[str]]:
    """Apply ``changes`` (a dict from the page) to ``current`` (default: ``DEFAULTS``).

    Returns the new complete settings and the messages for the page. Unknown
    keys are reported and ignored; a refused value keeps the current one.
    """
    settings = dict(current or DEFAULTS)
    messages: list[str] = []
    if not isinstance(changes, dict):
        kind = type(changes).__name__
        return settings, [f"settings must be an object of name: value, got {kind}"]
    for name, value in list(changes.items())[:len(FIELDS) + 8]:
        f = FIELDS.get(name)
        if f is None:
            messages.append(f"unknown setting {str(name)[:40]!r} ignored")
            continue
        try:
            settings[name] = _clean(name, f, value, messages)
        except ValueError as err:
            messages.append(f"{err}; kept {display(name, settings[name])}")
    _reconcile(settings, messages, dict(current or DEFAULTS))
    return settings, messages


def _reconcile(s: dict, messages: list[str], previous: dict) -> None:
    """Rules between fields: fixed class counts, one activation per layer, size limits."""
    fixed = FIXED_CLASSES.get(s["data"])
    if fixed and s["classes"] != fixed:
        messages.append(f"{s['data']} has exactly {fixed} classes")
        s["classes"] = fixed
    if s["architecture"] == "resnet" and not s["hidden"]:
        messages.append("a ResNet needs at least one hidden layer; using one of 16")
        s["hidden"] = (16,)
    n = len(s["hidden"])
    acts = tuple(s["activation"])
    if len(acts) != max(n, 1):
        s["activation"] = (acts + (acts[-1],) * n)[:n] if n else acts[:1]
    if parameter_count(s) > MAX_PARAMETERS:
        messages.append(f"network too large: {parameter_count(s):,} parameters (the limit is "
                        f"{MAX_PARAMETERS:,}); kept {display('hidden', previous['hidden'])}")
        for name in ("hidden", "activation", "architecture"):
            s[name] = previous[name]


def parameter_count(s: dict) -> int:
    """Weights and biases of the network that ``s`` describes (see ``model.build``)."""
    h, k = list(s["hidden"]), s["classes"]
    if not h:
        return 2 * k + k
    if s["architecture"] == "resnet":  # input map, blocks of inner width h_j, output map
        w = h[0]
        return 3 * w + sum(2 * w * i + i for i in h[1:]) + (w + 1) * k
    widths = [2, *h, k]
    return sum((a + 1) * b for a, b in zip(widths, widths[1:]))


def learning_rate(s: dict) -> float:
    """The learning rate in use: the one given, else the optimiser's own (``DEFAULT_LR``)."""
    return s["lr"] if s["lr"] is not None else DEFAULT_LR[s["optimizer"]]


def display(name, value) -> str:
    """A value as the page and the URL write it (lists as ``16,16``)."""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


def as_json(s: dict) -> dict:
    return {name: list(v) if isinstance(v, tuple) else v for name, v in s.items()}
