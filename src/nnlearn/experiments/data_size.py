"""Experiment 5: less training data, more overfitting (the lecture's four panels).

32 hidden units trained on stratified subsets of 60000, 10000, 1000 and 100
training images (``nnlearn.data.subset``, seed 0), tested on the whole test
set after every epoch. Recipe: experiment 2's ``tuned`` one (Adam 5e-3, cosine,
batches of 128, pixels in [0, 1]); the smaller sets get more epochs (20, 30,
80, 150: 9380, 2340, 640 and 150 steps) so that each run fits its training set, as
the lecture's panels show: training accuracy reaches 100% while test accuracy
stalls lower the less data there is. The 60000-image run is experiment 2's
own (the same task, computed once).
"""

from __future__ import annotations

import time

from .base import Record, Scope, claim, mean_spread
from .capacity import MAIN, RECIPES, data_notes, task

NAME = "data-size"
TITLE = "5. Less training data"
NEEDS_DATA = True
NEEDS: tuple = ()
HIDDEN = 32


def plan(scope: Scope) -> dict[int, int]:
    """Training-set size -> epochs."""
    if scope.quick:
        return {2000: 4, 1000: 8, 300: 20, 100: 40}
    return {60000: 20, 10000: 30, 1000: 80, 100: 150}


def size_task(scope: Scope, n: int, epochs: int, seed: int, augment_shift: int = 0):
    full = max(plan(scope))
    if n == full:  # the run of experiment 2
        return task(scope, HIDDEN, seed, MAIN, augment_shift=augment_shift)
    return task(scope, HIDDEN, seed, MAIN, n_train=n, epochs=epochs,
                augment_shift=augment_shift)


def recipe(scope: Scope, augment_shift: int = 0) -> dict:
    return {**RECIPES[MAIN], "hidden": HIDDEN, "batch_size": 128, "subset": "stratified, seed 0",
            "epochs_by_size": {str(n): e for n, e in plan(scope).items()},
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
                           "train_accuracy": mean_spread(r["train_accuracy"] for r in rs),
                           "test_accuracy": mean_spread(r["test_accuracy"] for r in rs),
                           "gap": mean_spread(r["train_accuracy"] - r["test_accuracy"]
                                              for r in rs)}
    return results, runs


def run(scope: Scope, runner) -> Record:
    t0 = time.perf_counter()
    results, runs = measure(scope, runner)
    sizes = sorted(plan(scope), reverse=True)
    gaps = [results[str(n)]["gap"]["mean"] for n in sizes]
    grows = all(a < b for a, b in zip(gaps, gaps[1:]))
    runs_values = [runs[(sizes[-1], s)]["train_accuracy"] - runs[(sizes[-1], s)]["test_accuracy"]
                   for s in scope.seed_list]
    c = claim(f"{scope.prefix}_overfitting_gap_{sizes[-1]}",
              f"the gap between training and test accuracy grows as the training set shrinks "
              f"(ours: the gap with {sizes[-1]} images)", None, runs_values,
              verdict="reproduced" if grows else "differs", unit="accuracy difference",
              note="gaps by size " + ", ".join(f"{n}: {g:.3f}" for n, g in zip(sizes, gaps))
              + "".join("; " + n for n in data_notes(scope)))
    return Record(NAME, TITLE, "Overfitting with less training data: four panels (32 hidden "
                  "units) where training accuracy leaves test accuracy behind.",
                  recipe(scope), results, {"runs": runs, "sizes": sizes}, [c],
                  seconds=time.perf_counter() - t0)


def draw(record: Record, name="data_size_panels", what="without augmentation") -> dict:
    from ..plots.panels import size_panels

    runs, sizes = record.arrays["runs"], record.arrays["sizes"]
    panels = {f"{runs[(n, 0)]['n_train']} training images": [
        r["history"] for (m, _), r in sorted(runs.items()) if m == n] for n in sizes}
    return {name: size_panels(panels, title=f"32 hidden units, less training data ({what}): "
                                            "training and test accuracy per epoch")}
