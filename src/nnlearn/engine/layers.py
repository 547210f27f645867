"""Layers of the lecture's networks, each with a forward and a backward pass.

Arrays are batched over rows: a batch of ``m`` inputs is an ``(m, n_{k-1})``
array ``F`` whose row ``i`` is ``f_{k-1}(x_i)^T``. The lecture's column form
``z_k = W_k f_{k-1} + b_k`` (eq. 3) then reads ``Z = F W_k^T + b_k``, with
``W_k`` of shape ``(n_k, n_{k-1})`` exactly as in eq. (1).

``backward`` receives ``dL/df_k`` (one row per sample), stores the parameter
gradients in ``grads`` (summed over the batch, as the loss of eq. 2 is a sum)
and ``dL/dz_k`` in ``dz``, and returns ``dL/df_{k-1}``.
"""

from __future__ import annotations

import numpy as np

from .activations import get_activation
from .init import default_init, init_weight
from .reductions import column_sums
from .sparse import issparse, times_transpose, weight_gradient


#: what a layer keeps of its last batch for the backward pass (``Layer.forget`` drops it)
CACHES = ("f_prev", "z", "f", "s", "mask", "dz")


class Layer:
    """A layer: parameters ``params``, their gradients ``grads``, forward and backward."""

    params: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    n_in: int
    n_out: int
    dz: np.ndarray | None = None

    def apply(self, f_prev):
        """The layer's output for ``f_prev``, keeping nothing: prediction's pure path.

        Parameters
        ----------
        f_prev : ndarray of shape (m, n_in)
            ``f_{k-1}``, one row per sample.

        Returns
        -------
        ndarray of shape (m, n_out)
            ``f_k``.
        """
        raise NotImplementedError

    def forward(self, f_prev, train=False, rng=None):
        """As ``apply``, keeping what ``backward`` needs (``f_{k-1}``, ``z_k``, ...).

        Parameters
        ----------
        f_prev : ndarray of shape (m, n_in)
            ``f_{k-1}``, one row per sample.
        train : bool
            Training mode (dropout draws masks from ``rng``).
        rng : numpy.random.Generator, optional

        Returns
        -------
        ndarray of shape (m, n_out)
            ``f_k``.
        """
        raise NotImplementedError

    def backward(self, dL_df, need_input_grad=True):
        """The layer's part of Theorem 1, after its ``forward`` on the same batch.

        Parameters
        ----------
        dL_df : ndarray of shape (m, n_out)
            ``dL/df_k``, one row per sample.
        need_input_grad : bool
            False for the first layer, whose input needs no gradient.

        Returns
        -------
        ndarray of shape (m, n_in) or None
            ``dL/df_{k-1}``; for a dense layer ``W_k^T dL/dz_k`` (one row per
            sample), which the layer below multiplies by its ``D_{k-1}`` (eq. 4).

        Notes
        -----
        Stores ``grads`` (each parameter's gradient, summed over the batch, eq. 5)
        and ``dz`` (``dL/dz_k``, shape ``(m, n_k)``).
        """
        raise NotImplementedError

    def entry(self) -> dict:
        """The layer's type and constructor arguments, JSON-ready (``Network.layer_list``)."""
        raise NotImplementedError

    def _zero_grads(self):
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}

    def forget(self) -> None:
        """Drop what ``forward`` and ``backward`` kept of the last batch (its rows, ``z_k``,
        ``f_k``, masks, ``dL/dz_k``) and zero the gradients: a trained layer then holds
        its parameters and nothing of the data it saw."""
        for name in CACHES:
            if name in self.__dict__:
                setattr(self, name, None)
        for g in self.grads.values():
            g[...] = 0

    def __getstate__(self):
        # A pickle holds the parameters only: never rows of the training data
        # (the forward caches) nor the last gradients, made again on loading.
        return {k: v for k, v in self.__dict__.items() if k not in CACHES and k != "grads"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._zero_grads()


class Dense(Layer):
    """Fully connected layer ``f_k = sigma_k(W_k f_{k-1} + b_k)``, eqs. (1) and (3).

    Parameters
    ----------
    n_in, n_out : int
        ``n_{k-1}`` and ``n_k``; ``W`` has shape ``(n_out, n_in)``, ``b`` shape ``(n_out,)``.
    activation : str
        Name of ``sigma_k`` in ``ACTIVATIONS``; ``"identity"`` for the output layer.
    init : str, optional
        Initialiser of ``W`` (biases start at 0); by default He for rectifiers,
        Glorot otherwise.
    rng : numpy.random.Generator
        Source of the initial weights.
    """

    def __init__(self, n_in, n_out, activation="relu", *, init=None, rng=None, dtype=np.float32):
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.activation = activation
        self.sigma, self.sigma_prime = get_activation(activation)
        self.init = init or default_init(activation)
        rng = rng if rng is not None else np.random.default_rng(0)
        self.params = {
            "W": init_weight(self.init, (self.n_out, self.n_in), rng, dtype),
            "b": np.zeros(self.n_out, dtype=dtype),
        }
        self._zero_grads()

    @property
    def W(self):
        return self.params["W"]

    @property
    def b(self):
        return self.params["b"]

    def _sigma(self, z):
        return z if self.activation == "identity" else self.sigma(z)

    def _linear(self, f_prev):
        if issparse(f_prev):  # a sparse input batch (first layer only): engine/sparse.py
            return times_transpose(f_prev, self.W)
        return f_prev @ self.W.T  # W.T is a view: BLAS reads W transposed, nothing is copied

    def apply(self, f_prev):
        z = self._linear(f_prev)
        z += self.b
        return self._sigma(z)

    def forward(self, f_prev, train=False, rng=None):
        z = self._linear(f_prev)  # eq. (3), one row per sample
        z += self.b  # in place: one array fewer per step
        f = self._sigma(z)
        self.f_prev, self.z, self.f = f_prev, z, f
        return f

    def backward(self, dL_df, need_input_grad=True):
        # dL/dz_k = D_k dL/df_k with D_k = diag(sigma_k'(z_k)): a row-wise product.
        if self.activation == "identity":
            dL_dz = dL_df
        else:
            dL_dz = self.sigma_prime(self.z, self.f) * dL_df
        self.dz = dL_dz
        # eq. (5): dL/dW_k = dL/dz_k f_{k-1}^T and dL/db_k = dL/dz_k, summed over samples.
        if issparse(self.f_prev):  # the input itself, sparse: dL/dX is never needed
            weight_gradient(dL_dz, self.f_prev, out=self.grads["W"])
        else:
            np.matmul(dL_dz.T, self.f_prev, out=self.grads["W"])
        column_sums(dL_dz, out=self.grads["b"])
        # W_k^T dL/dz_k; the layer below multiplies by its D_{k-1}, completing eq. (4).
        return dL_dz @ self.W if need_input_grad else None

    def entry(self):
        return {"type": "dense", "n_in": self.n_in, "n_out": self.n_out,
                "activation": self.activation, "init": self.init}

    def __repr__(self):
        return f"Dense({self.n_in} -> {self.n_out}, {self.activation})"


class Residual(Layer):
    """Residual block ``f_k = f_{k-1} + W_{k,1} sigma_k(W_{k,2} f_{k-1} + b_k)``, eq. (6).

    The block keeps the width ``n`` (``f_k`` and ``f_{k-1}`` are both in R^n) and
    has an inner width ``h``: ``W2`` (the lecture's ``W_{k,2}``) has shape
    ``(h, n)``, ``b`` shape ``(h,)`` and ``W1`` (``W_{k,1}``) shape ``(n, h)``.
    Here ``z_k = W_{k,2} f_{k-1} + b_k`` is the inner pre-activation, and ``dz``
    after a backward pass holds ``dL/dz_k``.

    ``W1`` starts small (a tenth of its usual scale) so that a deep stack starts
    close to the identity map, which is the point of eq. (6).

    Parameters
    ----------
    width : int
        ``n``, the width of ``f_{k-1}`` and ``f_k``.
    inner : int, optional
        ``h``, the rows of ``W_{k,2}``; ``width`` by default.
    activation : str
        ``sigma_k``, a name of ``ACTIVATIONS``.
    init : str, optional
        The initialiser of ``W2``; He for rectifiers, Glorot otherwise.
    rng : numpy.random.Generator, optional
        Draws the weights (a fixed seed when not given).
    dtype : {float32, float64}
    """

    def __init__(self, width, inner=None, activation="relu", *, init=None, rng=None,
                 dtype=np.float32):
        self.n_in = self.n_out = int(width)
        self.inner = int(inner if inner is not None else width)
        self.activation = activation
        self.sigma, self.sigma_prime = get_activation(activation)
        self.init = init or default_init(activation)
        rng = rng if rng is not None else np.random.default_rng(0)
        W2 = init_weight(self.init, (self.inner, self.n_in), rng, dtype)
        W1 = init_weight("glorot_uniform", (self.n_out, self.inner), rng, dtype)
        W1 *= 0.1
        self.params = {"W1": W1, "W2": W2, "b": np.zeros(self.inner, dtype=dtype)}
        self._zero_grads()

    def apply(self, f_prev):
        p = self.params
        return f_prev + self.sigma(f_prev @ p["W2"].T + p["b"]) @ p["W1"].T  # eq. (6)

    def forward(self, f_prev, train=False, rng=None):
        p = self.params
        z = f_prev @ p["W2"].T + p["b"]
        s = self.sigma(z)
        self.f_prev, self.z, self.s = f_prev, z, s
        return f_prev + s @ p["W1"].T  # eq. (6)

    def backward(self, dL_df, need_input_grad=True):
        p, g = self.params, self.grads
        np.matmul(dL_df.T, self.s, out=g["W1"])
        # Chain rule through the inner layer: dL/dz_k = D_k W_{k,1}^T dL/df_k.
        dL_dz = self.sigma_prime(self.z, self.s) * (dL_df @ p["W1"])
        self.dz = dL_dz
        np.matmul(dL_dz.T, self.f_prev, out=g["W2"])
        column_sums(dL_dz, out=g["b"])
        if not need_input_grad:
            return None
        # The skip connection passes dL/df_k through unchanged: no vanishing product.
        return dL_df + dL_dz @ p["W2"]

    def entry(self):
        return {"type": "residual", "width": self.n_in, "inner": self.inner,
                "activation": self.activation, "init": self.init}

    def __repr__(self):
        return f"Residual({self.n_in}, inner={self.inner}, {self.activation})"


class Dropout(Layer):
    """Inverted dropout: in training, zero each value with probability ``p`` and
    scale the survivors by ``1 / (1 - p)`` so that expectations are unchanged;
    at prediction time it is the identity.

    Parameters
    ----------
    width : int
        The width of the layer below, which dropout keeps.
    p : float in [0, 1)
        The probability of zeroing each value in training.
    """

    def __init__(self, width, p=0.5):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.n_in = self.n_out = int(width)
        self.p = float(p)
        self.params, self.grads = {}, {}
        self.mask = None

    def apply(self, f_prev):
        return f_prev

    def forward(self, f_prev, train=False, rng=None):
        if not train or self.p == 0.0:
            self.mask = None
            return f_prev
        if rng is None:
            raise ValueError("Dropout needs a random generator in training mode")
        keep = rng.random(f_prev.shape, dtype=np.float64) >= self.p
        self.mask = keep.astype(f_prev.dtype) / f_prev.dtype.type(1.0 - self.p)
        return f_prev * self.mask

    def backward(self, dL_df, need_input_grad=True):
        self.dz = dL_df if self.mask is None else dL_df * self.mask
        return self.dz

    def entry(self):
        return {"type": "dropout", "width": self.n_in, "p": self.p}

    def __repr__(self):
        return f"Dropout(p={self.p})"
