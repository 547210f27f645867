"""The fitted attributes in scikit-learn's layout: read-only, views where possible.

``MLPClassifier`` users read ``coefs_[i]`` as the ``(n_in, n_out)`` matrix of
layer ``i`` and ``intercepts_[i]`` as its bias. nnlearn stores ``W_k`` as the
lecture writes it, ``(n_k, n_{k-1})`` (eq. 1), so ``coefs_[i]`` is ``W_k^T``:
a transposed view of the network's own array, made read-only so that it cannot
be written around the optimiser. Every property is computed from the public
fitted attributes (``network_``, ``loss_curve_``) when asked, so it is never out
of date, and none exists before ``fit`` (``hasattr`` is False, as for
scikit-learn's attributes). The attributes of the stopping rule (``best_loss_``,
``validation_scores_``, ...) are set by ``fit`` itself (``fitting.FitMixin._record``):
this mixin reads no private state of another.
"""

from __future__ import annotations

import numpy as np

from ..engine.layers import Dense, Residual
from ..engine.network import Network


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
