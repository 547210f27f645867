"""Input features of 2-D data: what the network sees, computed from the point ``(x1, x2)``.

As in TensorFlow Playground, a network on the plane may be given products and
sines of the coordinates besides the coordinates themselves: with ``x1sq`` and
``x2sq`` one hidden unit can draw a circle (the rings of eq. 1 need a hidden
layer without them). The features are computed from standardized coordinates,
so that every column has a scale near 1.
"""

from __future__ import annotations

import numpy as np

#: Each feature's formula of the (standardized) coordinates ``x1``, ``x2``.
FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1sq": lambda x1, x2: x1 * x1,
    "x2sq": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}
DEFAULT_FEATURES = ("x1", "x2")


def feature_map(U, names=DEFAULT_FEATURES) -> np.ndarray:
    """The columns ``names`` of the points ``U``.

    Parameters
    ----------
    U : ndarray of shape (m, 2)
        Points of the plane (standardized coordinates).
    names : sequence of str
        Keys of ``FEATURES``, in the order of the network's inputs.

    Returns
    -------
    ndarray of shape (m, len(names))
    """
    U = np.asarray(U)
    if U.ndim != 2 or U.shape[1] != 2:
        raise ValueError(f"input features are computed from 2-D points, got shape {U.shape}")
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature {unknown[0]!r}; choose from {', '.join(FEATURES)}")
    x1, x2 = U[:, 0], U[:, 1]
    return np.column_stack([FEATURES[n](x1, x2) for n in names]).astype(U.dtype, copy=False)
