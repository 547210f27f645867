"""The trainer's default callbacks, named and replaced by name, and the backend
seam's optional methods with their defaults."""

import numpy as np
import pytest

from nnlearn.engine import make_optimizer, mlp
from nnlearn.training import (Backend, DivergenceCheck, LambdaCallback, NumpyBackend,
                              ProgressBar, TrainConfig, Trainer)


def _trainer(callbacks=(), **config):
    net = mlp(2, (8,), 2, seed=0)
    return Trainer(NumpyBackend(net, make_optimizer("sgd")),
                   TrainConfig(progress=False, seed=0, **config), callbacks=callbacks)


def _data(n=40):
    X = np.random.default_rng(1).normal(size=(n, 2))
    return X, (X[:, 0] > 0).astype(int)


def _recorder(name, log):
    return LambdaCallback(on_train_begin=lambda trainer: log.append(name))


def test_the_defaults_are_named_and_made_from_the_config():
    t = _trainer(epochs=1)
    names = [name for name, _ in t.default_callbacks]
    assert names == ["progress", "divergence"]  # no early stopping unless one is set
    progress, divergence = (cb for _, cb in t.default_callbacks)
    assert isinstance(progress, ProgressBar) and progress.disable
    assert isinstance(divergence, DivergenceCheck)
    assert t.DEFAULT_CALLBACKS == ("progress", "divergence", "early_stopping")


def test_defaults_run_first_in_their_order_then_the_callers():
    log = []
    t = _trainer(callbacks=[_recorder("mine", log)], epochs=1)
    t.set_callback("early_stopping", _recorder("early_stopping", log))
    t.set_callback("divergence", _recorder("divergence", log))
    t.set_callback("progress", _recorder("progress", log))
    t.fit(*_data())
    assert log == ["progress", "divergence", "early_stopping", "mine"]


def test_a_default_turned_off_stays_off_across_fits_and_reconfigure():
    log = []
    t = _trainer(epochs=1)
    t.set_callback("divergence", None)
    t.reconfigure(TrainConfig(epochs=1, progress=False), callbacks=[_recorder("mine", log)])
    t.fit(*_data())
    t.fit(*_data())
    assert [name for name, _ in t.default_callbacks] == ["progress"]
    assert log == ["mine", "mine"]


def test_the_early_stopping_slot_can_stop_training():
    t = _trainer(epochs=5)
    t.set_callback("early_stopping", LambdaCallback(
        on_epoch_end=lambda trainer: setattr(trainer, "stop_training", trainer.epoch >= 2)))
    t.fit(*_data())
    assert t.epoch == 2 and len(t.history["train_loss"]) == 2


def test_an_unknown_name_is_refused_and_the_list_is_not_assignable():
    t = _trainer(epochs=1)
    with pytest.raises(ValueError, match="no default callback named 'progres'; the defaults "
                                         "are progress, divergence, early_stopping"):
        t.set_callback("progres", None)
    with pytest.raises(AttributeError):
        t.default_callbacks = []


class _Minimal(Backend):
    """Only what every backend must have: the optional methods keep their defaults."""

    def __init__(self):
        self.inner = NumpyBackend(mlp(2, (8,), 2, seed=0), make_optimizer("sgd"))
        self.steps = 0

    n_in = property(lambda self: self.inner.n_in)
    n_out = property(lambda self: self.inner.n_out)

    def train_step(self, X, y, sample_weight, lr):
        self.steps += 1
        return self.inner.train_step(X, y, sample_weight, lr)

    def evaluate(self, X, y, sample_weight=None):
        return self.inner.evaluate(X, y, sample_weight)


def test_the_optional_backend_methods_default_to_the_host_path():
    backend = _Minimal()
    X, y = _data()
    assert backend.hold(X, y, None) is False
    assert backend.release() is None
    with pytest.raises(RuntimeError, match="_Minimal holds no training set"):
        backend.train_rows(slice(0, 4), None, 0.1)
    Trainer(backend, TrainConfig(epochs=2, batch_size=10, progress=False)).fit(X, y)
    assert backend.steps == 8


def test_the_progress_bar_opens_after_what_is_printed_as_training_begins(capsys):
    """Issue 28: the bar's first frame split the settings line ``nnlearn train`` prints
    when training begins; the bar now opens at the first step."""
    import sys
    say = LambdaCallback(on_train_begin=lambda trainer: print("settings: ...", file=sys.stderr))
    t = _trainer(callbacks=[say], epochs=2)
    t.set_callback("progress", ProgressBar(disable=False))
    t.fit(*_data())
    err = capsys.readouterr().err
    assert err.startswith("settings: ...\n") and ("it/s" in err or "it]" in err)
