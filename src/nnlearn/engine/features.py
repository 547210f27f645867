"""Input features of 2-D data: what the network sees, computed from the point ``(x1, x2)``,
and the layer (``Features``) that computes them first in a network.

As in TensorFlow Playground, a network on the plane may be given products and
sines of the coordinates besides the coordinates themselves: with ``x1sq`` and
``x2sq`` one hidden unit can draw a circle (the rings of eq. 1 need a hidden
layer without them). The features are computed from standardized coordinates,
so that every column has a scale near 1.
"""

from __future__ import annotations

import numpy as np

from .layers import Layer

#: Each feature's formula of the (standardized) coordinates ``x1``, ``x2``, given the
#: array library's ``sin`` (NumPy's here, torch's in the twin: one table for both).
FEATURES = {
    "x1": lambda x1, x2, sin: x1,
    "x2": lambda x1, x2, sin: x2,
    "x1sq": lambda x1, x2, sin: x1 * x1,
    "x2sq": lambda x1, x2, sin: x2 * x2,
    "x1x2": lambda x1, x2, sin: x1 * x2,
    "sin_x1": lambda x1, x2, sin: sin(x1),
    "sin_x2": lambda x1, x2, sin: sin(x2),
}
DEFAULT_FEATURES = ("x1", "x2")


def feature_names(features, n_in: int) -> tuple[str, ...] | None:
    """``features`` (one name, several, or None) as a tuple, for inputs of ``n_in``
    columns; raises ValueError when they are not 2 (the features need the point)."""
    if features is None:
        return None
    if n_in != 2:
        raise ValueError(f"input features are computed from 2-D points; these inputs have "
                         f"{n_in} columns")
    return (features,) if isinstance(features, str) else tuple(features)


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
    return np.column_stack([FEATURES[n](x1, x2, np.sin) for n in names]).astype(U.dtype,
                                                                                  copy=False)


class Features(Layer):
    """Input features as the network's first layer: ``(m, 2)`` points in, the columns
    ``names`` of ``feature_map`` out; no parameters.

    With ``mean`` and ``scale`` the points are first standardized,
    ``u = (x - mean) / scale`` (``fold_input_scaling`` sets them): a model file with
    this layer takes raw coordinates.

    Parameters
    ----------
    names : sequence of str
        Keys of ``FEATURES``.
    mean, scale : sequence of 2 float, optional
    """

    def __init__(self, names=DEFAULT_FEATURES, mean=None, scale=None):
        self.names = tuple(names)
        if not self.names or len(set(self.names)) != len(self.names):
            raise ValueError(f"input features must be distinct names, got {list(self.names)}")
        unknown = [n for n in self.names if n not in FEATURES]
        if unknown:
            raise ValueError(f"unknown feature {unknown[0]!r}; choose from {', '.join(FEATURES)}")
        self.n_in, self.n_out = 2, len(self.names)
        self.mean = None if mean is None else [float(v) for v in mean]
        self.scale = None if scale is None else [float(v) for v in scale]
        if (self.mean is None) != (self.scale is None) or (
                self.mean is not None and (len(self.mean) != 2 or len(self.scale) != 2
                                           or min(self.scale) <= 0)):
            raise ValueError("an input scaling of the features holds 2 means and 2 positive "
                             "scales")
        self.params, self.grads = {}, {}

    def apply(self, f_prev):
        X = np.asarray(f_prev)
        U = X if self.mean is None else (X - np.asarray(self.mean, X.dtype)) / np.asarray(
            self.scale, X.dtype)
        return feature_map(U, self.names)

    def forward(self, f_prev, train=False, rng=None):
        return self.apply(f_prev)

    def backward(self, dL_df, need_input_grad=True):
        if need_input_grad:
            raise ValueError("input features are a network's first layer: nothing lies below")
        return None

    def entry(self):
        out: dict = {"type": "features", "names": list(self.names)}
        if self.mean is not None:
            out["mean"], out["scale"] = self.mean, self.scale
        return out

    def __repr__(self):
        return f"Features({', '.join(self.names)})"
