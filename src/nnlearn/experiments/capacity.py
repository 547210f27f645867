"""Experiment: MNIST capacity, one hidden layer of 10 and of 32 units.

Lecture: 93% (10 hidden units) and 97% (32 hidden units) test accuracy on the
60000/10000 split, without a recipe. The networks are ``mlp(784, [h], 10)``
(ReLU, He initialisation, inputs the pixels scaled to [0, 1] as loaded),
batches of 128. The recipe and the number of epochs are chosen for each width
on a validation split of the training images (``search``: 50000 to train on,
10000 held out, seed 0; the grid is ``search.GRID``, constant rates, up to 20
epochs). The chosen recipe is then trained on all 60000 images with every
seed and evaluated on the test set once, after training: no test number is
looked at before then, and none chooses anything.
"""

from __future__ import annotations

import time
from dataclasses import replace

from .base import Record, Scope, Task, judged, mean_sd, scope_notes
from .search import GRID, label, search_tasks, select
from .verdicts import check, measurement, points, statement

NAME = "capacity"
TITLE = "10 and 32 hidden units"
NEEDS_DATA = True
NEEDS: tuple = ()
WIDTHS = (10, 32)
CLAIMS = ("hidden10_test_acc", "hidden32_test_acc")
LECTURE = {10: 0.93, 32: 0.97}
QUOTE = {10: "2-Layer network with 10 hidden nodes: 93% testing accuracy",
         32: "2-Layer network with 32 hidden nodes: 97% testing accuracy"}
BATCH = 128
CHOICES = [
    {"what": "mlp(784, [h], 10), ReLU, He initialisation, pixels in [0, 1], batches of 128",
     "why": "the lecture's 2-layer network; the rest is the usual default, fixed beforehand"},
    {"what": "optimiser, rate and epochs chosen on 10000 held-out training images from "
             "search.GRID (SGD 0.1, 0.3; Adam 0.001, 0.003; constant; up to 20 epochs)",
     "why": "the lecture gives no recipe; the test set chooses nothing"},
]


def plan(scope: Scope) -> dict:
    """Set sizes and the search's bounds: the full split, or small subsets with --quick."""
    if scope.quick:
        return {"n_train": 2000, "n_test": 1000, "validation": 400, "max_epochs": 4}
    return {"n_train": None, "n_test": None, "validation": 10000, "max_epochs": 20}


def base_task(scope: Scope, hidden: int, seed: int = 0) -> Task:
    """The lecture's 2-layer network of ``hidden`` units on ``scope``'s data; the recipe
    fields are left to the search (``search_tasks``) or to its choice (``final_task``)."""
    p = plan(scope)
    return Task(data=scope.data, data_dir=scope.data_dir, n_train=p["n_train"],
                n_test=p["n_test"], subset_seed=seed, hidden=(hidden,), batch_size=BATCH,
                schedule="constant", seed=seed)


def final_task(scope: Scope, hidden: int, seed: int, selected: dict) -> Task:
    """The chosen recipe trained on all training images; its network kept for the
    shift test, the ablation and the twin."""
    return replace(base_task(scope, hidden, seed), optimizer=selected["optimizer"],
                   lr=selected["lr"], epochs=selected["epochs"], keep_parameters=True)


def recipe(scope: Scope, searches: dict) -> dict:
    p = plan(scope)
    return {"network": "mlp(784, [h], 10), relu, he_normal", "batch_size": BATCH,
            "schedule": "constant", "input_scaling": "pixels / 255, in [0, 1]",
            "n_train": p["n_train"] or "all (60000)", "n_test": p["n_test"] or "all (10000)",
            "seeds": scope.seed_list, "evaluated_on_test": "once, after training",
            **{f"hidden{h}": searches[h] for h in WIDTHS}}


def run(scope: Scope, runner) -> Record:
    t0 = time.perf_counter()
    p = plan(scope)
    searches: dict = {}
    arrays: dict = {"runs": {}, "tasks": {}}
    search_outs = runner.map([t for h in WIDTHS for t in search_tasks(
        base_task(scope, h), p["validation"], p["max_epochs"])])
    for i, h in enumerate(WIDTHS):
        searches[h] = select(search_outs[i * len(GRID):(i + 1) * len(GRID)], p["validation"],
                             p["max_epochs"])
    keys = [(h, s) for h in WIDTHS for s in scope.seed_list]
    tasks = [final_task(scope, h, s, searches[h]["selected"]) for h, s in keys]
    outs = runner.map(tasks)
    arrays["runs"], arrays["tasks"] = dict(zip(keys, outs)), dict(zip(keys, tasks))
    results: dict = {"data": scope.data}
    claims, checks = [], []
    for h in WIDTHS:
        runs = [arrays["runs"][(h, s)] for s in scope.seed_list]
        results[f"hidden{h}"] = {
            "recipe": searches[h]["selected"],
            "test_accuracy": mean_sd(r["test_accuracy"] for r in runs),
            "train_accuracy": mean_sd(r["train_accuracy"] for r in runs),
            "seconds": mean_sd(r["seconds"] for r in runs)}
        selected = searches[h]["selected"]
        m = measurement(network=f"mlp(784, [{h}], 10)", optimizer=selected["label"], width=h,
                        values=[r["test_accuracy"] for r in runs], rule="whole_percent",
                        lecture=LECTURE[h], judged=judged(scope, numeric=True),
                        note="; ".join(scope_notes(scope)))
        if m["explanation"]:
            m["explanation"] = explain(m, searches[h], LECTURE[h])
        claims.append(statement(
            f"{scope.prefix}_{CLAIMS[WIDTHS.index(h)]}", quote=QUOTE[h],
            claim=f"2-layer network, {h} hidden units: test accuracy (recipe chosen on "
                  f"validation: {selected['label']}, {selected['epochs']} epochs)",
            lecture=LECTURE[h], rule="whole_percent", measurements=[m],
            why="one network, the lecture's, with its recipe chosen on validation",
            note="; ".join(scope_notes(scope))))
        for t in searches[h]["tried"]:
            checks.append(check(
                f"{scope.prefix}_hidden{h}_recipe_{t['optimizer']}_{_lr_id(t['lr'])}",
                what=f"{h} hidden units, recipe {t['label']}: best validation accuracy "
                     f"(epoch {t['best_epochs']} of {p['max_epochs']})",
                value=t["best_validation_accuracy"], unit="fraction",
                note="chosen" if t["label"] == searches[h]["selected"]["label"] else
                     "a recipe variant of the search"))
    return Record(NAME, TITLE, f"{QUOTE[10]}; {QUOTE[32]}.", recipe(scope, searches), results,
                  arrays, claims, checks, choices=CHOICES, seconds=time.perf_counter() - t0)


def _lr_id(lr: float) -> str:
    return f"{lr:g}".replace(".", "_").replace("-", "m")


def explain(c: dict, search: dict, lecture: float) -> str:
    """Why the test accuracy is off the lecture's: what the search measured."""
    tried = search["tried"]
    best = [t["best_validation_accuracy"] for t in tried]
    last = [t["validation_curve"][-1] for t in tried]
    lo, hi = min(best + last), max(best + last)
    chosen = search["selected"]
    curve = next(t["validation_curve"] for t in tried if t["label"] == chosen["label"])
    side = "above" if c["ours"] > lecture else "below"
    text = (f"Our mean {points(c['ours'])} lies {side} the lecture's {points(lecture)}. "
            f"The lecture gives no recipe. On the validation images the recipes of the grid "
            f"({', '.join(label(t) for t in tried)}) ended between {points(lo)} and "
            f"{points(hi)}, and the chosen one ({chosen['label']}) read "
            f"{points(curve[0])} after 1 epoch and {points(max(curve))} at its best: ")
    if lo - 0.005 <= lecture <= hi + 0.005 or min(curve) <= lecture <= max(curve):
        return text + (f"the lecture's {points(lecture)} lies within what the recipe and the "
                       f"number of epochs alone give, so an unstated recipe accounts for the "
                       f"difference.")
    return text + (f"no recipe or epoch count searched reaches the lecture's {points(lecture)}; "
                   f"nothing measured here explains the difference.")


def draw(record: Record) -> dict:
    from ..plots.panels import search_curves

    panels = {}
    for h in WIDTHS:
        search = record.recipe[f"hidden{h}"]
        panels[f"{h} hidden units"] = (
            {t["label"]: t["validation_curve"] for t in search["tried"]},
            (search["selected"]["label"], search["selected"]["epochs"]))
    return {"capacity_search": search_curves(
        panels, title=f"{record.results['data']}: validation accuracy of each recipe of the "
                      "search (10000 held-out training images); the dot marks the choice")}
