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
MAX_PARAMETERS = 2_000_000  #: a bound on the weights' memory and on the cost of one frame
#: bytes one page's training step may hold in activations (``step_memory``): with widths at
#: most 512 this also bounds an iteration's work, so a pause lands soon
MEMORY_BUDGET = 64 * 2**20
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


def _show(number) -> str:
    """A number for a message: a huge integer by its length (``float()`` of it overflows)."""
    if isinstance(number, int) and abs(number) >= 10**15:
        return f"{'-' if number < 0 else ''}a {len(str(abs(number)))}-digit number"
    return f"{number:g}"


def _number(name, f: Field, value):
    """``value`` as the field's number (not yet capped), or raise ValueError with a message."""
    if isinstance(value, bool):
        raise ValueError(f"{name}: {value!r} is not a number")
    if isinstance(value, int):
        return value  # exact: _capped compares it with the limits before any float()
    if isinstance(value, str):
        value = value.strip()
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {str(value)[:40]!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{name}: {str(value)[:40]!r} is not a finite number")
    if f.kind in ("int", "ints"):
        if number != round(number):
            raise ValueError(f"{name}: {str(value)[:40]!r} is not a whole number")
        return int(round(number))
    return number


def _capped(name, f: Field, number, messages):
    """``number`` within the field's range, as the field's type; a message when it was not.

    Integers (of any size: JSON has no limit) are compared exactly, before they are
    converted, so a 400-digit ``points`` is capped like any other value above the limit."""
    whole = f.kind in ("int", "ints")
    if f.lo is not None and number < f.lo:
        low = int(f.lo) if whole else float(f.lo)
        messages.append(f"{name}: {_show(number)} is below the smallest allowed value, "
                        f"{f.lo:g}; using {f.lo:g}")
        return low
    if f.hi is not None and number > f.hi:
        high = int(f.hi) if whole else float(f.hi)
        messages.append(f"{name}: {_show(number)} is above the limit, {f.hi:g}; using {f.hi:g}")
        return high
    return int(number) if whole else float(number)


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
    fit_to_data(s, s["classes"], None, previous, messages)


def parameter_count(s: dict, n_classes: int | None = None) -> int:
    """Weights and biases of the network that ``s`` describes (see ``model.build``) for
    ``n_classes`` outputs (default ``s["classes"]``; an uploaded file has its own)."""
    h, k = list(s["hidden"]), n_classes or s["classes"]
    if not h:
        return 2 * k + k
    if s["architecture"] == "resnet":  # input map, blocks of inner width h_j, output map
        w = h[0]
        return 3 * w + sum(2 * w * i + i for i in h[1:]) + (w + 1) * k
    widths = [2, *h, k]
    return sum((a + 1) * b for a, b in zip(widths, widths[1:]))


def step_memory(s: dict, n_classes: int, n_train: int) -> int:
    """Bytes of float32 activations that one training step of ``s``'s network holds at
    its peak, for a batch of ``min(batch_size or n_train, n_train)`` rows.

    Per row, every layer keeps arrays between steps and needs more for a moment
    while it runs (the peak adds the largest such moment): a dense layer of width
    ``h`` keeps ``z``, ``f = sigma(z)`` and ``dL/dz`` (eqs. 3-5), and briefly its
    previous ``z`` and ``f`` and the activation's temporaries; a dropout layer keeps
    its mask, output and ``dL/dz`` and draws in float64; a residual block of width
    ``w`` and inner width ``h`` keeps ``z``, ``sigma(z)``, ``dL/dz`` and its output.
    ``tests/test_playground_limits.py`` checks this against ``tracemalloc``.
    """
    batch = min(s["batch_size"] or n_train, n_train)
    layers = []  # (kept, briefly) values per row
    width = 2
    for j, h in enumerate(s["hidden"]):
        if s["architecture"] == "resnet" and j > 0:
            layers.append((3 * h + width, 8 * h + 3 * width))
        else:
            layers.append((3 * h, 8 * h + width))
            width = h
        if s["dropout"]:
            layers.append((3 * width, 3 * width))
    layers.append((2 * n_classes, 4 * n_classes + width))
    units = sum(kept for kept, _ in layers) + max(briefly for _, briefly in layers)
    return 4 * batch * units


NETWORK_KEYS = ("hidden", "activation", "architecture", "dropout", "batch_size")


def used_limits(s: dict, n_classes: int, n_train: int | None) -> str | None:
    """Why the network and batch of ``s`` cannot train on data of ``n_classes`` classes
    and ``n_train`` training rows (None: they can; ``n_train`` None: not known yet)."""
    count = parameter_count(s, n_classes)
    if count > MAX_PARAMETERS:
        return f"network too large: {count:,} parameters (the limit is {MAX_PARAMETERS:,})"
    if n_train is None:
        return None
    need = step_memory(s, n_classes, n_train)
    if need <= MEMORY_BUDGET:
        return None
    batch = min(s["batch_size"] or n_train, n_train)
    most = max(1, batch * MEMORY_BUDGET // need)
    return (f"one training step of this network on {batch:,} rows would hold "
            f"{need / 2**20:,.0f} MB (a page may use {MEMORY_BUDGET // 2**20} MB): lower the "
            f"batch size (to at most {most:,}) or the number or width of the hidden layers")


def fit_to_data(s: dict, n_classes: int, n_train: int | None, previous: dict,
                messages: list[str]) -> None:
    """Keep the caps on the settings as they will be used: the data's own class count and
    training rows. Over a cap, the network and batch settings go back to ``previous``
    (or, when those do not fit this data either, to the defaults), with a message."""
    problem = used_limits(s, n_classes, n_train)
    if problem is None:
        return
    for fallback in (previous, DEFAULTS):
        trial = {**s, **{k: fallback[k] for k in NETWORK_KEYS}}
        if used_limits(trial, n_classes, n_train) is None:
            break
    s.update({k: trial[k] for k in NETWORK_KEYS})
    messages.append(f"{problem}; kept hidden {display('hidden', s['hidden']) or '(none)'}, "
                    f"batch size {s['batch_size']}")


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
