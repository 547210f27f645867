"""Experiment: robustness to shifted test images, a study of shifts and what moves them.

Lecture: "1-pixel shift of testing data: 87% accuracy; 2-pixel shift: 62%",
without saying which network, which direction or how the vacated pixels were
filled. The networks of the capacity experiment (every seed, 10 and 32 hidden
units; no new training) are tested on the test images moved by 0 to 4 pixels
right, left, down, up and diagonally (down-right), the vacated pixels set to 0
(``nnlearn.data.shift``). ``directions`` lists, for both widths, the shifts
right, down and down-right by 1 and 2 pixels with every seed's accuracy.

The two statements (1 pixel, 2 pixels) are measured on both networks, shifted
right: the lecture names no network, so each measurement gets its own verdict
and the statement's verdict rests on both (the least favourable), never on the
kinder one. ``ablation`` retrains or retests each network with one choice
changed; each measurement's explanation cites its own network's ablation (what
they share, the record's ``shared_explanation``, the report prints once), and
``closest_to_62`` says plainly which hypothesis comes closest to 62%.
"""

from __future__ import annotations

import time

import numpy as np

from . import ablation
from .base import DIRECTIONS, Record, Scope, confusion, judged, mean_sd, other_data, scope_notes
from .base import shifted_test_images
from .capacity import WIDTHS
from .shifted import accuracy, network_of, test_data
from .verdicts import measurement, statement

NAME = "shift"
TITLE = "Shifted test images, and a shift ablation"
NEEDS_DATA = True
NEEDS = ("capacity",)
CLAIMS = ("shift1_acc", "shift2_acc")
LECTURE = {1: 0.87, 2: 0.62}
QUOTE = {1: "Even with good testing accuracy, there is overfitting: 1-pixel shift of testing "
            "data: 87% accuracy",
         2: "Even with good testing accuracy, there is overfitting: 2-pixel shift of testing "
            "data: 62% accuracy"}
CLAIM_DIRECTION = "right"
CURVE_PIXELS = (0, 1, 2, 3, 4)
#: The study's table: these directions and pixels for every width.
STUDY_DIRECTIONS, STUDY_PIXELS = ("right", "down", "down-right"), (1, 2)
CHOICES = [
    {"what": "the capacity experiment's networks, no new training",
     "why": "the lecture's shift numbers follow its 10- and 32-unit networks"},
    {"what": "shift right, zero fill, for the statements' measurements",
     "why": "the lecture names no direction or fill; right is the first of the study's "
            "directions, and down and down-right are shown beside it"},
    {"what": "both widths measured, the verdict resting on both",
     "why": "the lecture names no network, so the kinder one may not be picked"},
]


def recipe(scope: Scope) -> dict:
    return {"networks": "the capacity experiment's, every seed, 10 and 32 hidden units",
            "training": "none (the ablation trains its own, see ablation)",
            "shift_fill": "zero", "directions": list(DIRECTIONS),
            "claim_direction": CLAIM_DIRECTION, "curve_pixels": list(CURVE_PIXELS),
            "study": {"directions": list(STUDY_DIRECTIONS), "pixels": list(STUDY_PIXELS),
                      "widths": list(WIDTHS), "seeds": scope.seed_list},
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
    results["directions"] = [
        {"width": h, "direction": d, "pixels": p, **results[f"hidden{h}"][f"{d}_{p}"]}
        for h in WIDTHS for d in STUDY_DIRECTIONS for p in STUDY_PIXELS]
    results["classes"] = [str(c) for c in data.classes]
    results["most_confused_shift2"] = {
        f"hidden{h}": _worst_classes(arrays["confusion"][(h, 0)], arrays["confusion"][(h, 2)],
                                     results["classes"]) for h in WIDTHS}
    results["ablation"] = ablation.measure(scope, runner, capacity, data, WIDTHS)
    results["closest_to_62"] = ablation.closest(results["ablation"], LECTURE[2])
    notes = [results["closest_to_62"]["statement"]]
    for table in results["ablation"].values():
        notes += [f"{table['width']} hidden units, dropped from the ablation: {d['label']}: "
                  f"{d['why']}." for d in table["dropped"]]
    claims = [shift_statement(scope, pixels, results, capacity) for pixels in (1, 2)]
    return Record(NAME, TITLE, f"{QUOTE[1]}; 2-pixel shift of testing data: 62% accuracy.",
                  recipe(scope), results, arrays, claims, notes=notes, choices=CHOICES,
                  seconds=time.perf_counter() - t0,
                  shared_explanation=ablation.shared(results["ablation"]))


def shift_statement(scope: Scope, pixels: int, results: dict, capacity) -> dict:
    """The statement "{87, 62}% at a {1, 2}-pixel shift", measured on both widths."""
    lecture, ms = LECTURE[pixels], []
    for h in WIDTHS:
        entry = results[f"hidden{h}"][f"{CLAIM_DIRECTION}_{pixels}"]
        m = measurement(network=f"mlp(784, [{h}], 10), shifted {CLAIM_DIRECTION}, zero fill",
                        optimizer=capacity.recipe[f"hidden{h}"]["selected"]["label"],
                        width=h, values=entry["per_seed"], rule="whole_percent",
                        lecture=lecture, judged=judged(scope, numeric=True),
                        note="; ".join(scope_notes(scope)))
        if m["explanation"]:
            m["explanation"] = other_data(scope) + ablation.explain(
                m, results["ablation"][f"hidden{h}"], pixels, lecture)
        ms.append(m)
    return statement(f"{scope.prefix}_{CLAIMS[pixels - 1]}", quote=QUOTE[pixels],
                     claim=f"test images shifted {pixels} pixel{'s' if pixels > 1 else ''} "
                           f"right (zero fill), on the 10- and the 32-unit network",
                     lecture=lecture, rule="whole_percent", measurements=ms,
                     why="the lecture names no network: each width is measured and judged, "
                         "and the statement rests on both (the less favourable verdict)",
                     note="; ".join(scope_notes(scope)))


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
    rows = [(t["width"], r) for t in res["ablation"].values() for r in t["variants"]]
    return {"shift_curves": shift_curves(CURVE_PIXELS, curves, lecture=dict(LECTURE),
                                         title="Test accuracy on shifted images (zero fill), "
                                               "mean over seeds"),
            "shift_confusion": confusion_matrices(mats, res["classes"],
                                                  title="Confusion matrices, seed 0"),
            "shift_ablation": ablation_bars(
                {f"{h} units: {r['label']}": (r["shift2"]["mean"], r["shift2"]["sd"] or 0.0,
                                               r["clean"]["mean"]) for h, r in rows},
                lecture=LECTURE[2],
                title="Shift ablation, 10 and 32 hidden units: 2-pixel accuracy (bars, ± sd over "
                      "seeds) and clean accuracy (dots), one choice changed at a time")}
