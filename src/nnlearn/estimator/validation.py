"""Early stopping: which samples are held out for validation, and when training stops.

``fit`` holds out a stratified ``validation_fraction`` of its data, the same
rows on every warm-started call. ``partial_fit`` sees a stream, maybe the same
one several times, so it decides row by row with a keyed hash of the row's
values and label: a row held out once is held out whenever it comes back, and
no score is ever measured on a sample the network was trained on.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
from sklearn.model_selection import train_test_split

from ..engine.sparse import issparse
from ..training.callbacks import EarlyStopping


def split_stratified(X, y, w, fraction, seed, labels=None):
    """Hold out a stratified ``fraction`` of the rows, as ``fit`` does.

    ``y`` holds class indices; with ``labels`` (the sorted class labels) the
    split is stratified by ``labels[y]``, the same split, so that an error names
    the labels the user gave (``['b']``), not their indices.

    Returns
    -------
    (X_train, y_train, w_train), (X_val, y_val, w_val)
        ``w_*`` are None when ``w`` is.
    """
    if len(y) < 2:
        raise ValueError(f"early_stopping needs at least 2 samples to hold some out for "
                         f"validation, got {len(y)}")
    arrays = [X, y] if w is None else [X, y, w]
    try:
        parts = train_test_split(*arrays, test_size=fraction, random_state=seed,
                                 stratify=y if labels is None else np.asarray(labels)[y])
    except ValueError as err:
        raise ValueError(f"early_stopping cannot hold out a stratified "
                         f"validation_fraction={fraction} of {len(y)} samples: {err}") from None
    train, val = parts[0::2], parts[1::2]
    if w is None:
        train, val = [*train, None], [*val, None]
    return tuple(train), tuple(val)


def row_hashes(X, y, key: int) -> np.ndarray:
    """A number in [0, 1) for each row of ``X`` with its label ``y``, the same
    whenever the same row and label come back (BLAKE2b keyed by ``key``).

    A sparse row is hashed by its non-zero entries (columns and values, in
    column order), so the same row in the same dtype hashes the same however it
    is stored; a dense row by all its values.
    """
    y = np.ascontiguousarray(y, dtype=np.int64)
    salt = int(key).to_bytes(8, "little", signed=False)
    out = np.empty(len(y))
    for i, row in enumerate(_row_bytes(X)):
        digest = hashlib.blake2b(row + y[i].tobytes(), key=salt, digest_size=8)
        out[i] = int.from_bytes(digest.digest(), "little") / 2.0**64
    return out


def _row_bytes(X):
    if not issparse(X):
        X = np.ascontiguousarray(X)
        return (X[i].tobytes() for i in range(len(X)))
    X = X.tocsr(copy=True)
    X.sum_duplicates()  # sorted columns, each once
    X.eliminate_zeros()
    ends = X.indptr
    indices = X.indices.astype(np.int64, copy=False)
    return (indices[a:b].tobytes() + X.data[a:b].tobytes() for a, b in zip(ends, ends[1:]))


def split_by_hash(X, y, w, fraction, key):
    """Hold out the rows whose ``row_hashes`` fall below ``fraction``, as
    ``partial_fit`` does: about that share of every batch, always the same rows.

    Returns
    -------
    (X_train, y_train, w_train), (X_val, y_val, w_val)
        Either part may be empty.
    """
    held = row_hashes(X, y, key) < fraction
    keep = ~held

    def part(rows):
        return X[rows], y[rows], None if w is None else w[rows]

    return part(keep), part(held)


class PartialFitStopping(EarlyStopping):
    """Early stopping across ``partial_fit`` calls, one epoch each.

    ``EarlyStopping`` puts the best parameters back at the end of every
    ``Trainer.fit``; across ``partial_fit`` calls that would undo every epoch
    that did not beat the best, so this one restores them only once patience
    has run out (training has then stopped for good); until then the estimator
    predicts with ``best_parameters`` while training goes on from the latest.
    A call with no held-out sample has no score: it neither improves nor
    counts against patience.
    """

    @property
    def exhausted(self) -> bool:
        return self.wait >= self.patience

    def on_epoch_end(self, trainer):
        if not math.isnan(trainer.history.last(self.monitor)):
            super().on_epoch_end(trainer)

    def on_train_end(self, trainer):
        if self.exhausted:
            super().on_train_end(trainer)
