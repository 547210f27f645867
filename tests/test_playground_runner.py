"""The playground runner's divergence check: the loop's verdict, except for a run
the page stopped."""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from nnlearn.engine import make_optimizer, mlp
from nnlearn.errors import TrainingWarning
from nnlearn.playground.runner import VerdictUnlessStopped
from nnlearn.training import NumpyBackend, TrainConfig, Trainer


def _stuck_run(stopped):
    """A run at chance level (dead ReLUs: only the output bias learns), judged by
    the runner's check with the page's ``stopped`` as given."""
    net = mlp(2, (4,), 2, seed=0)
    net.parameters()["layers.0.b"][...] = -1e3
    t = Trainer(NumpyBackend(net, make_optimizer("sgd")),
                TrainConfig(iterations=3, lr=1e-3, progress=False))
    t.set_callback("divergence",
                   VerdictUnlessStopped(SimpleNamespace(stopped=stopped, refitting=False)))
    X = np.random.default_rng(0).normal(size=(40, 2))
    return t, X, np.arange(40) % 2


def test_a_finished_run_gets_the_verdict():
    t, X, y = _stuck_run(stopped=False)
    with pytest.warns(TrainingWarning, match="chance level"):
        t.fit(X, y)
    assert len(t.warnings) == 1


def test_a_run_the_page_stopped_gets_none():
    t, X, y = _stuck_run(stopped=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        t.fit(X, y)
    assert t.warnings == []
