"""Experiment: the capacity experiment again with the PyTorch twin (a check, not a claim).

The lecture ends with "Classification with Torch". The same tasks as the
capacity experiment's final runs (its chosen recipes, the same initial
weights from the same seeds, the same batches in the same order from the same
loop), computed by ``nnlearn.torch`` instead of the NumPy engine
(``make_backend("torch")``, CPU), for the first ``SEEDS`` seeds. Both compute
in float32, so rounding differs in the last bits and the two runs drift apart
slowly over thousands of steps; they should end within half a point of each
other, seed by seed.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import replace

from .base import Record, Scope, mean_sd
from .capacity import WIDTHS
from .verdicts import check

NAME = "twin"
TITLE = "The same with PyTorch"
NEEDS_DATA = True
NEEDS = ("capacity",)
AGREE = 0.005  # test accuracies within half a point count as agreeing
SEEDS = 2  # a check of the engine, not a claim: two seeds show it


def missing_requirement() -> str | None:
    """None when the experiment can run, else why not."""
    if importlib.util.find_spec("torch") is None:
        return "PyTorch is not installed (pip install 'nnlearn[torch]')"
    return None


def recipe(scope: Scope) -> dict:
    return {"as": "the capacity experiment's final runs", "backend": "torch (CPU, float32)",
            "seeds": scope.seed_list[:SEEDS]}


def run(scope: Scope, runner, capacity=None) -> Record:
    t0 = time.perf_counter()
    seeds = scope.seed_list[:SEEDS]
    keys = [(h, s) for h in WIDTHS for s in seeds]
    outs = runner.map([replace(capacity.arrays["tasks"][k], backend="torch",
                               keep_parameters=False) for k in keys])
    results, checks = {}, []
    for h in WIDTHS:
        torch_acc = [outs[keys.index((h, s))]["test_accuracy"] for s in seeds]
        numpy_acc = [capacity.arrays["runs"][(h, s)]["test_accuracy"] for s in seeds]
        diffs = [t - n for t, n in zip(torch_acc, numpy_acc)]
        results[f"hidden{h}"] = {"torch": mean_sd(torch_acc), "numpy": mean_sd(numpy_acc),
                                 "difference": mean_sd(diffs),
                                 "seconds_torch": mean_sd(outs[keys.index((h, s))]["seconds"]
                                                          for s in seeds)}
        worst = max(abs(d) for d in diffs)
        checks.append(check(
            f"{scope.prefix}_hidden{h}_twin_difference",
            what=f"{h} hidden units: the PyTorch twin's test accuracy minus the NumPy engine's, "
                 f"largest over seeds {', '.join(map(str, seeds))}",
            value=worst, limit=f"<= {AGREE}", passed=worst <= AGREE,
            unit="accuracy difference"))
    return Record(NAME, TITLE, "Classification with Torch (the lecture's closing notebook).",
                  recipe(scope), results,
                  {"torch": dict(zip(keys, outs)),
                   "numpy": {k: capacity.arrays["runs"][k] for k in keys}},
                  [], checks, seconds=time.perf_counter() - t0)


def draw(record: Record) -> dict:
    from ..plots.twin import engine_curves

    runs = {engine: {key: out["history"] for key, out in record.arrays[engine].items()}
            for engine in ("numpy", "torch")}
    return {"twin_curves": engine_curves(runs, title="Training accuracy per epoch: the NumPy "
                                         "engine (solid) and the PyTorch twin (dashed), "
                                         "one colour per seed",
                                   column="train_accuracy", label="training accuracy")}
