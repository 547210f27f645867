"""Transforms of image data: shifts and augmentation (standardization: ``scaling``).

(The stratified ``subset`` and ``train_val_split`` live in ``sampling`` and
are importable from here as well.)

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

from .sampling import subset, subset_quota, train_val_split  # noqa: F401  (their old home)

SHIFT_MODES = ("zero", "roll")


# -- shifts --------------------------------------------------------------------------

def image_shape_of(n_pixels: int, image_shape=None) -> tuple[int, int] | None:
    """The ``(h, w)`` of flat images of ``n_pixels`` values per row.

    ``image_shape`` when given; else ``(s, s)`` when ``n_pixels = s * s`` is a
    perfect square with ``s >= 2`` (784 values are 28x28 MNIST images, 64 are
    8x8 digits); else None: the caller must be told the shape.

    Examples
    --------
    >>> image_shape_of(784), image_shape_of(10), image_shape_of(6, (2, 3))
    ((28, 28), None, (2, 3))
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
    ax, ay = int(np.max(np.abs(dx), initial=0)), int(np.max(np.abs(dy), initial=0))
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
    Pixel ``(r, c)`` of the result is pixel ``(r - dy, c - dx)`` of the input:
    the result is a window of the image padded by the offsets (zeros, or the
    image repeated for ``"roll"``), see ``_shift_stack``.

    Examples
    --------
    One pixel of ink, moved 1 right and 1 up:

    >>> import numpy as np
    >>> image = np.zeros((1, 3, 3), dtype=int)
    >>> image[0, 1, 1] = 1
    >>> shift(image, 1, -1)[0].tolist()
    [[0, 0, 1], [0, 0, 0], [0, 0, 0]]
    """
    if mode not in SHIFT_MODES:
        raise ValueError(f"mode must be one of {SHIFT_MODES}, got {mode!r}")
    stack, restore = _as_stack(images, image_shape)
    n, h, w = stack.shape
    dx, dy = _offsets(dx, n, "dx"), _offsets(dy, n, "dy")
    _check_shift(dx, dy, h, w, mode)
    return restore(_shift_stack(stack, dx, dy, mode))


def _shift_stack(stack, dx, dy, mode):
    """``stack`` ``(n, h, w)`` moved by ``dx``, ``dy`` (ints, or int arrays ``(n,)``); unchecked.

    Every shifted image is the ``h x w`` window of its padded image that starts
    ``dy`` rows above and ``dx`` columns left of the image. With one offset for
    all images that window is two slices, copied into zeros (or ``np.roll``)
    without building the padded batch. With one offset per image the batch is
    padded once, by the largest offsets, and all windows are taken in one
    gather of whole rows: no per-pixel index array is built. Offsets as large
    as the image or larger give blank images in ``"zero"`` mode and wrap around
    in ``"roll"`` mode.
    """
    n, h, w = stack.shape
    if mode == "roll":
        dx, dy = dx % w, dy % h  # the same images, with the least padding
    if isinstance(dx, int) and isinstance(dy, int):
        if mode == "roll":
            return np.roll(stack, (dy, dx), axis=(1, 2))
        dx, dy = min(max(dx, -w), w), min(max(dy, -h), h)  # past the frame: all blank
        out = np.zeros_like(stack)
        dst_r, src_r = slice(max(dy, 0), h + min(dy, 0)), slice(max(-dy, 0), h - max(dy, 0))
        dst_c, src_c = slice(max(dx, 0), w + min(dx, 0)), slice(max(-dx, 0), w - max(dx, 0))
        out[:, dst_r, dst_c] = stack[:, src_r, src_c]
        return out
    dx, dy = np.broadcast_to(dx, (n,)), np.broadcast_to(dy, (n,))
    if n == 0:
        return stack.copy()
    top, bottom = max(int(dy.max()), 0), max(-int(dy.min()), 0)
    left, right = max(int(dx.max()), 0), max(-int(dx.min()), 0)
    padded = np.pad(stack, ((0, 0), (top, bottom), (left, right)),
                    mode="constant" if mode == "zero" else "wrap")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(1, 2))
    # out[r, c] = stack[r - dy, c - dx] = padded[r + top - dy, c + left - dx]
    return windows[np.arange(n), top - dy, left - dx]


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
    >>> import numpy as np
    >>> X = np.random.default_rng(0).random((256, 784))
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

    Examples
    --------
    >>> import numpy as np
    >>> noise = GaussianNoise(0.1, clip=(0.0, 1.0))
    >>> Xb = noise(np.full((4, 3), 0.5), np.random.default_rng(0))
    >>> Xb.shape, bool(((Xb >= 0) & (Xb <= 1)).all())
    ((4, 3), True)
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
    """Apply batch transforms one after the other, all drawing from the same ``rng``.

    Parameters
    ----------
    transforms : iterable of callable
        Each ``transform(X, rng) -> X``, as ``Trainer.fit``'s ``transform``.

    Examples
    --------
    >>> import numpy as np
    >>> augment = Compose([RandomShift(1, image_shape=(4, 4)), GaussianNoise(0.05)])
    >>> augment(np.ones((2, 16)), np.random.default_rng(0)).shape
    (2, 16)
    """

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, X, rng: np.random.Generator):
        for transform in self.transforms:
            X = transform(X, rng)
        return X

    def __repr__(self):
        return f"Compose({self.transforms!r})"
