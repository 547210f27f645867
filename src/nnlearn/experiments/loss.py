"""Eq. (7) checked: soft-max, the negative log likelihood and log-sum-exp; mean against sum.

The lecture turns the loss ``L = - sum_i y_i^T log p_i`` of eq. (7) into
``- sum_i f_L(x_i)^T y_i + sum_i log sum_j exp(f_L(x_i)^T e_j)``. Computed as
written, ``p_i = e^{z_i} / sum_j e^{z_i(j)}`` overflows: ``e^{1000}`` is
infinite in float64, so logits of +-1000 give ``inf / inf = nan``, and
``e^{-1000}`` is 0, so a row of -1000 gives ``0 / 0``. The identity's
log-sum-exp, with the row's largest logit subtracted first
(``nnlearn.engine.losses``), keeps every exponent at or below 0 and gives the
exact answer: ``log p = z - max z - log sum exp(z - max z)``.

The mean against the sum: eq. (2) sums the loss over the ``m`` training
points; nnlearn's trainer minimises the mean. The gradient of the sum is ``m``
times the gradient of the mean, so gradient descent at rate ``alpha`` on the
sum takes the same steps as rate ``m * alpha`` on the mean. Checked here on a
small network, step for step, in float64.
"""

from __future__ import annotations

import time

import numpy as np

from ..engine.losses import log_softmax, nll
from ..spec import NetworkSpec
from .base import Record, Scope
from .verdicts import check

NAME = "loss"
TITLE = "Eq. (7): soft-max, log-sum-exp, and the mean against the sum"
NEEDS_DATA = False
NEEDS: tuple = ()
LOGITS = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]])
EXACT_LOG_P = np.array([[0.0, -2000.0, -1000.0], [-np.log(3)] * 3])
STEPS, M, RATE = 10, 50, 0.5
#: Eq. (7) and the lecture's identity, as the section quotes them (TeX: nnlearn.report.maths).
EQ7 = (r"$\mathcal{L}(f_L) = -\sum_{i=1}^m y_i^T \log(p_i)$ (7) $= -\sum_{i=1}^m f_L(x_i)^T "
       r"y_i + \sum_{i=1}^m \log \left(\sum_{j=1}^k e^{f_L(x_i)^T e_j}\right)$; the loss of "
       r"eq. (2) is a sum over the $m$ training points.")
PARAGRAPH = ("The mean against the sum. The lecture's eq. (2) sums the loss over the m "
             "training points and trains by gradient descent on that sum. nnlearn's trainer "
             "minimises the mean over each batch instead. The gradient of the sum is m times "
             "the gradient of the mean, so a learning rate lr on the mean is the rate lr / m on "
             "the lecture's sum; the rings' full-batch rate 0.01 on the mean over 1000 points "
             "is 1e-5 on the sum, and SGD's 0.1 on the mean of a batch of 128 is about 7.8e-4 "
             "on that batch's sum. With the mean, one rate suits every batch size and data set "
             "size. The check below takes gradient-descent steps both ways and finds the same "
             "weights.")


def naive_softmax(z):
    """``e^z / sum e^z`` exactly as written, with no shift: what overflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def _descend(reduction: str, lr: float, X, y) -> dict:
    net = NetworkSpec(X.shape[1], 3, hidden=(5,), activation="tanh", dtype="float64").build(0)
    for _ in range(STEPS):
        net.loss_and_gradients(X, y, reduction=reduction, train=False)
        for name, p in net.parameters().items():
            p -= lr * net.gradients()[name]
    return {k: v.copy() for k, v in net.parameters().items()}


def recipe(scope: Scope) -> dict:
    return {"logits": LOGITS.tolist(), "dtype": "float64",
            "mean_against_sum": f"mlp(4, [5], 3), tanh, {M} random points, {STEPS} steps of "
                                f"gradient descent: rate {RATE} on the mean, {RATE}/{M} on "
                                "the sum"}


def run(scope: Scope, runner=None) -> Record:
    t0 = time.perf_counter()
    naive = naive_softmax(LOGITS)
    stable = log_softmax(LOGITS)
    loss, _ = nll(LOGITS, np.array([1, 0]), reduction="sum")
    rng = np.random.default_rng(0)
    Z = rng.normal(scale=3, size=(20, 5))
    y = rng.integers(0, 5, size=20)
    written = -np.sum(np.log(naive_softmax(Z))[np.arange(20), y])  # eq. (7) as written
    identity, _ = nll(Z, y, reduction="sum")  # the lecture's identity, via log-sum-exp
    X = rng.normal(size=(M, 4))
    yb = rng.integers(0, 3, size=M)
    mean_run, sum_run = _descend("mean", RATE, X, yb), _descend("sum", RATE / M, X, yb)
    step_gap = max(float(np.max(np.abs(mean_run[k] - sum_run[k]))) for k in mean_run)
    results = {"naive_softmax": [[None if not np.isfinite(v) else float(v) for v in row]
                                 for row in naive],
               "log_softmax": stable.tolist(), "exact_log_softmax": EXACT_LOG_P.tolist(),
               "nll_sum_at_1000": float(loss), "exact_nll_sum_at_1000": 2000 + np.log(3),
               "eq7_as_written": float(written), "eq7_by_identity": float(identity),
               "mean_against_sum_largest_weight_difference": step_gap}
    lse_error = float(np.max(np.abs(stable - EXACT_LOG_P)))
    checks = [
        check("eq7_naive_softmax_overflows",
              what=r"soft-max as written, $e^{z_c} / \sum_j e^{z_j}$, at logits of $\pm 1000$ "
                   "(float64): non-finite entries", value=int((~np.isfinite(naive)).sum()),
              limit="> 0", passed=bool((~np.isfinite(naive)).any())),
        check("eq7_log_sum_exp_exact", what=r"$\log p$ by log-sum-exp at logits of $\pm 1000$: "
              "largest error against the exact values", value=lse_error, limit="<= 1e-12",
              passed=lse_error <= 1e-12),
        check("eq7_loss_at_1000", what="the loss of eq. (7) at those logits: error against "
              r"$2000 + \log 3$", value=abs(float(loss) - (2000 + np.log(3))), limit="<= 1e-9",
              passed=abs(float(loss) - (2000 + np.log(3))) <= 1e-9),
        check("eq7_identity", what="eq. (7) as written against the lecture's identity "
              "(log-sum-exp) at moderate logits: relative difference",
              value=abs(written - identity) / abs(identity), limit="<= 1e-12",
              passed=abs(written - identity) / abs(identity) <= 1e-12),
        check("mean_against_sum", what=f"{STEPS} gradient-descent steps, rate {RATE} on the "
              f"mean against ${RATE}/{M}$ on the sum: largest weight difference",
              value=step_gap, limit="<= 1e-12", passed=step_gap <= 1e-12)]
    return Record(NAME, TITLE, EQ7, recipe(scope), results, {}, [], checks,
                  notes=[PARAGRAPH], seconds=time.perf_counter() - t0)


def draw(record: Record) -> dict:
    return {}
