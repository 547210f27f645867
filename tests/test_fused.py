"""The optimisers' speed paths: numba's kernels against NumPy, subnormal flushing."""

import numpy as np
import pytest

from nnlearn.engine import fused, mlp
from nnlearn.engine.optim import rules as optim
from nnlearn.engine.optim import SGD, Adam, ParamArrays

CONFIGS = {
    "adam": lambda: Adam(),
    "adam-wd": lambda: Adam(beta1=0.8, beta2=0.99, eps=1e-7, weight_decay=0.01),
    "momentum": lambda: SGD(momentum=0.9),
    "nesterov-wd": lambda: SGD(momentum=0.9, nesterov=True, weight_decay=1e-3),
}


def _run(make, use_kernels, dtype, steps=60, lr=1e-2, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W": rng.normal(size=(20, 30)).astype(dtype), "b": np.zeros(20, dtype)}
    opt = make()
    opt.use_kernels = use_kernels
    for _ in range(steps):
        # Sparse gradients, small: some moments decay towards the subnormal range.
        grads = {k: (rng.normal(size=p.shape) * (rng.random(p.shape) < 0.2) * 1e-3)
                 .astype(dtype) for k, p in params.items()}
        opt.step(ParamArrays(params, grads), lr)
    return params, opt


@pytest.fixture
def kernels_on():
    pytest.importorskip("numba")
    fused.enable(True)
    assert fused.kernels() is not None
    yield
    fused.enable(None)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_numba_kernels_give_the_numpy_numbers(name, dtype, kernels_on):
    fast, fast_opt = _run(CONFIGS[name], True, dtype)
    plain, plain_opt = _run(CONFIGS[name], False, dtype)
    for key in plain:  # the same operations in the same order: bit for bit
        np.testing.assert_array_equal(fast[key], plain[key])
        for buffer in plain_opt.state[key]:
            if buffer != "tmp":
                np.testing.assert_array_equal(fast_opt.state[key][buffer],
                                              plain_opt.state[key][buffer])


def test_kernels_are_off_unless_asked(monkeypatch):
    monkeypatch.delenv("NNLEARN_NUMBA", raising=False)
    assert not fused.enabled() and fused.kernels() is None
    monkeypatch.setenv("NNLEARN_NUMBA", "1")
    assert fused.enabled()


def test_flush_zeroes_only_subnormal_moments():
    tiny = np.finfo(np.float32).tiny
    p = {"w": np.ones(4, np.float32)}
    opt = Adam()
    opt.step(ParamArrays(p, {"w": np.zeros(4, np.float32)}), 1e-3)  # creates the state
    m = opt.state["w"]["m"]
    m[:] = [tiny / 4, -tiny / 8, tiny * 4, -1e-3]  # two subnormal, two normal
    opt.t = optim.FLUSH_EVERY - 1  # the next step flushes
    opt.step(ParamArrays(p, {"w": np.zeros(4, np.float32)}), 1e-3)
    b1 = np.float32(0.9)
    np.testing.assert_array_equal(m, [0, 0, np.float32(tiny * 4) * b1, np.float32(-1e-3) * b1])


def test_flushing_subnormals_does_not_change_accuracy(monkeypatch):
    """Adam with fast-decaying moments (beta2 = 0.9) on the digits, float32: the
    moments of rarely-used weights become subnormal; flushing them every
    FLUSH_EVERY steps leaves the trained network's predictions as they were."""
    from nnlearn.data import load
    from nnlearn.training import NumpyBackend, TrainConfig, Trainer

    d = load("digits", seed=0)

    def train():
        backend = NumpyBackend(mlp(64, [32], 10, seed=0), Adam(beta1=0.5, beta2=0.9))
        Trainer(backend, TrainConfig(epochs=15, batch_size=32, lr=3e-3, seed=0,
                                     progress=False)).fit(d.X_train, d.y_train)
        return backend

    flushed = train()
    monkeypatch.setattr(optim, "FLUSH_EVERY", 10**12)  # never
    kept = train()
    tiny = np.finfo(np.float32).tiny
    subnormal = sum(int(np.count_nonzero((s[k] != 0) & (np.abs(s[k]) < tiny)))
                    for s in kept.optimizer.state.values() for k in ("m", "v"))
    assert subnormal > 0, "the unflushed run should hold subnormal moments"
    acc_flushed = flushed.evaluate(d.X_test, d.y_test)[1]
    acc_kept = kept.evaluate(d.X_test, d.y_test)[1]
    assert acc_flushed > 0.9
    assert abs(acc_flushed - acc_kept) <= 2 / len(d.y_test)
    agree = np.mean(flushed.network.predict(d.X_test) == kept.network.predict(d.X_test))
    assert agree >= 0.99
