"""The record every loader returns: a training set, a test set, and what they are."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Dataset:
    """A labelled classification data set split into training and test parts.

    Parameters
    ----------
    name : str
    X_train, X_test : ndarray of shape (m, n_features)
        One sample per row: the inputs ``x_i`` (``f_0``) of eq. (1).
    y_train, y_test : ndarray of shape (m,)
        Class indices ``0 .. k-1`` into ``classes``: the position of the 1 in
        the one-hot ``y_i`` of eq. (7).
    classes : ndarray of shape (k,)
        The original labels, which may be strings.
    image_shape : tuple of int, optional
        ``(height, width)`` for image data, else None.
    info : dict
        Where the data came from (files, checksums, generator options).

    Examples
    --------
    >>> from nnlearn.data import load
    >>> data = load("rings", n_train=200, n_test=100, seed=0)
    >>> data.name, data.X_train.shape, data.n_features, data.n_classes
    ('rings', (200, 2), 2, 2)
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: np.ndarray
    image_shape: tuple[int, int] | None = None
    info: dict = field(default_factory=dict)

    @property
    def n_features(self) -> int:
        """The input width ``n_0``."""
        return int(np.prod(self.X_train.shape[1:]))

    @property
    def n_classes(self) -> int:
        """The number of classes ``k = n_L``."""
        return len(self.classes)

    def __repr__(self):
        return (f"Dataset({self.name!r}, train={self.X_train.shape}, test={self.X_test.shape}, "
                f"classes={self.n_classes})")
