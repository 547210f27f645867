"""Experiment 8: experiment 2 again with the PyTorch twin.

The same tasks as experiment 2's ``tuned`` recipe (same initial weights from
the same seeds, same batches in the same order from the same loop), computed
by ``nnlearn.torch`` instead of the NumPy engine (``make_backend("torch")``,
CPU). Both compute in float32, so rounding differs in the last bits and the
two runs drift apart slowly over thousands of steps; they should end within
seed-to-seed noise of each other.
"""

from __future__ import annotations

import importlib.util
import time

from .base import Record, Scope, claim, mean_spread
from .capacity import MAIN, WIDTHS, task

NAME = "twin"
TITLE = "8. The same with PyTorch"
NEEDS_DATA = True
NEEDS = ("capacity",)
AGREE = 0.005  # test accuracies within half a point count as agreeing


def missing_requirement() -> str | None:
    """None when the experiment can run, else why not."""
    if importlib.util.find_spec("torch") is None:
        return "PyTorch is not installed (pip install 'nnlearn[torch]')"
    return None


def recipe(scope: Scope) -> dict:
    return {"as": f"experiment 2, recipe {MAIN!r}", "backend": "torch (CPU, float32)",
            "seeds": scope.seed_list}


def run(scope: Scope, runner, capacity=None) -> Record:
    t0 = time.perf_counter()
    keys = [(h, s) for h in WIDTHS for s in scope.seed_list]
    outs = runner.map([task(scope, h, s, MAIN, backend="torch", keep_parameters=False)
                       for h, s in keys])
    results, claims = {}, []
    for h in WIDTHS:
        torch_acc = [outs[keys.index((h, s))]["test_accuracy"] for s in scope.seed_list]
        numpy_acc = [capacity.arrays["runs"][(MAIN, h, s)]["test_accuracy"]
                     for s in scope.seed_list]
        diffs = [t - n for t, n in zip(torch_acc, numpy_acc)]
        results[f"hidden{h}"] = {"torch": mean_spread(torch_acc), "numpy": mean_spread(numpy_acc),
                                 "difference": mean_spread(diffs),
                                 "seconds_torch": mean_spread(outs[keys.index((h, s))]["seconds"]
                                                              for s in scope.seed_list)}
        worst = max(abs(d) for d in diffs)
        claims.append(claim(
            f"{scope.prefix}_hidden{h}_twin_difference",
            f"{h} hidden units: the PyTorch twin's test accuracy minus the NumPy engine's, "
            "seed by seed", 0.0, diffs, tolerance=AGREE, unit="accuracy difference",
            verdict="reproduced" if worst <= AGREE else "differs",
            note=f"not a claim of the lecture (its closing notebook uses Torch): the two engines "
                 f"agree when every seed differs by at most {AGREE}; largest {worst:.4f}"))
    return Record(NAME, TITLE, "The lecture ends with \"Classification with Torch\".",
                  recipe(scope), results,
                  {"torch": dict(zip(keys, outs)),
                   "numpy": {(h, s): capacity.arrays["runs"][(MAIN, h, s)] for h, s in keys}},
                  claims,
                  seconds=time.perf_counter() - t0)


def draw(record: Record) -> dict:
    from ..plots.twin import engine_curves

    runs = {engine: {key: out["history"] for key, out in record.arrays[engine].items()}
            for engine in ("numpy", "torch")}
    return {"twin_curves": engine_curves(runs, title="Test accuracy per epoch: the NumPy "
                                         "engine (solid) and the PyTorch twin (dashed), "
                                         "one colour per seed")}
