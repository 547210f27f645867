"""Flat parameter buffers: every parameter a view into one array, one optimiser
step over it, and the same numbers as stepping the arrays one by one."""

import numpy as np
import pytest

from nnlearn.engine import fused, mlp, resnet
from nnlearn.engine.layers import Dense, Residual
from nnlearn.engine.network import Network
from nnlearn.engine.optim import SGD, Adam, ParamArrays
from nnlearn.training import NumpyBackend, TrainConfig, Trainer

CONFIGS = {
    "adam": lambda: Adam(),
    "adam-wd": lambda: Adam(beta1=0.8, beta2=0.99, eps=1e-7, weight_decay=0.01),
    "sgd": lambda: SGD(),
    "momentum": lambda: SGD(momentum=0.9),
    "nesterov-wd": lambda: SGD(momentum=0.9, nesterov=True, weight_decay=1e-3),
}


def test_packing_keeps_the_values_and_makes_views():
    rng = np.random.default_rng(3)
    layers = [Dense(5, 7, rng=rng), Residual(7, 3, rng=rng), Dense(7, 2, "identity", rng=rng)]
    before = {f"{k}.{n}": p.copy() for k, layer in enumerate(layers)
              for n, p in layer.params.items()}
    net = Network(layers)
    layout = net.flat_layout()
    P, G = layout.params, layout.grads
    assert P.ndim == G.ndim == 1 and P.shape == G.shape and P.dtype == np.float32
    for k, layer in enumerate(net.layers):
        for name, p in layer.params.items():
            np.testing.assert_array_equal(p, before[f"{k}.{name}"])
            assert np.shares_memory(p, P) and np.shares_memory(layer.grads[name], G)
            assert p.ctypes.data % 64 == 0  # each array starts on a 64-byte boundary
            assert p.flags.c_contiguous and layer.grads[name].flags.c_contiguous
    # Each slot says where its parameter lives: numbering P numbers every parameter.
    assert list(layout.slots) == list(net.parameters())
    P[...] = np.arange(P.size)
    for name, p in net.parameters().items():
        offset, size, shape = layout.slots[name]
        assert p.shape == shape and p.size == size
        np.testing.assert_array_equal(p.ravel(), np.arange(offset, offset + size))
    P[...] = 0
    for k, layer in enumerate(net.layers):
        for name, p in layer.params.items():
            p[...] = before[f"{k}.{name}"]
    # Writing through the flat array writes the parameters, and the padding is zero.
    total = sum(p.size for p in net.parameters().values())
    assert P.size >= total and np.count_nonzero(P) == sum(
        np.count_nonzero(p) for p in net.parameters().values())


def test_the_flat_layout_notices_a_replaced_array():
    net = mlp(4, [3], 2)
    assert net.flat_layout() is not None
    net.layers[0].params["W"] = np.zeros((3, 4), np.float32)
    assert net.flat_layout() is None  # the optimiser then goes array by array


def test_a_pickled_or_copied_network_is_packed_again():
    import copy
    import pickle
    net = resnet(6, 5, 2, 3, seed=2)
    for twin in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net), net.copy()):
        assert twin.flat_layout() is not None
        assert not np.shares_memory(twin.flat_layout().params, net.flat_layout().params)
        for key, p in net.parameters().items():
            np.testing.assert_array_equal(twin.parameters()[key], p)


def _train(make, flat, dtype, steps=40, seed=0, kernels=False):
    rng = np.random.default_rng(seed)
    net = resnet(6, 5, 2, 3, seed=seed, dtype=dtype)
    opt = make()
    opt.use_kernels = kernels
    X = rng.normal(size=(32, 6)).astype(dtype)
    y = rng.integers(0, 3, 32)
    for _ in range(steps):
        net.loss_and_gradients(X, y)
        opt.step(net if flat else ParamArrays(net.parameters(), net.gradients()), 0.05)
    return net, opt


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_one_flat_step_is_the_array_by_array_step_bit_for_bit(name, dtype):
    flat_net, flat_opt = _train(CONFIGS[name], True, dtype)
    plain_net, plain_opt = _train(CONFIGS[name], False, dtype)
    for key, p in plain_net.parameters().items():
        np.testing.assert_array_equal(flat_net.parameters()[key], p)
    flat_state, plain_state = flat_opt.state_dict(), plain_opt.state_dict()
    assert flat_state.keys() == plain_state.keys()
    for key, value in plain_state.items():
        np.testing.assert_array_equal(flat_state[key], value)


@pytest.mark.parametrize("name", ["adam-wd", "nesterov-wd"])
def test_flat_steps_with_numba_give_the_same_numbers(name):
    pytest.importorskip("numba")
    fused.enable(True)
    try:
        fast, _ = _train(CONFIGS[name], True, np.float32, kernels=True)
    finally:
        fused.enable(None)
    plain, _ = _train(CONFIGS[name], False, np.float32)
    for key, p in plain.parameters().items():
        np.testing.assert_array_equal(fast.parameters()[key], p)


@pytest.mark.parametrize("name", ["adam", "momentum"])
def test_state_moves_between_flat_and_array_by_array(name):
    """A state saved from flat steps continues array by array, and the other way
    round, exactly as an unbroken run."""
    whole, _ = _train(CONFIGS[name], True, np.float64, steps=20)
    for first_flat in (True, False):
        net, opt = _train(CONFIGS[name], first_flat, np.float64, steps=10)
        again = CONFIGS[name]()
        again.load_state_dict(opt.state_dict(), net.parameters())
        rng = np.random.default_rng(0)  # the batch _train drew
        X, y = rng.normal(size=(32, 6)), rng.integers(0, 3, 32)
        for _ in range(10):
            net.loss_and_gradients(X, y)
            again.step(ParamArrays(net.parameters(), net.gradients()) if first_flat else net,
                       0.05)
        for key, p in whole.parameters().items():
            np.testing.assert_allclose(net.parameters()[key], p, rtol=1e-12, atol=1e-14)


def test_the_backend_steps_flat_and_trains_as_before():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    histories = []
    for packed in (True, False):
        net = mlp(4, [16], 2, seed=1)
        if not packed:  # copies, not views: the backend falls back to array by array
            for layer in net.layers:
                layer.params = {k: v.copy() for k, v in layer.params.items()}
                layer.grads = {k: v.copy() for k, v in layer.grads.items()}
            assert net.flat_layout() is None
        backend = NumpyBackend(net, Adam())
        Trainer(backend, TrainConfig(epochs=5, batch_size=32, lr=1e-2, progress=False)).fit(X, y)
        histories.append((backend.network.predict_logits(X), backend.optimizer.state_dict()))
    np.testing.assert_array_equal(histories[0][0], histories[1][0])
    for key, value in histories[1][1].items():
        np.testing.assert_array_equal(histories[0][1][key], value)
