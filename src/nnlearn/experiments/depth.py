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
Recipe: 10000 training images (stratified, each seed its own), Adam 1e-3
constant, batches of 128, 5 epochs, pixels in [0, 1]; the same for every
network, so that only depth and architecture differ. The norms are computed
in float64 (``base.grad_norms``). Adam rescales each parameter's step, which
softens vanishing gradients. An earlier version of this experiment also tried
plain SGD at 0.1: plain networks failed even sooner, but the deepest ReLU
ResNet stalled too. That look at results is why Adam stayed, and it is said
here so that a reader can weigh it; the recipe has not been tuned since.
"""

from __future__ import annotations

import time

from ..settings import ARCHITECTURES
from .base import Record, Scope, Task, mean_sd, other_data, scope_notes
from .verdicts import claim, points, undecided

NAME = "depth"
TITLE = "Depth: plain networks against ResNets"
QUOTE = {"mlp": "The traditional neural network architecture [...] often yields worse "
                "performance for deeper networks compared to shallower ones.",
         "resnet": "Thus, a deeper network with ResNet architecture should not perform worse "
                   "than a shallower network."}
NEEDS_DATA = True
NEEDS: tuple = ()
ACTIVATIONS = ("sigmoid", "relu")
WIDTH = 32


def plan(scope: Scope) -> dict:
    if scope.quick:
        return {"depths": (2, 8), "n_train": 1000, "n_test": 1000, "epochs": 2}
    return {"depths": (2, 4, 8, 16, 32), "n_train": 10000, "n_test": None, "epochs": 5}


def depth_task(scope: Scope, arch: str, act: str, L: int, seed: int) -> Task:
    p = plan(scope)
    return Task(data=scope.data, data_dir=scope.data_dir, n_train=p["n_train"],
                n_test=p["n_test"], subset_seed=seed, architecture=arch,
                hidden=(WIDTH,) * (L - 1), width=WIDTH, depth=L - 2, activation=act,
                optimizer="adam", lr=1e-3, schedule="constant", batch_size=128,
                epochs=p["epochs"], seed=seed, grad_norms=True)


def recipe(scope: Scope) -> dict:
    p = plan(scope)
    return {"depths_L": list(p["depths"]), "width": WIDTH, "architectures": list(ARCHITECTURES),
            "activations": list(ACTIVATIONS), "optimizer": "adam", "lr": 1e-3,
            "schedule": "constant", "batch_size": 128, "epochs": p["epochs"],
            "n_train": p["n_train"], "n_test": p["n_test"] or "all",
            "init": "he_normal (relu), glorot_uniform (sigmoid)",
            "gradient_probe": "first 1000 training images, mean loss",
            "input_scaling": "pixels / 255, in [0, 1]", "subset": "stratified, each seed its own",
            "norms": "float64", "seeds": scope.seed_list}


def run(scope: Scope, runner) -> Record:
    t0 = time.perf_counter()
    depths = plan(scope)["depths"]
    # seed by seed: a worker's cached training subset serves the next task
    keys = [(a, f, L, s) for s in scope.seed_list for a in ARCHITECTURES for f in ACTIVATIONS
            for L in depths]
    outs = runner.map([depth_task(scope, *k) for k in keys])
    runs = dict(zip(keys, outs))
    results: dict = {}
    for a in ARCHITECTURES:
        for f in ACTIVATIONS:
            entry = results.setdefault(f"{a}_{f}", {})
            for L in depths:
                rs = [runs[(a, f, L, s)] for s in scope.seed_list]
                entry[str(L)] = {
                    "test_accuracy": mean_sd(r["test_accuracy"] for r in rs),
                    "grad_norms_init": rs[0]["grad_norms_init"],
                    "grad_norms_trained": rs[0]["grad_norms_trained"],
                    # first layer's gradient over the last's: 1 = no vanishing
                    "first_over_last_init": _ratio(rs[0]["grad_norms_init"]),
                    "first_over_last_trained": _ratio(rs[0]["grad_norms_trained"])}
    claims = []
    lo, hi = depths[0], depths[-1]
    for a in ARCHITECTURES:
        for f in ACTIVATIONS:
            values = [runs[(a, f, hi, s)]["test_accuracy"] - runs[(a, f, lo, s)]["test_accuracy"]
                      for s in scope.seed_list]
            ratio = results[f"{a}_{f}"][str(hi)]["first_over_last_init"]
            plain = a == "mlp"
            c = claim(f"{scope.prefix}_depth_{a}_{f}", quote=QUOTE[a],
                      statement=(f"deeper plain {f} networks do worse" if plain else
                                 f"deeper {f} ResNets do not do worse")
                      + f": test accuracy at L = {hi} minus at L = {lo}",
                      lecture="worse" if plain else "not worse", values=values,
                      rule="below_zero" if plain else "not_below", unit="accuracy difference",
                      note=f"|dL/dz_1| / |dL/dz_L| at initialisation, L = {hi}: {ratio:.2g}"
                      + "".join("; " + n for n in scope_notes(scope)))
            if c["explanation"]:
                accs = ", ".join(
                    f"L = {L}: {points(results[f'{a}_{f}'][str(L)]['test_accuracy']['mean'])}"
                    for L in depths)
                c["explanation"] = other_data(scope) + (
                    f"Test accuracy by depth after the same budget: {accs}; the gradient ratio "
                    f"|dL/dz_1| / |dL/dz_L| at initialisation was {ratio:.2g} at L = {hi}. "
                    + (undecided(c) or "Nothing measured here explains the difference."))
            claims.append(c)
    return Record(NAME, TITLE, f"{QUOTE['mlp']} {QUOTE['resnet']}", recipe(scope), results,
                  {"depths": depths}, claims, seconds=time.perf_counter() - t0)


def _ratio(norms) -> float:
    return float(norms[0] / norms[-1]) if norms[-1] else float("nan")


def draw(record: Record) -> dict:
    from ..plots.depth import depth_accuracy, grad_norms_by_layer

    depths, res = record.arrays["depths"], record.results
    norms = {key: {L: (res[key][str(L)]["grad_norms_init"], res[key][str(L)]["grad_norms_trained"])
                   for L in depths} for key in res}
    acc = {key.replace("_", ", "): [res[key][str(L)]["test_accuracy"]["mean"] for L in depths]
           for key in res}
    return {"depth_grad_norms": grad_norms_by_layer(norms, title="|dL/dz_k| per layer k (seed "
                                                    "0): initialisation (dashed) and trained"),
            "depth_accuracy": depth_accuracy(depths, acc, title="Test accuracy after the same "
                                             "training budget")}
