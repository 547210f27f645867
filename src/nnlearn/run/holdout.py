"""What ``nnlearn train`` does with ``--class-weight`` and ``--early-stopping``.

The estimator's rules, on the command line (the settings table's rows, faces
``estimator`` and ``train``):

- ``class_weight="balanced"`` weighs each training sample by
  ``n / (k * n_c)`` (scikit-learn's ``compute_sample_weight``), so that every
  class weighs the same in the loss of eq. (2);
- ``early_stopping`` holds a stratified ``validation_fraction`` of the training
  part out (seeded by ``--seed``; the test part is never looked at), and stops
  once more than ``patience`` epochs in a row fail to beat the best validation
  accuracy by ``tol``, then puts the best epoch's parameters back: the rule of
  MLPClassifier's ``n_iter_no_change``, as the estimator applies it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.sampling import train_val_split
from ..settings import default
from ..training import EarlyStopping


@dataclass
class FitData:
    """What ``Trainer.fit`` gets: the rows it trains on, their weights (or None), the
    validation data, and the early-stopping callback (or None)."""

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray | None
    validation: tuple
    stopper: EarlyStopping | None = None


def fit_data(cfg, data) -> FitData:
    """The training rows, weights and validation data ``cfg`` asks for (module docstring);
    without early stopping the test part is the validation data, as before."""
    X, y = data.X_train, data.y_train
    w = None
    if cfg.class_weight == "balanced":
        from sklearn.utils.class_weight import compute_sample_weight
        w = compute_sample_weight("balanced", y)
    if not cfg.early_stopping:
        return FitData(X, y, w, (data.X_test, data.y_test))
    rows = np.arange(len(y))[:, None]
    try:
        train, val, y_train, y_val = train_val_split(rows, y, cfg.validation_fraction, cfg.seed)
    except ValueError as err:
        raise ValueError(f"--early-stopping cannot hold out --validation-fraction "
                         f"{cfg.validation_fraction:g} of the training part: {err}") from None
    train, val = train[:, 0], val[:, 0]
    patience = cfg.patience
    stopper = EarlyStopping("val_accuracy", patience + 1, min_delta=default("tol"),
                            restore_best=True)
    validation = (X[val], y_val) if w is None else (X[val], y_val, w[val])
    return FitData(X[train], y_train, None if w is None else w[train], validation, stopper)
