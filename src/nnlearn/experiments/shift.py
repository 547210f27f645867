"""Experiment: robustness to shifted test images, and what moves it (the shift ablation).

Lecture: "1-pixel shift of testing data: 87% accuracy; 2-pixel shift: 62%",
without saying which network, which direction or how the vacated pixels were
filled. The networks of the capacity experiment (every seed, 10 and 32 hidden
units; no new training) are tested on the test images moved by 0 to 4 pixels
right, left, down, up and diagonally (down-right), the vacated pixels set to 0
(``nnlearn.data.shift``). The claims use the shift to the right, and are
reported for both networks: the report may say which one the lecture's numbers
fit, but nothing is chosen by it.

Then ``ablation`` trains the 10-unit network again with one choice changed at a
time and measures what moves 2-pixel accuracy: the explanation of every shift
claim that is not reproduced cites it.
"""

from __future__ import annotations

import time

import numpy as np

from . import ablation
from .base import (
    DIRECTIONS,
    Record,
    Scope,
    confusion,
    load_data,
    mean_sd,
    other_data,
    scope_notes,
    shifted_test_images,
)
from .capacity import WIDTHS, plan
from .capacity import LECTURE as CLEAN
from .verdicts import claim

NAME = "shift"
TITLE = "Shifted test images, and a shift ablation"
NEEDS_DATA = True
NEEDS = ("capacity",)
LECTURE = {1: 0.87, 2: 0.62}
QUOTE = {1: "Even with good testing accuracy, there is overfitting: 1-pixel shift of testing "
            "data: 87% accuracy",
         2: "Even with good testing accuracy, there is overfitting: 2-pixel shift of testing "
            "data: 62% accuracy"}
CLAIM_DIRECTION = "right"
CURVE_PIXELS = (0, 1, 2, 3, 4)


def network_of(run: dict):
    """The trained network a task kept (``keep_parameters=True``)."""
    from ..engine import Network

    net = Network.from_spec(run["spec"])
    net.set_parameters(run["parameters"])
    return net


def test_data(scope: Scope):
    """The test set the capacity networks were evaluated on (all of it, or --quick's subset)."""
    p = plan(scope)
    return load_data(scope.data, scope.data_dir, p["n_train"], p["n_test"], 0)


def accuracy(net, data, pixels, direction="right", mode="zero") -> float:
    return float((net.predict(shifted_test_images(data, pixels, direction, mode))
                  == data.y_test).mean())


def recipe(scope: Scope) -> dict:
    return {"networks": "the capacity experiment's, every seed, 10 and 32 hidden units",
            "training": "none (the ablation trains its own, see ablation)",
            "shift_fill": "zero", "directions": list(DIRECTIONS),
            "claim_direction": CLAIM_DIRECTION, "curve_pixels": list(CURVE_PIXELS),
            "ablation": ablation.recipe(scope)}


def run(scope: Scope, runner, capacity) -> Record:
    t0 = time.perf_counter()
    data = test_data(scope)
    k = data.n_classes
    results: dict = {}
    arrays: dict = {"confusion": {}}
    for h in WIDTHS:
        nets = [network_of(capacity.arrays["runs"][(h, seed)]) for seed in scope.seed_list]
        table: dict = {}
        for direction in DIRECTIONS:
            for pixels in CURVE_PIXELS:
                table[f"{direction}_{pixels}"] = mean_sd(accuracy(net, data, pixels, direction)
                                                         for net in nets)
        results[f"hidden{h}"] = table
        for pixels in (0, 2):
            pred = nets[0].predict(shifted_test_images(data, pixels, CLAIM_DIRECTION))
            arrays["confusion"][(h, pixels)] = confusion(data.y_test, pred, k)
    # which network the lecture's three numbers fit (reported; nothing is chosen by it)
    fit = {f"hidden{h}": sum(abs(results[f"hidden{h}"][f"{CLAIM_DIRECTION}_{p}"]["mean"] - v)
                             for p, v in ((0, CLEAN[10]), *LECTURE.items())) for h in WIDTHS}
    results["distance_to_lecture_93_87_62"] = fit
    results["classes"] = [str(c) for c in data.classes]
    results["most_confused_shift2"] = {
        f"hidden{h}": _worst_classes(arrays["confusion"][(h, 0)], arrays["confusion"][(h, 2)],
                                     results["classes"]) for h in WIDTHS}
    results["ablation"] = ablation.measure(scope, runner, capacity, data)
    claims = []
    for h in WIDTHS:
        for pixels in (1, 2):
            entry = results[f"hidden{h}"][f"{CLAIM_DIRECTION}_{pixels}"]
            c = claim(f"{scope.prefix}_hidden{h}_shift{pixels}_acc", quote=QUOTE[pixels],
                      statement=f"{h} hidden units, test images shifted {pixels} pixel"
                                f"{'s' if pixels > 1 else ''} right (zero fill); the lecture "
                                f"does not say which network", lecture=LECTURE[pixels],
                      values=entry["per_seed"], rule="whole_percent",
                      note="; ".join(scope_notes(scope)))
            if c["explanation"]:
                c["explanation"] = other_data(scope) + ablation.explain(
                    c, results["ablation"], h, pixels, LECTURE[pixels], results)
            claims.append(c)
    return Record(NAME, TITLE, f"{QUOTE[1]}; 2-pixel shift of testing data: 62% accuracy.",
                  recipe(scope), results, arrays, claims, seconds=time.perf_counter() - t0)


def _worst_classes(clean: np.ndarray, shifted2: np.ndarray, classes, n=3) -> list:
    """The classes whose recall falls most from clean to 2-pixel-shifted images."""
    recall = lambda c: np.diag(c) / np.maximum(c.sum(axis=1), 1)  # noqa: E731
    drop = recall(clean) - recall(shifted2)
    return [{"class": classes[i], "recall_clean": float(recall(clean)[i]),
             "recall_shift2": float(recall(shifted2)[i])} for i in np.argsort(-drop)[:n]]


def draw(record: Record) -> dict:
    from ..plots.shifts import ablation_bars, confusion_matrices, shift_curves

    res = record.results
    curves = {f"{h} hidden units, {d}": [res[f"hidden{h}"][f"{d}_{p}"]["mean"]
                                         for p in CURVE_PIXELS]
              for h in WIDTHS for d in ("right", "down", "down-right")}
    mats = {f"{h} hidden units, {'clean' if p == 0 else f'shifted {p} px right'}": m
            for (h, p), m in record.arrays["confusion"].items()}
    rows = res["ablation"]["variants"]
    return {"shift_curves": shift_curves(CURVE_PIXELS, curves, lecture=dict(LECTURE),
                                         title="Test accuracy on shifted images (zero fill), "
                                               "mean over seeds"),
            "shift_confusion": confusion_matrices(mats, res["classes"],
                                                  title="Confusion matrices, seed 0"),
            "shift_ablation": ablation_bars(
                {r["label"]: (r["shift2"]["mean"], r["shift2"]["sd"] or 0.0,
                              r["clean"]["mean"]) for r in rows},
                lecture=LECTURE[2],
                title="Shift ablation, 10 hidden units: 2-pixel accuracy (bars, ± sd over "
                      "seeds) and clean accuracy (dots), one choice changed at a time")}
