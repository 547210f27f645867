"""Data the estimator tests share (a pytest plugin: see ``conftest.py``)."""

import types

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_blobs
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier


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


def mlp_rule(curve, patience, tol, early_stopping):
    """Where MLPClassifier stops on ``curve`` (training losses, or validation scores
    with ``early_stopping``), found by running scikit-learn's own
    ``_update_no_improvement_count`` on these numbers: ``(stop, best)``, the
    1-based epoch after which it stops (None: it never does) and the 0-based
    index of the epoch whose parameters it keeps."""
    me = types.SimpleNamespace(tol=tol, verbose=False, _no_improvement_count=0, coefs_=[],
                               intercepts_=[], loss_curve_=[], best_loss_=np.inf,
                               validation_scores_=[], best_validation_score_=-np.inf)
    best = None
    for epoch, value in enumerate(curve, start=1):
        if early_stopping:
            me._score = lambda X, y, sample_weight=None, value=value: value
            before = me.best_validation_score_
        else:
            me.loss_curve_.append(value)
            before = me.best_loss_
        MLPClassifier._update_no_improvement_count(me, early_stopping, None, None, None)
        if (me.best_validation_score_ if early_stopping else me.best_loss_) != before:
            best = epoch - 1
        if me._no_improvement_count > patience:
            return epoch, best
    return None, best
