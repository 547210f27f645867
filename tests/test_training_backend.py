"""The ``Backend`` protocol's ``set_penalty``: a penalty changed between two steps is in
the next update, on the NumPy engine and on the torch twin alike.

The reference is independent of both: the gradient of the mean loss of eq. (7) by
central differences on a float64 network, and the update of plain gradient descent
written out, ``W <- W - lr (dL/dW + rate W)`` for L2 and ``rate sign(W)`` for L1.
"""

import numpy as np
import pytest

from nnlearn.engine import SGD, mlp
from nnlearn.training import NumpyBackend

LR = 0.5


def _backend(name, network, optimizer):
    if name == "numpy":
        return NumpyBackend(network, optimizer)
    pytest.importorskip("torch", reason="the torch backend needs PyTorch")
    from nnlearn.torch import TorchBackend
    return TorchBackend(network, optimizer)


def _mean_loss(network, X, y) -> float:
    """Eq. (7) by hand: ``log sum_j exp(z_j) - z_y``, averaged."""
    z = network.forward(X)
    top = z.max(axis=1, keepdims=True)
    log_norm = top[:, 0] + np.log(np.exp(z - top).sum(axis=1))
    return float(np.mean(log_norm - z[np.arange(len(y)), y]))


def _numerical_gradient(network, X, y, h=1e-6) -> dict:
    """``dL/dtheta`` entry by entry: ``(L(theta + h) - L(theta - h)) / 2h``."""
    net = network.copy()
    grads = {}
    for name, p in net.parameters().items():
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            kept = p[i]
            p[i] = kept + h
            up = _mean_loss(net, X, y)
            p[i] = kept - h
            down = _mean_loss(net, X, y)
            p[i] = kept
            g[i] = (up - down) / (2 * h)
        grads[name] = g
    return grads


def _penalty_gradient(kind, rate, p):
    return {"none": 0.0 * p, "l2": rate * p, "l1": rate * np.sign(p)}[kind]


@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("kind, rate", [("l2", 0.3), ("l1", 0.05), ("none", 0.0)])
def test_a_penalty_set_between_steps_is_in_the_next_update(backend, kind, rate):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 2)), rng.integers(0, 3, size=12)
    b = _backend(backend, mlp(2, [4], 3, "tanh", seed=1, dtype=np.float64), SGD())
    b.train_step(X, y, None, LR)  # a first step without a penalty
    before = b.get_network()
    b.set_penalty(kind, rate)  # then the page changes it
    b.train_step(X, y, None, LR)
    after = b.get_network().parameters()
    grads = _numerical_gradient(before, X, y)
    for name, p in before.parameters().items():
        expected = p - LR * (grads[name] + _penalty_gradient(kind, rate, p))
        np.testing.assert_allclose(after[name], expected, rtol=0, atol=1e-8, err_msg=name)
    # and back to none: the step after is plain gradient descent again
    b.set_penalty("none", 0.0)
    start = b.get_network()
    b.train_step(X, y, None, LR)
    grads = _numerical_gradient(start, X, y)
    for name, p in start.parameters().items():
        np.testing.assert_allclose(b.get_network().parameters()[name], p - LR * grads[name],
                                   rtol=0, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_bad_penalty_is_refused_and_the_old_one_kept(backend):
    b = _backend(backend, mlp(2, [3], 2, seed=0, dtype=np.float64), SGD(regularization="l2",
                                                                        regularization_rate=0.1))
    with pytest.raises(ValueError, match="regularization must be one of"):
        b.set_penalty("l3", 0.1)
    with pytest.raises(ValueError, match="must be >= 0"):
        b.set_penalty("l1", -1.0)
    X, y = np.ones((2, 2)), np.array([0, 1])
    W = b.get_network().parameters()["layers.0.W"].copy()
    net = b.get_network()
    b.train_step(X, y, None, 1.0)
    net.loss_and_gradients(X, y)
    expected = W - (net.gradients()["layers.0.W"] + 0.1 * W)  # still l2 at 0.1
    np.testing.assert_allclose(b.get_network().parameters()["layers.0.W"], expected,
                               rtol=0, atol=1e-12)


def test_lbfgs_refuses_an_l1_penalty_set_later():
    from nnlearn.engine.optim import LBFGS
    opt = LBFGS()
    with pytest.raises(ValueError, match="smooth loss"):
        opt.set_penalty("l1", 0.1)
    assert opt.regularization == "none"
    opt.set_penalty("l2", 0.1)
    assert opt.weight_decay == 0.1
