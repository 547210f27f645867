"""Experiment: vanishing gradients and gradient blow-up in deep plain networks, the ResNet beside.

The lecture's ResNet slide writes Theorem 1 out to the first layer,

    dL/dz_1 = D_1 W_2^T D_2 W_3^T ... D_L W_L^T dL/dz_L,

and notes two ways it fails: "Vanishing Grad." and "Gradient Blowup.". Each
factor ``D_k W_{k+1}^T`` scales the gradient by roughly the same amount, so a
product of ``L - 1`` of them shrinks or grows geometrically toward the input:

- *vanishing*: sigmoid (``D_k <= 1/4``) with Glorot's initialisation, the
  default; each factor shrinks the gradient.
- *blow-up*: ReLU with weights 1.5 times He's standard deviation
  (``Var W = 4.5 / n_in``); He's choice (``2 / n_in``) is the one that keeps
  the product near 1, and each factor now grows the gradient by about 1.5.

Both at depth L = 32 (31 hidden layers of 32 units), measured on a random
batch of 1000 training images per seed, at initialisation, in float64
(``base.grad_norms``). Beside each: the ResNet of eq. (6) of the same depth,
activation and initialisation, whose blocks add the identity to each factor
(``I + W_{k,2}^T D_k W_{k,1}^T``), so the product neither vanishes nor blows
up. The claims take ``log10(|dL/dz_1| / |dL/dz_L|)`` per seed.
"""

from __future__ import annotations

import time

import numpy as np

from ..data import load
from ..spec import NetworkSpec
from .base import Record, Scope, grad_norms, mean_sd, other_data, scope_notes
from .verdicts import claim, undecided

NAME = "gradients"
TITLE = "Vanishing gradients and gradient blow-up"
NEEDS_DATA = True
NEEDS: tuple = ()
DEPTH, WIDTH, BATCH = 32, 32, 1000
GAIN = 1.5  # the blow-up networks' weights: this many times He's standard deviation
QUOTE = ("dL/dz_1 = D_1 W_2^T D_2 W_3^T D_3 W_4^T ... D_L W_L^T dL/dz_L. Vanishing Grad. "
         "Gradient Blowup.")
SETUPS: dict[str, dict] = {"vanishing": {"activation": "sigmoid", "gain": 1.0},
                           "blowup": {"activation": "relu", "gain": GAIN}}


def spec(architecture: str, activation: str, n_in: int, n_out: int) -> NetworkSpec:
    sizes = ({"hidden": (WIDTH,) * (DEPTH - 1)} if architecture == "mlp"
             else {"width": WIDTH, "depth": DEPTH - 2})
    return NetworkSpec(n_in, n_out, architecture=architecture, activation=activation,
                       dtype="float64", **sizes)


def norms(architecture: str, setup: str, data, seed: int) -> list[float]:
    """``|dL/dz_k|``, k = 1 .. L, of a fresh network on a random batch (both from ``seed``)."""
    s = SETUPS[setup]
    net = spec(architecture, s["activation"], data.n_features, data.n_classes).build(seed)
    for name, p in net.parameters().items():
        if name.rsplit(".", 1)[-1] in ("W", "W1", "W2"):
            p *= s["gain"]
    rows = np.random.default_rng(seed).choice(len(data.y_train), min(BATCH, len(data.y_train)),
                                              replace=False)
    return grad_norms(net, data.X_train[rows], data.y_train[rows])


def recipe(scope: Scope) -> dict:
    return {"depth_L": DEPTH, "width": WIDTH, "batch": f"{BATCH} random training images per seed",
            "when": "at initialisation", "dtype": "float64", "loss": "mean of eq. (7)",
            "vanishing": "sigmoid, glorot_uniform (the default)",
            "blowup": f"relu, he_normal with every weight times {GAIN}",
            "beside": "resnet of the same depth, activation and initialisation (its W1 "
                      "starts at a tenth of its scale, as every resnet here)",
            "measured": "log10(|dL/dz_1| / |dL/dz_L|)", "seeds": scope.seed_list}


def run(scope: Scope, runner=None) -> Record:
    t0 = time.perf_counter()
    data = load(scope.data, data_dir=scope.data_dir)
    measured = {(a, setup, s): norms(a, setup, data, s)
                for a in ("mlp", "resnet") for setup in SETUPS for s in scope.seed_list}

    def log_ratios(a, setup):
        return [float(np.log10(n[0] / n[-1])) for n in
                (measured[(a, setup, s)] for s in scope.seed_list)]

    results = {setup: {a: {"log10_first_over_last": mean_sd(log_ratios(a, setup)),
                           "norms_seed0": measured[(a, setup, 0)]}
                       for a in ("mlp", "resnet")} for setup in SETUPS}
    notes = "".join("; " + n for n in scope_notes(scope))
    claims = []
    for setup, rule, what in (("vanishing", "below_zero", "shrinks"),
                              ("blowup", "above_zero", "grows")):
        s = SETUPS[setup]
        plain, res = log_ratios("mlp", setup), log_ratios("resnet", setup)
        c = claim(f"{scope.prefix}_gradient_{setup}", quote=QUOTE,
                  statement=f"a deep plain {s['activation']} network (L = {DEPTH}"
                            + (f", weights {s['gain']:g} x He" if s["gain"] != 1 else "")
                            + f"): |dL/dz_k| {what} toward the input "
                              f"(ours: log10 |dL/dz_1| / |dL/dz_L| at initialisation)",
                  lecture="vanishing gradient" if setup == "vanishing" else "gradient blow-up",
                  values=plain, rule=rule, unit="log10 ratio",
                  beside={"resnet_log10_ratio": res},
                  note=f"the ResNet beside it: {np.mean(res):+.2f} (log10){notes}")
        if c["explanation"]:
            c["explanation"] = other_data(scope) + (
                undecided(c) or "Nothing measured here explains the difference.")
        claims.append(c)
    return Record(NAME, TITLE, QUOTE, recipe(scope), results,
                  {"measured": measured, "seeds": scope.seed_list}, claims,
                  seconds=time.perf_counter() - t0)


def draw(record: Record) -> dict:
    from ..plots.depth import norms_by_setup

    m = record.arrays["measured"]
    panels = {f"{setup}: {SETUPS[setup]['activation']}"
              + (f", weights {GAIN:g} x He" if setup == "blowup" else ""): {
                  a: [m[(a, setup, s)] for s in record.arrays["seeds"]]
                  for a in ("mlp", "resnet")} for setup in SETUPS}
    return {"gradient_blowup": norms_by_setup(
        panels, title=f"|dL/dz_k| per layer at initialisation, L = {DEPTH}: plain (mlp) "
                      "against ResNet, one line per seed (float64)")}
