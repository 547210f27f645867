"""The fitted attributes in scikit-learn's layout: read-only, views where possible.

``MLPClassifier`` users read ``coefs_[i]`` as the ``(n_in, n_out)`` matrix of
layer ``i`` and ``intercepts_[i]`` as its bias. nnlearn stores ``W_k`` as the
lecture writes it, ``(n_k, n_{k-1})`` (eq. 1), so ``coefs_[i]`` is ``W_k^T``:
a transposed view of the network's own array, made read-only so that it cannot
be written around the optimiser. Every property is computed from ``network_``
and the training history when asked, so it is never out of date, and none
exists before ``fit`` (``hasattr`` is False, as for scikit-learn's attributes).
"""

from __future__ import annotations

import math

import numpy as np

from ..engine.layers import Dense, Residual
from ..engine.network import Network
from ..training.history import History


def _read_only(a: np.ndarray) -> np.ndarray:
    view = a.view()
    view.flags.writeable = False
    return view


def layer_matrices(network) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``(coefs, intercepts)`` of ``network`` in the order of the forward pass.

    A ``Dense`` layer gives ``W^T`` and ``b``. A ``Residual`` block of eq. (6)
    gives two: ``W_{k,2}^T`` with ``b_k``, then ``W_{k,1}^T`` with a zero bias
    (it has none; a read-only array of zeros, not a view). Dropout has no weights.
    """
    coefs, intercepts = [], []
    for layer in network.layers:
        if isinstance(layer, Dense):
            coefs.append(_read_only(layer.params["W"].T))
            intercepts.append(_read_only(layer.params["b"]))
        elif isinstance(layer, Residual):
            W1, W2, b = layer.params["W1"], layer.params["W2"], layer.params["b"]
            coefs += [_read_only(W2.T), _read_only(W1.T)]
            intercepts += [_read_only(b), _read_only(np.zeros(W1.shape[0], dtype=W1.dtype))]
    return coefs, intercepts


def _fitted(estimator, name):
    if "network_" not in vars(estimator):
        raise AttributeError(f"{type(estimator).__name__} has no attribute {name!r} before "
                             "it is fitted")


class FittedAttributes:
    """``MLPClassifier``'s fitted attributes, as read-only properties."""

    # Set by fit (annotations only: nothing exists before it).
    network_: Network
    history_: History
    loss_curve_: list[float]

    @property
    def coefs_(self) -> list[np.ndarray]:
        """``coefs_[i]`` has shape ``(n_in, n_out)``: layer ``i``'s ``W^T`` (a read-only
        view). For a ResNet, see ``layer_matrices``."""
        _fitted(self, "coefs_")
        return layer_matrices(self.network_)[0]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """``intercepts_[i]`` has shape ``(n_out,)``: the bias added after ``coefs_[i]``."""
        _fitted(self, "intercepts_")
        return layer_matrices(self.network_)[1]

    @property
    def n_layers_(self) -> int:
        """Layers counted as scikit-learn does: the input, one per weight matrix."""
        return len(self.coefs_) + 1

    @property
    def n_outputs_(self) -> int:
        """Soft-max outputs: one per class, also for two classes (not one logistic unit)."""
        _fitted(self, "n_outputs_")
        return self.network_.n_out

    @property
    def out_activation_(self) -> str:
        _fitted(self, "out_activation_")
        return "softmax"

    @property
    def loss_(self) -> float | None:
        """The last ``loss_curve_`` entry (None before any epoch)."""
        _fitted(self, "loss_")
        curve = getattr(self, "loss_curve_", [])
        return curve[-1] if curve else None

    @property
    def best_loss_(self) -> float | None:
        """Smallest ``loss_curve_`` entry since the last ``fit`` began; None with early
        stopping (as in ``MLPClassifier``, which then keeps the best validation score)."""
        _fitted(self, "best_loss_")
        if getattr(self, "_validated", False) or "history_" not in vars(self):
            return None
        losses = [v for v in self.loss_curve_[getattr(self, "_run_start", 0):]
                  if not math.isnan(v)]
        return min(losses) if losses else None

    @property
    def validation_scores_(self) -> list[float] | None:
        """Validation accuracy after each epoch (``history_["val_accuracy"]``); None
        without early stopping."""
        _fitted(self, "validation_scores_")
        if not getattr(self, "_validated", False):
            return None
        return self.history_["val_accuracy"].tolist()

    @property
    def validation_loss_curve_(self) -> list[float] | None:
        """Validation loss after each epoch; None without early stopping."""
        _fitted(self, "validation_loss_curve_")
        if not getattr(self, "_validated", False):
            return None
        return self.history_["val_loss"].tolist()

    @property
    def best_validation_score_(self) -> float | None:
        """Validation accuracy of the parameters kept; None without early stopping."""
        _fitted(self, "best_validation_score_")
        return getattr(self, "_best_validation_score", None)
