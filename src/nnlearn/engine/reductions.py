"""Sums and maxima of a batch along one axis, as matrix products where that is faster.

A training step reduces small arrays along one axis: the bias gradient of eq. (5)
sums ``dL/dz_k`` over the ``m`` rows of a batch, and the log-sum-exp of eq. (7)
takes each row's maximum and sum over ``k`` classes. NumPy's reductions along
an axis are general loops, slower on such small arrays than one BLAS product
with a vector of ones, or than a maximum over the rows of the transposed copy
(``docs/benchmarks.md``, "Why the engine is built this way"). A step makes one
such call per layer for the bias gradient and two for the loss.

Every function gives NumPy's result up to the rounding of a sum in another
order (the maxima exactly).
"""

from __future__ import annotations

import numpy as np

_ONES: dict[tuple[int, str], np.ndarray] = {}


def _ones(n: int, dtype) -> np.ndarray:
    """A read-only vector of ``n`` ones, made once per length and dtype."""
    key = (n, np.dtype(dtype).str)
    ones = _ONES.get(key)
    if ones is None:
        if len(_ONES) > 64:  # batch sizes come and go: keep the cache small
            _ONES.clear()
        ones = _ONES[key] = np.ones(n, dtype=dtype)
        ones.flags.writeable = False
    return ones


def column_sums(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``a.sum(axis=0)`` of a 2-D float array, as the product ``1^T a``."""
    if a.dtype.kind != "f":
        return np.sum(a, axis=0, out=out)
    return np.matmul(_ones(a.shape[0], a.dtype), a, out=out)


def row_sums(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=1)`` of a 2-D float array, as the product ``a 1``."""
    if a.dtype.kind != "f":
        return np.sum(a, axis=1)
    return a @ _ones(a.shape[1], a.dtype)


def row_max(a: np.ndarray) -> np.ndarray:
    """``a.max(axis=1)`` of a 2-D array: the maximum over the rows of ``a^T``,
    which NumPy runs along contiguous memory, many rows at a time."""
    return np.ascontiguousarray(a.T).max(axis=0)
