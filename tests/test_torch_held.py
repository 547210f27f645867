"""``TorchBackend.hold``: the training set kept where the backend computes, each
batch gathered there, with the same batches and the same numbers as the host path."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nnlearn.engine import Adam, mlp  # noqa: E402
from nnlearn.torch import TorchBackend  # noqa: E402
from nnlearn.training import TrainConfig, Trainer  # noqa: E402
from nnlearn.training.callbacks import Callback  # noqa: E402


class Recording(TorchBackend):
    """Counts which path each step took."""

    def __init__(self, *args, allow_hold=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_hold, self.calls = allow_hold, {"train_step": 0, "train_rows": 0}

    def hold(self, X, y, sample_weight):
        return self.allow_hold and super().hold(X, y, sample_weight)

    def train_step(self, *args):
        self.calls["train_step"] += 1
        return super().train_step(*args)

    def train_rows(self, *args):
        self.calls["train_rows"] += 1
        return super().train_rows(*args)


def _data(dtype=np.float32, n=150):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3)).astype(dtype)
    y = (X[:, 0] > X[:, 1]).astype(int) + (X[:, 2] > 0.5)
    return X, y, rng.uniform(0.2, 2.0, size=n)


def _train(allow_hold, X, y, w=None, device="cpu", **config):
    backend = Recording(mlp(3, [8], 3, seed=1, dtype=X.dtype), Adam(), device=device,
                        allow_hold=allow_hold)
    config = {"epochs": 3, "batch_size": 32, "lr": 0.01, "seed": 4, "progress": False, **config}
    Trainer(backend, TrainConfig(**config)).fit(X, y, sample_weight=w)
    return backend


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("config", [{}, {"shuffle": False}, {"batch_size": "full"}],
                         ids=["shuffled", "in-order", "full-batch"])
def test_held_and_host_paths_give_the_same_weights(weighted, config):
    X, y, w = _data()
    w = w if weighted else None
    held, host = _train(True, X, y, w, **config), _train(False, X, y, w, **config)
    assert held.calls["train_step"] == 0 and held.calls["train_rows"] > 0
    assert host.calls["train_rows"] == 0 and host.calls["train_step"] > 0
    a, b = held.get_network().parameters(), host.get_network().parameters()
    for name, p in b.items():
        np.testing.assert_array_equal(a[name], p)  # same rows, same operations: bit for bit
    assert held._held is None  # released at the end of fit


def test_holding_is_declined_where_it_would_copy_the_set_on_the_cpu():
    X, y, _ = _data()
    backend = TorchBackend(mlp(3, [8], 3, seed=1), Adam())
    assert not backend.hold(X.astype(np.float64), y, None)  # another dtype than the net's
    X.flags.writeable = False
    assert not backend.hold(X, y, None)  # read-only: torch would need a copy
    assert backend._held is None


def test_augmentation_keeps_the_host_path():
    X, y, _ = _data()
    backend = Recording(mlp(3, [8], 3, seed=1), Adam())
    Trainer(backend, TrainConfig(epochs=1, batch_size=50, progress=False)).fit(
        X, y, transform=lambda Xb, rng: Xb + np.float32(0.01))
    assert backend.calls == {"train_step": 3, "train_rows": 0}


def test_the_set_is_released_when_training_fails():
    class Boom(Callback):
        def on_iteration_end(self, trainer):
            raise RuntimeError("stop here")

    X, y, _ = _data()
    backend = Recording(mlp(3, [8], 3, seed=1), Adam())
    with pytest.raises(RuntimeError, match="stop here"):
        Trainer(backend, TrainConfig(epochs=2, batch_size=50, progress=False),
                callbacks=[Boom()]).fit(X, y)
    assert backend.calls["train_rows"] == 1 and backend._held is None


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU")
def test_on_a_gpu_the_set_lives_on_the_device():  # pragma: no cover - needs a GPU
    X, y, _ = _data()
    backend = TorchBackend(mlp(3, [8], 3, seed=1), Adam(), device="cuda")
    assert backend.hold(X, y, None)
    assert backend._held[0].device.type == "cuda"
    backend.release()
    held = _train(True, X, y, device="cuda")
    host = _train(False, X, y, device="cuda")
    assert held.calls["train_rows"] > 0
    for name, p in host.get_network().parameters().items():
        np.testing.assert_allclose(held.get_network().parameters()[name], p, rtol=1e-5)
