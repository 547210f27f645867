"""Experiment: the 10 hidden units seen as images (the lecture's Figure 3).

Row ``i`` of ``W_1`` (shape ``(10, 784)``, eq. 1) is what hidden unit ``i``
looks for: its weight on each pixel, drawn as a 28x28 image on one symmetric
colour scale shared by all ten, zero a neutral grey.

The network is trained as the lecture's eq. (2) says, by gradient descent:
plain SGD in batches of 128 (no momentum, no weight decay), rate 0.1, 20
epochs on all 60000 images, pixels in [0, 1]. The optimiser matters for this
figure. About a quarter of the pixels (MNIST's border) are lit in under 0.1% of
the training images. With SGD a weight moves in proportion to its gradient
``dL/dW_1 = dL/dz_1 f_0^T`` (eq. 5), which is zero whenever its pixel is dark, so
those weights stay near their small initial values (about 0.05). Adam divides
each step by a running estimate of that weight's own gradient size, so a pixel
lit once in a thousand images still gets full-size steps: Adam's first layer
weighs the rarely lit pixels almost as much as any other (measured before this
experiment was written: 0.22 of ``|W_1|`` on them against 0.24 for an even
spread; SGD about 0.12), and the figure shows a bright frame that is an
optimiser artefact, not what the units respond to. ``rare_pixel_share``, the
share of ``|W_1|`` on pixels lit in under 0.1% of the training images (0.24
if the weight were spread evenly over the pixels), measures it; both
optimisers' values are reported.
"""

from __future__ import annotations

import time

import numpy as np

from .base import Record, Scope, Task, load_data, mean_sd
from .capacity import BATCH, plan

NAME = "hidden"
TITLE = "The 10 hidden units as images (Figure 3)"
NEEDS_DATA = True
NEEDS: tuple = ()
QUOTE = "Figure 3: The 10 hidden nodes for MNIST classification."
RECIPE = {"optimizer": "sgd", "lr": 0.1, "weight_decay": 0.0}
ADAM = {"optimizer": "adam", "lr": 1e-3, "weight_decay": 0.0}
RARE = 0.001  # a pixel lit in under this share of the training images is "rarely lit"


def epochs(scope: Scope) -> int:
    return 4 if scope.quick else 20


def hidden_task(scope: Scope, seed: int, recipe: dict) -> Task:
    p = plan(scope)
    return Task(data=scope.data, data_dir=scope.data_dir, n_train=p["n_train"],
                n_test=p["n_test"], subset_seed=seed, hidden=(10,), batch_size=BATCH,
                epochs=epochs(scope), seed=seed, keep_parameters=True, **recipe)


def recipe(scope: Scope) -> dict:
    return {"network": "mlp(784, [10], 10), relu, he_normal", **RECIPE,
            "momentum": 0.0, "batch_size": BATCH, "epochs": epochs(scope),
            "schedule": "constant", "input_scaling": "pixels / 255, in [0, 1]",
            "figure": "seed 0", "seeds": scope.seed_list,
            "compared_with": "adam 0.001, the same otherwise (seed 0)",
            "colour_scale": "symmetric, shared by the ten units, zero = grey"}


def rare_pixel_share(W, rare) -> float:
    """The share of ``sum |W|`` on the columns (pixels) flagged in ``rare``."""
    A = np.abs(np.asarray(W, dtype=np.float64))
    return float(A[:, rare].sum() / A.sum())


def run(scope: Scope, runner) -> Record:
    t0 = time.perf_counter()
    tasks = [hidden_task(scope, s, RECIPE) for s in scope.seed_list]
    tasks.append(hidden_task(scope, 0, ADAM))
    outs = runner.map(tasks)
    p = plan(scope)
    data = load_data(scope.data, scope.data_dir, p["n_train"], p["n_test"], 0)
    lit = (data.X_train > 0).mean(axis=0)
    rare = lit < RARE
    shares = [rare_pixel_share(o["parameters"]["layers.0.W"], rare) for o in outs[:-1]]
    W = np.asarray(outs[0]["parameters"]["layers.0.W"], dtype=np.float64)  # (10, 784)
    side = int(round(np.sqrt(W.shape[1])))
    results = {"shape": list(W.shape), "max_abs_weight": float(np.abs(W).max()),
               "rare_pixel_share": shares[0],
               "rare_pixel_share_sgd": mean_sd(shares),
               "rare_pixel_share_adam": rare_pixel_share(outs[-1]["parameters"]["layers.0.W"],
                                                         rare),
               "rare_pixel_share_even": float(rare.mean()),
               "rare_pixels": int(rare.sum()), "never_lit_pixels": int((lit == 0).sum()),
               "test_accuracy": mean_sd(o["test_accuracy"] for o in outs[:-1]),
               "test_accuracy_adam": outs[-1]["test_accuracy"]}
    return Record(NAME, TITLE, QUOTE, recipe(scope), results,
                  {"images": W.reshape(len(W), side, side)}, [],
                  notes=[f"Trained by SGD (eq. 2), not Adam: {results['rare_pixels']} of the "
                         f"{W.shape[1]} pixels are lit in under 0.1% of the training images, "
                         f"and they hold {100 * shares[0]:.0f}% of |W_1| here against "
                         f"{100 * results['rare_pixel_share_adam']:.0f}% with Adam 0.001 "
                         f"({100 * results['rare_pixel_share_even']:.0f}% if spread evenly). "
                         f"Adam's per-weight step sizes give rarely lit pixels full-size "
                         f"steps, which draws a bright frame around every unit."],
                  seconds=time.perf_counter() - t0)


def draw(record: Record) -> dict:
    from ..plots.weights import hidden_units

    return {"hidden_units": hidden_units(
        record.arrays["images"], title="The 10 hidden units (rows of W_1), trained by SGD; "
                                       "one symmetric scale, grey = 0")}
