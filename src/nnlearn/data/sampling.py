"""Stratified selection of samples: subsets of a given size, and held-out parts.

Both keep the classes in the result: ``subset`` takes as equal a number of
each class as the classes allow, ``train_val_split`` holds out each class in
the same proportion. Both are seeded and vectorised (no loop over samples).
"""

from __future__ import annotations

import numpy as np


def _class_index(y):
    """Classes and per-sample class indices of the labels ``y`` (any dtype, 1-D)."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be one label per sample, shape (n,), got {y.shape}")
    classes, idx = np.unique(y, return_inverse=True)
    return classes, idx.reshape(-1)


def _pick(idx, quota, rng) -> np.ndarray:
    """Sorted indices of ``quota[c]`` random samples of each class ``c``.

    A random permutation is stably sorted by class, which groups the samples
    by class in random order; the first ``quota[c]`` of each group are kept.
    """
    k = len(quota)
    order = rng.permutation(len(idx))
    order = order[np.argsort(idx[order], kind="stable")]
    counts = np.bincount(idx, minlength=k)
    rank = np.arange(len(idx)) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.sort(order[rank < np.repeat(quota, counts)])


def _check_xy(X, y):
    X = np.asanyarray(X)  # keeps a memory map a memory map: only the selection is read
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)} labels")
    return X


def subset_quota(counts, n: int) -> np.ndarray:
    """How many samples of each class a stratified subset of ``n`` takes.

    As equal as the classes allow ("water filling"): every class gets the
    same share, except that a class with fewer samples than its share gives
    all it has and the others share the rest. The ``r`` samples left over by
    the integer division go one each to the first ``r`` classes (in sorted
    label order) that have one to spare. The result never exceeds
    ``counts``, and sums to ``n`` when ``n <= counts.sum()``.

    Parameters
    ----------
    counts : int ndarray of shape ``(k,)``
        Samples of each class.
    n : int
        Size of the subset, at most ``counts.sum()``.

    Returns
    -------
    int ndarray of shape ``(k,)``
        Samples to take of each class.

    Examples
    --------
    >>> subset_quota([5, 1, 5], 7).tolist()  # the small class gives all it has
    [3, 1, 3]
    """
    counts = np.asarray(counts, dtype=np.int64)
    quota = np.zeros_like(counts)
    left, todo = int(n), list(np.argsort(counts, kind="stable"))
    # the classes smaller than an equal share of what is left give all they have
    while todo and counts[todo[0]] * len(todo) <= left:
        c = todo.pop(0)
        quota[c] = counts[c]
        left -= int(counts[c])
    if todo:
        share, extra = divmod(left, len(todo))
        rest = np.sort(todo)
        quota[rest] = share
        quota[rest[:extra]] += 1  # each still has more than share samples: one to spare
    return quota


def subset(X, y, n, seed=0):
    """A stratified subset of ``n`` samples, as many of each class as possible.

    Each of the ``k`` classes gets ``n // k`` samples and the first ``n % k``
    classes (in sorted label order) one more, as long as every class has
    that many; a class with fewer gives all it has and the others share the
    rest equally (``subset_quota``). So ``subset(X, y, len(y))`` is all of
    ``X``, and the lecture's training sets of 100, 1000, 10000 and 60000 MNIST
    images are ``subset(X, y, n)``: 10, 100 and 1000 of each digit, then the
    whole training set.

    Parameters
    ----------
    X : ndarray of shape ``(m, ...)``
    y : ndarray of shape ``(m,)``
    n : int
        Size of the subset, ``k <= n <= m``.
    seed : int or numpy.random.Generator
        The same seed gives the same subset.

    Returns
    -------
    X_sub : ndarray of shape ``(n, ...)``
    y_sub : ndarray of shape ``(n,)``
        Copies, in the order of ``X``.

    Raises
    ------
    ValueError
        ``n`` is smaller than the number of classes or larger than ``m``.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.arange(20).reshape(10, 2), np.array([0] * 6 + [1] * 4)
    >>> X_small, y_small = subset(X, y, 4)
    >>> np.bincount(y_small).tolist()
    [2, 2]
    """
    X = _check_xy(X, y)
    classes, idx = _class_index(y)
    k, n, m = len(classes), int(n), len(idx)
    if n < k:
        raise ValueError(f"a stratified subset of {k} classes needs n >= {k}, got n={n}")
    if n > m:
        raise ValueError(f"n={n} is more than there is: only {m} samples")
    quota = subset_quota(np.bincount(idx, minlength=k), n)
    keep = _pick(idx, quota, np.random.default_rng(seed))
    return X[keep], np.asarray(y)[keep]


def _split_quota(counts, n_out):
    """How many of each class go to a held-out part of ``n_out`` samples.

    Proportional to the class counts, rounded by largest remainder so the
    total is exactly ``n_out``; each class keeps at least one sample on the
    training side (so a class of one sample is never held out entirely).
    """
    exact = counts * (n_out / counts.sum())
    quota = np.floor(exact).astype(np.int64)
    # largest remainders first; ties go to the earlier class
    extra = np.argsort(-(exact - quota), kind="stable")[: n_out - quota.sum()]
    quota[extra] += 1
    return np.minimum(quota, np.maximum(counts - 1, 0))


def train_val_split(X, y, fraction, seed=0):
    """Split off a stratified, seeded validation (or test) part.

    Parameters
    ----------
    X : ndarray of shape ``(m, ...)``
    y : ndarray of shape ``(m,)``
    fraction : float in (0, 1), or int
        Share of the samples held out, or their number. Each class is held
        out in the same proportion (rounded so the total is exact).
    seed : int or numpy.random.Generator

    Returns
    -------
    X_train, X_val : ndarray of shapes ``(m - v, ...)`` and ``(v, ...)``
    y_train, y_val : ndarray of shapes ``(m - v,)`` and ``(v,)``
        In the order of ``X`` (the order of scikit-learn's ``train_test_split``).

    Examples
    --------
    >>> import numpy as np
    >>> X, y = np.zeros((100, 3)), np.repeat([0, 1], 50)
    >>> X_tr, X_val, y_tr, y_val = train_val_split(X, y, 0.2)
    >>> len(y_tr), len(y_val), np.bincount(y_val).tolist()
    (80, 20, [10, 10])
    """
    X = _check_xy(X, y)
    classes, idx = _class_index(y)
    m = len(idx)
    if isinstance(fraction, (int, np.integer)) and not isinstance(fraction, bool):
        n_out = int(fraction)
        if not 0 < n_out < m:
            raise ValueError(f"the held-out part must have between 1 and {m - 1} samples, "
                             f"got {n_out}")
    elif 0 < fraction < 1:
        n_out = int(round(fraction * m))
    else:
        raise ValueError(f"fraction must be in (0, 1) or a number of samples, got {fraction!r}")
    quota = _split_quota(np.bincount(idx, minlength=len(classes)), n_out)
    if quota.sum() == 0:
        raise ValueError(f"a held-out fraction of {fraction} of {m} samples is empty; "
                         f"use a larger fraction")
    held = _pick(idx, quota, np.random.default_rng(seed))
    mask = np.zeros(m, dtype=bool)
    mask[held] = True
    y = np.asarray(y)
    return X[~mask], X[mask], y[~mask], y[mask]
