"""Experiment: the rings (the lecture's Figure 2) and its six training panels.

Data: two classes of noisy rings (``nnlearn.data.rings``): class 0 on the
circle of radius 1, class 1 on the circle of radius 2, each point at a
uniform angle with Gaussian noise of standard deviation 0.1 on its radius;
1000 training and 1000 test points, seed 0, inputs as drawn.

Recipe: a 2-layer network with 100 ReLU hidden units (the lecture's
"2-Layer 100-hidden units"), full-batch gradient descent on the mean loss of
eq. (2)/(7) with learning rate 0.01, 3000 iterations, decision regions kept at
iterations 50, 150, 250, 350, 500 and 3000 (the lecture's panels). Why 0.01:
the lecture's panels only make sense if the boundary is still moving at those
iterations. At rate 0.1 (what ``nnlearn train`` uses for the rings) the
network is at 97% training accuracy by iteration 50 and the panels from 250 on
are the same picture; at 0.01 training accuracy climbs through the panels
(about 50%, 53%, 68%, 86%, 97%, 100%) and the boundary moves between each
pair. ``boundary_change`` measures that: the share of the plotting grid whose
predicted class changes from one panel to the next.
"""

from __future__ import annotations

import time

import numpy as np

from ..assembly import assemble
from ..data import load
from ..plots import decision_regions, learning_curves
from ..plots.network import network_diagram
from ..plots.regions import class_points, region_grid
from ..settings import FULL
from ..spec import NetworkSpec
from ..training import Snapshots
from .base import Record, Scope
from .verdicts import check

NAME = "rings"
TITLE = "Rings: Figure 2 and the training panels"
NEEDS_DATA = False
NEEDS: tuple = ()
SNAPSHOTS = (50, 150, 250, 350, 500, 3000)
RADII, NOISE, POINTS = (1.0, 2.0), 0.1, 1000
LR = 0.01
#: The share of the grid that must change between consecutive panels (up to 500).
MOVES = 0.005


def recipe(scope: Scope) -> dict:
    iterations = SNAPSHOTS[-1]  # --quick too: a few seconds
    return {"data": {"generator": "nnlearn.data.rings", "radii": list(RADII), "noise": NOISE,
                     "noise_on": "the radius (Gaussian, standard deviation)",
                     "n_train": POINTS, "n_test": POINTS, "seed": 0},
            "network": "mlp(2, [100], 2), relu, he_normal", "optimizer": "gd", "lr": LR,
            "batch_size": f"full ({POINTS})", "loss": "mean of eq. (7)",
            "iterations": iterations, "schedule": "constant",
            "input_scaling": "none (points as drawn)", "seed": 0,
            "snapshots": [s for s in SNAPSHOTS if s <= iterations]}


def run(scope: Scope, runner=None) -> Record:
    r = recipe(scope)
    t0 = time.perf_counter()
    data = load("rings", seed=0, n_train=POINTS, n_test=POINTS, radii=RADII, noise=NOISE)
    snaps = Snapshots(r["snapshots"])
    trainer = assemble(NetworkSpec(2, 2, hidden=(100,), activation="relu"),
                       {"optimizer": "gd", "lr": LR, "batch_size": FULL,
                        "iterations": r["iterations"]}, callbacks=[snaps]).trainer
    history = trainer.fit(data.X_train, data.y_train,
                          validation_data=(data.X_test, data.y_test))
    train_acc, test_acc = history["train_accuracy"][-1], history["val_accuracy"][-1]
    grid = region_grid(data.X_train)[2]
    nets: dict = snaps.snapshots  # iteration -> Network
    regions = [nets[i].predict(grid) for i in r["snapshots"]]
    change = [float(np.mean(a != b)) for a, b in zip(regions, regions[1:])]
    results = {"train_accuracy": float(train_acc), "test_accuracy": float(test_acc),
               "loss": [float(v) for v in history["train_loss"]],
               "snapshot_train_accuracy": {str(i): float((n.predict(data.X_train)
                                                         == data.y_train).mean())
                                           for i, n in nets.items()},
               "boundary_change": change,
               "boundary_change_between": [f"{a}->{b}" for a, b in
                                           zip(r["snapshots"], r["snapshots"][1:])]}
    moving = change[:4]
    checks = [
        check("rings_separated", what=f"training accuracy at iteration {r['iterations']} "
              "(the lecture's last panel shows the rings separated; it states no number)",
              value=float(train_acc), limit=">= 0.99", passed=bool(train_acc >= 0.99),
              unit="fraction"),
        check("rings_boundary_moves", what="smallest share of the plotting grid that changes "
              "class between consecutive panels up to iteration 500",
              value=min(moving), limit=f">= {MOVES}", passed=bool(min(moving) >= MOVES),
              unit="fraction")]
    return Record(NAME, TITLE, "Figure 2: Synthetic data on rings consisting of two classes. "
                  "Training: 2-Layer 100-hidden units, iterations 50, 150, 250, 350, 500, 3000.",
                  r, results, {"snapshots": snaps.snapshots, "X": data.X_train,
                               "y": data.y_train, "history": history}, [], checks,
                  seconds=time.perf_counter() - t0)


def draw(record: Record) -> dict:
    a = record.arrays
    last = max(a["snapshots"])
    return {"lecture_figure1": network_diagram(
                title="The lecture's Figure 1: a fully connected network, widths 6, 2, 6, 4, 1"),
            "rings_data": class_points(
                a["X"], a["y"], n_classes=2,
                title=f"Figure 2: two rings, radii {RADII[0]:g} and {RADII[1]:g}, Gaussian "
                      f"noise of standard deviation {NOISE:g} on the radius, "
                      f"{len(a['y'])} training points"),
            "rings_network": network_diagram(
                a["snapshots"][last], weights=True,
                title=f"The rings network (2-100-2) at iteration {last}: edges by weight"),
            "rings_decision_regions": decision_regions(
                a["snapshots"], a["X"], a["y"], n_classes=2,
                title=f"Rings: 2-layer network, 100 hidden units, full-batch gradient "
                      f"descent, rate {LR:g}"),
            "rings_loss": learning_curves(a["history"], title="Rings: loss and accuracy "
                                          "(one epoch = one full-batch iteration)")}
