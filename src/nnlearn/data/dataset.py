"""The record every loader returns: a training set, a test set, and what they are."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Dataset:
    """A labelled classification data set split into training and test parts.

    ``X_*`` have one sample per row, ``(m, n_features)``; ``y_*`` hold class
    indices ``0 .. k-1`` into ``classes`` (the original labels, which may be
    strings). ``image_shape`` is ``(height, width)`` for image data, else None.
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
        return int(np.prod(self.X_train.shape[1:]))

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def __repr__(self):
        return (f"Dataset({self.name!r}, train={self.X_train.shape}, test={self.X_test.shape}, "
                f"classes={self.n_classes})")
