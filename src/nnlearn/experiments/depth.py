"""Experiment 7: depth, plain networks against ResNets (eq. 6).

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
Recipe: 10000 training images (stratified), Adam 1e-3 constant, batches of
128, 5 epochs, pixels in [0, 1]; the same for every network, so that only
depth and architecture differ. Adam rescales each parameter's step, which
softens vanishing gradients; plain SGD at 0.1 makes plain networks fail even
sooner (tried while choosing) but also stalls the deepest ReLU ResNet, which
would blur the comparison.
"""

from __future__ import annotations

import time

from ..settings import ARCHITECTURES
from .base import Record, Scope, Task, claim, mean_spread
from .capacity import data_notes

NAME = "depth"
TITLE = "7. Depth: plain networks against ResNets"
NEEDS_DATA = True
NEEDS: tuple = ()
ACTIVATIONS = ("sigmoid", "relu")
WIDTH = 32


def plan(scope: Scope) -> dict:
    if scope.quick:
        return {"depths": (2, 4, 8), "n_train": 1000, "n_test": 1000, "epochs": 2}
    return {"depths": (2, 4, 8, 16, 32), "n_train": 10000, "n_test": None, "epochs": 5}


def depth_task(scope: Scope, arch: str, act: str, L: int, seed: int) -> Task:
    p = plan(scope)
    return Task(data=scope.data, data_dir=scope.data_dir, n_train=p["n_train"],
                n_test=p["n_test"], architecture=arch,
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
            "input_scaling": "pixels / 255, in [0, 1]", "seeds": scope.seed_list}


def run(scope: Scope, runner) -> Record:
    t0 = time.perf_counter()
    depths = plan(scope)["depths"]
    keys = [(a, f, L, s) for a in ARCHITECTURES for f in ACTIVATIONS for L in depths
            for s in scope.seed_list]
    outs = runner.map([depth_task(scope, *k) for k in keys])
    runs = dict(zip(keys, outs))
    results: dict = {}
    for a in ARCHITECTURES:
        for f in ACTIVATIONS:
            entry = results.setdefault(f"{a}_{f}", {})
            for L in depths:
                rs = [runs[(a, f, L, s)] for s in scope.seed_list]
                entry[str(L)] = {
                    "test_accuracy": mean_spread(r["test_accuracy"] for r in rs),
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
            mean = sum(values) / len(values)
            if a == "mlp":
                text, ok = f"deeper plain {f} networks do worse (L = {hi} against L = {lo})", \
                    mean < -0.01
            else:
                text, ok = f"deeper {f} ResNets do not do worse (L = {hi} against L = {lo})", \
                    mean >= -0.01
            claims.append(claim(
                f"{scope.prefix}_depth_{a}_{f}", text, None, values,
                verdict="reproduced" if ok else "differs", unit="accuracy difference",
                note=f"test accuracy at L = {hi} minus at L = {lo}; "
                     f"|dL/dz_1| / |dL/dz_L| at initialisation, L = {hi}: "
                     f"{results[f'{a}_{f}'][str(hi)]['first_over_last_init']:.2g}"
                     + "".join("; " + n for n in data_notes(scope))))
    return Record(NAME, TITLE, "Vanishing gradients: in a deep plain network the product of "
                  "D_k W_k^T shrinks the gradient of the first layers; a deeper ResNet should "
                  "not do worse than a shallower one.", recipe(scope), results,
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
