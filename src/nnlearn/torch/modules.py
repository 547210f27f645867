"""The PyTorch twin of the engine's layers: the same mathematics, autograd for the gradients.

Each module is its parameters plus ``forward``, as in ``torch/nn/modules/linear.py``.
Parameter names and shapes are exactly those of ``nnlearn.engine``:
``TorchNetwork.state_dict()`` has the keys of ``Network.parameters()``
(``layers.{k}.W``, ``layers.{k}.b``, ``layers.{k}.W1``, ``layers.{k}.W2``), so
weights move between the two by name, without reshaping or transposing.

Batches are rows, as in the engine: a batch of ``m`` inputs is an ``(m, n_{k-1})``
tensor ``F`` and eq. (3) ``z_k = W_k f_{k-1} + b_k`` reads ``Z = F W_k^T + b_k``,
which is ``torch.nn.functional.linear(F, W_k, b_k)``.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..engine.activations import LEAKY_SLOPE
from ..engine.activations import get_activation as engine_activation
from ..engine.init import default_init
from ..engine.network import check_widths
from .features import Features


# -- activations sigma: the engine's table, in torch -------------------------------------------

def identity(z):
    return z


def leaky_relu(z):
    return F.leaky_relu(z, LEAKY_SLOPE)


def softplus(z):
    # The engine's exact form max(z, 0) + log1p(e^{-|z|}). F.softplus switches to
    # the identity above a threshold (20), which is off by up to 2e-9: too much for
    # a float64 parity test.
    return torch.clamp_min(z, 0) + torch.log1p(torch.exp(-torch.abs(z)))


#: name -> sigma, the same names as ``nnlearn.engine.activations.ACTIVATIONS``.
#: Autograd supplies sigma', so D_k = diag(sigma'(z_k)) of Theorem 1 is implicit.
ACTIVATIONS = {
    "identity": identity,
    "relu": F.relu,
    "leaky_relu": leaky_relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softplus": softplus,
}


def get_activation(name: str):
    """Return ``sigma`` for an activation name, or raise a ``ValueError`` naming it."""
    engine_activation(name)  # the same names as the engine: its check, its message
    return ACTIVATIONS[name]


# -- initialisers: the engine's laws (nnlearn.engine.init), drawn by torch ----------------------
# For W of shape (n_out, n_in) torch's fan_in is n_in and fan_out is n_out, so
# kaiming (a=0, relu gain sqrt 2) is He with Var W = 2 / n_in and xavier is Glorot
# with Var W = 2 / (n_in + n_out), as in the engine.

INITIALISERS = {
    "he_normal": lambda W: nn.init.kaiming_normal_(W, nonlinearity="relu"),
    "he_uniform": lambda W: nn.init.kaiming_uniform_(W, nonlinearity="relu"),
    "glorot_normal": nn.init.xavier_normal_,
    "glorot_uniform": nn.init.xavier_uniform_,
}


def _weight(shape, init, dtype, device, draw):
    W = torch.empty(shape, dtype=dtype, device=device)
    if draw:
        if init not in INITIALISERS:
            raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(INITIALISERS)}")
        with torch.no_grad():
            INITIALISERS[init](W)
    return nn.Parameter(W)


def torch_dtype(dtype) -> torch.dtype:
    """The torch dtype of a NumPy floating dtype (``float32`` -> ``torch.float32``)."""
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"networks hold floating-point weights, got dtype {dtype}")
    return torch.from_numpy(np.empty(0, dtype=dtype)).dtype


# -- layers ------------------------------------------------------------------------------------

class Dense(nn.Module):
    r"""Fully connected layer ``f_k = sigma_k(W_k f_{k-1} + b_k)``, eqs. (1) and (3).

    With the batch as rows: ``Z = F W^T + b`` and ``out = sigma(Z)``.

    Parameters
    ----------
    n_in, n_out : int
        ``n_{k-1}`` and ``n_k``.
    activation : str
        Name of ``sigma_k`` in ``ACTIVATIONS``; ``"identity"`` for the output layer.
    init : str, optional
        Law of the initial ``W`` (He for rectifiers, Glorot otherwise, as in the
        engine); ``b`` starts at 0.
    dtype : torch.dtype
    device : torch.device or str, optional
    draw : bool
        False leaves the parameters uninitialised (``to_torch`` overwrites them).

    Attributes
    ----------
    W : Parameter of shape (n_out, n_in)
        ``W_k`` exactly as in eq. (1), not transposed.
    b : Parameter of shape (n_out,)

    Shape
    -----
    Input ``(m, n_in)``, output ``(m, n_out)``.
    """

    def __init__(self, n_in, n_out, activation="relu", *, init=None, dtype=torch.float32,
                 device=None, draw=True):
        super().__init__()
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.activation = activation
        self.sigma = get_activation(activation)
        self.init = init or default_init(activation)
        self.W = _weight((self.n_out, self.n_in), self.init, dtype, device, draw)
        self.b = nn.Parameter(torch.zeros(self.n_out, dtype=dtype, device=device))

    def forward(self, f_prev):
        """``f_k`` (m, n_out) of eq. (1) from ``f_{k-1}`` (m, n_in)."""
        return self.sigma(F.linear(f_prev, self.W, self.b))  # eq. (1) with eq. (3) inside

    def entry(self) -> dict:
        """The engine's ``Dense.entry()`` of this layer."""
        return {"type": "dense", "n_in": self.n_in, "n_out": self.n_out,
                "activation": self.activation, "init": self.init}

    def extra_repr(self):
        return f"{self.n_in} -> {self.n_out}, {self.activation}"


class Residual(nn.Module):
    r"""Residual block ``f_k = f_{k-1} + W_{k,1} sigma_k(W_{k,2} f_{k-1} + b_k)``, eq. (6).

    The block keeps the width ``n`` and has an inner width ``h``. Its derivative
    with respect to ``f_{k-1}`` is ``I + W_{k,1} D_k W_{k,2}``: the identity term is
    why gradients do not vanish through a deep stack.

    Parameters
    ----------
    width : int
        ``n``, the width of ``f_{k-1}`` and ``f_k``.
    inner : int, optional
        ``h``, the width of ``z_k`` (default ``width``).
    activation, init, dtype, device, draw
        As for ``Dense``. ``W1`` is drawn Glorot-uniform and scaled by 0.1, as in
        the engine, so that a deep stack starts close to the identity map.

    Attributes
    ----------
    W1 : Parameter of shape (width, inner)
        ``W_{k,1}``.
    W2 : Parameter of shape (inner, width)
        ``W_{k,2}``.
    b : Parameter of shape (inner,)

    Shape
    -----
    Input and output ``(m, width)``.
    """

    def __init__(self, width, inner=None, activation="relu", *, init=None, dtype=torch.float32,
                 device=None, draw=True):
        super().__init__()
        self.n_in = self.n_out = int(width)
        self.inner = int(inner if inner is not None else width)
        self.activation = activation
        self.sigma = get_activation(activation)
        self.init = init or default_init(activation)
        # Registered in the engine's order (W1, W2, b), so state_dict() lists them alike.
        self.W1 = _weight((self.n_out, self.inner), "glorot_uniform", dtype, device, draw)
        self.W2 = _weight((self.inner, self.n_in), self.init, dtype, device, draw)
        self.b = nn.Parameter(torch.zeros(self.inner, dtype=dtype, device=device))
        if draw:
            with torch.no_grad():
                self.W1.mul_(0.1)

    def forward(self, f_prev):
        """``f_k`` of eq. (6) from ``f_{k-1}``, both (m, width)."""
        z = F.linear(f_prev, self.W2, self.b)  # z_k = W_{k,2} f_{k-1} + b_k
        return f_prev + F.linear(self.sigma(z), self.W1)  # eq. (6)

    def entry(self) -> dict:
        """The engine's ``Residual.entry()`` of this layer."""
        return {"type": "residual", "width": self.n_in, "inner": self.inner,
                "activation": self.activation, "init": self.init}

    def extra_repr(self):
        return f"{self.n_in}, inner={self.inner}, {self.activation}"


class Dropout(nn.Module):
    """Inverted dropout, as the engine's: in training each value is kept when a
    uniform draw ``u >= p`` and scaled by ``1 / (1 - p)``, so expectations are
    unchanged; in ``eval()`` mode it is the identity.

    ``generator`` (a ``torch.Generator`` on the layer's device) makes the masks
    reproducible from a seed without touching torch's global random state; None
    draws from the global state. The masks are not the engine's: the two
    backends agree on dropout in law, not draw for draw.

    Parameters
    ----------
    width : int
        The width of input and output, ``(m, width)``.
    p : float
        The probability of zeroing a value, in [0, 1).
    """

    def __init__(self, width, p=0.5) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.n_in = self.n_out = int(width)
        self.p = float(p)
        self.generator: torch.Generator | None = None

    def forward(self, f_prev):
        """``f_prev`` (m, width) with values dropped and the rest scaled, in training."""
        if not self.training or self.p == 0.0:
            return f_prev
        u = torch.rand(f_prev.shape, generator=self.generator, device=f_prev.device,
                       dtype=f_prev.dtype)
        return f_prev * ((u >= self.p).to(f_prev.dtype) / (1.0 - self.p))

    def entry(self) -> dict:
        """The engine's ``Dropout.entry()`` of this layer."""
        return {"type": "dropout", "width": self.n_in, "p": self.p}

    def extra_repr(self):
        return f"p={self.p}"


LAYER_TYPES = {"dense": Dense, "residual": Residual, "dropout": Dropout, "features": Features}
#: what a TorchNetwork holds: the twin of one of the engine's layers
Layer = Dense | Residual | Dropout | Features


def _layer(entry: dict, dtype, device, draw) -> Layer:
    """One layer from its ``entry()``; the entry's keys are the constructor's."""
    entry = dict(entry)
    kind = entry.pop("type")
    if kind not in LAYER_TYPES:
        raise ValueError(f"unknown layer type {kind!r}")
    if kind in ("dropout", "features"):  # no parameters
        return LAYER_TYPES[kind](**entry)
    return LAYER_TYPES[kind](**entry, dtype=dtype, device=device, draw=draw)


class TorchNetwork(nn.Module):
    """A stack of layers mapping inputs ``(m, n_0)`` to logits ``(m, n_L)``: eq. (1).

    The twin of ``nnlearn.engine.Network``, built from its ``layer_list()``. The
    soft-max and the loss of eq. (7) are not part of the module: logits go to
    ``F.cross_entropy`` (log-soft-max and negative log likelihood in one).

    Parameters
    ----------
    spec : dict
        ``Network.layer_list()`` output: ``{"dtype": "float32", "layers": [...]}``.
    device : torch.device or str, optional
    draw : bool
        Draw fresh initial weights (True) or leave them uninitialised for a copy.

    Attributes
    ----------
    layers : nn.ModuleList
        ``layers[k]`` is the engine's ``network.layers[k]``; ``state_dict()``
        keys are ``Network.parameters()`` names.
    dtype : numpy.dtype
        The weights' dtype, as the engine names it.
    metadata : dict
        Free-form, JSON-ready; carried over by ``to_torch`` and ``from_torch``.
    """

    def __init__(self, spec: dict, *, device=None, draw=True):
        super().__init__()
        try:
            self._dtype = np.dtype(spec["dtype"])
            dtype = torch_dtype(self._dtype)
            layers = [_layer(entry, dtype, device, draw) for entry in spec["layers"]]
        except (KeyError, TypeError) as err:
            raise ValueError(f"malformed network description: {err!r}") from None
        check_widths(layers)
        self.layers = nn.ModuleList(layers)
        self.metadata: dict = {}

    @property
    def dtype(self) -> np.dtype:
        """The weights' dtype as NumPy names it; follows ``.double()`` and ``.float()``."""
        p = next(self.parameters(), None)
        return self._dtype if p is None else torch.empty(0, dtype=p.dtype).numpy().dtype

    def _layer_at(self, k: int) -> Layer:
        # A ModuleList hands back any Module; ours holds only what _layer builds.
        layer = self.layers[k]
        if not isinstance(layer, Layer):
            raise TypeError(f"layer {k} of a TorchNetwork is a {type(layer).__name__}, "
                            f"not one of {', '.join(t.__name__ for t in LAYER_TYPES.values())}")
        return layer

    @property
    def n_in(self) -> int:
        """The input width ``n_0``."""
        return self._layer_at(0).n_in

    @property
    def n_out(self) -> int:
        """The output width ``n_L``: the number of classes."""
        return self._layer_at(-1).n_out

    @property
    def device(self) -> torch.device:
        """Where the parameters are."""
        # A network of dropout layers alone has no parameters; it lives nowhere in particular.
        return next((p.device for p in self.parameters()), torch.device("cpu"))

    def forward(self, X):
        """The logits ``f_L`` of eq. (1), with autograd.

        Parameters
        ----------
        X : torch.Tensor or array-like of shape (m, n_0)
            Converted to the weights' dtype, as the engine's ``Network.forward``
            converts its input (float64 data feeds a float32 network); complex
            input is a ``TypeError``.

        Returns
        -------
        torch.Tensor of shape (m, n_L)
        """
        f = X if isinstance(X, torch.Tensor) else torch.as_tensor(np.asarray(X))
        p = self._first_parameter()
        if p is not None and f.dtype != p.dtype:
            if f.is_complex():
                raise TypeError(f"the network takes real inputs, got {f.dtype}")
            f = f.to(p.dtype)
        for layer in self.layers:
            f = layer(f)
        return f

    def _first_parameter(self) -> torch.Tensor | None:
        # What next(self.parameters()) gives, without its walk over every module
        # (about 10 microseconds, at every training step).
        for layer in self.layers:
            for p in layer._parameters.values():
                if p is not None:
                    return p
        return None

    def set_generator(self, generator: torch.Generator | None) -> None:
        """Give every dropout layer ``generator`` (see ``Dropout``).

        Parameters
        ----------
        generator : torch.Generator or None
            On the layers' device; None draws from torch's global state.
        """
        for layer in self.layers:
            if isinstance(layer, Dropout):
                layer.generator = generator

    def layer_list(self) -> dict:
        """The engine's description: ``Network.from_layer_list(module.layer_list())`` is the twin.

        Returns
        -------
        dict
            ``{"dtype": ..., "layers": [...]}``, JSON-ready, as ``Network.layer_list()``.
        """
        return {"dtype": self.dtype.name,
                "layers": [self._layer_at(k).entry() for k in range(len(self.layers))]}
