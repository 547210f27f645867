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


def _wait(condition, timeout=60.0):
    """Poll ``condition`` until it holds (generous: the machine may be loaded)."""
    import time
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_settings_reply_names_the_message_it_answers():
    """The page numbers its settings messages; the reply carries the number of the last
    one taken, so that the page knows a reply to an older message (whose values must not
    go back into its controls) from the answer to its newest. Anything but a whole
    number is no number."""
    from nnlearn.playground.session import Session
    session = Session(lambda frame: None)
    replies = session.handle({"type": "settings", "settings": {"hidden": "8"}, "seq": 7})
    assert replies[0]["type"] == "settings" and replies[0]["seq"] == 7
    session._sampled = -float("inf")
    assert session.handle({"type": "sample"})[0]["seq"] == 7  # the last one taken
    for junk in ("8", 2.5, True, -1, 2**60, None, [1]):
        reply = session.handle({"type": "settings", "settings": {}, "seq": junk})[0]
        assert "seq" not in reply, junk
    session.close()


def test_a_paused_run_shows_a_new_sample_at_once():
    """Noise while paused: the run takes the new sample and sends a frame computed on it
    (its test metrics are those of the new points), still paused at the same iteration."""
    from nnlearn.playground.frames import metrics
    from nnlearn.playground.session import Session
    frames = []
    session = Session(frames.append)
    session.handle({"type": "settings", "settings": {"hidden": "8", "iterations": 10**6,
                                                     "optimizer": "sgd"}})
    session.handle({"type": "step"})
    runner = session.runner
    _wait(lambda: runner.state == "paused" and frames)
    seen = len(frames)
    session.handle({"type": "settings", "settings": {"noise": "0.3"}})
    new = session.data
    _wait(lambda: len(frames) > seen and runner.data is new)
    last = frames[-1]
    with runner.backend.lock:
        expected = metrics(runner.network, new)
    assert last["state"] == "paused" and last["iteration"] == runner.trainer.iteration == 1
    assert last["test_loss"] == expected["test_loss"]
    assert last["confusion"] == expected["confusion"]
    session.close()
