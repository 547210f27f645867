"""The toy data sets: shapes, balance, determinism and parameters."""

import numpy as np
import pytest

from nnlearn.data import TOY, load, rings


@pytest.mark.parametrize("name", sorted(TOY))
def test_toy_sets_are_deterministic_and_well_formed(name):
    X1, y1 = TOY[name](301, seed=4)
    X2, y2 = TOY[name](301, seed=4)
    X3, _ = TOY[name](301, seed=5)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert X1.shape == (301, 2) and y1.shape == (301,)
    assert np.issubdtype(y1.dtype, np.integer) and np.all(np.isfinite(X1))


def test_rings_radii_classes_and_balance():
    X, y = rings(900, n_classes=3, radii=[1, 3, 5], noise=0.0, seed=0)
    np.testing.assert_array_equal(np.bincount(y), [300, 300, 300])
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r, np.array([1, 3, 5])[y])
    with pytest.raises(ValueError, match="radii"):
        rings(10, n_classes=2, radii=[1, 2, 3])
    with pytest.raises(ValueError, match="noise"):
        rings(10, noise=-1)
    with pytest.raises(ValueError, match="at least one point per class"):
        rings(1)


def test_load_gives_a_held_out_test_set_with_its_own_seed():
    d = load("rings", n_train=200, n_test=100, seed=3)
    assert d.X_train.shape == (200, 2) and d.X_test.shape == (100, 2)
    assert not np.any(np.all(d.X_train[:100] == d.X_test, axis=1))
    again = load("rings", n_train=200, n_test=100, seed=3)
    np.testing.assert_array_equal(d.X_test, again.X_test)
    assert list(d.classes) == [0, 1]
