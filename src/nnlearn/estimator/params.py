"""The estimator's hyper-parameters, checked against the one settings table.

What each hyper-parameter accepts, its default and its help are rows of
``nnlearn.settings`` (the estimator's face of it). ``validate`` tries each
row's constraints and raises one ``ValueError`` that names the parameter, what
it accepts and what it got (``dropout must be a number in [0, 1), got 1.5``);
``check_params`` then checks the combinations and returns the values in the
types the engine takes.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from ..settings import ESTIMATOR, for_face
from ..spec import NetworkSpec

PARAMETERS = for_face(ESTIMATOR)  #: name -> Setting, in the table's order
NO_PATIENCE = 2**62  # "never stop": EarlyStopping still tracks (and restores) the best epoch


def validate(params: dict) -> None:
    """Raise a ``ValueError`` naming the first hyper-parameter that no constraint accepts."""
    for name, setting in PARAMETERS.items():
        setting.check(params[name])


# -- what the engine takes, once every value is known to be acceptable ------------------------

@dataclass(frozen=True)
class CheckedParams:
    """The hyper-parameters after validation, in the types the engine takes."""

    network_key: tuple  # what fixes the network's shape: changing it forbids warm starts
    spec_args: tuple  # NetworkSpec's keyword arguments, as (name, value) pairs
    backend_key: tuple  # what fixes the backend and optimiser: changing it rebuilds them
    hidden: tuple
    activation: str | tuple
    patience: int | None
    dtype: np.dtype


    def network_spec(self, n_in: int, n_out: int) -> NetworkSpec:
        """The network these hyper-parameters describe, for ``n_in`` features and
        ``n_out`` classes: an mlp (eq. 1) or a ResNet (eq. 6)."""
        return NetworkSpec(n_in, n_out, **dict(self.spec_args))


def hidden_tuple(hidden) -> tuple[int, ...]:
    """``hidden`` as a tuple of ints (an int is one hidden layer)."""
    return (int(hidden),) if isinstance(hidden, numbers.Integral) else tuple(map(int, hidden))


def check_params(params: dict) -> CheckedParams:
    """Check every hyper-parameter (``get_params()``), then the combinations.

    Returns
    -------
    CheckedParams
    """
    validate(params)
    p = params
    hidden = hidden_tuple(p["hidden"])
    activation = p["activation"] if isinstance(p["activation"], str) else tuple(p["activation"])
    shape: tuple
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
    lbfgs: tuple = ()
    if p["optimizer"] == "lbfgs":
        if p["backend"] != "numpy":
            raise ValueError("optimizer='lbfgs' runs on backend='numpy' (SciPy's L-BFGS-B on "
                             "the engine's parameters)")
        if p["dropout"]:
            raise ValueError("optimizer='lbfgs' minimises one fixed loss; dropout makes it "
                             "random: use dropout=0 with lbfgs")
        lbfgs = (int(p["max_fun"]), float(p["tol"]))
    return CheckedParams(
        network_key=(*shape, activation, float(p["dropout"]), dtype.name),
        backend_key=(p["backend"], p["device"], p["optimizer"], float(p["momentum"]),
                     float(p["weight_decay"]), *lbfgs),
        spec_args=(("architecture", p["architecture"]), ("hidden", hidden),
                   ("width", int(p["width"])), ("depth", int(p["depth"])),
                   ("activation", activation), ("dropout", float(p["dropout"])),
                   ("dtype", dtype.name)),
        hidden=hidden, activation=activation,
        patience=None if p["patience"] is None else int(p["patience"]), dtype=dtype)
