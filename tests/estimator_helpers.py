"""Data the estimator tests share (a pytest plugin: see ``conftest.py``)."""

import pytest
from sklearn.datasets import load_digits, make_blobs
from sklearn.model_selection import train_test_split


@pytest.fixture(scope="module")
def blobs():
    """Three well-separated blobs in 4-D: train/test split of 180/60 rows."""
    X, y = make_blobs(n_samples=240, centers=3, n_features=4, cluster_std=2.0, random_state=0)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def digits():
    """scikit-learn's 8x8 digits scaled to [0, 1]: train/test split of 1347/450 rows."""
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)
