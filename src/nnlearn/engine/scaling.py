"""Input scaling folded into the first layer: a network that takes raw rows.

A network trained on scaled inputs ``u = (x - mean) / scale`` computes, in its
first layer, ``z_1 = W_1 u + b_1`` (eq. 1). That equals ``W' x + b'`` with
``W' = W_1 diag(1 / scale)`` and ``b' = b_1 - W' mean``, so a copy with those
weights predicts on raw rows exactly as the original does on scaled ones.
``InputScaling`` is the scaling itself, as a network description keeps it.
Every face that hands out such a network (the estimator's ``load``,
``nnlearn predict`` and ``evaluate``, the playground's export) calls this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .features import Features
from .network import Network


def fold_input_scaling(network: Network, mean: ArrayLike, scale: ArrayLike) -> Network:
    """A copy of ``network`` whose first layer takes raw inputs ``x``.

    Parameters
    ----------
    network : Network
        Trained on ``u = (x - mean) / scale``; its first layer must be dense, or
        ``Features`` (which then standardizes the coordinates itself).
    mean, scale : array-like of shape (n_0,)
        Finite means and positive scales.

    Returns
    -------
    Network
        With ``W' = W diag(1 / scale)`` and ``b' = b - W' mean``, computed in
        float64 and stored in the network's dtype; metadata copied.
    """
    mu = np.asarray(mean, dtype=np.float64)
    sd = np.asarray(scale, dtype=np.float64)
    n_in = network.n_in
    if mu.shape != (n_in,) or sd.shape != (n_in,) or not (
            np.all(np.isfinite(mu)) and np.all(np.isfinite(sd)) and np.all(sd > 0)):
        raise ValueError(f"an input scaling must hold {n_in} finite means and positive scales")
    net = network.copy()
    first = net.layers[0]
    if isinstance(first, Features):  # the scaling comes before the features' formulas
        if first.mean is not None:
            raise ValueError("this network's input features already scale the coordinates")
        first.mean, first.scale = mu.tolist(), sd.tolist()
        return net
    if "W" not in first.params:
        raise ValueError("an input scaling needs a network whose first layer is dense")
    W, b = first.params["W"], first.params["b"]
    with np.errstate(over="ignore", invalid="ignore"):
        W_raw = W.astype(np.float64) / sd
        b_raw = b.astype(np.float64) - W_raw @ mu
        W[...] = W_raw
        b[...] = b_raw
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
        # a subnormal scale (1e-320) is positive and finite, but 1 / scale overflows
        raise ValueError(f"the input scaling cannot be folded into the first layer: its "
                         f"weights overflow {W.dtype} (smallest scale {float(sd.min())!r})")
    return net


@dataclass(frozen=True)
class InputScaling:
    """``u = (x - mean) / scale``, feature by feature (``nnlearn.data.standardize``).

    Parameters
    ----------
    mean, scale : tuple of float
        One per input feature, ``n_0`` each; every scale positive.

    Examples
    --------
    >>> scaling = InputScaling.from_dict({"mean": [0, 10], "scale": [1, 2]})
    >>> scaling.mean, scaling.scale
    ((0.0, 10.0), (1.0, 2.0))
    """

    mean: tuple[float, ...]
    scale: tuple[float, ...]

    @classmethod
    def from_dict(cls, d: Any) -> InputScaling:
        """Read ``to_dict()`` output (or ``Standardizer.to_dict()``).

        Parameters
        ----------
        d : dict
            ``{"mean": [...], "scale": [...]}``; anything else is a ``ValueError``.

        Returns
        -------
        InputScaling
        """
        if not isinstance(d, dict) or set(d) != {"mean", "scale"}:
            raise ValueError(f"an input scaling holds mean and scale lists, got {d!r:.80}")
        try:
            return cls(tuple(map(float, d["mean"])), tuple(map(float, d["scale"])))
        except TypeError:  # not lists of numbers
            raise ValueError(f"an input scaling holds mean and scale lists of numbers, "
                             f"got {d!r:.80}") from None

    def to_dict(self) -> dict:
        """The scaling as a model file stores it.

        Returns
        -------
        dict
            JSON-ready: ``{"mean": [...], "scale": [...]}``.
        """
        return {"mean": list(self.mean), "scale": list(self.scale)}
