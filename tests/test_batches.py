"""The training loop's batches: gathered ahead by a helper thread, the same as inline."""

import numpy as np
import pytest

from nnlearn.training.trainer import _batches


@pytest.mark.parametrize("with_weights", [False, True])
def test_prefetched_batches_are_the_rows_in_order(rng, with_weights):
    X, y = rng.normal(size=(103, 4)), rng.integers(0, 3, 103)
    w = rng.random(103) if with_weights else None
    order = rng.permutation(103)
    got = list(_batches(X, y, w, order, 10))
    assert len(got) == 11 and len(got[-1][1]) == 3
    for i, (Xb, yb, wb) in enumerate(got):
        rows = order[10 * i:10 * i + 10]
        np.testing.assert_array_equal(Xb, X[rows])
        np.testing.assert_array_equal(yb, y[rows])
        assert (wb is None) if w is None else np.array_equal(wb, w[rows])


def test_unshuffled_batches_are_slices(rng):
    X, y = rng.normal(size=(25, 2)), np.arange(25)
    got = list(_batches(X, y, None, None, 10))
    assert [len(b[1]) for b in got] == [10, 10, 5]
    assert np.shares_memory(got[0][0], X)  # a view: nothing copied


def test_stopping_early_and_errors_leave_no_thread_behind(rng):
    import threading
    X, y = rng.normal(size=(50, 2)), np.arange(50)
    batches = _batches(X, y, None, rng.permutation(50), 5)
    next(batches)
    batches.close()  # what a loop that stops (break) does on leaving
    assert not any(t.name.startswith("nnlearn-batches") and t.is_alive()
                   for t in threading.enumerate())
    with pytest.raises(IndexError):  # a bad row index surfaces in the loop
        list(_batches(X, y, None, np.array([0, 1, 99]), 2))
