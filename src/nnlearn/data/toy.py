"""Two-dimensional toy data sets, like the lecture's rings (Figure 2).

Every generator takes ``n`` (the total number of points, split as evenly as
possible between the classes), its shape parameters and a ``seed``, and returns
``X`` of shape ``(n, 2)`` (float64) and integer labels ``y`` of shape ``(n,)``.
The same seed always gives the same points.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def _counts(n: int, k: int) -> np.ndarray:
    if k < 2:
        raise ValueError(f"a classification data set needs at least 2 classes, got {k}")
    if n < k:
        raise ValueError(f"need at least one point per class: n={n} < {k} classes")
    return np.full(k, n // k) + (np.arange(k) < n % k)


def _labels(counts) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


def _shuffled(X, y, rng):
    order = rng.permutation(len(y))
    return X[order], y[order]


def rings(n=1000, *, n_classes=2, radii=None, noise=0.1, seed=0):
    """Concentric noisy rings, one class per ring (the lecture's Figure 2).

    Class ``c`` lies on the circle of radius ``radii[c]`` (default ``1, 2, ...``)
    at a uniform angle, with Gaussian noise of standard deviation ``noise`` on
    the radius. No straight line separates the classes.

    Parameters
    ----------
    n : int
        Points in all, split as evenly as possible between the classes.
    n_classes : int
    radii : sequence of float, optional
        One per class.
    noise : float
    seed : int

    Returns
    -------
    X : ndarray of shape (n, 2)
        float64 points.
    y : ndarray of shape (n,)
        int64 class indices.

    Examples
    --------
    >>> X, y = rings(100, seed=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((100, 2), [0, 1])
    """
    radii = np.arange(1, n_classes + 1, dtype=float) if radii is None else np.asarray(radii, float)
    if len(radii) != n_classes:
        raise ValueError(f"got {len(radii)} radii for {n_classes} classes")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    y = _labels(_counts(n, n_classes))
    angle = rng.uniform(0, 2 * np.pi, n)
    r = radii[y] + noise * rng.standard_normal(n)
    X = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    return _shuffled(X, y, rng)


def moons(n=1000, *, noise=0.1, seed=0):
    """Two interleaving half circles, with Gaussian noise of standard deviation ``noise``.

    Parameters
    ----------
    n : int
    noise : float
    seed : int

    Returns
    -------
    X : ndarray of shape (n, 2)
        float64 points.
    y : ndarray of shape (n,)
        int64 class indices.

    Examples
    --------
    >>> X, y = moons(90, seed=0)
    >>> X.shape, len(set(y.tolist()))
    ((90, 2), 2)
    """
    rng = np.random.default_rng(seed)
    y = _labels(_counts(n, 2))
    t = rng.uniform(0, np.pi, n)
    X = np.where(y[:, None] == 0,
                 np.column_stack([np.cos(t), np.sin(t)]),
                 np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))
    X = X + noise * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def spirals(n=1000, *, n_classes=2, turns=1.5, noise=0.05, seed=0):
    """``n_classes`` interleaved spiral arms, each turning ``turns`` times.

    Parameters
    ----------
    n, n_classes : int
    turns : float
    noise : float
        Standard deviation of the Gaussian noise on each coordinate.
    seed : int

    Returns
    -------
    X : ndarray of shape (n, 2)
        float64 points.
    y : ndarray of shape (n,)
        int64 class indices.

    Examples
    --------
    >>> X, y = spirals(90, seed=0)
    >>> X.shape, len(set(y.tolist()))
    ((90, 2), 2)
    """
    rng = np.random.default_rng(seed)
    y = _labels(_counts(n, n_classes))
    s = rng.uniform(0.05, 1, n)  # position along the arm
    angle = 2 * np.pi * (turns * s + y / n_classes)
    X = np.column_stack([s * np.cos(angle), s * np.sin(angle)])
    X = X + noise * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


def xor(n=1000, *, noise=0.0, seed=0):
    """Uniform points of the square [-1, 1]^2, labelled by the signs of their coordinates.

    Class 0 where x1 and x2 share a sign (first and third quadrants), class 1
    where their signs differ (``x1 * x2 < 0``): the exclusive or of the two
    signs.

    Parameters
    ----------
    n : int
    noise : float
        Standard deviation of Gaussian noise added after the points are labelled.
    seed : int

    Returns
    -------
    X : ndarray of shape (n, 2)
        float64 points.
    y : ndarray of shape (n,)
        int64 class indices.

    Examples
    --------
    >>> X, y = xor(90, seed=0)
    >>> X.shape, len(set(y.tolist()))
    ((90, 2), 2)
    """
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 2))
    y = (X[:, 0] * X[:, 1] < 0).astype(np.int64)
    X = X + noise * rng.standard_normal((n, 2))
    return X, y


def blobs(n=1000, *, n_classes=3, spread=0.3, seed=0):
    """Gaussian blobs of standard deviation ``spread`` centred on the unit circle.

    Parameters
    ----------
    n, n_classes : int
    spread : float
    seed : int

    Returns
    -------
    X : ndarray of shape (n, 2)
        float64 points.
    y : ndarray of shape (n,)
        int64 class indices.

    Examples
    --------
    >>> X, y = blobs(90, seed=0)
    >>> X.shape, len(set(y.tolist()))
    ((90, 2), 3)
    """
    rng = np.random.default_rng(seed)
    y = _labels(_counts(n, n_classes))
    angle = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = np.column_stack([np.cos(angle), np.sin(angle)])
    X = centres[y] + spread * rng.standard_normal((n, 2))
    return _shuffled(X, y, rng)


#: name -> generator; each takes ``n`` and ``seed`` plus its own shape options.
TOY: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "rings": rings, "moons": moons, "spirals": spirals, "xor": xor, "blobs": blobs}
