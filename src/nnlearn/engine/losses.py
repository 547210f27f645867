"""Soft-max outputs and the negative log likelihood loss, eq. (7).

With logits ``z_i = f_L(x_i)`` and one-hot labels ``y_i``, the lecture shows

    L = - sum_i y_i^T log p_i = - sum_i z_i^T y_i + sum_i log sum_j exp(z_i(j)),

so the loss needs ``log_softmax(z) = z - logsumexp(z)`` and never ``log(p)`` of
a rounded probability. Subtracting ``max_j z(j)`` inside the log-sum-exp keeps
every exponent <= 0: exact and finite for logits of any size, with no clipping.
"""

from __future__ import annotations

import numpy as np

from .reductions import row_max, row_sums


def logsumexp(z, axis=-1):
    """``log sum_j exp(z_j)`` along ``axis``, computed without overflow.

    ``max_j z_j`` is taken out first, so every exponent is at most 0.

    Parameters
    ----------
    z : ndarray
        Logits, e.g. of shape (m, k).
    axis : int

    Returns
    -------
    ndarray
        The shape of ``z`` without ``axis``, e.g. (m,).
    """
    z_max = np.max(z, axis=axis, keepdims=True)
    out = np.log(np.sum(np.exp(z - z_max), axis=axis, keepdims=True)) + z_max
    return np.squeeze(out, axis=axis)


def log_softmax(z):
    """``log p_i = z_i - logsumexp(z_i)``, the log of the soft-max (eq. 7), exactly.

    Parameters
    ----------
    z : ndarray of shape (m, k)
        Logits, one row per sample.

    Returns
    -------
    ndarray of shape (m, k)
    """
    return z - logsumexp(z, axis=-1)[..., None]


def softmax(z):
    """Soft-max ``p(j) = e^{z(j)} / sum_q e^{z(q)}`` of each row of ``z``.

    Parameters
    ----------
    z : ndarray of shape (m, k)
        Logits, one row per sample.

    Returns
    -------
    ndarray of shape (m, k)
        Probabilities; each row sums to 1.
    """
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def nll(z, y, *, reduction="mean", sample_weight=None):
    """Negative log likelihood of eq. (7) and its gradient with respect to ``z``.

    Parameters
    ----------
    z : ndarray of shape (m, k)
        Logits ``f_L(x_i)``, one row per sample.
    y : ndarray of int, shape (m,)
        Class indices in ``0 .. k-1`` (the position of the 1 in the one-hot ``y_i``).
    reduction : {"mean", "sum"}
        ``"sum"`` is eq. (7) as written; ``"mean"`` divides by the total weight,
        which makes the learning rate independent of the batch size.
    sample_weight : ndarray of shape (m,), optional
        Non-negative weight of each term of the sum.

    Returns
    -------
    loss : float
    dL_dz : ndarray of shape (m, k)
        ``w_i (p_i - y_i)`` (divided by the total weight for ``"mean"``).
    """
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    m = z.shape[0]
    rows = np.arange(m)
    # log-sum-exp once, shared by the loss and its gradient, in few whole-array
    # operations (this runs at every training step; see ``reductions``).
    dL_dz = z - row_max(z)[:, None]  # every exponent <= 0
    picked = dL_dz[rows, y]  # z_i(y_i) - max_j z_i(j)
    np.exp(dL_dz, out=dL_dz)
    sums = row_sums(dL_dz)
    dL_dz /= sums[:, None]  # p_i
    terms = np.log(sums) - picked  # -y_i^T log p_i = logsumexp(z_i) - z_i(y_i)
    dL_dz[rows, y] -= 1  # p_i - y_i
    if sample_weight is None:
        total = float(np.sum(terms, dtype=np.float64))
        scale = 1.0 / m if reduction == "mean" else 1.0
    else:
        w = np.asarray(sample_weight, dtype=z.dtype)
        total = float(np.dot(terms.astype(np.float64), w))
        dL_dz *= w[:, None]
        total_weight = float(np.sum(w, dtype=np.float64))
        # A batch whose weights are all zero contributes nothing (not a division by zero).
        scale = (1.0 / total_weight if total_weight > 0 else 0.0) if reduction == "mean" else 1.0
    if scale != 1.0:
        dL_dz *= z.dtype.type(scale)
    return total * scale, dL_dz


def evaluate_logits(z, y, sample_weight=None) -> tuple[float, float]:
    """Mean loss of eq. (7) and (weighted) accuracy of logits ``z`` against labels ``y``.

    Parameters
    ----------
    z : ndarray of shape (m, k)
        Logits.
    y : ndarray of int, shape (m,)
        Class indices.
    sample_weight : ndarray of shape (m,), optional

    Returns
    -------
    loss : float
    accuracy : float
    """
    loss, _ = nll(z, y, sample_weight=sample_weight)
    correct = np.argmax(z, axis=1) == y
    accuracy = float(np.average(correct, weights=sample_weight))
    return loss, accuracy
