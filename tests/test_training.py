"""The training loop on the lecture's rings, its callbacks, history and determinism."""

import json
import math

import numpy as np
import pytest

from nnlearn.data import load
from nnlearn.engine import make_optimizer, mlp
from nnlearn.errors import TrainingDiverged
from nnlearn.training import (Checkpoint, EarlyStopping, History, LambdaCallback,
                              NumpyBackend, Snapshots, TrainConfig, Trainer, check_arrays,
                              load_model)


def _trainer(hidden=(100,), optimizer="gd", seed=0, callbacks=(), **config):
    net = mlp(2, hidden, 2, seed=seed)
    config.setdefault("iterations", 3000)
    config.setdefault("lr", 0.1)
    return Trainer(NumpyBackend(net, make_optimizer(optimizer), seed=seed),
                   TrainConfig(seed=seed, progress=False, **config), callbacks=callbacks)


def test_hidden_layer_separates_the_rings_and_a_linear_model_cannot(rings_data):
    d = rings_data
    deep = _trainer((100,))
    deep.fit(d.X_train, d.y_train)
    deep_acc = deep.backend.evaluate(d.X_test, d.y_test)[1]
    linear = _trainer(())
    linear.fit(d.X_train, d.y_train)
    linear_acc = linear.backend.evaluate(d.X_test, d.y_test)[1]
    assert deep_acc >= 0.99
    # No line separates concentric rings: a linear model stays near chance (0.5).
    assert linear_acc < 0.6
    assert deep.iteration == linear.iteration == 3000


def test_same_seed_gives_bit_identical_weights_and_history(rings_data):
    d = rings_data
    runs = []
    for _ in range(2):
        t = _trainer((16, 16), optimizer="adam", iterations=None, epochs=3, batch_size=64,
                     lr=0.01, record_iterations=True)
        t.fit(d.X_train, d.y_train, validation_data=(d.X_test, d.y_test))
        runs.append(t)
    a, b = runs
    for k, v in a.backend.network.parameters().items():
        np.testing.assert_array_equal(v, b.backend.network.parameters()[k])
    for column in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr"):
        np.testing.assert_array_equal(a.history[column], b.history[column])
    assert a.history.iterations["loss"] == b.history.iterations["loss"]
    other = _trainer((16, 16), optimizer="adam", seed=1, iterations=None, epochs=3,
                     batch_size=64, lr=0.01)
    other.fit(d.X_train, d.y_train)
    assert not np.array_equal(other.backend.network.parameters()["layers.0.W"],
                              a.backend.network.parameters()["layers.0.W"])


def test_minibatch_epochs_and_history_columns(rings_data):
    d = rings_data
    t = _trainer((8,), iterations=None, epochs=4, batch_size=300, record_iterations=True)
    h = t.fit(d.X_train, d.y_train, validation_data=(d.X_test, d.y_test))
    assert len(h) == 4 and t.epoch == 4
    assert t.iteration == 4 * 4  # ceil(1000 / 300) batches per epoch
    assert list(h["iteration"]) == [4, 8, 12, 16]
    assert len(h.iterations["loss"]) == 16
    assert h.has_validation() and np.all((h["val_accuracy"] >= 0) & (h["val_accuracy"] <= 1))
    assert np.all(np.diff(h["time"]) >= 0)


def test_iterations_stop_mid_epoch_and_fit_continues(rings_data):
    d = rings_data
    t = _trainer((8,), iterations=5, batch_size=300)
    t.fit(d.X_train, d.y_train)
    assert t.iteration == 5 and t.epoch == 2
    t.fit(d.X_train, d.y_train)  # a second call continues the run
    assert t.iteration == 10 and len(t.history) == 4


def test_divergence_stops_with_a_message_about_the_learning_rate(rings_data):
    d = rings_data
    t = _trainer(lr=1e4)
    with pytest.raises(TrainingDiverged, match="smaller learning rate"):
        t.fit(d.X_train, d.y_train)


def test_snapshots_are_taken_at_the_chosen_iterations(rings_data):
    d = rings_data
    snaps = Snapshots([50, 150, 10])
    t = _trainer(iterations=150, callbacks=[snaps])
    t.fit(d.X_train, d.y_train)
    assert sorted(snaps.snapshots) == [10, 50, 150]
    acc = [np.mean(snaps.snapshots[i].predict(d.X_test) == d.y_test) for i in (10, 150)]
    assert acc[1] > acc[0]
    np.testing.assert_array_equal(snaps.snapshots[150].parameters()["layers.0.W"],
                                  t.backend.network.parameters()["layers.0.W"])
    with pytest.raises(ValueError, match="positive"):
        Snapshots([0, 5])


def test_early_stopping_stops_and_restores_the_best_weights(rings_data):
    d = rings_data
    seen = []
    stopper = EarlyStopping(monitor="val_loss", patience=2)
    # lr so large that the loss oscillates instead of falling: stopping must kick in.
    t = _trainer((8,), optimizer="sgd", iterations=None, epochs=200, batch_size=50, lr=3.0,
                 callbacks=[stopper, LambdaCallback(on_epoch_end=lambda tr: seen.append(tr.epoch))])
    t.fit(d.X_train, d.y_train, validation_data=(d.X_test, d.y_test))
    assert t.epoch < 200 and seen[-1] == t.epoch
    best = np.nanmin(t.history["val_loss"])
    assert stopper.best == pytest.approx(best)
    assert t.backend.evaluate(d.X_test, d.y_test)[0] == pytest.approx(best, rel=1e-5)
    with pytest.raises(ValueError, match="does not record"):
        _trainer((4,), iterations=3, callbacks=[EarlyStopping()]).fit(d.X_train, d.y_train)


def test_checkpoint_writes_a_loadable_model(rings_data, tmp_path):
    d = rings_data
    path = tmp_path / "ckpt.npz"
    t = _trainer((8,), iterations=None, epochs=3, batch_size=500, callbacks=[Checkpoint(path)])
    t.fit(d.X_train, d.y_train)
    net = load_model(path)
    np.testing.assert_array_equal(net.parameters()["layers.1.W"],
                                  t.backend.network.parameters()["layers.1.W"])
    assert not [p for p in tmp_path.iterdir() if p.name != "ckpt.npz"]  # no temporary left


def test_history_files_round_trip(rings_data, tmp_path):
    d = rings_data
    t = _trainer((4,), iterations=6, batch_size=400, record_iterations=True)
    h = t.fit(d.X_train, d.y_train)
    h.to_json(tmp_path / "h.json")
    h.to_csv(tmp_path / "h.csv")
    h.to_csv(tmp_path / "it.csv", table="iterations")
    back = History.from_json(tmp_path / "h.json")
    np.testing.assert_array_equal(back["train_loss"], h["train_loss"])
    assert all(math.isnan(v) for v in back.epochs["val_loss"])
    json.loads((tmp_path / "h.json").read_text())  # NaN written as null: valid JSON
    lines = (tmp_path / "h.csv").read_text().splitlines()
    assert lines[0].startswith("epoch,iteration,train_loss") and len(lines) == len(h) + 1
    assert len((tmp_path / "it.csv").read_text().splitlines()) == 7


def test_transform_is_applied_to_training_batches(rings_data):
    d = rings_data
    sizes = []

    def transform(Xb, rng):
        sizes.append(len(Xb))
        return Xb + rng.normal(scale=0.01, size=Xb.shape)

    t = _trainer((4,), iterations=3, batch_size=500)
    t.fit(d.X_train, d.y_train, transform=transform)
    assert sizes == [500, 500, 500]


@pytest.mark.parametrize("X, y, message", [
    (np.zeros((4, 3)), np.zeros(4), "3 features"),
    (np.zeros(4), np.zeros(4), "2-D"),
    (np.full((4, 2), np.nan), np.zeros(4), "NaN"),
    (np.array([[0, 0], [0, np.inf], [0, 0], [0, 0]]), np.zeros(4), "infinite"),
    (np.array([[np.inf, 0], [-np.inf, 0], [0, 0], [0, 0]]), np.zeros(4), "infinite"),
    (np.zeros((4, 2)), np.zeros(3), "shape"),
    (np.zeros((4, 2)), np.array([0, 1, 2, 0]), "outside"),
    (np.zeros((4, 2)), np.array([0, 0.5, 1, 0]), "class indices"),
    (np.zeros((0, 2)), np.zeros(0), "no samples"),
])
def test_bad_training_data_is_a_clear_error(X, y, message):
    with pytest.raises(ValueError, match=message):
        _trainer((4,), iterations=1).fit(X, y)


def test_finite_values_whose_sum_overflows_are_accepted():
    # The NaN/inf check sums X in its own dtype first; an overflowing sum of finite
    # values must fall through to the exact test, not be taken for an infinity.
    X = np.full((4, 2), np.finfo(np.float32).max, dtype=np.float32)
    assert not np.isfinite(np.sum(X))
    Xc, _, _ = check_arrays(X, np.array([0, 1, 0, 1]), 2, 2)
    assert Xc is not None
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        check_arrays(X, np.array([0, 1, 0, 1]), 2, 2)


def test_bad_config_is_a_clear_error():
    with pytest.raises(ValueError, match="not both"):
        TrainConfig(epochs=1, iterations=1)
    with pytest.raises(ValueError, match="batch_size"):
        TrainConfig(batch_size=0)
    with pytest.raises(ValueError, match="learning rate"):
        TrainConfig(lr=-0.1)


def test_weight_two_equals_a_duplicated_row_in_full_batch_descent():
    d = load("blobs", n_train=60, seed=0)
    X, y = d.X_train, d.y_train
    w = np.ones(len(y))
    w[:5] = 2.0
    X_dup, y_dup = np.vstack([X, X[:5]]), np.concatenate([y, y[:5]])
    nets = []
    for data, weights in [((X, y), w), ((X_dup, y_dup), None)]:
        net = mlp(2, [8], 3, seed=0, dtype=np.float64)
        trainer = Trainer(NumpyBackend(net, make_optimizer("gd")),
                          TrainConfig(iterations=50, lr=0.5, progress=False))
        trainer.fit(*data, sample_weight=weights)
        nets.append(net)
    for k, v in nets[0].parameters().items():
        np.testing.assert_allclose(v, nets[1].parameters()[k], rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="non-negative"):
        trainer.fit(X, y, sample_weight=-w)


def test_numpy_scalar_learning_rate_is_accepted():
    assert TrainConfig(lr=np.float32(0.1)).lr == np.float32(0.1)


def test_weighted_validation_data(rings_data):
    d = rings_data
    w = np.where(d.y_test == 0, 1.0, 0.0)  # only class 0 counts
    t = _trainer((4,), iterations=5)
    h = t.fit(d.X_train, d.y_train, validation_data=(d.X_test, d.y_test, w))
    zero = d.y_test == 0
    expected = np.mean(t.backend.network.predict(d.X_test[zero]) == 0)
    assert h.last("val_accuracy") == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"\(X, y\) or"):
        t.fit(d.X_train, d.y_train, validation_data=(d.X_test,))


@pytest.mark.parametrize("batch_size", ["full", 64])
def test_train_and_validation_are_measured_at_the_same_parameters(batch_size):
    """Issue 28: the training columns were a running mean taken before each step, the
    validation columns after the last one; on full batches the two curves swapped
    between 0.5 and 0.95 on alternate iterations. Validating on the training set
    itself must now give the same numbers, epoch by epoch."""
    data = load("rings", seed=0, n_train=300)
    net = mlp(2, [32], 2, "relu", seed=0, dtype=np.float64)
    trainer = Trainer(NumpyBackend(net, make_optimizer("gd")),
                      TrainConfig(epochs=12, batch_size=batch_size, lr=0.5, seed=0))
    history = trainer.fit(data.X_train, data.y_train,
                          validation_data=(data.X_train, data.y_train))
    np.testing.assert_array_equal(history["train_loss"], history["val_loss"])
    np.testing.assert_array_equal(history["train_accuracy"], history["val_accuracy"])
    assert len(set(np.round(history["train_loss"], 6))) == 12  # it did train
