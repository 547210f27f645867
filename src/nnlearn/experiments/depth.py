"""Experiment: depth, plain networks against ResNets (eq. 6).

Theorem 1 writes ``dL/dz_k`` as a product of ``D_j W_j^T`` factors from the top
down to layer ``k``: with sigmoid (``D_j`` at most 1/4) the product shrinks
with every layer, so the first layers of a deep plain network hardly learn.
The ResNet's blocks ``f_k = f_{k-1} + W_{k,1} sigma(W_{k,2} f_{k-1} + b_k)``
add the identity to each factor, so the gradient passes down unshrunk.

Networks with L = 2, 4, 8, 16, 32 weight layers of width 32: plain
``mlp(784, [32] * (L - 1), 10)`` and ``resnet(784, 32, L - 2, 10)`` (an input
map, L - 2 residual blocks, an output map), with sigmoid and with ReLU,
default initialisation (He for ReLU, Glorot for sigmoid). Measured: the norm
of ``dL/dz_k`` for every layer on a fixed batch of 1000 training images at
initialisation and after training, and test accuracy after the same budget.
Recipe: 10000 training images (stratified, each seed its own), batches of 128,
5 epochs, pixels in [0, 1], trained by SGD (the lecture's gradient descent,
eq. 2, in mini-batches) and by Adam, each network's rate for each optimiser
chosen on validation (2000 of the 10000 held out, seed 0, accuracy after the
5 epochs; ``search.DEPTH_LR_GRID``). Both optimisers are reported with a
verdict each; the statements rest on SGD, the lecture's optimiser. (An earlier
version ran Adam only, kept after seeing SGD at 0.1 leave deep networks
untrained: see the deviations.) The norms are computed in float64
(``base.grad_norms``).
"""

from __future__ import annotations

import time

from dataclasses import replace

from ..settings import ARCHITECTURES
from .base import GRADIENT_RATIO, Record, Scope, Task, mean_sd, other_data, scope_notes
from .search import DEPTH_LR_GRID, choose_lr, lr_tasks
from .verdicts import by, measurement, points, statement, undecided

NAME = "depth"
TITLE = "Depth: plain networks against ResNets"
QUOTE = {"mlp": "The traditional neural network architecture [...] often yields worse "
                "performance for deeper networks compared to shallower ones.",
         "resnet": "Thus, a deeper network with ResNet architecture should not perform worse "
                   "than a shallower network."}
NEEDS_DATA = True
NEEDS: tuple = ()
CLAIMS = ("depth_plain_worse", "depth_resnet_not_worse")
ACTIVATIONS = ("sigmoid", "relu")
OPTIMIZERS = ("sgd", "adam")
#: The optimiser the statements rest on: the lecture trains "with gradient descent".
LECTURE_OPTIMIZER = "sgd"
WIDTH = 32
CHOICES = [
    {"what": "L = 2, 4, 8, 16, 32 weight layers of width 32; plain mlp and resnet (eq. 6); "
             "sigmoid and ReLU; default initialisation",
     "why": "depth is the one thing that varies; both activations, since the lecture names none"},
    {"what": "10000 training images, batches of 128, 5 epochs: the same budget for every network",
     "why": "the statements compare depths after the same training"},
    {"what": "SGD and Adam, each network's rate chosen on validation (DEPTH_LR_GRID)",
     "why": "a fixed rate favours some depths; both optimisers, because the finding depends "
            "on the optimiser"},
    {"what": "the statements rest on SGD; both activations must bear them out",
     "why": "the lecture trains with gradient descent (eq. 2) and names no activation"},
    {"what": "the deepest against the shallowest network, L = 32 minus L = 2",
     "why": "the widest contrast of depth the study has"},
]


def plan(scope: Scope) -> dict:
    if scope.quick:
        return {"depths": (2, 8), "n_train": 1000, "n_test": 1000, "epochs": 2,
                "validation": 200}
    return {"depths": (2, 4, 8, 16, 32), "n_train": 10000, "n_test": None, "epochs": 5,
            "validation": 2000}


def depth_task(scope: Scope, arch: str, act: str, L: int, seed: int, optimizer: str = "adam",
               lr: float = 1e-3) -> Task:
    p = plan(scope)
    return Task(data=scope.data, data_dir=scope.data_dir, n_train=p["n_train"],
                n_test=p["n_test"], subset_seed=seed, architecture=arch,
                hidden=(WIDTH,) * (L - 1), width=WIDTH, depth=L - 2, activation=act,
                optimizer=optimizer, lr=lr, schedule="constant", batch_size=128,
                epochs=p["epochs"], seed=seed, grad_norms=True)


def recipe(scope: Scope) -> dict:
    p = plan(scope)
    return {"depths_L": list(p["depths"]), "width": WIDTH, "architectures": list(ARCHITECTURES),
            "activations": list(ACTIVATIONS), "optimizers": list(OPTIMIZERS),
            "lr": {"grid": {k: list(v) for k, v in DEPTH_LR_GRID.items()},
                   "chosen_on": f"validation: {p['validation']} of the training images held "
                                f"out, seed 0, accuracy after the {p['epochs']} epochs"},
            "statements_rest_on": LECTURE_OPTIMIZER, "schedule": "constant", "batch_size": 128,
            "epochs": p["epochs"],
            "n_train": p["n_train"], "n_test": p["n_test"] or "all",
            "init": "he_normal (relu), glorot_uniform (sigmoid)",
            "gradient_probe": "first 1000 training images, mean loss",
            "input_scaling": "pixels / 255, in [0, 1]", "subset": "stratified, each seed its own",
            "norms": "float64", "seeds": scope.seed_list}


def choose_rates(scope: Scope, runner) -> dict:
    """Each (optimiser, architecture, activation, depth)'s rate, chosen on validation."""
    p = plan(scope)
    keys = [(o, a, f, L) for o in OPTIMIZERS for a in ARCHITECTURES for f in ACTIVATIONS
            for L in p["depths"]]
    tasks = [lr_tasks(replace(depth_task(scope, a, f, L, 0, o), grad_norms=False),
                      DEPTH_LR_GRID[o], p["validation"]) for o, a, f, L in keys]
    outs = iter(runner.map([t for ts in tasks for t in ts]))
    return {k: choose_lr({t.lr: next(outs)["history"]["val_accuracy"] for t in ts},
                         p["epochs"]) for k, ts in zip(keys, tasks)}


def run(scope: Scope, runner) -> Record:
    t0 = time.perf_counter()
    depths = plan(scope)["depths"]
    rates = choose_rates(scope, runner)
    # seed by seed: a worker's cached training subset serves the next task
    keys = [(o, a, f, L, s) for s in scope.seed_list for o in OPTIMIZERS for a in ARCHITECTURES
            for f in ACTIVATIONS for L in depths]
    outs = runner.map([depth_task(scope, a, f, L, s, o, rates[(o, a, f, L)]["lr"])
                       for o, a, f, L, s in keys])
    runs = dict(zip(keys, outs))
    results: dict = {}
    for o in OPTIMIZERS:
        for a in ARCHITECTURES:
            for f in ACTIVATIONS:
                entry = results.setdefault(f"{o}_{a}_{f}", {})
                for L in depths:
                    rs = [runs[(o, a, f, L, s)] for s in scope.seed_list]
                    entry[str(L)] = {
                        "lr": rates[(o, a, f, L)]["lr"], "lr_choice": rates[(o, a, f, L)],
                        "test_accuracy": mean_sd(r["test_accuracy"] for r in rs),
                        "grad_norms_init": rs[0]["grad_norms_init"],
                        "grad_norms_trained": rs[0]["grad_norms_trained"],
                        # first layer's gradient over the last's: 1 = no vanishing
                        "first_over_last_init": _ratio(rs[0]["grad_norms_init"]),
                        "first_over_last_trained": _ratio(rs[0]["grad_norms_trained"])}
    claims = [depth_statement(scope, a, runs, results, depths) for a in ARCHITECTURES]
    results["verdict_by_optimizer"] = {c["id"]: by(c, "optimizer") for c in claims}
    return Record(NAME, TITLE, f"{QUOTE['mlp']} {QUOTE['resnet']}", recipe(scope), results,
                  {"depths": depths}, claims, choices=CHOICES, seconds=time.perf_counter() - t0)


def depth_statement(scope: Scope, a: str, runs: dict, results: dict, depths) -> dict:
    """Statement 3 (plain networks do worse deeper) or 4 (ResNets do not), measured with
    both optimisers and both activations."""
    lo, hi = depths[0], depths[-1]
    plain = a == "mlp"
    ms: list = []
    rests_on: list = []
    for o in OPTIMIZERS:
        for f in ACTIVATIONS:
            key = f"{o}_{a}_{f}"
            values = [runs[(o, a, f, hi, s)]["test_accuracy"]
                      - runs[(o, a, f, lo, s)]["test_accuracy"] for s in scope.seed_list]
            ratio = results[key][str(hi)]["first_over_last_init"]
            m = measurement(network=f"{'plain' if plain else 'resnet'} {f}, L = {hi} minus "
                                    f"L = {lo}", optimizer=o, width=WIDTH, values=values,
                            rule="below_zero" if plain else "not_below", lecture=None,
                            note=f"${GRADIENT_RATIO}$ at initialisation, L = {hi}: {ratio:.2g}")
            if m["explanation"]:
                accs = ", ".join(f"L = {L}: {points(results[key][str(L)]['test_accuracy']['mean'])}"
                                 f" (rate {results[key][str(L)]['lr']:g})" for L in depths)
                m["explanation"] = other_data(scope) + (
                    f"{o}, {f}: test accuracy by depth after the same budget, each at its rate "
                    f"chosen on validation: {accs}; ${GRADIENT_RATIO}$ at initialisation was "
                    f"{ratio:.2g} at L = {hi}. "
                    + (undecided(m, "accuracy difference")
                       or "Nothing measured here explains the difference."))
            if o == LECTURE_OPTIMIZER:
                rests_on.append(len(ms))
            ms.append(m)
    return statement(
        f"{scope.prefix}_{CLAIMS[ARCHITECTURES.index(a)]}", quote=QUOTE[a],
        claim=(("deeper plain networks do worse" if plain else "deeper ResNets do not do worse")
               + f": test accuracy at L = {hi} minus at L = {lo}"),
        lecture="worse" if plain else "not worse", rule="below_zero" if plain else "not_below",
        unit="accuracy difference", measurements=ms, rests_on=rests_on,
        why="the SGD measurements, both activations: the lecture trains with gradient descent "
            "(eq. 2) and names no activation, so both must bear the statement out; Adam's "
            "verdicts are shown beside them",
        note="; ".join(scope_notes(scope)))


def _ratio(norms) -> float:
    return float(norms[0] / norms[-1]) if norms[-1] else float("nan")


def draw(record: Record) -> dict:
    from ..plots.depth import depth_accuracy, grad_norms_by_layer

    depths = record.arrays["depths"]
    res = {k: v for k, v in record.results.items() if k != "verdict_by_optimizer"}
    acc = {key.replace("_", ", ", 2): [res[key][str(L)]["test_accuracy"]["mean"] for L in depths]
           for key in res}
    figs = {"depth_accuracy": depth_accuracy(depths, acc, title="Test accuracy after the same "
                                             "training budget, each network at its own rate")}
    for o in OPTIMIZERS:
        norms = {key[len(o) + 1:]: {L: (res[key][str(L)]["grad_norms_init"],
                                        res[key][str(L)]["grad_norms_trained"]) for L in depths}
                 for key in res if key.startswith(f"{o}_")}
        figs["depth_grad_norms" + ("" if o == LECTURE_OPTIMIZER else f"_{o}")] = \
            grad_norms_by_layer(norms, title=f"|dL/dz_k| per layer k (seed 0), trained by {o}: "
                                             "initialisation (dashed) and trained")
    return figs
