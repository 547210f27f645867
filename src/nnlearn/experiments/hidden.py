"""Experiment 4: the 10 hidden units seen as images (the lecture's Figure 3).

Row ``i`` of ``W_1`` (shape ``(10, 784)``, eq. 1) is what hidden unit ``i``
looks for: its weight on each pixel. Drawn as 28x28 images from the
10-unit network of experiment 2 (``tuned`` recipe, seed 0), with zero mapped
to a neutral grey and one colour scale shared by all ten, so that their
strengths can be compared. No new training.

The pixels that are blank (0) in every training image, MNIST's border, get
no gradient (``dL/dW_1 = dL/dz_1 f_0^T`` with ``f_0 = 0`` there, eq. 5): their
weights keep their random initial values and show as a noisy frame.
"""

from __future__ import annotations

import time

import numpy as np

from .base import Record, Scope
from .capacity import MAIN

NAME = "hidden"
TITLE = "4. The hidden units as images"
NEEDS_DATA = True
NEEDS = ("capacity",)


def recipe(scope: Scope) -> dict:
    return {"network": f"experiment 2, 10 hidden units, recipe {MAIN!r}, seed 0",
            "training": "none", "colour_scale": "symmetric, shared, zero = grey"}


def run(scope: Scope, runner=None, capacity=None) -> Record:
    t0 = time.perf_counter()
    out = capacity.arrays["runs"][(MAIN, 10, scope.seed_list[0])]
    W = np.asarray(out["parameters"]["layers.0.W"], dtype=np.float64)  # (10, 784)
    side = int(round(np.sqrt(W.shape[1])))
    images = W.reshape(len(W), side, side)
    results = {"shape": list(W.shape), "max_abs_weight": float(np.abs(W).max()),
               "unit_norms": [float(v) for v in np.linalg.norm(W, axis=1)],
               # how much of each unit's weight lies in the 4-pixel border MNIST leaves blank
               "border_weight_fraction": float(_border(images, 4))}
    return Record(NAME, TITLE, "Figure 3: the 10 hidden units for MNIST classification.",
                  recipe(scope), results, {"images": images}, [],
                  seconds=time.perf_counter() - t0)


def _border(images, width) -> float:
    mask = np.zeros(images.shape[1:], bool)
    mask[:width], mask[-width:], mask[:, :width], mask[:, -width:] = True, True, True, True
    total = np.abs(images).sum()
    return np.abs(images[:, mask]).sum() / total if total else 0.0


def draw(record: Record) -> dict:
    from ..plots.weights import hidden_units

    return {"hidden_units": hidden_units(record.arrays["images"],
                                         title="The 10 hidden units (rows of W_1), "
                                               "one shared scale, grey = 0")}
