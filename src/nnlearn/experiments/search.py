"""Choosing a recipe and its number of epochs on a validation split, never on the test set.

The training images are split once (stratified, ``VALIDATION_SEED``) into a
part to train on and a held-out validation part (10000 of MNIST's 60000).
Every recipe of the grid trains on the first part for up to ``max_epochs``
epochs with a constant learning rate, and is measured on the validation part
after every epoch; the pair (recipe, epochs) with the highest validation
accuracy wins (the fewer epochs on a tie). The test set is not loaded by these
tasks (``Task.validation``). The caller then trains the chosen recipe on all
training images and evaluates it on the test set once.

A constant rate is what lets one run give every epoch count: with a schedule
that decays over the planned length (cosine), epoch 10 of a 20-epoch run is
not a 10-epoch run.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .base import VALIDATION_SEED, Task

#: The recipes searched for the lecture's 2-layer networks: the lecture's own gradient
#: descent (eq. 2) in mini-batches at two rates, and Adam at two rates.
GRID = ({"optimizer": "sgd", "lr": 0.1}, {"optimizer": "sgd", "lr": 0.3},
        {"optimizer": "adam", "lr": 1e-3}, {"optimizer": "adam", "lr": 3e-3})


def label(recipe: dict) -> str:
    """``"sgd 0.1"``: a recipe of the grid as the report names it."""
    return f"{recipe['optimizer']} {recipe['lr']:g}"


def search_tasks(base: Task, validation: int, max_epochs: int, grid=GRID) -> list[Task]:
    """One task per recipe of ``grid``: ``base`` trained on the training part for
    ``max_epochs`` epochs, measured on ``validation`` held-out images after each."""
    return [replace(base, validation=validation, epochs=max_epochs, schedule="constant",
                    monitor_test=False, keep_parameters=False, **recipe) for recipe in grid]


def select(outs: list[dict], validation: int, max_epochs: int, grid=GRID) -> dict:
    """The search's record: the grid, every recipe's validation curve and best epoch,
    and the chosen ``{optimizer, lr, epochs}`` (highest validation accuracy)."""
    tried = []
    for recipe, out in zip(grid, outs):
        curve = [float(v) for v in out["history"]["val_accuracy"]]
        best = int(np.argmax(curve))  # the first maximum: fewer epochs on a tie
        tried.append({**recipe, "label": label(recipe), "best_epochs": best + 1,
                      "best_validation_accuracy": curve[best], "validation_curve": curve,
                      "train_accuracy": float(out["train_accuracy"])})
    chosen = max(tried, key=lambda t: (t["best_validation_accuracy"], -t["best_epochs"]))
    return {"searched": True, "selected_on": "validation",
            "grid": {"recipes": [label(r) for r in grid], "schedule": "constant",
                     "epochs": f"1 to {max_epochs}, read off each recipe's validation curve"},
            "validation": {"held_out": validation, "trained_on": outs[0]["n_train"],
                           "split_seed": VALIDATION_SEED, "seed": 0},
            "tried": tried,
            "selected": {"optimizer": chosen["optimizer"], "lr": chosen["lr"],
                         "epochs": chosen["best_epochs"], "label": chosen["label"],
                         "validation_accuracy": chosen["best_validation_accuracy"]}}


# -- a learning rate for a recipe whose other choices are fixed -------------------------

#: The rates each optimiser is tried at where only the rate is chosen (the depth study,
#: the shift ablation's variants): the capacity search's own rates, so that its
#: validation curves serve the variants that change nothing else.
LR_GRID = {"sgd": (0.1, 0.3), "adam": (1e-3, 3e-3)}
#: Raw 0-255 inputs with W_1 initialised for them (He / 255): one layer's gradient is 255
#: times larger and SGD's effective step on it 255^2 times, so the rates move down; tried
#: by hand on one seed before this grid was fixed (see the deviations).
RAW_LR_GRID = {"sgd": (1e-6, 3e-6, 1e-5), "adam": (3e-5, 1e-4, 3e-4)}
#: The depth study's rates: a decade around each optimiser's usual rate.
DEPTH_LR_GRID = {"sgd": (0.03, 0.1, 0.3), "adam": (3e-4, 1e-3, 3e-3)}


def lr_tasks(base: Task, lrs, validation: int) -> list[Task]:
    """``base`` at each rate of ``lrs``, trained on the training part and measured on
    ``validation`` held-out images after every epoch (seed 0's split)."""
    return [replace(base, validation=validation, lr=lr, monitor_test=False,
                    keep_parameters=False, grad_norms=False) for lr in lrs]


def choose_lr(curves: dict, epochs: int) -> dict:
    """The rate whose validation accuracy after ``epochs`` epochs is highest (the smaller
    rate on a tie), from ``{lr: validation curve}``; the record of the choice. A curve
    that stops short (the run diverged) counts as 0: it never got there."""
    at = {lr: float(curve[epochs - 1]) if len(curve) >= epochs else 0.0
          for lr, curve in curves.items()}
    best = max(sorted(at), key=lambda lr: at[lr])
    return {"lr": best, "selected_on": "validation", "epochs": epochs,
            "validation_accuracy": {f"{lr:g}": v for lr, v in at.items()}}
