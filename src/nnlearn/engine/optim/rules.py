"""Gradient descent and its refinements, updating parameter arrays in place.

The rules match ``torch.optim.SGD`` and ``torch.optim.Adam`` step for step (weight
decay added to the gradient, the same momentum buffer and bias corrections), so
that the engine and the PyTorch twin stay in lockstep. A step chooses *which
arrays* (``Optimizer._targets``: a network's flat buffers as one array, or array
by array) and *how* to update one (``Optimizer._update``: NumPy, or numba's fused
pass, the same arithmetic in the same order), each in one place, as
``torch/optim/adam.py`` picks ``_single_tensor_adam`` or ``_fused_adam``.

Every ``FLUSH_EVERY`` steps, between the moments' update and the parameters' (in
the fused kernels too), moments below ``finfo(dtype).tiny`` become 0. Those of a
weight whose gradient is (almost) always zero (a blank MNIST border pixel, a dead
ReLU) decay into the subnormal range, where arithmetic is many times slower; such
a moment changes its parameter by less than ``lr * tiny / eps``: nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np

from .. import fused
from ..network import FlatLayout
from .penalty import penalty

#: Every this many steps, moment estimates below ``finfo(dtype).tiny`` become 0.
FLUSH_EVERY = 16

State = dict[str, np.ndarray]  # one parameter's buffers by name ("m", "v", "tmp")


class Steppable(Protocol):
    """What ``Optimizer.step`` updates: a ``Network``, or ``ParamArrays``."""

    def parameters(self) -> Mapping[str, np.ndarray]: ...

    def gradients(self) -> Mapping[str, np.ndarray]: ...

    def flat_layout(self) -> FlatLayout | None: ...


@dataclass(frozen=True)
class ParamArrays:
    """Parameter arrays and their gradients, by the same names, with no flat
    buffer: ``Optimizer.step`` updates them array by array.

    Parameters
    ----------
    params, grads : mapping of str to ndarray
    """

    params: Mapping[str, np.ndarray]
    grads: Mapping[str, np.ndarray]

    def parameters(self) -> Mapping[str, np.ndarray]:
        return self.params

    def gradients(self) -> Mapping[str, np.ndarray]:
        return self.grads

    def flat_layout(self) -> None:
        return None


def flush_subnormals(*moments: np.ndarray) -> None:
    """Set the entries smaller in magnitude than ``finfo(dtype).tiny`` to 0."""
    for a in moments:
        np.copyto(a, 0, where=np.abs(a) < np.finfo(a.dtype).tiny)


def _kernel_ready(*arrays: np.ndarray) -> bool:
    """Whether numba's kernels can take these arrays (C-contiguous, one float dtype)."""
    dtype = arrays[0].dtype
    return dtype in (np.float32, np.float64) and all(
        a.dtype == dtype and a.flags.c_contiguous for a in arrays)


class Optimizer:
    """Holds per-parameter state; ``step(model, lr)`` updates the parameters in place.

    The penalty added to the loss of eq. (2) is one concept with one rate,
    ``regularization_rate`` (lambda), on every parameter (as ``torch.optim``'s
    ``weight_decay``): ``"l2"`` adds ``lambda / 2 |W|^2`` (gradient ``lambda W``),
    ``"l1"`` adds ``lambda |W|_1`` (subgradient ``lambda sign(W)``). ``weight_decay``
    is torch's name for the L2 rate: ``weight_decay=lam`` is ``regularization="l2",
    regularization_rate=lam`` (``penalty`` resolves the two spellings).

    Parameters
    ----------
    weight_decay : float
        The L2 rate, torch's spelling; 0 when ``regularization`` is given.
    regularization : {"none", "l1", "l2"}
    regularization_rate : float
    """

    #: The state buffers of each parameter (saved by ``state_dict``, flushed).
    _buffers: tuple[str, ...] = ()
    #: Work arrays of each parameter, so that a step allocates nothing: not state.
    _scratch: tuple[str, ...] = ()
    #: This rule's entry in ``fused.kernels()``, or None: NumPy only.
    _kernel: str | None = None
    #: Use numba's fused kernels when they are available (see ``nnlearn.engine.fused``).
    use_kernels = True

    def __init__(self, weight_decay: float = 0.0, *, regularization: str = "none",
                 regularization_rate: float = 0.0) -> None:
        self.set_penalty(*penalty(regularization, regularization_rate, weight_decay))
        self.state: dict[str, State] = {}
        self.t = 0
        # The flat state buffers and the parameter buffer they belong to.
        self._flat: tuple[np.ndarray, State] | None = None

    def set_penalty(self, regularization: str, regularization_rate: float) -> None:
        """Set the penalty that the next ``step`` adds (a change between steps keeps
        every moment buffer: the playground's live regularisation).

        Parameters
        ----------
        regularization : {"none", "l1", "l2"}
        regularization_rate : float
            ``ValueError`` for an unknown kind or a negative rate (``penalty``).
        """
        self.regularization, self.regularization_rate = penalty(regularization,
                                                                regularization_rate)

    @property
    def weight_decay(self) -> float:
        """The L2 rate (torch's ``weight_decay``): the rate under ``"l2"``, else 0."""
        return self.regularization_rate if self.regularization == "l2" else 0.0

    @property
    def l1(self) -> float:
        """The L1 rate: ``regularization_rate`` under ``"l1"``, else 0."""
        return self.regularization_rate if self.regularization == "l1" else 0.0

    def step(self, model: Steppable, lr: float) -> None:
        """One update of every parameter from its gradient (Theorem 1, eq. 5), in place.

        Parameters
        ----------
        model : Network or ParamArrays
        lr : float
        """
        self.t += 1
        flush = self.t % FLUSH_EVERY == 0
        # The fused kernels add the L2 term only; an L1 step takes the NumPy path.
        fusable = self.use_kernels and self._kernel and not self.l1
        kernels = fused.kernels() if fusable else None
        kernel = kernels[self._kernel] if kernels and self._kernel else None
        for p, g, state, first in self._targets(model):
            self._update(p, g, state, lr, first=first, flush=flush, kernel=kernel)

    # -- which arrays -------------------------------------------------------------
    def _targets(self, model: Steppable) -> list[tuple[np.ndarray, np.ndarray, State, bool]]:
        """``(parameter, gradient, state, first)`` for each array the step updates:
        the flat buffers whole when ``model`` has them, else every parameter
        (``first``: its state was just made, all zeros)."""
        layout = model.flat_layout()
        if layout is not None:
            state, first = self._flat_state(layout)
            return [(layout.params, layout.grads, state, first)]
        grads, targets = model.gradients(), []
        for name, p in model.parameters().items():
            first = name not in self.state
            if first:
                self.state[name] = {k: np.zeros_like(p) for k in self._buffers + self._scratch}
            targets.append((p, grads[name], self.state[name], first))
        return targets

    def _flat_state(self, layout: FlatLayout) -> tuple[State, bool]:
        """The state as arrays the length of the flat buffers (made on the first
        flat step, keeping any state there was), with ``self.state[name]`` the
        views at each parameter's slot; and whether this is the first step."""
        P = layout.params
        if self._flat is not None and self._flat[0] is P:
            return self._flat[1], False
        first = not self.state
        buffers = {k: np.zeros_like(P) for k in self._buffers + self._scratch}
        for name, (offset, size, shape) in layout.slots.items():
            views = {k: b[offset:offset + size].reshape(shape) for k, b in buffers.items()}
            for k, old in self.state.get(name, {}).items():
                views[k][...] = old
            self.state[name] = views
        self._flat = (P, buffers)
        return buffers, first

    # -- how an array is updated --------------------------------------------------
    def _update(self, p: np.ndarray, g: np.ndarray, s: State, lr: float, *, first: bool,
                flush: bool, kernel: Callable | None) -> None:
        """Update ``p`` from its gradient ``g`` (weight decay not yet added) with
        the state ``s``: numba's fused pass where it can take the arrays, else
        NumPy's moments, the flush, NumPy's parameter update."""
        h = self._scalars(p.dtype.type, lr)
        moments = [s[k] for k in self._buffers]
        if kernel is not None and _kernel_ready(p, g, *moments):
            floor = np.finfo(p.dtype).tiny if flush else 0  # |moment| < floor becomes 0
            self._fused(kernel, p, g, s, h, first, p.dtype.type(floor))
            return
        g = self._decayed(p, g)
        self._moments(g, s, h, first)
        if flush:
            flush_subnormals(*moments)
        self._params(p, g, s, h)

    def _decayed(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        # L2 penalty (wd/2)|W|^2 added to the loss: its gradient is wd * W;
        # L1 penalty lam |W|_1: its subgradient lam sign(W) (0 at W = 0).
        if self.l1:
            return g + p.dtype.type(self.l1) * np.sign(p)
        return g + p.dtype.type(self.weight_decay) * p if self.weight_decay else g

    def _scalars(self, dt: type, lr: float) -> Any:
        """This step's scalars in the parameters' dtype ``dt``."""
        raise NotImplementedError

    def _moments(self, g: np.ndarray, s: State, h: Any, first: bool) -> None:
        """NumPy: update the moment estimates in ``s`` from the gradient ``g``."""

    def _params(self, p: np.ndarray, g: np.ndarray, s: State, h: Any) -> None:
        """NumPy: update the parameters ``p`` from ``g`` and the moments."""
        raise NotImplementedError

    def _fused(self, kernel: Callable, p: np.ndarray, g: np.ndarray, s: State, h: Any,
               first: bool, floor: np.floating) -> None:
        """numba: all of ``_update`` (weight decay, moments, flush below ``floor``,
        parameters) in one pass."""
        raise NotImplementedError

    # -- state ----------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """The optimiser's state as flat arrays (``"t"``, ``"{param}/{buffer}"``), for files.

        With the parameters this is all a run needs to continue exactly where it
        stopped (``load_state_dict``); it is the same on either path of a step.
        """
        flat = {"t": np.array(self.t, dtype=np.int64)}
        for name, buffers in self.state.items():
            for key, value in buffers.items():
                if key not in self._scratch:
                    flat[f"{name}/{key}"] = value
        return flat

    def load_state_dict(self, flat: Mapping[str, np.ndarray],
                        params: Mapping[str, np.ndarray]) -> None:
        """Restore what ``state_dict`` gave, checked against the parameters ``params``."""
        flat = dict(flat)
        if "t" not in flat:
            raise ValueError("optimizer state has no step count 't'")
        t = int(np.asarray(flat.pop("t")))
        if t < 0:
            raise ValueError(f"optimizer step count must be >= 0, got {t}")
        state: dict[str, State] = {}
        for key, value in flat.items():
            name, _, buffer = key.rpartition("/")
            if name not in params:
                raise ValueError(f"optimizer state for unknown parameter {name!r}")
            value = np.asarray(value)
            if value.shape != params[name].shape or value.dtype != params[name].dtype:
                raise ValueError(f"optimizer state {key!r} has shape {value.shape} and dtype "
                                 f"{value.dtype}; the parameter has {params[name].shape}, "
                                 f"{params[name].dtype}")
            state.setdefault(name, {})[buffer] = np.array(value, copy=True)
        for name, buffers in state.items():
            missing = set(self._buffers) - set(buffers)
            if missing:
                raise ValueError(f"optimizer state of {name!r} lacks {sorted(missing)}")
            for k in self._scratch:
                buffers[k] = np.zeros_like(params[name])
        self.t, self.state, self._flat = t, state, None


class _SGDScalars(NamedTuple):
    lr: np.floating
    momentum: np.floating
    weight_decay: np.floating


class SGD(Optimizer):
    """Gradient descent ``W <- W - lr dL/dW``; with ``momentum`` the heavy-ball
    velocity ``v <- momentum v + g``, and with ``nesterov`` the look-ahead step
    ``g + momentum v``. With the whole training set as one batch this is the
    lecture's plain gradient descent on eq. (2).

    Parameters
    ----------
    momentum, weight_decay : float
    nesterov : bool
    **penalty
        ``regularization``, ``regularization_rate`` (see ``Optimizer``).
    """

    def __init__(self, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0, **penalty) -> None:
        super().__init__(weight_decay, **penalty)
        if momentum < 0:
            raise ValueError(f"momentum must be >= 0, got {momentum}")
        if nesterov and momentum == 0:
            raise ValueError("nesterov needs momentum > 0")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        if self.momentum:
            self._buffers, self._kernel = ("v",), "momentum"

    def _scalars(self, dt, lr):
        return _SGDScalars(dt(lr), dt(self.momentum), dt(self.weight_decay))

    def _moments(self, g, s, h, first):
        if not self.momentum:
            return
        v = s["v"]
        if first:  # v <- g on the first step, as torch.optim.SGD
            np.copyto(v, g)
        else:  # v <- momentum v + g
            v *= h.momentum
            v += g

    def _params(self, p, g, s, h):
        if not self.momentum:
            p -= h.lr * g
        elif self.nesterov:
            p -= h.lr * (g + h.momentum * s["v"])
        else:
            p -= h.lr * s["v"]

    def _fused(self, kernel, p, g, s, h, first, floor):
        kernel(p.reshape(-1), g.reshape(-1), s["v"].reshape(-1), h.momentum, h.lr,
               h.weight_decay, self.nesterov, first, floor)


class _AdamScalars(NamedTuple):
    beta1: np.floating
    one_minus_beta1: np.floating
    beta2: np.floating
    one_minus_beta2: np.floating
    eps_t: np.floating
    step: np.floating
    weight_decay: np.floating


class Adam(Optimizer):
    """Adam (Kingma and Ba): ``W <- W - lr m_hat / (sqrt(v_hat) + eps)``, with ``m_hat``
    and ``v_hat`` the bias-corrected running means (``beta1``, ``beta2``) of ``g``, ``g^2``.

    Parameters
    ----------
    beta1, beta2, eps, weight_decay : float
    **penalty
        ``regularization``, ``regularization_rate`` (see ``Optimizer``).
    """

    _buffers = ("m", "v")
    _scratch = ("tmp",)
    _kernel = "adam"

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 weight_decay: float = 0.0, **penalty) -> None:
        super().__init__(weight_decay, **penalty)
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
            raise ValueError(f"Adam betas must be in [0, 1), got {beta1}, {beta2}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

    def _scalars(self, dt, lr):
        # The bias corrections m_hat = m / (1 - beta1^t) and v_hat = v / (1 - beta2^t)
        # folded into two scalars: lr m_hat / (sqrt(v_hat) + eps) equals
        # step m / (sqrt(v) + eps_t) with c = sqrt(1 - beta2^t), eps_t = eps c and
        # step = lr c / (1 - beta1^t): one division per element, not two.
        c = math.sqrt(1 - self.beta2 ** self.t)
        return _AdamScalars(dt(self.beta1), dt(1 - self.beta1), dt(self.beta2),
                            dt(1 - self.beta2), dt(self.eps * c),
                            dt(lr * c / (1 - self.beta1 ** self.t)), dt(self.weight_decay))

    def _moments(self, g, s, h, first):
        m, v, tmp = s["m"], s["v"], s["tmp"]
        m *= h.beta1  # m <- beta1 m + (1 - beta1) g
        np.multiply(g, h.one_minus_beta1, out=tmp)
        m += tmp
        v *= h.beta2  # v <- beta2 v + (1 - beta2) g^2
        np.multiply(g, g, out=tmp)
        tmp *= h.one_minus_beta2
        v += tmp

    def _params(self, p, g, s, h):
        tmp = s["tmp"]
        np.sqrt(s["v"], out=tmp)  # p <- p - step m / (sqrt(v) + eps_t)
        tmp += h.eps_t
        np.divide(s["m"], tmp, out=tmp)
        tmp *= h.step
        p -= tmp

    def _fused(self, kernel, p, g, s, h, first, floor):
        kernel(p.reshape(-1), g.reshape(-1), s["m"].reshape(-1), s["v"].reshape(-1),
               h.beta1, h.one_minus_beta1, h.beta2, h.one_minus_beta2, h.eps_t, h.step,
               h.weight_decay, floor)
