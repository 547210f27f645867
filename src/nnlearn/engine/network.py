"""The network ``f_0 -> f_1 -> ... -> f_L`` of eq. (1), its forward pass and
back propagation as Theorem 1 states it."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .features import Features
from .layers import Dense, Dropout, Layer, Residual
from .losses import log_softmax, nll, softmax
from .sparse import as_csr, issparse
from .threads import blas_threads_for, predict_flops

LAYER_TYPES = {"dense": Dense, "residual": Residual, "dropout": Dropout, "features": Features}
#: layers built from their spec alone (no generator, no dtype: they have no parameters)
NO_PARAMETERS = (Dropout, Features)
PREDICT_CHUNK = 8192  # rows per pass when predicting: bounds the memory of big inputs
# Each parameter starts on a 64-byte boundary of the flat buffer (16 float32s), a
# cache line of its own: no two arrays share one.
_ALIGN_BYTES = 64


class Slot(NamedTuple):
    """Where one parameter lives in the flat buffers: ``P[offset:offset + size]``,
    viewed as ``shape`` (its gradient at the same place in ``G``)."""

    offset: int
    size: int
    shape: tuple[int, ...]


@dataclass(frozen=True)
class FlatLayout:
    """The flat buffers of a network: every parameter a view into ``params``
    (``P``), every gradient the view at the same place in ``grads`` (``G``),
    with zero padding between them; ``slots`` says where, by parameter name."""

    params: np.ndarray
    grads: np.ndarray
    slots: Mapping[str, Slot]


def check_widths(layers) -> None:
    """Each layer must take as many inputs as the layer below gives (``n_{k-1}``)."""
    if not layers:
        raise ValueError("a network needs at least one layer")
    if any(isinstance(layer, Features) for layer in layers[1:]):
        raise ValueError("input features (Features) can only be a network's first layer")
    for below, above in zip(layers, layers[1:]):
        if below.n_out != above.n_in:
            raise ValueError(f"layer {above!r} takes {above.n_in} inputs but "
                             f"{below!r} gives {below.n_out}")


class Network:
    """A stack of layers mapping inputs ``(m, n_0)`` to logits ``(m, n_L)``.

    Parameters are named ``layers.{k}.{name}`` (``layers.0.W``, ``layers.0.b``,
    ``layers.1.W1``, ...): the PyTorch twin uses the same names and shapes.

    After ``backward``, ``dz[k]`` holds ``dL/dz`` of layer ``k`` (one row per
    sample) and ``grad_norms()`` its norm, the quantity behind the lecture's
    vanishing and exploding gradients.

    Parameters
    ----------
    layers : sequence of Layer
        ``f_1 = layer_1(f_0), ..., f_L = layer_L(f_{L-1})``, eq. (1); each takes
        as many inputs as the one below gives (else ``ValueError``).
    dtype : {float32, float64}
        The parameters' type; inputs are converted to it.

    Attributes
    ----------
    metadata : dict
        Free-form, JSON-ready; saved with the model (class labels, the
        network's description under ``"spec"``, ...).
    """

    def __init__(self, layers: Sequence[Layer], dtype=np.float32):
        self.layers = list(layers)
        self.dtype = np.dtype(dtype)
        self.metadata: dict = {}  # free-form, JSON-ready; saved with the model (class labels, ...)
        check_widths(self.layers)
        self._layout: FlatLayout | None = None
        self._packed: list[tuple[int, str, np.ndarray, np.ndarray]] = []
        self._pack()

    def _pack(self) -> None:
        """Put all parameters in one flat array and all gradients in another, each
        layer's arrays becoming views into them (values unchanged).

        Why: an optimiser step is then a dozen operations on two long arrays
        (``flat_layout``) instead of a dozen per parameter array, which on the
        lecture's small networks costs more in calls than in arithmetic.
        """
        self._layout, self._packed = None, []
        arrays = [p for layer in self.layers for p in layer.params.values()]
        if not arrays or len({p.dtype for p in arrays}) != 1:
            return  # nothing to pack, or mixed dtypes: the optimiser goes array by array
        dtype = arrays[0].dtype
        pad = max(1, _ALIGN_BYTES // dtype.itemsize)
        sizes = [-(-p.size // pad) * pad for p in arrays]
        P = _aligned_zeros(sum(sizes), dtype)
        G = _aligned_zeros(sum(sizes), dtype)
        slots: dict[str, Slot] = {}
        offset = 0
        for k, layer in enumerate(self.layers):
            for name, p in layer.params.items():
                view = P[offset:offset + p.size].reshape(p.shape)
                view[...] = p
                layer.params[name] = view
                layer.grads[name] = G[offset:offset + p.size].reshape(p.shape)
                slots[f"layers.{k}.{name}"] = Slot(offset, p.size, p.shape)
                self._packed.append((k, name, view, layer.grads[name]))
                offset += -(-p.size // pad) * pad
        self._layout = FlatLayout(P, G, slots)

    def __getstate__(self):
        # The flat buffers are not part of a copy: the layers' arrays are (as
        # copies, no longer views), and __setstate__ packs them again.
        state = self.__dict__.copy()
        del state["_layout"], state["_packed"]
        return state

    def __setstate__(self, state):
        # A pickled (or deep-copied) network arrives with each array on its own:
        # pack them again, so that its optimiser steps stay flat.
        self.__dict__.update(state)
        self._pack()

    def forget(self) -> None:
        """Drop every layer's record of the last batch (``Layer.forget``): after training,
        so that a kept or pickled network holds no rows of the training data."""
        for layer in self.layers:
            layer.forget()

    def flat_layout(self) -> FlatLayout | None:
        """The flat buffers ``P``, ``G`` and each parameter's place in them (names
        as ``parameters()``), or None when the layers' arrays are not, or no
        longer, the views made when packing (an array replaced, a layer added)."""
        if self._layout is None:
            return None
        packed = self._packed
        i = 0
        for k, layer in enumerate(self.layers):
            for name, p in layer.params.items():
                if (i == len(packed) or packed[i][:2] != (k, name) or p is not packed[i][2]
                        or layer.grads.get(name) is not packed[i][3]):
                    return None
                i += 1
        return self._layout if i == len(packed) else None

    @property
    def n_in(self) -> int:
        """``n_0``: the width of an input row."""
        return self.layers[0].n_in

    @property
    def n_out(self) -> int:
        """``n_L``: the number of logits, one per class."""
        return self.layers[-1].n_out

    # -- parameters -------------------------------------------------------------
    def parameters(self) -> dict[str, np.ndarray]:
        """Every parameter array by name (the arrays themselves, not copies)."""
        return {f"layers.{k}.{name}": p
                for k, layer in enumerate(self.layers) for name, p in layer.params.items()}

    def gradients(self) -> dict[str, np.ndarray]:
        """The gradient of every parameter, same names and shapes as ``parameters()``."""
        return {f"layers.{k}.{name}": g
                for k, layer in enumerate(self.layers) for name, g in layer.grads.items()}

    def set_parameters(self, values: dict[str, np.ndarray]) -> None:
        """Copy ``values`` into the parameters; names and shapes must match exactly."""
        own = self.parameters()
        if set(values) != set(own):
            missing, extra = sorted(set(own) - set(values)), sorted(set(values) - set(own))
            raise ValueError(f"parameter names do not match: missing {missing}, unexpected {extra}")
        for name, p in own.items():
            v = np.asarray(values[name])
            if v.shape != p.shape:
                raise ValueError(f"{name} has shape {v.shape}, the network expects {p.shape}")
            p[...] = v

    def n_parameters(self) -> int:
        """The number of weights and biases, all ``W_k`` and ``b_k`` entries."""
        return sum(p.size for p in self.parameters().values())

    # -- passes -----------------------------------------------------------------
    def forward(self, X, train=False, rng=None):
        """Logits ``f_L`` for the rows of ``X``: eq. (1), layer after layer.

        Each layer keeps what ``backward`` needs (``f_{k-1}``, ``z_k`` of eq. 3).

        Parameters
        ----------
        X : array-like or SciPy sparse matrix of shape (m, n_0)
            A sparse ``X`` stays sparse (CSR): only the first layer reads it.
        train : bool
            Switches dropout on.
        rng : numpy.random.Generator, optional
            Draws the dropout masks when ``train``.

        Returns
        -------
        ndarray of shape (m, n_L)
        """
        f = self._input(X)
        for layer in self.layers:
            f = layer.forward(f, train=train, rng=rng)
        return f

    def backward(self, dL_dfL):
        """Back propagation, Theorem 1: from ``dL/df_L`` down to every layer.

        Each layer turns ``dL/df_k`` into ``dL/dz_k = D_k dL/df_k``, stores
        ``dL/dW_k = dL/dz_k f_{k-1}^T`` and ``dL/db_k = dL/dz_k`` (eq. 5), and
        returns ``W_k^T dL/dz_k``, which the layer below turns into
        ``dL/dz_{k-1} = D_{k-1} W_k^T dL/dz_k`` (eq. 4). Needs the ``forward``
        pass of the same batch first.

        Parameters
        ----------
        dL_dfL : ndarray of shape (m, n_L)
            ``dL/df_L``, one row per sample (``nll`` gives it for eq. 7). The
            gradients, summed over the rows as eq. (2) sums the loss, are then in
            ``gradients()``, and each layer's ``dL/dz_k`` ``(m, n_k)`` in ``dz``.
        """
        g = dL_dfL
        for k in range(len(self.layers) - 1, -1, -1):
            g = self.layers[k].backward(g, need_input_grad=k > 0)

    def loss_and_gradients(self, X, y, *, reduction="mean", sample_weight=None,
                           train=True, rng=None):
        """Forward pass, the loss of eq. (7), and back propagation (Theorem 1).

        Parameters
        ----------
        X : array-like of shape (m, n_0)
        y : array-like of int of shape (m,)
            Class indices ``0 .. n_L - 1``.
        reduction : {"mean", "sum"}
            ``"sum"`` is eq. (7) summed as eq. (2) writes it; ``"mean"`` divides
            by ``m`` (by the total ``sample_weight``).
        sample_weight : array-like of shape (m,), optional
        train : bool
            Dropout on (drawing from ``rng``).
        rng : numpy.random.Generator, optional

        Returns
        -------
        loss : float
        logits : ndarray of shape (m, n_L)
            ``gradients()`` then holds the gradient of ``loss`` for every parameter.
        """
        z = self.forward(X, train=train, rng=rng)
        loss, dL_dz = nll(z, y, reduction=reduction, sample_weight=sample_weight)
        self.backward(dL_dz)
        return loss, z

    @property
    def dz(self) -> list[np.ndarray | None]:
        """``dL/dz_k`` of every layer from the last backward pass."""
        return [layer.dz for layer in self.layers]

    def grad_norms(self) -> np.ndarray:
        """The size of ``dL/dz_k`` for each weight layer, after a backward pass.

        Theorem 1 unrolled, ``dL/dz_1 = D_1 W_2^T D_2 ... W_L^T dL/dz_L``: these
        norms falling towards layer 1 show vanishing gradients, rising ones
        gradient blow-up.

        Returns the Frobenius norm of ``dL/dz_k`` (all samples of the batch), shape
        ``(L,)``, for ``k = 1 .. L``; dropout layers, without weights, are skipped.
        The squares are summed in float64: those of a float32 gradient of 1e-20
        fall below float32's range.
        """
        return np.array([np.linalg.norm(layer.dz.astype(np.float64, copy=False))
                         for layer in self.layers if layer.params and layer.dz is not None])

    # -- prediction -------------------------------------------------------------
    def predict_logits(self, X):
        """Logits ``f_L`` for the rows of ``X`` (eq. 1), keeping no intermediate values.

        Prediction holds no batch in memory and may run in several threads.
        Large inputs go through in chunks of ``PREDICT_CHUNK`` rows; a chunk of
        a small network runs on one BLAS thread (``threads.blas_threads_for``).

        ``X`` ``(m, n_0)`` gives ``(m, n_L)``; another shape is a ``ValueError``.
        """
        # Sparse: CSR, whose row chunks are slices of its arrays.
        X = as_csr(X, self.dtype) if issparse(X) else np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_in:
            got = f"{X.shape[1]} features" if X.ndim == 2 else f"shape {X.shape}"
            raise ValueError(f"X has {got}, the network expects {self.n_in} "
                             f"(one row of {self.n_in} numbers per sample)")
        if X.shape[0] > PREDICT_CHUNK:
            return np.concatenate([self.predict_logits(X[i:i + PREDICT_CHUNK])
                                   for i in range(0, X.shape[0], PREDICT_CHUNK)])
        f = self._input(X)
        with blas_threads_for(predict_flops(self, f.shape[0])):
            for layer in self.layers:
                f = layer.apply(f)
        return f

    def _input(self, X):
        """``X`` in the network's dtype: a NumPy array, or CSR for sparse input, which
        only a dense first layer can read."""
        if not issparse(X):
            return np.asarray(X, dtype=self.dtype)
        if not isinstance(self.layers[0], Dense):
            raise TypeError(f"sparse input needs a dense first layer, not {self.layers[0]!r}")
        return as_csr(X, self.dtype)

    def predict_proba(self, X):
        """Soft-max probabilities ``p_i(j) = e^{z_i(j)} / sum_q e^{z_i(q)}``, ``(m, n_L)``."""
        return softmax(self.predict_logits(X))

    def predict_log_proba(self, X):
        """``log p_i = z_i - logsumexp(z_i)``, ``(m, n_L)``: exact (eq. 7)."""
        return log_softmax(self.predict_logits(X))

    def predict(self, X):
        """Class index ``(m,)`` of the largest logit of each row, as in the lecture."""
        return np.argmax(self.predict_logits(X), axis=1)

    # -- description ------------------------------------------------------------
    def layer_list(self) -> dict:
        """A JSON-ready description from which ``from_layer_list`` rebuilds the network."""
        return {"dtype": self.dtype.name, "layers": [layer.entry() for layer in self.layers]}

    @classmethod
    def from_layer_list(cls, spec: dict, rng=None) -> Network:
        """Build a network (with fresh weights) from ``layer_list()`` output."""
        try:
            dtype = np.dtype(spec["dtype"])
            layers = []
            for entry in spec["layers"]:
                entry = dict(entry)
                kind = entry.pop("type")
                if kind not in LAYER_TYPES:
                    raise ValueError(f"unknown layer type {kind!r}")
                # A layer's entry() keys are its constructor's arguments.
                if LAYER_TYPES[kind] in NO_PARAMETERS:
                    layers.append(LAYER_TYPES[kind](**entry))
                else:
                    layers.append(LAYER_TYPES[kind](**entry, rng=rng, dtype=dtype))
        except (KeyError, TypeError) as err:
            raise ValueError(f"malformed network description: {err!r}") from None
        return cls(layers, dtype=dtype)

    def copy(self) -> Network:
        """An independent copy: same architecture, weights and metadata."""
        return self.astype(self.dtype)

    def astype(self, dtype) -> Network:
        """A copy whose parameters are of ``dtype`` (e.g. float64 for checking)."""
        net = Network.from_layer_list(dict(self.layer_list(), dtype=np.dtype(dtype).name))
        net.set_parameters(self.parameters())
        net.metadata = copy.deepcopy(self.metadata)
        return net

    def __repr__(self):
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"Network(\n  {inner}\n)"


def _aligned_zeros(n: int, dtype) -> np.ndarray:
    """``np.zeros(n, dtype)`` whose first element sits on an ``_ALIGN_BYTES`` boundary."""
    raw = np.zeros(n * dtype.itemsize + _ALIGN_BYTES, dtype=np.uint8)
    start = -raw.ctypes.data % _ALIGN_BYTES
    return raw[start:start + n * dtype.itemsize].view(dtype)
