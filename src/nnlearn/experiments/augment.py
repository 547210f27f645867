"""Experiment: data augmentation by random shifts (the lecture's "Data Augmentation" slide).

The lecture's slide is a title between the overfitting panels; it states no
number, so this study has no claim. The runs of the data-size experiment
again, each training batch shifted by its own random
``(dx, dy)`` in ``[-2, 2]`` pixels (``nnlearn.data.RandomShift``, zero fill,
drawn from the training loop's seeded generator), everything else equal. Then
the 32-unit networks, with and without augmentation, are tested on images
shifted 0 to 4 pixels right: does what the lecture calls overfitting to the
exact position go away, and do the small training sets gain?
"""

from __future__ import annotations

import time

from .base import Record, Scope, load_data, mean_sd, shifted_test_images
from .capacity import plan as capacity_plan
from .data_size import draw as draw_sizes
from .data_size import measure, plan, recipe as size_recipe
from .shift import CURVE_PIXELS, network_of

NAME = "augment"
TITLE = "Data augmentation with random shifts"
NEEDS_DATA = True
NEEDS = ("data-size",)
MAX_SHIFT = 2


def recipe(scope: Scope) -> dict:
    return {**size_recipe(scope, MAX_SHIFT), "augmentation": f"RandomShift({MAX_SHIFT}), "
            "zero fill, a new draw per batch", "shifted_test": "right, 0-4 pixels"}


def _shift_table(scope, runs):
    """Accuracy on the test images shifted 0-4 pixels right, for every size's networks."""
    p = capacity_plan(scope)
    data = load_data(scope.data, scope.data_dir, p["n_train"], p["n_test"], 0)
    table = {}
    for n in plan(scope):
        nets = [network_of(runs[(n, s)]) for s in scope.seed_list]
        table[str(n)] = {
            str(p): mean_sd(float((net.predict(shifted_test_images(data, p, "right"))
                                       == data.y_test).mean()) for net in nets)
            for p in CURVE_PIXELS}
    return table


def run(scope: Scope, runner, **deps) -> Record:
    t0 = time.perf_counter()
    plain = deps["data-size"]
    results, runs = measure(scope, runner, MAX_SHIFT)
    shifts = {"augmented": _shift_table(scope, runs),
              "plain": _shift_table(scope, plain.arrays["runs"])}
    summary = {str(n): {"test_accuracy_plain": plain.results[str(n)]["test_accuracy"]["mean"],
                        "test_accuracy_augmented": results[str(n)]["test_accuracy"]["mean"],
                        "shift2_plain": shifts["plain"][str(n)]["2"]["mean"],
                        "shift2_augmented": shifts["augmented"][str(n)]["2"]["mean"]}
               for n in plan(scope)}
    return Record(NAME, TITLE, "Data Augmentation (a slide title, between the panels of "
                  "'Overfitting with less training data'; no number is stated). Measured here: "
                  "random shifts in training against the shift overfitting and the small sets.",
                  recipe(scope), {"by_size": results, "shifted_test": shifts,
                                     "summary": summary},
                  {"runs": runs, "sizes": sorted(plan(scope), reverse=True),
                   "shifts": shifts}, [], seconds=time.perf_counter() - t0)


def draw(record: Record) -> dict:
    from ..plots.shifts import shift_curves

    figs = draw_sizes(record, "augment_panels", f"random shifts of up to {MAX_SHIFT} pixels; "
                      "training accuracy on the shifted batches")
    shifts = record.arrays["shifts"]
    curves = {f"{n} images, {kind}": [shifts[kind][str(n)][str(p)]["mean"] for p in CURVE_PIXELS]
              for n in record.arrays["sizes"] for kind in ("plain", "augmented")}
    figs["augment_shift_curves"] = shift_curves(
        CURVE_PIXELS, curves, title="32 hidden units: shifted-test accuracy, trained "
        "without (dashed) and with (solid) augmentation", pair_styles=True)
    return figs
