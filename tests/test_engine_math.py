"""Activations, the loss of eq. (7), and back propagation (Theorem 1) against
finite differences, all in float64."""

import re

import numpy as np
import pytest

from nnlearn.engine import Dense, Dropout, Network, Residual, gradcheck, mlp, resnet
from nnlearn.engine.activations import ACTIVATIONS, get_activation
from nnlearn.engine.gradcheck import numerical_gradients, randomise_biases, relative_errors
from nnlearn.engine.losses import log_softmax, logsumexp, nll, softmax

GRAD_TOL = 1e-6  # relative error of analytic vs central-difference gradients, float64


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivative_matches_finite_differences(name, rng):
    sigma, sigma_prime = get_activation(name)
    # Stay off relu's kink at 0, where no derivative exists.
    z = rng.uniform(-3, 3, size=200)
    z = z[np.abs(z) > 1e-3]
    h = 1e-6
    numeric = (sigma(z + h) - sigma(z - h)) / (2 * h)
    np.testing.assert_allclose(sigma_prime(z, sigma(z)), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_keeps_dtype_and_is_finite_on_extremes(name):
    sigma, sigma_prime = get_activation(name)
    z = np.array([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=np.float32)
    f = sigma(z)
    assert f.dtype == np.float32
    assert np.all(np.isfinite(f)) and np.all(np.isfinite(sigma_prime(z, f)))


def test_unknown_activation_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        get_activation("swish")


def test_loss_equals_the_direct_formula_of_eq7(rng):
    z = rng.normal(scale=3, size=(20, 5))
    y = rng.integers(0, 5, size=20)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    direct = -np.sum(np.log(p[np.arange(20), y]))  # - sum_i y_i^T log p_i
    loss_sum, _ = nll(z, y, reduction="sum")
    loss_mean, _ = nll(z, y)
    assert loss_sum == pytest.approx(direct, rel=1e-12)
    assert loss_mean == pytest.approx(direct / 20, rel=1e-12)
    # The lecture's log-sum-exp form: - sum z_i^T y_i + sum log sum_j e^{z_i(j)}.
    lse_form = -np.sum(z[np.arange(20), y]) + np.sum(np.log(np.exp(z).sum(axis=1)))
    assert loss_sum == pytest.approx(lse_form, rel=1e-12)
    np.testing.assert_allclose(softmax(z), p, rtol=1e-12)
    np.testing.assert_allclose(log_softmax(z), np.log(p), rtol=1e-12, atol=1e-14)


def test_loss_is_exact_and_finite_for_logits_of_1e4():
    z = np.array([[1e4, -1e4], [1e4, -1e4], [-1e4, 1e4 - 5.0]])
    y = np.array([0, 1, 1])
    loss, grad = nll(z, y, reduction="sum")
    # Row 0: log(1 + e^{-2e4}) = 0 to double precision; row 1: 2e4 exactly;
    # row 2: log(1 + e^{-(2e4 - 5)}) = 0.
    assert loss == 2e4
    assert np.all(np.isfinite(grad))
    np.testing.assert_array_equal(grad, [[0, 0], [1, -1], [0, 0]])
    assert logsumexp(np.array([1e4, 1e4])) == pytest.approx(1e4 + np.log(2), rel=1e-15)
    # float32 too: no overflow in exp.
    loss32, _ = nll(z.astype(np.float32), y, reduction="sum")
    assert loss32 == pytest.approx(2e4)


def test_loss_gradient_matches_finite_differences(rng):
    z = rng.normal(size=(6, 4))
    y = rng.integers(0, 4, size=6)
    w = rng.uniform(0.5, 2, size=6)
    for reduction in ("mean", "sum"):
        for weights in (None, w):
            _, grad = nll(z, y, reduction=reduction, sample_weight=weights)
            numeric = np.zeros_like(z)
            h = 1e-6
            for idx in np.ndindex(z.shape):
                up, down = z.copy(), z.copy()
                up[idx] += h
                down[idx] -= h
                options = {"reduction": reduction, "sample_weight": weights}
                numeric[idx] = (nll(up, y, **options)[0] - nll(down, y, **options)[0]) / (2 * h)
            np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_weighted_mean_loss_is_weighted_average(rng):
    z = rng.normal(size=(5, 3))
    y = rng.integers(0, 3, size=5)
    w = np.array([1.0, 2.0, 0.0, 1.0, 3.0])
    per_sample = -log_softmax(z)[np.arange(5), y]
    loss, _ = nll(z, y, sample_weight=w)
    assert loss == pytest.approx(np.sum(w * per_sample) / w.sum(), rel=1e-12)


def test_bad_reduction_is_a_clear_error():
    with pytest.raises(ValueError, match="reduction"):
        nll(np.zeros((1, 2)), np.array([0]), reduction="avg")


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("architecture", ["mlp", "resnet"])
def test_backpropagation_matches_finite_differences(architecture, activation, rng):
    X = rng.normal(size=(7, 4))
    y = rng.integers(0, 3, size=7)
    if architecture == "mlp":
        net = mlp(4, [6, 5], 3, activation, seed=1, dtype=np.float64)
    else:
        net = resnet(4, 5, 2, 3, activation, inner=3, seed=1, dtype=np.float64)
    randomise_biases(net, rng)
    errors = gradcheck(net, X, y)
    assert set(errors) == set(net.parameters())
    assert max(errors.values()) < GRAD_TOL, errors


def test_per_layer_activations_and_summed_loss(rng):
    X = rng.normal(size=(5, 3))
    y = rng.integers(0, 2, size=5)
    net = mlp(3, [4, 4, 4], 2, ["tanh", "sigmoid", "softplus"], seed=3, dtype=np.float64)
    assert [layer.activation for layer in net.layers] == ["tanh", "sigmoid", "softplus", "identity"]
    assert max(gradcheck(net, X, y, reduction="sum").values()) < GRAD_TOL


def test_dropout_backward_matches_finite_differences_with_a_fixed_mask(rng):
    X = rng.normal(size=(6, 3))
    y = rng.integers(0, 2, size=6)
    net = mlp(3, [8], 2, "tanh", dropout=0.3, seed=0, dtype=np.float64)
    assert isinstance(net.layers[1], Dropout)

    def loss():  # the same generator state gives the same dropout mask every time
        return nll(net.forward(X, train=True, rng=np.random.default_rng(7)), y)[0]

    net.loss_and_gradients(X, y, train=True, rng=np.random.default_rng(7))
    analytic = {k: v.copy() for k, v in net.gradients().items()}
    mask = net.layers[1].mask
    assert np.any(mask == 0) and np.all((mask == 0) | np.isclose(mask, 1 / 0.7))
    errors = relative_errors(analytic, numerical_gradients(net, loss))
    assert max(errors.values()) < GRAD_TOL, errors


def test_dropout_is_identity_at_prediction_and_rejects_bad_p(rng):
    layer = Dropout(4, p=0.5)
    f = rng.normal(size=(3, 4))
    assert layer.forward(f) is f
    with pytest.raises(ValueError, match="dropout probability"):
        Dropout(4, p=1.0)


def test_theorem1_dz_is_D_times_W_transpose_times_dz_above(rng):
    """dL/dz_{k-1} = D_{k-1} W_k^T dL/dz_k (eq. 4), checked on the stored dz."""
    net = mlp(3, [5, 4], 2, "tanh", seed=0, dtype=np.float64)
    X = rng.normal(size=(6, 3))
    net.loss_and_gradients(X, rng.integers(0, 2, size=6))
    for below, above in zip(net.layers, net.layers[1:]):
        D = 1 - below.f ** 2  # tanh'(z) = 1 - tanh(z)^2, row by row
        np.testing.assert_allclose(below.dz, D * (above.dz @ above.W), rtol=1e-12)
        # eq. (5): dL/dW_k = sum_i dL/dz_k f_{k-1}^T
        np.testing.assert_allclose(above.grads["W"], above.dz.T @ above.f_prev, rtol=1e-12)
    assert len(net.grad_norms()) == 3 and np.all(net.grad_norms() > 0)


def test_numerical_gradients_leave_parameters_unchanged(rng):
    net = mlp(2, [3], 2, seed=0, dtype=np.float64)
    before = {k: v.copy() for k, v in net.parameters().items()}
    X, y = rng.normal(size=(4, 2)), np.array([0, 1, 0, 1])
    numerical_gradients(net, lambda: nll(net.forward(X), y)[0])
    for k, v in net.parameters().items():
        np.testing.assert_array_equal(v, before[k])


def test_network_shapes_follow_eq1():
    net = mlp(784, [32], 10)
    params = net.parameters()
    assert params["layers.0.W"].shape == (32, 784)  # W_k is (n_k, n_{k-1})
    assert params["layers.0.b"].shape == (32,)
    assert params["layers.1.W"].shape == (10, 32)
    assert net.n_parameters() == 784 * 32 + 32 + 32 * 10 + 10
    assert all(p.dtype == np.float32 for p in params.values())
    res = resnet(784, 64, 3, 10, inner=16)
    assert res.parameters()["layers.1.W2"].shape == (16, 64)
    assert res.parameters()["layers.1.W1"].shape == (64, 16)
    assert net.forward(np.zeros((5, 784))).shape == (5, 10)


def test_network_construction_errors():
    with pytest.raises(ValueError, match="takes 4 inputs"):
        Network([Dense(3, 5), Dense(4, 2)])
    with pytest.raises(ValueError, match="positive"):
        mlp(3, [0], 2)
    with pytest.raises(ValueError, match="2 activations for 1 hidden"):
        mlp(3, [4], 2, ["relu", "tanh"])
    with pytest.raises(ValueError, match="unknown init"):
        Dense(3, 2, init="lecun")
    net = mlp(3, [4], 2)
    with pytest.raises(ValueError, match="missing"):
        net.set_parameters({"layers.0.W": np.zeros((4, 3))})
    bad = {k: np.zeros((1, 1)) for k in net.parameters()}
    with pytest.raises(ValueError, match="shape"):
        net.set_parameters(bad)


def test_spec_round_trip_rebuilds_the_same_architecture():
    net = resnet(5, 6, 2, 3, "tanh", inner=4, dropout=0.2, seed=3)
    twin = Network.from_layer_list(net.layer_list())
    assert twin.layer_list() == net.layer_list()
    assert [type(layer) for layer in twin.layers] == [type(layer) for layer in net.layers]
    net.metadata = {"classes": ["a", "b", "c"]}
    duplicate = net.copy()
    for k, v in net.parameters().items():
        np.testing.assert_array_equal(duplicate.parameters()[k], v)
        assert duplicate.parameters()[k] is not v
    assert duplicate.metadata == net.metadata
    with pytest.raises(ValueError, match="unknown layer type"):
        Network.from_layer_list({"dtype": "float32", "layers": [{"type": "conv"}]})


@pytest.mark.parametrize("init", ["he_normal", "he_uniform", "glorot_normal", "glorot_uniform"])
def test_initialisers_have_their_variance_and_are_seeded(init):
    a = Dense(400, 300, "relu", init=init, rng=np.random.default_rng(0), dtype=np.float64)
    b = Dense(400, 300, "relu", init=init, rng=np.random.default_rng(0), dtype=np.float64)
    np.testing.assert_array_equal(a.W, b.W)
    expected = 2 / 400 if init.startswith("he") else 2 / 700
    assert a.W.var() == pytest.approx(expected, rel=0.03)
    assert np.all(a.b == 0)


def test_residual_block_is_eq6(rng):
    block = Residual(4, inner=3, activation="tanh", rng=rng, dtype=np.float64)
    f = rng.normal(size=(2, 4))
    W1, W2, b = block.params["W1"], block.params["W2"], block.params["b"]
    expected = f + np.tanh(f @ W2.T + b) @ W1.T
    np.testing.assert_allclose(block.forward(f), expected, rtol=1e-14)


def test_deep_plain_network_gradients_vanish_and_resnet_gradients_do_not(rng):
    """The lecture's point before eq. (6): dL/dz_1 = D_1 W_2^T D_2 ... dL/dz_L is a
    long product that shrinks in a deep sigmoid network; a ResNet's skip
    connections carry dL/df through unchanged."""
    X = rng.normal(size=(64, 10))
    y = rng.integers(0, 2, size=64)
    plain = mlp(10, [32] * 20, 2, "sigmoid", seed=0, dtype=np.float64)
    plain.loss_and_gradients(X, y)
    norms = plain.grad_norms()
    assert norms[0] / norms[-2] < 1e-6  # first hidden layer vs last hidden layer
    res = resnet(10, 32, 20, 2, "sigmoid", seed=0, dtype=np.float64)
    res.loss_and_gradients(X, y)
    res_norms = res.grad_norms()
    assert res_norms[0] / res_norms[-2] > 1e-2


def test_a_batch_of_zero_weights_contributes_nothing(rng):
    z = rng.normal(size=(4, 3))
    loss, grad = nll(z, np.array([0, 1, 2, 0]), sample_weight=np.zeros(4))
    assert loss == 0.0 and np.all(grad == 0)


def test_prediction_path_equals_forward_and_keeps_nothing(rng):
    net = resnet(4, 6, 2, 3, "tanh", dropout=0.3, seed=0, dtype=np.float64)
    X = rng.normal(size=(5, 4))
    np.testing.assert_array_equal(net.predict_logits(X), net.forward(X))
    fresh = mlp(4, [6], 3, seed=0)
    fresh.predict_proba(X)
    assert not hasattr(fresh.layers[0], "f_prev")


@pytest.mark.parametrize("shape, said", [((5, 64), "X has 64 features, the network expects 784"),
                                         ((784,), "X has shape (784,), the network expects 784")])
def test_prediction_on_the_wrong_width_says_so(shape, said):
    net = mlp(784, [4], 10, seed=0)
    for predict in (net.predict, net.predict_proba, net.predict_logits):
        with pytest.raises(ValueError, match=re.escape(said)):
            predict(np.zeros(shape))
