"""The loop's epoch metrics with sample weights, its divergence warnings, a graceful
stop on a signal, and continuing a run from its saved state."""

import os
import signal
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits

from nnlearn.engine import make_optimizer, mlp
from nnlearn.engine.losses import nll
from nnlearn.errors import TrainingWarning
from nnlearn.training import (GracefulStop, LambdaCallback, NumpyBackend, TrainConfig,
                              Trainer)


def _trainer(n_in=2, hidden=(16,), n_out=2, optimizer="sgd", callbacks=(), dtype=np.float64,
             **config):
    net = mlp(n_in, hidden, n_out, seed=0, dtype=dtype)
    config.setdefault("seed", 0)
    return Trainer(NumpyBackend(net, make_optimizer(optimizer), seed=0),
                   TrainConfig(progress=False, **config), callbacks=callbacks)


def test_epoch_train_metrics_are_weighted_like_the_steps(rng):
    """An epoch's train_loss is sum_i w_i L_i / sum_i w_i over its batches, with each
    L_i taken before its batch's step: recomputed here batch by batch, independently."""
    X = rng.normal(size=(50, 2))
    y = (X[:, 0] > 0).astype(int)
    w = rng.uniform(0.1, 3.0, size=50)
    losses, rights, weights = [], [], []
    t = _trainer(epochs=1, batch_size=8, lr=0.05)
    order = np.random.default_rng(0).permutation(50)  # the loop's first permutation
    net = t.backend.network.copy()
    opt = make_optimizer("sgd")
    for start in range(0, 50, 8):
        rows = order[start:start + 8]
        loss, z = net.loss_and_gradients(X[rows], y[rows], sample_weight=w[rows], train=True)
        losses.append(loss * w[rows].sum())
        rights.append(np.dot(np.argmax(z, axis=1) == y[rows], w[rows]))
        weights.append(w[rows].sum())
        opt.step(net, 0.05)
    h = t.fit(X, y, sample_weight=w)
    assert h["train_loss"][0] == pytest.approx(sum(losses) / sum(weights), rel=1e-12)
    assert h["train_accuracy"][0] == pytest.approx(sum(rights) / sum(weights), rel=1e-12)
    unweighted = _trainer(epochs=1, batch_size=8, lr=0.05).fit(X, y)
    assert h["train_loss"][0] != pytest.approx(unweighted["train_loss"][0], rel=1e-3)


def test_full_batch_epoch_loss_is_the_weighted_loss_of_eq7(rng):
    X = rng.normal(size=(30, 2))
    y = (X[:, 1] > 0).astype(int)
    w = rng.uniform(0.1, 3.0, size=30)
    t = _trainer(iterations=1, lr=0.1)
    before = t.backend.network.copy()
    h = t.fit(X, y, sample_weight=w)
    expected, _ = nll(before.forward(X), y, sample_weight=w)
    assert h["train_loss"][0] == pytest.approx(expected, rel=1e-12)


def _raw_digits():
    X, y = load_digits(return_X_y=True)
    return X.astype(np.float64), y  # unscaled pixels 0..16: large steps overshoot


def test_a_loss_that_blows_up_without_overflow_is_reported():
    X, y = _raw_digits()
    t = _trainer(64, (32,), 10, batch_size=64, epochs=3, lr=10.0)
    with pytest.warns(TrainingWarning, match=r"diverged.*learning rate \(10\) is too large"):
        t.fit(X, y)
    assert any("diverged" in m for m in t.warnings)


def test_a_run_that_learns_is_not_warned_about(rng):
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    t = _trainer(epochs=20, batch_size=20, lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingWarning)
        t.fit(X, y)
    assert t.warnings == [] and t.history.last("train_accuracy") > 0.9


def test_a_run_stuck_at_chance_is_reported():
    X, y = _raw_digits()
    # Dead ReLUs, as a blow-up leaves them: every hidden unit is off for every
    # input, so only the output bias can learn, and it learns just the class prior.
    t = _trainer(64, (16,), 10, batch_size="full", iterations=3, lr=1e-3)
    params = t.backend.network.parameters()
    params["layers.0.b"][...] = -1e3
    with pytest.warns(TrainingWarning, match="chance level"):
        t.fit(X, y)


def test_first_signal_stops_after_the_step_and_keeps_what_was_learned(rng):
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] > 0).astype(int)
    stop = GracefulStop()
    send = LambdaCallback(on_iteration_end=lambda tr: tr.iteration == 7
                          and os.kill(os.getpid(), signal.SIGINT))
    t = _trainer(iterations=50, batch_size=10, lr=0.1, callbacks=[stop, send])
    before = signal.getsignal(signal.SIGINT)
    t.fit(X, y)
    assert t.interrupted and t.iteration == 7
    assert signal.getsignal(signal.SIGINT) is before  # handlers put back


def test_second_signal_aborts_at_once(rng):
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] > 0).astype(int)

    def twice(tr):
        if tr.iteration == 3:
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGINT)

    t = _trainer(iterations=50, batch_size=10, lr=0.1,
                 callbacks=[GracefulStop(), LambdaCallback(on_iteration_end=twice)])
    with pytest.raises(KeyboardInterrupt):
        t.fit(X, y)
    assert t.iteration == 3


@pytest.mark.parametrize("schedule", ["constant", "cosine"])
@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_a_run_stopped_and_resumed_equals_the_uninterrupted_run(rng, optimizer, schedule):
    X = rng.normal(size=(64, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    full = _trainer(optimizer=optimizer, epochs=6, batch_size=16, lr=0.05, schedule=schedule)
    full.fit(X, y)

    halt = LambdaCallback(on_epoch_end=lambda tr: setattr(tr, "stop_training", tr.epoch == 3))
    first = _trainer(optimizer=optimizer, epochs=6, batch_size=16, lr=0.05, schedule=schedule,
                     callbacks=[halt])
    first.fit(X, y)
    assert first.epoch == 3
    # What a run directory keeps: parameters, optimiser state, loop state, history.
    params = {k: v.copy() for k, v in first.backend.network.parameters().items()}
    opt_state = {k: np.array(v) for k, v in first.backend.optimizer.state_dict().items()}
    state = first.state_dict()

    second = _trainer(optimizer=optimizer, epochs=3, batch_size=16, lr=0.05, schedule=schedule)
    second.backend.network.set_parameters(params)
    second.backend.optimizer.load_state_dict(opt_state, second.backend.network.parameters())
    second.load_state_dict(state, history=first.history)
    second.fit(X, y, continue_schedule=True)
    assert second.iteration == full.iteration and second.epoch == 6
    for k, v in full.backend.network.parameters().items():
        np.testing.assert_array_equal(second.backend.network.parameters()[k], v)
    np.testing.assert_array_equal(second.history["train_loss"], full.history["train_loss"])


def test_a_bad_training_state_is_refused():
    t = _trainer(epochs=1)
    with pytest.raises(ValueError, match="not a training state"):
        t.load_state_dict({"iteration": 3})
    state = t.state_dict()
    state["schedule_origin"] = 5
    with pytest.raises(ValueError, match="inconsistent"):
        t.load_state_dict(state)


def test_a_trainer_without_the_divergence_check_has_no_warnings(rng):
    X = rng.normal(size=(20, 2))
    t = _trainer(epochs=1, lr=1e-9)
    t.set_callback("divergence", None)
    t.fit(X, (X[:, 0] > 0).astype(int))
    assert t.warnings == []
