"""Standardization: each feature scaled to mean 0 and standard deviation 1, learnt on
the training part (``Standardizer``, ``standardize``)."""

from __future__ import annotations

import numpy as np


class Standardizer:
    """Per-feature (per-pixel) standardization ``(x - mean_) / scale_``.

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

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [2.0, 1.0]])
    >>> scaler = Standardizer().fit(X)
    >>> scaler.transform(X).tolist()  # the constant second column maps to 0
    [[-1.0, 0.0], [1.0, 0.0]]
    """

    def __init__(self, eps=1e-8):
        self.eps = eps

    def fit(self, X):
        """Learn ``mean_`` and ``scale_`` from the training inputs; returns ``self``.

        Parameters
        ----------
        X : array-like of shape (m, n_features)
        """
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
        """A standardized copy of ``X``, ``(m, n_features)``; float32 input stays float32.

        Parameters
        ----------
        X : array-like of shape (m, n_features)
        """
        if not hasattr(self, "mean_"):
            raise ValueError("this Standardizer is not fitted yet: call fit(X_train) first")
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has shape {X.shape}, the Standardizer was fitted on "
                             f"{self.n_features_in_} features")
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        return ((X - self.mean_) / self.scale_).astype(dtype, copy=False)

    def fit_transform(self, X):
        """``fit(X)``, then ``transform(X)``."""
        return self.fit(X).transform(X)

    def to_dict(self) -> dict:
        """``{"mean": [...], "scale": [...]}``, plain lists: JSON for a model file's metadata."""
        return {"mean": self.mean_.tolist(), "scale": self.scale_.tolist()}

    @classmethod
    def from_dict(cls, state: dict) -> Standardizer:
        """A fitted ``Standardizer`` from ``to_dict``'s output (e.g. a model's metadata).

        Parameters
        ----------
        state : dict
        """
        scaler = cls()
        scaler.mean_ = np.asarray(state["mean"], dtype=np.float64)
        scaler.scale_ = np.asarray(state["scale"], dtype=np.float64)
        if scaler.mean_.ndim != 1 or scaler.mean_.shape != scaler.scale_.shape \
                or not (scaler.scale_ > 0).all():
            raise ValueError("a standardizer needs mean and scale lists of one length, "
                             "with every scale > 0")
        scaler.n_features_in_ = len(scaler.mean_)
        return scaler

    def inverse_transform(self, Z):
        """Undo ``transform``: ``Z * scale_ + mean_``, ``(m, n_features)`` in ``Z``'s dtype.

        Parameters
        ----------
        Z : array-like of shape (m, n_features)
        """
        Z = np.asarray(Z)
        return (Z * self.scale_ + self.mean_).astype(Z.dtype, copy=False)

    def __repr__(self):
        return f"Standardizer(eps={self.eps})"


def standardize(data):
    """``data`` with standardized features, learnt on its training part only.

    Parameters
    ----------
    data : Dataset

    Returns
    -------
    data : Dataset
        A copy whose ``X_train`` and ``X_test`` are ``(X - mean_) / scale_``
        with the mean and scale of ``X_train`` (the test part never informs
        the scaling); ``info["standardize"]`` records them as lists.
    scaler : Standardizer
        Fitted; ``scaler.to_dict()`` becomes the network's input scaling
        (``NetworkSpec.scaling``), folded into its first layer for raw inputs.

    Examples
    --------
    >>> from nnlearn.data import load
    >>> data, scaler = standardize(load("blobs", seed=0))
    >>> [round(abs(float(m)), 6) for m in data.X_train.mean(axis=0)]
    [0.0, 0.0]
    """
    import dataclasses

    scaler = Standardizer().fit(data.X_train)
    out = dataclasses.replace(data, X_train=scaler.transform(data.X_train),
                              X_test=scaler.transform(data.X_test),
                              info={**data.info, "standardize": scaler.to_dict()})
    return out, scaler
