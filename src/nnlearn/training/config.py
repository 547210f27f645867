"""What a training run is given: ``TrainConfig`` (how to train) and ``check_arrays``
(the data, checked before the loop touches it)."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from ..engine.optim import DEFAULT_LR
from ..engine.sparse import issparse
from ..settings import FULL, default


@dataclass
class TrainConfig:
    """How to train: gradient descent on eq. (2), each step on its batch's *mean*
    loss (weighted with sample weights), not the sum: ``lr`` is the lecture's
    ``lr / m`` on the summed loss, and suits any batch size.

    Every default is the settings table's (``nnlearn.settings``); ``nnlearn.assembly``
    makes a run's config from the settings a face gives.

    Parameters
    ----------
    epochs, iterations : int or None
        Passes over the data, or optimiser steps: not both (neither: the table's epochs).
    batch_size : int or "full"
        Rows per step; ``"full"``: the whole set (the lecture's gradient descent).
    lr : float
        The step size, positive; ``schedule`` (``engine.make_schedule``) varies it.
        Default: the table's optimiser's own rate.
    schedule : {"constant", "step", "cosine"}
    shuffle : bool
        Draw a new order of the rows every epoch, from ``seed``.
    seed : int
        Seeds the loop's generator: batch order and ``transform`` draws.
    record_iterations : bool
        Keep a history row per step as well as per epoch.
    progress : bool or None
        Show a progress bar; None: only when stderr is a terminal.
    """

    epochs: int | None = None
    iterations: int | None = None
    batch_size: int | str = default("batch_size")
    lr: float = DEFAULT_LR[default("optimizer")]
    schedule: str = default("schedule")
    shuffle: bool = True
    seed: int = default("seed")
    record_iterations: bool = False
    progress: bool | None = None

    def __post_init__(self):
        if self.epochs is not None and self.iterations is not None:
            raise ValueError("give epochs or iterations, not both")
        if self.epochs is None and self.iterations is None:
            self.epochs = default("epochs")
        if self.batch_size != FULL and (not isinstance(self.batch_size, (int, np.integer))
                                        or isinstance(self.batch_size, bool)
                                        or self.batch_size < 1):
            raise ValueError(f"batch_size must be a positive integer or {FULL!r}, "
                             f"got {self.batch_size!r}")
        for name in ("epochs", "iterations"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, (int, np.integer)) or value < 1):
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not (isinstance(self.lr, numbers.Real) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"learning rate must be positive and finite, got {self.lr!r}")

    def rows_per_step(self, m: int) -> int:
        """The rows of one step on a set of ``m``: ``batch_size``, at most ``m``."""
        return m if self.batch_size == FULL else min(int(self.batch_size), m)

    def planned_iterations(self, m: int, *, full_batch: bool = False) -> int:
        """The optimiser steps of one ``fit`` on ``m`` rows: ``iterations``, or ``epochs``
        times the steps of an epoch (one, for a full-batch solver such as L-BFGS)."""
        if self.iterations is not None:
            return int(self.iterations)
        assert self.epochs is not None  # __post_init__ sets one of the two
        return int(self.epochs) * math.ceil(m / (m if full_batch else self.rows_per_step(m)))


def check_arrays(X, y, n_in: int, n_classes: int, sample_weight=None, what="training"):
    """Validate a data set for a network with ``n_in`` inputs and ``n_classes`` outputs.

    Returns ``X`` as a float array (a SciPy sparse ``X`` as CSR, whose rows the
    loop gathers), ``y`` as int64 and the weights (or None).
    """
    sparse = issparse(X)
    X = (X if X.format == "csr" else X.tocsr()) if sparse else np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"{what} X must be 2-D (samples, features), got shape {X.shape}")
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError(f"{what} X must be numeric, got dtype {X.dtype}")
    if X.shape[0] == 0:
        raise ValueError(f"{what} X has no samples")
    if X.shape[1] != n_in:
        raise ValueError(f"{what} X has {X.shape[1]} features, the network expects {n_in}")
    # A sum is NaN or inf when any value is, so a finite sum proves there are none,
    # without a mask the size of X on every fit. It is summed in X's own dtype, which
    # is faster than float64 (docs/benchmarks.md); a sum of finite values that
    # overflows only sends X to the exact test. Integers are always finite.
    values = X.data if sparse else X  # a sparse matrix's zeros are finite
    if (values.dtype.kind == "f" and not math.isfinite(float(np.sum(values)))
            and not np.all(np.isfinite(values))):
        raise ValueError(f"{what} X contains NaN or infinite values")
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"{what} y must have shape ({X.shape[0]},), got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        whole = np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y))
        if whole and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise ValueError(f"{what} y must hold class indices 0..{n_classes - 1}, got {y.dtype}")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"{what} y holds labels outside 0..{n_classes - 1} "
                         f"(found {y.min()}..{y.max()})")
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        if sample_weight.shape != y.shape:
            raise ValueError(f"sample_weight must have shape {y.shape}, got {sample_weight.shape}")
        if not np.all(np.isfinite(sample_weight)) or np.any(sample_weight < 0):
            raise ValueError("sample_weight must be finite and non-negative")
        if sample_weight.sum() <= 0:
            raise ValueError("sample_weight sums to zero")
    return X, y.astype(np.int64, copy=False), sample_weight
