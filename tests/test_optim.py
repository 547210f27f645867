"""Optimisers and learning-rate schedules against their textbook formulas."""

import numpy as np
import pytest

from nnlearn.engine.optim import SGD, Adam, ParamArrays
from nnlearn.engine.optim import make_optimizer
from nnlearn.engine.schedules import make_schedule


def _run(opt, steps, rng, lr=0.1):
    p = {"w": rng.normal(size=(3, 2))}
    grads = [rng.normal(size=(3, 2)) for _ in range(steps)]
    start = p["w"].copy()
    for g in grads:
        opt.step(ParamArrays(p, {"w": g}), lr)
    return start, grads, p["w"]


def test_plain_gradient_descent(rng):
    start, grads, end = _run(SGD(), 5, rng)
    np.testing.assert_allclose(end, start - 0.1 * sum(grads), rtol=1e-14)


def test_momentum_and_nesterov_follow_the_velocity_recursion(rng):
    for nesterov in (False, True):
        start, grads, end = _run(SGD(momentum=0.9, nesterov=nesterov, weight_decay=0.01), 6,
                                 np.random.default_rng(1))
        w, v = start.copy(), None
        for g in grads:
            g = g + 0.01 * w
            v = g if v is None else 0.9 * v + g
            w = w - 0.1 * (g + 0.9 * v if nesterov else v)
        np.testing.assert_allclose(end, w, rtol=1e-13)


def test_adam_matches_kingma_and_ba(rng):
    start, grads, end = _run(Adam(beta1=0.8, beta2=0.99, eps=1e-7), 7, rng, lr=0.01)
    w, m, v = start.copy(), 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        m_hat, v_hat = m / (1 - 0.8 ** t), v / (1 - 0.99 ** t)
        w = w - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-7)
    np.testing.assert_allclose(end, w, rtol=1e-12)


def test_optimizer_options_are_checked():
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'"):
        make_optimizer("rmsprop")
    with pytest.raises(ValueError, match="nesterov needs momentum"):
        SGD(nesterov=True)
    with pytest.raises(ValueError, match="weight_decay"):
        SGD(weight_decay=-1)
    with pytest.raises(ValueError, match="betas"):
        Adam(beta1=1.0)
    assert make_optimizer("nesterov", momentum=0.5).nesterov


def test_schedules():
    step = make_schedule("step", 1.0, 90)
    assert [step(t) for t in (0, 29, 30, 60, 89)] == pytest.approx([1, 1, 0.1, 0.01, 0.01])
    cosine = make_schedule("cosine", 2.0, 100)
    assert cosine(0) == pytest.approx(2.0)
    assert cosine(50) == pytest.approx(1.0)
    assert cosine(100) == pytest.approx(0.0)
    assert make_schedule("constant", 0.3, 10)(7) == 0.3
    with pytest.raises(ValueError, match="unknown schedule"):
        make_schedule("linear", 0.1, 10)
    with pytest.raises(ValueError, match="learning rate"):
        make_schedule("constant", float("nan"), 10)


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adam"])
def test_state_dict_round_trip_continues_exactly(name, rng):
    """Saving the optimiser state and loading it into a fresh optimiser continues the
    same trajectory bit for bit, as ``nnlearn train --resume`` needs."""
    p0 = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=3)}
    grads = [{k: rng.normal(size=v.shape) for k, v in p0.items()} for _ in range(6)]
    a, pa = make_optimizer(name), {k: v.copy() for k, v in p0.items()}
    for g in grads:
        a.step(ParamArrays(pa, g), 0.01)
    b, pb = make_optimizer(name), {k: v.copy() for k, v in p0.items()}
    for g in grads[:3]:
        b.step(ParamArrays(pb, g), 0.01)
    c = make_optimizer(name)
    c.load_state_dict({k: v.copy() for k, v in b.state_dict().items()}, pb)
    assert c.t == 3
    for g in grads[3:]:
        c.step(ParamArrays(pb, g), 0.01)
    for k in p0:
        np.testing.assert_array_equal(pa[k], pb[k])


def test_state_dict_refuses_mismatched_state(rng):
    params = {"W": rng.normal(size=(3, 4))}
    opt = make_optimizer("adam")
    opt.step(ParamArrays(params, {"W": rng.normal(size=(3, 4))}), 0.01)
    state = opt.state_dict()
    with pytest.raises(ValueError, match="shape"):
        make_optimizer("adam").load_state_dict(state, {"W": np.zeros((4, 3))})
    with pytest.raises(ValueError, match="unknown parameter"):
        make_optimizer("adam").load_state_dict(state, {"V": params["W"]})
    del state["W/m"]
    with pytest.raises(ValueError, match="lacks"):
        make_optimizer("adam").load_state_dict(state, params)
    with pytest.raises(ValueError, match="step count"):
        make_optimizer("adam").load_state_dict({}, params)
