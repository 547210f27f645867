"""Experiment 1: the lecture's rings training sequence (its Figure 2 and training figure).

Recipe: a 2-layer network with 100 ReLU hidden units (``mlp(2, [100], 2)``),
full-batch gradient descent on the mean loss of eq. (2)/(7) with learning rate
0.1, 3000 iterations, decision regions kept at iterations 50, 150, 250, 350,
500 and 3000 (the lecture's panels). Why: the lecture's figure is full-batch
gradient descent, and this is the same recipe ``nnlearn train`` uses for it
(the README's quick start), so the two agree; 0.1 is the largest round rate
whose loss falls steadily on the rings. The points are the lecture's two
classes of noisy rings, 1000 for training and 1000 for testing, inputs as drawn.
"""

from __future__ import annotations

import time

from ..data import load
from ..engine import make_optimizer
from ..plots import decision_regions, learning_curves
from ..plots.network import network_diagram
from ..spec import NetworkSpec
from ..training import NumpyBackend, Snapshots, TrainConfig, Trainer
from .base import Record, Scope, claim

NAME = "rings"
TITLE = "1. Rings: training sequence"
NEEDS_DATA = False
NEEDS: tuple = ()
SNAPSHOTS = (50, 150, 250, 350, 500, 3000)


def recipe(scope: Scope) -> dict:
    iterations = 500 if scope.quick else 3000
    return {"network": "mlp(2, [100], 2), relu", "optimizer": "gd", "lr": 0.1,
            "batch_size": "full (1000)", "iterations": iterations, "schedule": "constant",
            "input_scaling": "none (points as drawn)", "seed": 0,
            "snapshots": [s for s in SNAPSHOTS if s <= iterations]}


def run(scope: Scope, runner=None) -> Record:
    r = recipe(scope)
    t0 = time.perf_counter()
    data = load("rings", seed=0)
    net = NetworkSpec(2, 2, hidden=(100,), activation="relu").build(0)
    snaps = Snapshots(r["snapshots"])
    trainer = Trainer(NumpyBackend(net, make_optimizer("gd")),
                      TrainConfig(iterations=r["iterations"], lr=r["lr"], progress=False),
                      callbacks=[snaps])
    history = trainer.fit(data.X_train, data.y_train,
                          validation_data=(data.X_test, data.y_test))
    train_acc, test_acc = history["train_accuracy"][-1], history["val_accuracy"][-1]
    results = {"train_accuracy": float(train_acc), "test_accuracy": float(test_acc),
               "loss": [float(v) for v in history["train_loss"]],
               "snapshot_train_accuracy": {str(i): float((n.predict(data.X_train)
                                                         == data.y_train).mean())
                                           for i, n in snaps.snapshots.items()}}
    c = claim("rings_separated", "the rings are separated at iteration 3000 "
              "(training accuracy; the lecture's last panel shows no error)", 1.0,
              [train_acc], tolerance=0.01,
              note="the lecture shows the figure, not a number; 1.0 stands for its "
                   "error-free last panel")
    return Record(NAME, TITLE, "Figure 2 and the six training panels: a 2-layer network with "
                  "100 hidden units learns the two rings by gradient descent.", r, results,
                  {"snapshots": snaps.snapshots, "X": data.X_train, "y": data.y_train,
                   "history": history}, [c], seconds=time.perf_counter() - t0)


def draw(record: Record) -> dict:
    a = record.arrays
    last = max(a["snapshots"])
    return {"lecture_figure1": network_diagram(
                title="The lecture's Figure 1: a fully connected network, widths 6, 2, 6, 4, 1"),
            "rings_network": network_diagram(
                a["snapshots"][last], weights=True,
                title=f"The rings network (2-100-2) at iteration {last}: edges by weight"),
            "rings_decision_regions": decision_regions(
                a["snapshots"], a["X"], a["y"], n_classes=2,
                title="Rings: 2-layer network, 100 hidden units, full-batch gradient descent"),
            "rings_loss": learning_curves(a["history"], title="Rings: loss and accuracy "
                                          "(one epoch = one full-batch iteration)")}
