"""What the page may ask for: the settings table's playground rows, and one loop that checks them.

The fields, their defaults and their limits are the rows of ``nnlearn.settings``
marked for the playground, with the playground's own column (a lower cap where
a browser tab must stay small). Every value from the page goes through
``validate``. A value of the wrong kind or an unknown name is refused and the
previous value kept; a number outside its range is capped. Either way a
one-line message says what happened, and the page shows it. Nothing the page
sends can make the server build a network or a data set larger than the limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..assembly import train_config
from ..engine.optim import LBFGS
from ..settings import PLAYGROUND, SETTINGS, Setting, for_face
from ..settings.constraints import Integer, NoneValue, Options, Real, SequenceOf
from ..settings.table import ARCHITECTURES, UPLOAD
from ..engine.features import DEFAULT_FEATURES
from ..spec import NetworkSpec

__all__ = ["ARCHITECTURES", "DEFAULTS", "FIELDS", "MAX_CLASSES", "MAX_LAYERS", "MAX_PARAMETERS",
           "MEMORY_BUDGET",
           "MAX_POINTS", "MAX_WIDTH", "UPLOAD", "validate"]

MAX_PARAMETERS = 2_000_000  #: a bound on the weights' memory and on the cost of one frame
#: bytes one page's training step may hold in activations (``step_memory``): with widths at
#: most 512 this also bounds an iteration's work, so a pause lands soon
MEMORY_BUDGET = 64 * 2**20
FIXED_CLASSES = {"moons": 2, "xor": 2}  # toy sets whose law has exactly two classes


@dataclass(frozen=True)
class Field:
    """One setting as the page edits it: its kind (``int``, ``float``, ``choice``,
    ``ints``, ``names``), default and limits. ``None`` is allowed where ``optional``."""

    kind: str
    default: Any
    lo: float | None = None
    hi: float | None = None
    choices: tuple = ()
    optional: bool = False
    items: int | None = None  # the most entries of a list


def _field(s: Setting) -> Field:
    """The playground's field of a table row: its column's bounds, else the row's own."""
    play = s.play
    kinds = [c for c in s.accepts if not isinstance(c, NoneValue)]
    c = kinds[0]
    if len(kinds) > 1 and isinstance(kinds[1], SequenceOf):
        kind = "ints" if isinstance(c, Integer) else "names"
    else:
        kind = {Options: "choice", Integer: "int", Real: "float"}[type(c)]
    lo = play.low if play and play.low is not None else getattr(c, "low", None)
    hi = play.high if play and play.high is not None else getattr(c, "high", None)
    # a number that also takes words (batch_size: "full") keeps those words as choices
    words = [w for k in kinds[1:] if isinstance(k, Options) for w in k.choices]
    choices = play.choices if play and play.choices else getattr(c, "choices", tuple(words))
    return Field(kind, s.play_default, lo, None if hi is None or math.isinf(hi) else hi,
                 tuple(choices), optional=s.play_default is None,
                 items=play.items if play else None)


FIELDS = {name: _field(s) for name, s in for_face(PLAYGROUND).items()}
DEFAULTS = {name: f.default for name, f in FIELDS.items()}


def _bound(value) -> int:
    assert value is not None, "the table bounds this setting"
    return int(value)


MAX_LAYERS = _bound(FIELDS["hidden"].items)  #: hidden layers ("tens of layers")
MAX_WIDTH = _bound(FIELDS["hidden"].hi)  #: units per hidden layer ("a few hundred")
MAX_POINTS = _bound(FIELDS["points"].hi)
MAX_CLASSES = _bound(FIELDS["classes"].hi)


def _show(number) -> str:
    """A number for a message: a huge integer by its length (``float()`` of it overflows)."""
    if isinstance(number, int) and abs(number) >= 10**15:
        return f"{'-' if number < 0 else ''}a {len(str(abs(number)))}-digit number"
    if float(number).is_integer() and abs(number) < 10**15:
        return f"{int(number):,}"  # 1,000,000 iterations, not 1e+06
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
                        f"{_show(f.lo)}; using {_show(f.lo)}")
        return low
    if f.hi is not None and number > f.hi:
        high = int(f.hi) if whole else float(f.hi)
        messages.append(f"{name}: {_show(number)} is above the limit, {_show(f.hi)}; "
                        f"using {_show(f.hi)}")
        return high
    return int(number) if whole else float(number)


def _list(name, value, limit):
    if isinstance(value, str):
        value = [v for v in value.replace(" ", "").split(",") if v != ""]
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{name}: expected a list such as 16,16, got {value!r}")
    if len(value) > limit:
        what = "features" if name == "features" else "hidden layers"
        raise ValueError(f"{name}: {len(value)} entries; at most {limit} {what}")
    return list(value)


def _clean(name, f: Field, value, messages):
    """The checked value of one field; raises ValueError to refuse it."""
    if f.kind == "ints" and value == "":
        return ()  # no hidden layer: a linear classifier (as the URL writes it)
    if value is None or value == "":
        if f.optional:
            return None
        raise ValueError(f"{name}: a value is needed")
    if f.kind in ("int", "float") and isinstance(value, str) and value.strip() in f.choices:
        return value.strip()  # a word the number's setting also takes ("full")
    if f.kind == "choice":
        if not isinstance(value, str) or value not in f.choices:
            raise ValueError(f"{name}: unknown value {str(value)[:40]!r}; choose one of: "
                             f"{', '.join(f.choices)}")
        return value
    if f.kind == "ints":
        return tuple(_capped(name, f, _number(name, f, v), messages)
                     for v in _list(name, value, MAX_LAYERS))
    if f.kind == "names":
        names = _list(name, value, f.items or MAX_LAYERS) or [f.default[0]]
        what = "activation" if name == "activation" else "value"
        for v in names:
            if not isinstance(v, str) or v not in f.choices:
                raise ValueError(f"{name}: unknown {what} {str(v)[:40]!r}; choose one of: "
                                 f"{', '.join(f.choices)}")
        if name == "features":  # a set of inputs, in the table's order
            return tuple(c for c in f.choices if c in names)
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
            value = _clean(name, f, value, messages)
            SETTINGS[name].check(value)  # the table is the one validator; the page only parses
            settings[name] = value
        except ValueError as err:
            messages.append(f"{err}; kept {display(name, settings[name])}")
    _reconcile(settings, messages, dict(current or DEFAULTS))
    return settings, messages


def _reconcile(s: dict, messages: list[str], previous: dict) -> None:
    """Rules between fields: fixed class counts, one activation per layer, size limits,
    no dropout with lbfgs (whose loss must not change between evaluations)."""
    if s["optimizer"] == "lbfgs" and s["dropout"]:
        messages.append("lbfgs minimises one fixed loss; dropout makes it random: using 0")
        s["dropout"] = 0.0
    if s["optimizer"] == "lbfgs" and s["backend"] != "numpy":
        messages.append("lbfgs runs on the numpy backend (SciPy's L-BFGS-B): using numpy")
        s["backend"] = "numpy"
    fixed = FIXED_CLASSES.get(s["data"])
    if fixed and s["classes"] != fixed:
        messages.append(f"{s['data']} has exactly {fixed} classes")
        s["classes"] = fixed
    n = hidden_layers(s)
    acts = tuple(s["activation"])
    if len(acts) != max(n, 1):
        s["activation"] = (acts + (acts[-1],) * n)[:n] if n else acts[:1]
    fit_to_data(s, s["classes"], None, previous, messages)


#: the settings that give each architecture its size, as in the settings table: an mlp
#: reads ``hidden``, a ResNet ``width`` and ``depth`` (the other's are kept, unused)
SIZES = {"mlp": ("hidden",), "resnet": ("width", "depth")}


def hidden_layers(s: dict) -> int:
    """Hidden layers, each with its activation: an mlp's ``len(hidden)``; a ResNet's
    input map and its ``depth`` blocks."""
    return len(s["hidden"]) if s["architecture"] == "mlp" else 1 + s["depth"]


def unused(s: dict) -> set[str]:
    """The size settings the architecture of ``s`` does not read (left out of the URL)."""
    return {k for arch, keys in SIZES.items() if arch != s["architecture"] for k in keys}


def network_spec(s: dict, n_classes: int) -> NetworkSpec:
    """The network of the settings: an mlp of the widths ``hidden`` (eq. 1), or a
    ResNet (eq. 6): an input map to ``width`` units and ``depth`` residual blocks of
    that width; ``activation[j]`` for hidden layer ``j``. Input features other than
    ``x1,x2`` are a first ``Features`` layer (``NetworkSpec.features``)."""
    n, acts = hidden_layers(s), tuple(s["activation"])
    features = None if tuple(s["features"]) == DEFAULT_FEATURES else tuple(s["features"])
    common = dict(activation=acts[:n] if n else "relu", dropout=s["dropout"],
                  features=features)
    if s["architecture"] == "resnet":
        return NetworkSpec(2, n_classes, architecture="resnet", width=s["width"],
                           depth=s["depth"], **common)
    return NetworkSpec(2, n_classes, hidden=tuple(s["hidden"]), **common)


def parameter_count(s: dict, n_classes: int | None = None) -> int:
    """Weights and biases of the network that ``s`` describes for ``n_classes``
    outputs (default ``s["classes"]``; an uploaded file has its own)."""
    return network_spec(s, n_classes or s["classes"]).n_parameters()


def step_memory(s: dict, n_classes: int, n_train: int) -> int:
    """Bytes of float32 activations that one training step of ``s``'s network holds at
    its peak, for the rows of one step (``TrainConfig.rows_per_step``: all ``n_train``
    for ``batch_size="full"`` and for L-BFGS).

    Per row, every layer keeps arrays between steps and needs more for a moment
    while it runs (the peak adds the largest such moment): a dense layer of width
    ``h`` keeps ``z``, ``f = sigma(z)`` and ``dL/dz`` (eqs. 3-5), and briefly its
    previous ``z`` and ``f`` and the activation's temporaries; a dropout layer keeps
    its mask, output and ``dL/dz`` and draws in float64; a residual block of width
    ``w`` (its inner width ``h`` is ``w`` too) keeps ``z``, ``sigma(z)``, ``dL/dz`` and its
    output.
    ``tests/test_playground_limits.py`` checks this against ``tracemalloc``.
    """
    batch = train_config(s).rows_per_step(n_train)
    layers = []  # (kept, briefly) values per row
    width = len(s["features"])
    resnet = s["architecture"] == "resnet"
    for j, h in enumerate((s["width"],) * hidden_layers(s) if resnet else s["hidden"]):
        if resnet and j > 0:
            layers.append((3 * h + width, 8 * h + 3 * width))
        else:
            layers.append((3 * h, 8 * h + width))
            width = h
        if s["dropout"]:
            layers.append((3 * width, 3 * width))
    layers.append((2 * n_classes, 4 * n_classes + width))
    units = sum(kept for kept, _ in layers) + max(briefly for _, briefly in layers)
    return 4 * batch * units


#: float64 vectors the size of the parameters that L-BFGS holds besides its pairs: SciPy's
#: workspace (5) and the objective's copies of theta and of the gradient (5)
LBFGS_VECTORS = 10


def optimizer_memory(s: dict, n_classes: int) -> int:
    """Bytes the optimiser of ``s`` holds beyond the step's activations: for L-BFGS its
    ``memory`` pairs of float64 vectors ``(s_k, y_k)`` and ``LBFGS_VECTORS`` more, the size
    of the parameters each (a 2-million-parameter network: 480 MB); 0 for the others,
    whose state is a vector or two of the network's dtype, bounded by ``MAX_PARAMETERS``."""
    if s["optimizer"] != "lbfgs":
        return 0
    pairs = LBFGS().memory
    return 8 * parameter_count(s, n_classes) * (2 * pairs + LBFGS_VECTORS)


NETWORK_KEYS = ("hidden", "width", "depth", "activation", "architecture", "dropout",
                "batch_size", "optimizer")


def used_limits(s: dict, n_classes: int, n_train: int | None) -> str | None:
    """Why the network and batch of ``s`` cannot train on data of ``n_classes`` classes
    and ``n_train`` training rows (None: they can; ``n_train`` None: not known yet)."""
    count = parameter_count(s, n_classes)
    if count > MAX_PARAMETERS:
        return f"network too large: {count:,} parameters (the limit is {MAX_PARAMETERS:,})"
    if n_train is None:
        return None
    own = optimizer_memory(s, n_classes)
    need = step_memory(s, n_classes, n_train) + own
    if need <= MEMORY_BUDGET:
        return None
    batch = train_config(s).rows_per_step(n_train)
    held = (f"one training step of this network on {batch:,} rows would hold "
            f"{need / 2**20:,.0f} MB (a page may use {MEMORY_BUDGET // 2**20} MB)")
    if own:
        return (f"{held}, {own / 2**20:,.0f} MB of it L-BFGS's own: lower the number or "
                f"width of the hidden layers, or the points, or choose another optimizer")
    most = max(1, batch * MEMORY_BUDGET // need)
    return (f"{held}: lower the batch size (to at most {most:,}) or the number or width of "
            f"the hidden layers")


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
    size = (f"hidden {display('hidden', s['hidden']) or '(none)'}" if s["architecture"] == "mlp"
            else f"width {s['width']}, depth {s['depth']}")
    messages.append(f"{problem}; kept {size}, batch size {s['batch_size']}, "
                    f"optimizer {s['optimizer']}")


def display(name, value) -> str:
    """A value as the page and the URL write it (lists as ``16,16``)."""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


def as_json(s: dict) -> dict:
    return {name: list(v) if isinstance(v, tuple) else v for name, v in s.items()}
