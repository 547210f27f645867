"""``TorchBackend`` behind the unchanged training loop, against ``NumpyBackend``."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nnlearn.engine import SGD, Adam, mlp, resnet, softmax  # noqa: E402
from nnlearn.engine.optim import Optimizer  # noqa: E402
from nnlearn.torch import TorchBackend  # noqa: E402
from nnlearn.training import EarlyStopping, NumpyBackend, TrainConfig, Trainer  # noqa: E402


def _fit(backend_cls, data, net_fn, optimizer_fn, *, callbacks=(), **config):
    d = data
    config = {"epochs": 8, "batch_size": 32, "lr": 0.05, "seed": 11, "progress": False, **config}
    trainer = Trainer(backend_cls(net_fn(), optimizer_fn(), seed=5), TrainConfig(**config),
                      callbacks=callbacks)
    trainer.fit(d.X_train, d.y_train, validation_data=(d.X_test, d.y_test))
    return trainer


@pytest.mark.parametrize("net_fn, optimizer_fn, lr", [
    (lambda: mlp(2, [32], 2, "relu", seed=0), lambda: SGD(momentum=0.9), 0.05),
    (lambda: resnet(2, 16, 2, 2, "tanh", seed=0), Adam, 0.005),
], ids=["mlp-momentum", "resnet-adam"])
def test_same_seed_same_float32_predictions_as_the_numpy_backend(rings_data, net_fn,
                                                                 optimizer_fn, lr):
    d = rings_data
    runs = [_fit(b, d, net_fn, optimizer_fn, lr=lr) for b in (NumpyBackend, TorchBackend)]
    probs = [softmax(r.backend.predict_logits(d.X_test)) for r in runs]
    assert probs[1].dtype == np.float32
    assert np.max(np.abs(probs[0] - probs[1])) < 1e-3
    np.testing.assert_allclose(runs[0].history["val_loss"], runs[1].history["val_loss"],
                               rtol=1e-3)
    assert runs[0].history["train_accuracy"].tolist() == pytest.approx(
        runs[1].history["train_accuracy"].tolist(), abs=0.01)
    assert runs[1].history["val_accuracy"][-1] > 0.9  # it did learn the rings


def test_evaluate_matches_the_numpy_backend_with_and_without_weights(rings_data):
    d = rings_data
    net = mlp(2, [16], 2, "tanh", seed=3, dtype=np.float64)
    w = np.random.default_rng(0).uniform(0, 2, size=len(d.y_test))
    numpy_backend, torch_backend = NumpyBackend(net, SGD()), TorchBackend(net, SGD())
    for weights in (None, w):
        expected = numpy_backend.evaluate(d.X_test, d.y_test, weights)
        assert torch_backend.evaluate(d.X_test, d.y_test, weights) == pytest.approx(expected,
                                                                                   rel=1e-12)


def test_predictions_in_chunks_equal_one_pass():
    net = mlp(3, [4], 2, seed=0, dtype=np.float64)
    X = np.random.default_rng(1).normal(size=(8192 * 2 + 5, 3))
    backend = TorchBackend(net, SGD())
    z = backend.predict_logits(X)
    assert z.shape == (len(X), 2)
    np.testing.assert_allclose(z, net.forward(X), rtol=1e-12)
    assert backend.predict_logits(X[:0]).shape == (0, 2)


def test_backend_copies_its_network_and_round_trips_parameters():
    net = mlp(2, [5], 2, seed=0)
    before = {k: v.copy() for k, v in net.parameters().items()}
    backend = TorchBackend(net, SGD())
    backend.train_step(np.ones((4, 2), np.float32), np.array([0, 1, 0, 1]), None, 0.5)
    assert all(np.array_equal(net.parameters()[k], v) for k, v in before.items())
    backend.set_parameters(before)
    got = backend.get_network().parameters()
    assert all(got[k].tobytes() == v.tobytes() for k, v in before.items())


def test_train_step_reports_the_weighted_mean_loss_and_correct_count():
    net = mlp(2, [5], 3, seed=0, dtype=np.float64)
    X = np.random.default_rng(2).normal(size=(10, 2))
    y = np.arange(10) % 3
    w = np.linspace(0.5, 2, 10)
    expected, z = net.loss_and_gradients(X, y, sample_weight=w, train=False)
    right = np.argmax(z, axis=1) == y
    assert 0 < right.sum() < len(y)  # else weighted and plain counts could not differ
    loss, correct = TorchBackend(net.copy(), SGD()).train_step(X, y, w, 0.1)
    assert loss == pytest.approx(expected, rel=1e-12)
    assert correct == pytest.approx(w[right].sum(), rel=1e-12)  # weights of the rows right
    _, n_correct = TorchBackend(net.copy(), SGD()).train_step(X, y, None, 0.1)
    assert n_correct == np.count_nonzero(right) and isinstance(n_correct, int)


def test_a_batch_of_zero_weights_leaves_the_weights_alone_as_in_the_engine():
    X = np.random.default_rng(3).normal(size=(4, 2))
    y = np.array([0, 1, 0, 1])
    backend = TorchBackend(mlp(2, [5], 2, seed=0, dtype=np.float64), SGD())
    loss, _ = backend.train_step(X, y, np.zeros(4), 0.5)
    assert loss == 0.0
    after = backend.get_network().parameters()
    before = mlp(2, [5], 2, seed=0, dtype=np.float64).parameters()
    assert all(np.array_equal(after[k], v) for k, v in before.items())


def test_dropout_masks_follow_the_seed(rings_data):
    def run(seed):
        net = mlp(2, [16], 2, dropout=0.3, seed=0)
        trainer = Trainer(TorchBackend(net, SGD(), seed=seed),
                          TrainConfig(epochs=1, batch_size=50, progress=False))
        trainer.fit(rings_data.X_train, rings_data.y_train)
        return trainer.backend.get_network().parameters()["layers.0.W"]
    assert np.array_equal(run(1), run(1))
    assert not np.array_equal(run(1), run(2))


def test_a_step_after_prediction_trains_with_dropout_on():
    """Prediction switches the module to evaluation mode; the next step switches back."""
    X = np.random.default_rng(4).normal(size=(64, 2))
    y = np.arange(64) % 2
    backend = TorchBackend(mlp(2, [32], 2, dropout=0.5, seed=0, dtype=np.float64), SGD())
    backend.predict_logits(X)
    assert not backend.module.training
    loss, _ = backend.train_step(X, y, None, 0.0)  # lr 0: the weights stay, the loss is kept
    expected, _ = backend.get_network().loss_and_gradients(X, y, train=False)
    assert backend.module.training and loss != pytest.approx(expected, rel=1e-6)
    assert backend.train_step(X, y, None, 0.0)[0] != loss  # a fresh mask each step


def test_early_stopping_restores_through_the_torch_backend(rings_data):
    stop = EarlyStopping(monitor="val_loss", patience=2)
    # A learning rate so large that the validation loss soon rises: it stops early.
    trainer = _fit(TorchBackend, rings_data, lambda: mlp(2, [8], 2, seed=0),
                   lambda: SGD(momentum=0.9), callbacks=[stop], epochs=30, lr=5.0)
    assert stop.best_epoch < len(trainer.history) < 30
    restored = trainer.backend.get_network().parameters()
    assert all(np.array_equal(restored[k], v) for k, v in stop.best_parameters.items())


def test_bad_optimizer_and_device_are_clear_errors():
    class Lion(Optimizer):
        pass
    with pytest.raises(TypeError, match="no torch.optim twin for optimizer Lion"):
        TorchBackend(mlp(2, [3], 2), Lion())
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        TorchBackend(mlp(2, [3], 2), SGD(), device="tpu")
    # "auto" is the GPU exactly when there is one, and the weights live there.
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    backend = TorchBackend(mlp(2, [3], 2), SGD(), device="auto")
    assert backend.device.type == expected
    assert {p.device.type for p in backend.module.parameters()} == {expected}


def test_device_auto_without_a_gpu_is_the_cpu_and_cuda_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert TorchBackend(mlp(2, [3], 2), SGD(), device="auto").device == torch.device("cpu")
    with pytest.raises(ValueError, match="'cuda' was requested but CUDA is not available"):
        TorchBackend(mlp(2, [3], 2), SGD(), device="cuda")


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_optimizer_state_moves_between_backends(name):
    """The state file is the same for both backends: a run trained by one continues
    in the other exactly as it would have in the first (float64, tolerance 1e-12)."""
    from nnlearn.engine import make_optimizer
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(20, 3)), np.arange(20) % 2
    engine = NumpyBackend(mlp(3, [4], 2, seed=0, dtype=np.float64), make_optimizer(name))
    for _ in range(3):
        engine.train_step(X, y, None, 0.05)
    twin = TorchBackend(engine.get_network(), make_optimizer(name))
    twin.load_optimizer_state(engine.optimizer_state())
    back = NumpyBackend(twin.get_network(), make_optimizer(name))
    back.load_optimizer_state(twin.optimizer_state())
    for b in (engine, twin, back):
        b.train_step(X, y, None, 0.05)
    for k, v in engine.get_network().parameters().items():
        np.testing.assert_allclose(twin.get_network().parameters()[k], v, rtol=0, atol=1e-12)
        np.testing.assert_allclose(back.get_network().parameters()[k], v, rtol=0, atol=1e-12)
