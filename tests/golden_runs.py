"""Small, seeded training runs through each face of nnlearn, for the golden test.

Every face (the command line, the estimator, an experiment's task, the playground)
trains a small network for a few steps and returns its parameters. The arrays
these runs gave before the run assembly was unified (issue 26) are kept in
``tests/data/golden/runs.npz``; ``tests/test_golden_runs.py`` checks that the
same runs still give them. ``python tests/golden_runs.py`` rewrites that file:
only do so for a change that is meant to alter what training computes, and say
why in the commit.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

GOLDEN = Path(__file__).parent / "data" / "golden" / "runs.npz"


def _toy(seed=0, m=120):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 2))
    y = ((X[:, 0] ** 2 + X[:, 1] ** 2) > 1.2).astype(int) + (X[:, 0] > 1).astype(int)
    return X, y


def cli_runs() -> dict:
    """``nnlearn train`` on the rings: recipe defaults, and mini-batch Adam in float64."""
    from click.testing import CliRunner

    from nnlearn.cli import cli
    from nnlearn.training import load_model

    cases = {
        "recipe": ["--data", "rings", "--hidden", "8", "--iterations", "30", "--dtype", "float64"],
        "adam": ["--data", "moons", "--hidden", "6,5", "--optimizer", "adam", "--batch-size",
                 "32", "--epochs", "3", "--dtype", "float64", "--seed", "3"],
        "resnet": ["--data", "rings", "--architecture", "resnet", "--width", "6", "--depth",
                   "2", "--optimizer", "momentum", "--batch-size", "50", "--epochs", "2",
                   "--dtype", "float64", "--standardize"],
    }
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in cases.items():
            folder = Path(tmp) / name
            result = CliRunner().invoke(cli, ["train", *args, "--quiet", "--out", str(folder)])
            assert result.exit_code == 0, result.output
            out[name] = load_model(folder / "model.npz").parameters()
    return out


def estimator_runs() -> dict:
    """``NeuralNetClassifier.fit`` with its own defaults and with lbfgs, sgd and early stopping."""
    from nnlearn import NeuralNetClassifier

    X, y = _toy()
    cases = {
        "default": dict(hidden=(8,), epochs=4, random_state=0, dtype="float64"),
        "lbfgs": dict(hidden=(5,), optimizer="lbfgs", epochs=15, random_state=1,
                      dtype="float64"),
        "sgd_full": dict(hidden=(4, 4), optimizer="sgd", batch_size="full", epochs=6,
                         random_state=2, dtype="float64", schedule="cosine"),
        "early": dict(hidden=(6,), early_stopping=True, epochs=8, random_state=4,
                      dtype="float64", batch_size=16),
    }
    out = {}
    for name, params in cases.items():
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf = NeuralNetClassifier(**params).fit(X, y)
        out[name] = clf.network_.parameters()
        if name == "default":  # partial_fit continues the same run
            clf.partial_fit(X, y)
            out["partial_fit"] = clf.network_.parameters()
    return out


def experiment_runs() -> dict:
    """One experiment task (``experiments.base.train``) on the 8x8 digits."""
    from nnlearn.experiments.base import Task, train

    cases = {
        "task": Task(data="digits", n_train=300, n_test=100, hidden=(8,), epochs=2,
                     batch_size=50, keep_parameters=True),
        "task_sgd": Task(data="digits", n_train=200, n_test=100, hidden=(6,), epochs=2,
                         optimizer="sgd", lr=0.1, batch_size="full", input_scaling="standardize",
                         keep_parameters=True, seed=2),
    }
    return {name: train(task)["parameters"] for name, task in cases.items()}


def playground_runs() -> dict:
    """The playground's trainer on its default rings, and on spirals with Adam."""
    from nnlearn.playground.session import Session

    cases = {"default": {"iterations": 300},
             "spirals": {"data": "spirals", "classes": 3, "optimizer": "adam", "lr": 0.01,
                         "hidden": "8,8", "batch_size": 25, "iterations": 200, "seed": 5}}
    out = {}
    for name, changes in cases.items():
        session = Session(lambda frame: None)
        session.handle({"type": "settings", "settings": changes})
        runner = session.runner
        runner.start()
        deadline = time.monotonic() + 60
        while runner.state not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert runner.state == "done", runner.state
        out[name] = runner.backend.get_network().parameters()
        session.handle({"type": "reset"})
    return out


FACES = {"cli": cli_runs, "estimator": estimator_runs, "experiment": experiment_runs,
         "playground": playground_runs}


def flatten(face: str, runs: dict) -> dict:
    return {f"{face}/{run}/{p}": np.asarray(v) for run, params in runs.items()
            for p, v in params.items()}


if __name__ == "__main__":
    arrays: dict = {}
    for face, make in FACES.items():
        arrays.update(flatten(face, make()))
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    np.savez(GOLDEN, **arrays)
    print(f"wrote {len(arrays)} arrays to {GOLDEN}", file=sys.stderr)
