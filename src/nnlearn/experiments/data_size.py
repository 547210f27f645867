"""Experiment: less training data, more overfitting (the lecture's four panels).

32 hidden units trained on stratified subsets of 60000, 10000, 1000 and 100
training images (``nnlearn.data.subset``; each seed draws its own subset),
with the test set measured after every epoch for the panels (the lecture's
figure; nothing is chosen by it). Recipe: Adam 0.001, constant, batches of
128, pixels in [0, 1]; the smaller sets get more epochs (20, 30, 80, 150:
9380, 2340, 640 and 150 steps) so that each run fits its training set, as the
lecture's panels show: training accuracy reaches 100% while test accuracy
stalls lower the less data there is. The epochs were first 20, 40, 150 and
400 and were cut after runs, for the run's time (see the deviations).

The claim: the gap between training and test accuracy is larger with 100
images than with 60000 (rule ``above_zero`` on the per-seed difference of
the two gaps).
"""

from __future__ import annotations

import time

from .base import Record, Scope, Task, mean_sd, other_data, scope_notes
from .capacity import BATCH
from .capacity import plan as capacity_plan
from .verdicts import measurement, points, statement, undecided

NAME = "data-size"
TITLE = "Less training data"
NEEDS_DATA = True
NEEDS: tuple = ()
CLAIMS = ("overfitting_less_data",)
HIDDEN = 32
RECIPE: dict = {"optimizer": "adam", "lr": 1e-3, "schedule": "constant"}
CHOICES = [
    {"what": "32 hidden units on stratified subsets of 60000, 10000, 1000 and 100 images",
     "why": "the lecture's four panels"},
    {"what": "Adam 0.001, constant, batches of 128, pixels in [0, 1]",
     "why": "a recipe that fits every training set, as the lecture's panels show"},
    {"what": "epochs 20, 30, 80, 150 by size (revised after runs: see the deviations)",
     "why": "each run fits its training set; fewer than first planned, for the run's time"},
    {"what": "the claim: the train-test gap at 100 images minus at 60000, per seed",
     "why": "the widest contrast of data size the study has"},
]
QUOTE = ("Overfitting with less training data. 32 hidden nodes. (a) 60000 Training images, "
         "(b) 10000 Training images, (c) 1000 Training images, (d) 100 Training images")


def plan(scope: Scope) -> dict[int, int]:
    """Training-set size -> epochs."""
    if scope.quick:
        return {2000: 4, 1000: 8, 300: 20, 100: 40}
    return {60000: 20, 10000: 30, 1000: 80, 100: 150}


def size_task(scope: Scope, n: int, epochs: int, seed: int, augment_shift: int = 0) -> Task:
    return Task(data=scope.data, data_dir=scope.data_dir, n_train=n,
                n_test=capacity_plan(scope)["n_test"], subset_seed=seed, monitor_test=True,
                hidden=(HIDDEN,), batch_size=BATCH, epochs=epochs, seed=seed,
                augment_shift=augment_shift, keep_parameters=True, **RECIPE)


def recipe(scope: Scope, augment_shift: int = 0) -> dict:
    return {**RECIPE, "hidden": HIDDEN, "batch_size": BATCH,
            "subset": "stratified, each seed its own",
            "epochs_by_size": {str(n): e for n, e in plan(scope).items()},
            "chosen": "so that each fits its training set; not searched; cut from 20, 40, 150, "
                      "400 after runs (see the deviations)",
            "test_curves": "measured after every epoch for the panels; nothing chosen by them",
            "augment_shift": augment_shift, "input_scaling": "pixels / 255, in [0, 1]",
            "seeds": scope.seed_list}


def measure(scope: Scope, runner, augment_shift: int = 0):
    """Train every size and seed; return (results, runs by (size, seed))."""
    keys = [(n, e, s) for n, e in plan(scope).items() for s in scope.seed_list]
    outs = runner.map([size_task(scope, n, e, s, augment_shift) for n, e, s in keys])
    runs = {(n, s): out for (n, _, s), out in zip(keys, outs)}
    results = {}
    for n in plan(scope):
        rs = [runs[(n, s)] for s in scope.seed_list]
        results[str(n)] = {"n_train": rs[0]["n_train"],
                           "train_accuracy": mean_sd(r["train_accuracy"] for r in rs),
                           "test_accuracy": mean_sd(r["test_accuracy"] for r in rs),
                           "gap": mean_sd(r["train_accuracy"] - r["test_accuracy"]
                                          for r in rs)}
    return results, runs


def run(scope: Scope, runner) -> Record:
    t0 = time.perf_counter()
    results, runs = measure(scope, runner)
    sizes = sorted(plan(scope), reverse=True)
    gaps = [results[str(n)]["gap"]["mean"] for n in sizes]
    big, small = sizes[0], sizes[-1]
    values = [results[str(small)]["gap"]["per_seed"][i] - results[str(big)]["gap"]["per_seed"][i]
              for i in range(len(scope.seed_list))]
    gaps_text = ", ".join(f"{n}: {points(g)}" for n, g in zip(sizes, gaps))
    m = measurement(network=f"mlp(784, [{HIDDEN}], 10), {small} against {big} images",
                    optimizer=f"{RECIPE['optimizer']} {RECIPE['lr']:g}", width=HIDDEN,
                    values=values, rule="above_zero", lecture=None,
                    note=f"gaps by size {gaps_text}")
    if m["explanation"]:
        m["explanation"] = other_data(scope) + (
            f"The gaps by size were {gaps_text}. "
            + (undecided(m, "accuracy difference")
               or "Nothing measured here explains why they do not grow."))
    c = statement(f"{scope.prefix}_{CLAIMS[0]}", quote=QUOTE,
                  claim=f"the gap between training and test accuracy is larger with {small} "
                        f"training images than with {big} (ours: the difference of the gaps)",
                  lecture="more overfitting with less training data", rule="above_zero",
                  unit="accuracy difference", measurements=[m],
                  why="one network, the lecture's 32 hidden units",
                  note="; ".join(scope_notes(scope)))
    return Record(NAME, TITLE, QUOTE, recipe(scope), results, {"runs": runs, "sizes": sizes},
                  [c], choices=CHOICES, seconds=time.perf_counter() - t0)


def draw(record: Record, name="data_size_panels", what="without augmentation") -> dict:
    from ..plots.panels import size_panels

    runs, sizes = record.arrays["runs"], record.arrays["sizes"]
    panels = {f"{runs[(n, 0)]['n_train']} training images": [
        r["history"] for (m, _), r in sorted(runs.items()) if m == n] for n in sizes}
    return {name: size_panels(panels, title=f"32 hidden units, less training data ({what}): "
                                            "training and test accuracy per epoch")}
