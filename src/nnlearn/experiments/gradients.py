"""Experiment: vanishing gradients and gradient blow-up in deep plain networks, the ResNet beside.

The lecture's ResNet slide writes Theorem 1 out to the first layer,

    dL/dz_1 = D_1 W_2^T D_2 W_3^T ... D_L W_L^T dL/dz_L,

and notes two ways it fails: "Vanishing Grad." and "Gradient Blowup.". Each
factor ``D_k W_{k+1}^T`` scales the gradient by roughly the same amount, so a
product of ``L - 1`` of them shrinks or grows geometrically toward the input:

- *vanishing*: sigmoid (``D_k <= 1/4``) with Glorot's initialisation, the
  default; each factor shrinks the gradient.
- *blow-up*: ReLU, at He's initialisation (the default, ``Var W = 2 / n_in``,
  the choice that keeps the product near 1) and with weights 1.5 times He's
  standard deviation (``Var W = 4.5 / n_in``), where each factor grows the
  gradient by about 1.5. Both are measured; the lecture names no
  initialisation, so the statement's verdict rests on both (an earlier version
  showed the scaled one only: see the deviations).

The lecture's product ends in ``D_L W_L^T``; by its own Theorem 1 (eq. 4,
``dL/dz_{k-1} = D_{k-1} W_k^T dL/dz_k``) it ends in ``D_{L-1} W_L^T``:
``D_L W_L^T`` does not even conform unless ``n_L = n_{L-1}``. ``ERRATUM``
says so in the report; tests/test_experiments.py checks the corrected product
against the engine's gradient.

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
from .backprop import ERRATUM
from .base import GRADIENT_RATIO, Record, Scope, grad_norms, mean_sd, other_data, scope_notes
from .verdicts import measurement, statement, undecided

NAME = "gradients"
TITLE = "Vanishing gradients and gradient blow-up"
NEEDS_DATA = True
NEEDS: tuple = ()
DEPTH, WIDTH, BATCH = 32, 32, 1000
GAIN = 1.5  # the blow-up networks' weights: this many times He's standard deviation
CLAIMS = ("gradient_vanishing", "gradient_blowup")
#: The slide's words, its formula typeset as the slide writes it (the erratum says the rest).
QUOTE = (r"$\frac{\partial \mathcal{L}}{\partial z_1} = D_1 W_2^T D_2 W_3^T D_3 W_4^T \cdots "
         r"D_L W_L^T \frac{\partial \mathcal{L}}{\partial z_L}$. Vanishing Grad. Gradient "
         r"Blowup.")
SETUPS: dict[str, dict] = {"vanishing": {"activation": "sigmoid", "gain": 1.0},
                           "blowup": {"activation": "relu", "gain": GAIN},
                           "blowup_default": {"activation": "relu", "gain": 1.0}}
#: The statements and the setups that measure each.
STATEMENTS = {"vanishing": ("vanishing",), "blowup": ("blowup", "blowup_default")}
CHOICES = [
    {"what": f"L = {DEPTH}, width {WIDTH}, at initialisation, float64, {BATCH} random "
             "training images per seed",
     "why": "deep enough for a product of 31 factors to show; float64 so that nothing "
            "underflows"},
    {"what": "vanishing: sigmoid at Glorot's initialisation (the default)",
     "why": "sigmoid's derivative is at most 1/4, so every $D_k$ shrinks: the lecture's case "
            "of a shrinking product"},
    {"what": f"blow-up: ReLU at He's initialisation and at {GAIN:g} x He, the verdict resting "
             "on both",
     "why": "the lecture names no initialisation; He's is the default, the scaled one shows "
            "the mechanism"},
]


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
            "blowup_default": "relu, he_normal (the default)",
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
    claims: list = []
    for which, rule, what in (("vanishing", "below_zero", "shrinks"),
                              ("blowup", "above_zero", "grows")):
        ms = []
        for setup in STATEMENTS[which]:
            s = SETUPS[setup]
            res = log_ratios("resnet", setup)
            m = measurement(network=f"plain {s['activation']}, L = {DEPTH}", optimizer=None,
                            init_scale=s["gain"], width=WIDTH, values=log_ratios("mlp", setup),
                            rule=rule, lecture=None,
                            beside={"resnet_log10_ratio": res},
                            note=f"the ResNet beside it: {np.mean(res):+.2f} (log10)")
            if m["explanation"]:
                m["explanation"] = other_data(scope) + (
                    undecided(m, "log10 ratio") or
                    f"At {s['gain']:g} x the default initialisation the product of the "
                    f"$D_k W_{{k+1}}^T$ factors does not "
                    f"{'shrink' if rule == 'below_zero' else 'grow'} toward the input: "
                    f"${GRADIENT_RATIO}$ = {10 ** m['ours']:.2g} (mean of "
                    r"$\log_{10}$ over seeds).")
            ms.append(m)
        claims.append(statement(
            f"{scope.prefix}_{CLAIMS[len(claims)]}", quote=QUOTE,
            claim=f"a deep plain network (L = {DEPTH}): "
                  r"$\lvert \partial\mathcal{L}/\partial z_k \rvert$"
                  f" {what} toward the input (ours: $\\log_{{10}}({GRADIENT_RATIO})$ at "
                  "initialisation)",
            lecture="vanishing gradient" if which == "vanishing" else "gradient blow-up",
            rule=rule, unit="log10 ratio", measurements=ms,
            why="one network, sigmoid at its default initialisation" if which == "vanishing"
            else "the lecture names no initialisation: the default (He) and 1.5 x He are both "
                 "measured, and the statement rests on both (the less favourable verdict)",
            note="; ".join(([ERRATUM] if which == "vanishing" else []) + scope_notes(scope))))
    return Record(NAME, TITLE, QUOTE, recipe(scope), results,
                  {"measured": measured, "seeds": scope.seed_list}, claims,
                  notes=[ERRATUM], choices=CHOICES, seconds=time.perf_counter() - t0)


def draw(record: Record) -> dict:
    from ..plots.depth import norms_by_setup

    m = record.arrays["measured"]
    panels = {f"{setup}: {SETUPS[setup]['activation']}"
              + (f", weights {SETUPS[setup]['gain']:g} x default"
                 if SETUPS[setup]["gain"] != 1 else ""): {
                  a: [m[(a, setup, s)] for s in record.arrays["seeds"]]
                  for a in ("mlp", "resnet")} for setup in SETUPS}
    return {"gradient_blowup": norms_by_setup(
        panels, title=f"|dL/dz_k| per layer at initialisation, L = {DEPTH}: plain (mlp) "
                      "against ResNet, one line per seed (float64)")}
