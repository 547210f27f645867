"""Experiment: the 10 hidden units seen as images (the lecture's Figure 3).

Row ``i`` of ``W_1`` (shape ``(10, 784)``, eq. 1) is what hidden unit ``i``
looks for: its weight on each pixel, drawn as a 28x28 image on one symmetric
colour scale shared by all ten, zero a neutral grey.

The lecture says "gradient descent" (eq. 2) and gives no recipe, and the
optimiser shows in this figure, so the network is trained both ways: by SGD in
batches of 128 (no momentum, no weight decay) and by Adam, each at the rate
and epochs that the capacity experiment's validation search found best for
that optimiser (its 10-unit curves), every seed, pixels in [0, 1]. About a
quarter of the pixels (MNIST's border) are lit in under 0.1% of the training
images. With SGD a weight moves in proportion to its gradient
``dL/dW_1 = dL/dz_1 f_0^T`` (eq. 5), which is zero whenever its pixel is dark,
so those weights stay near their small initial values. Adam divides each step
by a running estimate of that weight's own gradient size, so a pixel lit once
in a thousand images still gets full-size steps, and its figure shows a bright
frame that is an optimiser artefact, not what the units respond to.
``rare_pixel_share``, the share of ``|W_1|`` on pixels lit in under 0.1% of the
training images (``rare_pixel_share_even`` if the weight were spread evenly),
measures it for both. The figure once showed SGD alone, chosen after seeing
Adam's frame (see the deviations); both are shown now.
"""

from __future__ import annotations

import time

import numpy as np

from .base import Record, Scope, load_data, mean_sd
from .capacity import final_task, plan

NAME = "hidden"
TITLE = "The 10 hidden units as images (Figure 3)"
NEEDS_DATA = True
NEEDS = ("capacity",)
QUOTE = "Figure 3: The 10 hidden nodes for MNIST classification."
OPTIMIZERS = ("sgd", "adam")
RARE = 0.001  # a pixel lit in under this share of the training images is "rarely lit"
CHOICES = [
    {"what": "mlp(784, [10], 10), the capacity experiment's network",
     "why": "Figure 3 shows the lecture's 10-unit network"},
    {"what": "SGD and Adam, each at the rate and epochs the capacity search chose for it on "
             "validation",
     "why": "the lecture names gradient descent but the figure depends on the optimiser, so "
            "both are shown"},
    {"what": "seed 0's units drawn; rare_pixel_share over every seed",
     "why": "one figure per optimiser; the measure says how far it holds across seeds"},
]


def recipes(capacity) -> dict:
    """Each optimiser's best (rate, epochs) in the capacity search of the 10-unit network."""
    tried = capacity.recipe["hidden10"]["tried"]
    out = {}
    for o in OPTIMIZERS:
        best = max((t for t in tried if t["optimizer"] == o),
                   key=lambda t: (t["best_validation_accuracy"], -t["best_epochs"]))
        out[o] = {"optimizer": o, "lr": best["lr"], "epochs": best["best_epochs"],
                  "label": best["label"], "validation_accuracy": best["best_validation_accuracy"]}
    return out


def recipe(scope: Scope, chosen: dict) -> dict:
    return {"network": "mlp(784, [10], 10), relu, he_normal", "momentum": 0.0,
            "chosen_on": "validation (the capacity experiment's search, 10 hidden units)",
            **chosen, "schedule": "constant", "input_scaling": "pixels / 255, in [0, 1]",
            "figure": "seed 0", "seeds": scope.seed_list,
            "colour_scale": "symmetric, shared by the ten units, zero = grey"}


def rare_pixel_share(W, rare) -> float:
    """The share of ``sum |W|`` on the columns (pixels) flagged in ``rare``."""
    A = np.abs(np.asarray(W, dtype=np.float64))
    return float(A[:, rare].sum() / A.sum())


def run(scope: Scope, runner, capacity) -> Record:
    t0 = time.perf_counter()
    chosen = recipes(capacity)
    keys = [(o, s) for o in OPTIMIZERS for s in scope.seed_list]
    outs = dict(zip(keys, runner.map([final_task(scope, 10, s, chosen[o]) for o, s in keys])))
    p = plan(scope)
    data = load_data(scope.data, scope.data_dir, p["n_train"], p["n_test"], 0)
    lit = (data.X_train > 0).mean(axis=0)
    rare = lit < RARE
    shares = {o: [rare_pixel_share(outs[(o, s)]["parameters"]["layers.0.W"], rare)
                  for s in scope.seed_list] for o in OPTIMIZERS}
    W = {o: np.asarray(outs[(o, 0)]["parameters"]["layers.0.W"], dtype=np.float64)
         for o in OPTIMIZERS}  # (10, 784)
    side = int(round(np.sqrt(W["sgd"].shape[1])))
    results: dict = {
        "shape": list(W["sgd"].shape), "max_abs_weight": float(np.abs(W["sgd"]).max()),
        "rare_pixel_share": shares["sgd"][0],
        **{f"rare_pixel_share_{o}": mean_sd(shares[o]) for o in OPTIMIZERS},
               "rare_pixel_share_even": float(rare.mean()),
               "rare_pixels": int(rare.sum()), "never_lit_pixels": int((lit == 0).sum()),
               **{f"test_accuracy_{o}": mean_sd(outs[(o, s)]["test_accuracy"]
                                                for s in scope.seed_list) for o in OPTIMIZERS}}
    share = {o: 100 * results[f"rare_pixel_share_{o}"]["mean"] for o in OPTIMIZERS}
    return Record(NAME, TITLE, QUOTE, recipe(scope, chosen), results,
                  {"images": {o: W[o].reshape(len(W[o]), side, side) for o in OPTIMIZERS},
                   "chosen": chosen}, [],
                  notes=[f"Trained both ways, each at its rate chosen on validation: SGD "
                         f"({chosen['sgd']['label']}, {chosen['sgd']['epochs']} epochs) and "
                         f"Adam ({chosen['adam']['label']}, {chosen['adam']['epochs']} epochs). "
                         f"{results['rare_pixels']} of the {W['sgd'].shape[1]} pixels are lit "
                         f"in under 0.1% of the training images; they hold {share['sgd']:.0f}% "
                         r"of $\sum_{ij} \lvert (W_1)_{ij} \rvert$ with SGD and "
                         f"{share['adam']:.0f}% with Adam "
                         f"({100 * results['rare_pixel_share_even']:.0f}% if spread evenly; "
                         f"means over seeds). Adam's per-weight step sizes give rarely lit "
                         f"pixels full-size steps, which draws a bright frame around every "
                         f"unit."],
                  choices=CHOICES, seconds=time.perf_counter() - t0)


def draw(record: Record) -> dict:
    from ..plots.weights import hidden_units

    chosen = record.arrays["chosen"]
    return {"hidden_units" + ("" if o == "sgd" else f"_{o}"): hidden_units(
        record.arrays["images"][o], title=f"The 10 hidden units (rows of W_1), trained by "
                                          f"{chosen[o]['label']}, {chosen[o]['epochs']} epochs; "
                                          "one symmetric scale, grey = 0")
        for o in OPTIMIZERS}
