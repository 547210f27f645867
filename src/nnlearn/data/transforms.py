"""Transforms of image data and samples: shifts, augmentation, standardisation, subsets.

All of it is vectorised NumPy: a batch is moved, perturbed or selected with
array operations, never one image at a time in Python.

Batch transforms (``RandomShift``, ``GaussianNoise``, ``Compose``) share one
protocol: ``transform(X_batch, rng) -> X_batch``, where ``rng`` is a
``numpy.random.Generator``. The training loop calls them with its own seeded
generator at every iteration, so an augmented run is reproducible from its seed
and no transform keeps random state of its own.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

SHIFT_MODES = ("zero", "roll")


# -- shifts --------------------------------------------------------------------------

def image_shape_of(n_pixels: int, image_shape=None) -> tuple[int, int] | None:
    """The ``(h, w)`` of flat images of ``n_pixels`` values per row.

    ``image_shape`` when given; else ``(s, s)`` when ``n_pixels = s * s`` is a
    perfect square with ``s >= 2`` (784 values are 28x28 MNIST images, 64 are
    8x8 digits); else None: the caller must be told the shape.
    """
    if image_shape is not None:
        h, w = (int(v) for v in image_shape)
        return h, w
    side = math.isqrt(int(n_pixels))
    return (side, side) if side >= 2 and side * side == n_pixels else None


def _as_stack(images, image_shape):
    """``images`` as an ``(n, h, w)`` view, and a function that restores the input's shape."""
    images = np.asarray(images)
    if images.ndim == 3:
        return images, lambda out: out
    if images.ndim == 2:
        shape = image_shape_of(images.shape[1], image_shape)
        if shape is None:
            raise ValueError(f"flat images of {images.shape[1]} values per row: "
                             f"{images.shape[1]} is not a square, so they need "
                             f"image_shape=(h, w)")
        h, w = shape
        if h * w != images.shape[1]:
            raise ValueError(f"image_shape {(h, w)} has {h * w} pixels, the rows of the "
                             f"images have {images.shape[1]}")
        return images.reshape(-1, h, w), lambda out: out.reshape(images.shape)
    raise ValueError(f"images must be (n, h, w) or flat (n, h*w), got shape {images.shape}")


def _offsets(d, n, name):
    d = np.asarray(d)
    if not np.issubdtype(d.dtype, np.integer):
        if not np.all(np.equal(np.mod(d, 1), 0)):
            raise ValueError(f"{name} must be whole pixels, got {d}")
        d = d.astype(np.intp)
    if d.ndim == 0:
        return int(d)
    if d.shape != (n,):
        raise ValueError(f"{name} must be a scalar or one offset per image, shape ({n},); "
                         f"got shape {d.shape}")
    return d.astype(np.intp, copy=False)


def _check_shift(dx, dy, h, w, mode):
    """Refuse a zero-mode shift that blanks an image; warn when it loses half of it or more."""
    if mode != "zero":
        return  # roll loses nothing
    ax, ay = int(np.max(np.abs(dx))), int(np.max(np.abs(dy)))
    if ax >= w or ay >= h:
        raise ValueError(f"a shift of ({ax}, {ay}) pixels is larger than the image ({h}x{w}): "
                         f"it would leave a blank image; shift by less than the width and "
                         f"the height")
    if 2 * ax >= w or 2 * ay >= h:
        warnings.warn(f"a shift of ({ax}, {ay}) pixels moves half the image or more out of "
                      f"its {h}x{w} frame", stacklevel=3)


def shift(images, dx, dy, *, mode="zero", image_shape=None):
    """Move every image by whole pixels: ``dx`` to the right, ``dy`` down.

    Parameters
    ----------
    images : ndarray of shape ``(n, h, w)``, or ``(n, h*w)`` with ``image_shape``
        Any dtype; the result has the same dtype and shape.
    dx, dy : int or int ndarray of shape ``(n,)``
        One offset for all images, or one per image (negative: left / up).
    mode : {"zero", "roll"}
        ``"zero"`` sets the vacated pixels to 0 (ink pushed out of the frame is
        lost); ``"roll"`` wraps it around to the other side.
    image_shape : tuple (h, w), optional
        Shape of flat images; by default a perfect square ``h * w`` is read
        as ``h = w`` (784 values: 28x28), see ``image_shape_of``.

    Raises
    ------
    ValueError
        In ``"zero"`` mode, an offset as large as the image or larger (the
        image would be blank). An offset of half the image or more gives a
        ``UserWarning``.

    Returns
    -------
    ndarray, same shape and dtype as ``images``
        A new array; ``images`` is not modified.

    Notes
    -----
    Pixel ``(r, c)`` of the result is pixel ``(r - dy, c - dx)`` of the input.
    With per-image offsets this is one gather with index arrays of shapes
    ``(n, 1, 1)``, ``(n, h, 1)`` and ``(n, 1, w)``: NumPy broadcasts them, so no
    index array as large as the batch is ever built.
    """
    if mode not in SHIFT_MODES:
        raise ValueError(f"mode must be one of {SHIFT_MODES}, got {mode!r}")
    stack, restore = _as_stack(images, image_shape)
    n, h, w = stack.shape
    dx, dy = _offsets(dx, n, "dx"), _offsets(dy, n, "dy")
    _check_shift(dx, dy, h, w, mode)
    if isinstance(dx, int) and isinstance(dy, int):
        return restore(_shift_all(stack, dx, dy, mode))
    rows = np.arange(h) - np.broadcast_to(dy, (n,))[:, None]  # (n, h): source row of each row
    cols = np.arange(w) - np.broadcast_to(dx, (n,))[:, None]  # (n, w)
    if mode == "roll":
        out = stack[np.arange(n)[:, None, None], (rows % h)[:, :, None], (cols % w)[:, None, :]]
        return restore(out)
    row_ok, col_ok = (rows >= 0) & (rows < h), (cols >= 0) & (cols < w)
    out = stack[np.arange(n)[:, None, None],
                np.clip(rows, 0, h - 1)[:, :, None], np.clip(cols, 0, w - 1)[:, None, :]]
    # the clipped indices copied edge pixels into the vacated band: blank it
    out *= (row_ok[:, :, None] & col_ok[:, None, :])
    return restore(out)


def _shift_all(stack, dx, dy, mode):
    """``shift`` with one offset for every image: two slices, no gather."""
    if mode == "roll":
        return np.roll(stack, (dy, dx), axis=(1, 2))
    n, h, w = stack.shape
    out = np.zeros_like(stack)
    dst_r, src_r = slice(max(dy, 0), h + min(dy, 0)), slice(max(-dy, 0), h - max(dy, 0))
    dst_c, src_c = slice(max(dx, 0), w + min(dx, 0)), slice(max(-dx, 0), w - max(dx, 0))
    out[:, dst_r, dst_c] = stack[:, src_r, src_c]
    return out


# -- batch transforms (augmentation) ---------------------------------------------------

class RandomShift:
    """Shift each image of a batch by its own random ``(dx, dy)``, drawn afresh each call.

    Both offsets are uniform integers in ``[-max_shift, max_shift]``. With
    ``max_shift=2`` a digit moves up to two pixels, which keeps it inside
    MNIST's 4-pixel margin and its class unchanged. A shift of half the image
    or more would push most of it out of the frame, so ``max_shift`` must be
    less than half the smaller side (at most 13 for 28x28 images, 3 for 8x8):
    checked here when ``image_shape`` is given, else at the first call.

    Parameters
    ----------
    max_shift : int
        Largest offset in pixels, in each direction.
    image_shape : tuple (h, w), optional
        Shape of one image, for flat batches ``(m, h*w)``; by default a
        perfect square is read as ``h = w`` (see ``image_shape_of``).
    mode : {"zero", "roll"}
        See ``shift``.

    Examples
    --------
    >>> augment = RandomShift(max_shift=2, image_shape=(28, 28))
    >>> Xb = augment(X[:128], np.random.default_rng(0))   # (128, 784) -> (128, 784)
    """

    def __init__(self, max_shift=2, image_shape=None, mode="zero"):
        if int(max_shift) != max_shift or max_shift < 0:
            raise ValueError(f"max_shift must be a whole number >= 0, got {max_shift}")
        if mode not in SHIFT_MODES:
            raise ValueError(f"mode must be one of {SHIFT_MODES}, got {mode!r}")
        self.max_shift = int(max_shift)
        self.image_shape = None if image_shape is None else tuple(int(s) for s in image_shape)
        self.mode = mode
        if self.image_shape is not None:
            self._check(*self.image_shape)

    def _check(self, h, w):
        if 2 * self.max_shift >= min(h, w):
            raise ValueError(f"max_shift={self.max_shift} is too large for {h}x{w} images: a "
                             f"shift of half the image or more pushes most of it out of the "
                             f"frame; use at most {(min(h, w) - 1) // 2}")

    def __call__(self, X, rng: np.random.Generator):
        """Shifted copy of the batch ``X``, ``(m, h*w)`` or ``(m, h, w)``."""
        if self.image_shape is None:
            stack, _ = _as_stack(X, None)
            self._check(*stack.shape[1:])
        m = len(X)
        dx, dy = rng.integers(-self.max_shift, self.max_shift + 1, size=(2, m))
        return shift(X, dx, dy, mode=self.mode, image_shape=self.image_shape)

    def __repr__(self):
        return f"RandomShift(max_shift={self.max_shift}, image_shape={self.image_shape})"


class GaussianNoise:
    """Add independent Gaussian noise of standard deviation ``std`` to every pixel.

    Parameters
    ----------
    std : float
        Standard deviation of the noise (for images in [0, 1], e.g. 0.1).
    clip : tuple (low, high), optional
        Clip the result to this range, e.g. ``(0, 1)``.
    """

    def __init__(self, std, clip=None):
        if not std >= 0:
            raise ValueError(f"std must be >= 0, got {std}")
        self.std, self.clip = float(std), clip

    def __call__(self, X, rng: np.random.Generator):
        """Noisy copy of the float batch ``X`` (any shape), same dtype."""
        X = np.asarray(X)
        if X.dtype not in (np.float32, np.float64):
            raise ValueError(f"GaussianNoise needs float32 or float64 data, got {X.dtype}; "
                             f"load images as float")
        out = rng.standard_normal(X.shape, dtype=X.dtype)
        out *= X.dtype.type(self.std)
        out += X
        if self.clip is not None:
            np.clip(out, *self.clip, out=out)
        return out

    def __repr__(self):
        return f"GaussianNoise(std={self.std}, clip={self.clip})"


class Compose:
    """Apply batch transforms one after the other, all drawing from the same ``rng``."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, X, rng: np.random.Generator):
        for transform in self.transforms:
            X = transform(X, rng)
        return X

    def __repr__(self):
        return f"Compose({self.transforms!r})"


# -- standardisation -------------------------------------------------------------------

class Standardizer:
    """Per-feature (per-pixel) standardisation ``(x - mean_) / scale_``.

    The mean and standard deviation are learnt on training data by ``fit``
    and applied unchanged to any other data. A feature that is constant in the
    training data (MNIST's corner pixels are always 0) has ``scale_ = 1``, so
    it maps to 0 instead of dividing by zero.

    Parameters
    ----------
    eps : float
        A standard deviation at or below ``eps`` counts as constant.

    Attributes
    ----------
    mean_, scale_ : ndarray of shape ``(n_features,)``
    n_features_in_ : int
    """

    def __init__(self, eps=1e-8):
        self.eps = eps

    def fit(self, X):
        """Learn ``mean_`` and ``scale_`` from ``X`` of shape ``(m, n_features)``."""
        X = np.asarray(X)
        if X.ndim != 2 or len(X) == 0:
            raise ValueError(f"fit needs a non-empty (m, n_features) array, got shape {X.shape}")
        # accumulate in float64: float32 sums over 60000 images lose digits
        self.mean_ = X.mean(axis=0, dtype=np.float64)
        std = X.std(axis=0, dtype=np.float64)
        self.scale_ = np.where(std > self.eps, std, 1.0)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        """Standardised copy of ``X`` ``(m, n_features)``; float32 input stays float32."""
        if not hasattr(self, "mean_"):
            raise ValueError("this Standardizer is not fitted yet: call fit(X_train) first")
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has shape {X.shape}, the Standardizer was fitted on "
                             f"{self.n_features_in_} features")
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        return ((X - self.mean_) / self.scale_).astype(dtype, copy=False)

    def fit_transform(self, X):
        return self.fit(X).transform(X)

    def inverse_transform(self, Z):
        """Undo ``transform``: ``Z * scale_ + mean_``."""
        Z = np.asarray(Z)
        return (Z * self.scale_ + self.mean_).astype(Z.dtype, copy=False)

    def __repr__(self):
        return f"Standardizer(eps={self.eps})"


# -- stratified selection ----------------------------------------------------------------

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
