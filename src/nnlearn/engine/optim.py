"""Gradient descent and its refinements, updating parameter arrays in place.

The update rules are written to match ``torch.optim.SGD`` and ``torch.optim.Adam``
step for step (weight decay added to the gradient, the same momentum buffer and
bias corrections), so that the NumPy engine and the PyTorch twin stay in lockstep.

Two details for speed, neither of which changes a result beyond rounding at the
bottom of the float range:

- Subnormal numbers. A weight whose gradient is (almost) always zero, such as
  one reading a blank border pixel of MNIST or feeding a dead ReLU, has moment
  estimates that decay geometrically (by ``beta1`` or ``beta2`` per step) into
  the subnormal range below ``finfo(dtype).tiny``, where every arithmetic
  operation on them is many times slower. Every ``FLUSH_EVERY`` steps the
  moments (Adam's ``m`` and ``v``, the momentum buffer) below ``tiny`` in
  magnitude are set to 0: such a value changes its parameter by less than
  ``lr * tiny / eps``, which rounds to nothing.
- Fused steps. With numba installed and ``NNLEARN_NUMBA=1`` (see
  ``nnlearn.engine.fused``), each parameter's update is one vectorised pass
  instead of a dozen whole-array operations, with the same arithmetic in the
  same order: the same numbers (tested). ``use_kernels = False`` on an
  optimiser keeps it on NumPy alone.
"""

from __future__ import annotations

import math

import numpy as np

from . import fused

#: Every this many steps, moment estimates below ``finfo(dtype).tiny`` become 0.
FLUSH_EVERY = 16


def flush_subnormals(a: np.ndarray) -> None:
    """Set the entries of ``a`` smaller in magnitude than ``finfo(a.dtype).tiny`` to 0."""
    np.copyto(a, 0, where=np.abs(a) < np.finfo(a.dtype).tiny)


def _kernel_ready(*arrays) -> bool:
    """Whether numba's kernels can take these arrays (C-contiguous, one float dtype)."""
    dtype = arrays[0].dtype
    return dtype in (np.float32, np.float64) and all(
        a.dtype == dtype and a.flags.c_contiguous for a in arrays)


class Optimizer:
    """Holds per-parameter state; ``step(params, grads, lr)`` updates ``params`` in place."""

    def __init__(self, weight_decay=0.0):
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        self.weight_decay = float(weight_decay)
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.t = 0

    #: Use numba's fused kernels when they are available (see ``nnlearn.engine.fused``).
    use_kernels = True

    def _decayed(self, p, g):
        # L2 penalty (wd/2)|W|^2 added to the loss: its gradient is wd * W.
        return g + p.dtype.type(self.weight_decay) * p if self.weight_decay else g

    def step(self, params: dict, grads: dict, lr: float, flat=None) -> None:
        """One update of every array in ``params`` (in place) from ``grads``, same names.

        ``flat=(P, G)``, from ``Network.flat_views()``, says that every array of
        ``params`` is a view into the 1-D array ``P`` and its gradient the view
        at the same place in ``G``: the update then runs once on ``P`` and ``G``
        whole, with the same arithmetic (the same numbers) in a few calls.
        """
        self.t += 1
        kernels = fused.kernels() if self.use_kernels else None
        flush = self.t % FLUSH_EVERY == 0
        if flat is not None:
            P, G = flat
            buffers, first = self._flat_buffers(params, P)
            self._update(buffers, P, G, lr, kernels, flush, first)
            return
        for name, p in params.items():
            first = name not in self.state
            if first:
                self.state[name] = {k: np.zeros_like(p) for k in self._buffers + self._scratch}
            self._update(self.state[name], p, grads[name], lr, kernels, flush, first)

    def _flat_buffers(self, params: dict, P: np.ndarray) -> tuple[dict, bool]:
        """The state as arrays the length of ``P`` (made on the first flat step,
        keeping any state there was), with ``self.state[name]`` views into them;
        and whether this is the first step (no state before)."""
        if self._flat is not None and self._flat[0] is P:
            return self._flat[1], False
        first = not self.state
        buffers = {k: np.zeros_like(P) for k in self._buffers + self._scratch}
        for name, p in params.items():
            start = (p.ctypes.data - P.ctypes.data) // P.itemsize
            views = {k: b[start:start + p.size].reshape(p.shape) for k, b in buffers.items()}
            for k, old in self.state.get(name, {}).items():
                views[k][...] = old
            self.state[name] = views
        self._flat = (P, buffers)
        return buffers, first

    _flat: tuple[np.ndarray, dict] | None = None

    def _update(self, s, p, g, lr, kernels, flush, first):
        """Update ``p`` from its gradient ``g`` (weight decay not yet added), with
        the state ``s`` (``first``: it was just made, all zeros)."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, np.ndarray]:
        """The optimiser's state as flat arrays (``"t"``, ``"{param}/{buffer}"``), for files.

        Together with the parameters this is all a run needs to continue exactly
        where it stopped (``load_state_dict``); scratch buffers are not state.
        """
        flat = {"t": np.array(self.t, dtype=np.int64)}
        for name, buffers in self.state.items():
            for key, value in buffers.items():
                if key != "tmp":
                    flat[f"{name}/{key}"] = value
        return flat

    def load_state_dict(self, flat: dict, params: dict) -> None:
        """Restore what ``state_dict`` gave, checked against the parameters ``params``."""
        flat = dict(flat)
        if "t" not in flat:
            raise ValueError("optimizer state has no step count 't'")
        t = int(np.asarray(flat.pop("t")))
        if t < 0:
            raise ValueError(f"optimizer step count must be >= 0, got {t}")
        state: dict[str, dict[str, np.ndarray]] = {}
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
            if "tmp" in self._scratch:
                buffers["tmp"] = np.zeros_like(params[name])
        self.t, self.state, self._flat = t, state, None

    _buffers: tuple[str, ...] = ()
    _scratch: tuple[str, ...] = ()


class SGD(Optimizer):
    """Gradient descent ``W <- W - lr dL/dW``; with ``momentum`` the heavy-ball
    velocity ``v <- momentum v + g``, and with ``nesterov`` the look-ahead step
    ``g + momentum v``. With the whole training set as one batch this is the
    lecture's plain gradient descent on eq. (2)."""

    def __init__(self, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(weight_decay)
        if momentum < 0:
            raise ValueError(f"momentum must be >= 0, got {momentum}")
        if nesterov and momentum == 0:
            raise ValueError("nesterov needs momentum > 0")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self._buffers = ("v",) if self.momentum else ()

    def _update(self, s, p, g, lr, kernels, flush, first):
        dt = p.dtype.type
        if not self.momentum:
            p -= dt(lr) * self._decayed(p, g)
            return
        v = s["v"]
        if kernels is not None and _kernel_ready(p, g, v):
            kernels["momentum"](p.reshape(-1), g.reshape(-1), v.reshape(-1), dt(self.momentum),
                                dt(lr), dt(self.weight_decay), self.nesterov, first, flush,
                                dt(np.finfo(p.dtype).tiny))
            return
        g = self._decayed(p, g)
        mu = dt(self.momentum)
        if first:  # v <- g on the first step, as torch.optim.SGD
            np.copyto(v, g)
        else:  # v <- momentum v + g
            v *= mu
            v += g
        if flush:
            flush_subnormals(v)
        p -= dt(lr) * (g + mu * v if self.nesterov else v)


class Adam(Optimizer):
    """Adam (Kingma and Ba): running means of ``g`` and ``g^2`` with bias correction."""

    _buffers = ("m", "v")
    _scratch = ("tmp",)

    def __init__(self, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        super().__init__(weight_decay)
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
            raise ValueError(f"Adam betas must be in [0, 1), got {beta1}, {beta2}")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

    def _update(self, s, p, g, lr, kernels, flush, first):
        # tmp: a scratch array, so that a step allocates nothing
        m, v, tmp, t = s["m"], s["v"], s["tmp"], self.t
        dt = p.dtype.type
        # The bias corrections m_hat = m / (1 - beta1^t) and v_hat = v / (1 - beta2^t)
        # folded into two scalars: lr m_hat / (sqrt(v_hat) + eps) equals
        # step m / (sqrt(v) + eps_t) with c = sqrt(1 - beta2^t), eps_t = eps c and
        # step = lr c / (1 - beta1^t): one division per element, not two.
        c = math.sqrt(1 - self.beta2 ** t)
        eps_t, step = dt(self.eps * c), dt(lr * c / (1 - self.beta1 ** t))
        if kernels is not None and _kernel_ready(p, g, m, v):
            kernels["adam"](p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1),
                            dt(self.beta1), dt(1 - self.beta1), dt(self.beta2),
                            dt(1 - self.beta2), eps_t, step, dt(self.weight_decay), flush,
                            dt(np.finfo(p.dtype).tiny))
            return
        g = self._decayed(p, g)
        m *= dt(self.beta1)  # m <- beta1 m + (1 - beta1) g
        np.multiply(g, dt(1 - self.beta1), out=tmp)
        m += tmp
        v *= dt(self.beta2)  # v <- beta2 v + (1 - beta2) g^2
        np.multiply(g, g, out=tmp)
        tmp *= dt(1 - self.beta2)
        v += tmp
        if flush:
            flush_subnormals(m)
            flush_subnormals(v)
        np.sqrt(v, out=tmp)  # p <- p - step m / (sqrt(v) + eps_t)
        tmp += eps_t
        np.divide(m, tmp, out=tmp)
        tmp *= step
        p -= tmp


OPTIMIZERS = {"gd": SGD, "sgd": SGD, "momentum": SGD, "nesterov": SGD, "adam": Adam}

# Each optimiser's own learning rate, used wherever none is given (command line,
# estimator, playground): the lecture's 0.1 for gradient descent, Adam's 1e-3 as
# in its paper and in torch.optim.Adam, and 0.01 for momentum, whose velocity
# adds up to 1 / (1 - 0.9) = 10 gradients.
DEFAULT_LR = {"gd": 0.1, "sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adam": 0.001}


def make_optimizer(name: str, *, momentum=0.9, weight_decay=0.0) -> Optimizer:
    """Optimiser by name: ``gd``/``sgd`` (plain), ``momentum``, ``nesterov`` or ``adam``."""
    if name in ("gd", "sgd"):
        return SGD(weight_decay=weight_decay)
    if name == "momentum":
        return SGD(momentum=momentum, weight_decay=weight_decay)
    if name == "nesterov":
        return SGD(momentum=momentum, nesterov=True, weight_decay=weight_decay)
    if name == "adam":
        return Adam(weight_decay=weight_decay)
    raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}")


# -- learning-rate schedules: functions of the iteration t = 0, 1, ... -----------

def constant_schedule(lr):
    return lambda t: lr


def step_schedule(lr, step_size, gamma=0.1):
    """``lr * gamma ** (t // step_size)``, as ``torch.optim.lr_scheduler.StepLR``."""
    if step_size <= 0:
        raise ValueError(f"step_size must be positive, got {step_size}")
    return lambda t: lr * gamma ** (t // step_size)


def cosine_schedule(lr, total, lr_min=0.0):
    """Half a cosine from ``lr`` at t = 0 down to ``lr_min`` at t = total."""
    if total <= 0:
        raise ValueError(f"cosine schedule needs a positive length, got {total}")
    return lambda t: lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * min(t, total) / total))


SCHEDULES = ("constant", "step", "cosine")


def make_schedule(name: str, lr: float, total: int, *, step_size=None, gamma=0.1):
    """Schedule by name; ``step`` defaults to a tenfold decay every third of ``total``."""
    if lr <= 0 or not math.isfinite(lr):
        raise ValueError(f"learning rate must be positive and finite, got {lr}")
    if name == "constant":
        return constant_schedule(lr)
    if name == "step":
        return step_schedule(lr, step_size or max(1, total // 3), gamma)
    if name == "cosine":
        return cosine_schedule(lr, max(1, total))
    raise ValueError(f"unknown schedule {name!r}; choose one of: {', '.join(SCHEDULES)}")
