"""Check back propagation (Theorem 1, eqs. 3-5) against central finite differences, in float64.

The loss checked is eq. (7)'s negative log-likelihood of the soft-max of the
network's output, summed (eq. 2) or averaged over the samples.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .losses import nll
from .network import Network

#: The finite-difference step, and the largest relative error that passes: central
#: differences at this step are good to about 1e-9 in float64, so an error above the
#: tolerance means a wrong formula, not rounding.
EPS = 1e-6
TOLERANCE = 1e-6


class CheckSizes(NamedTuple):
    """The small networks that ``nnlearn gradcheck`` and the report's Theorem 1 section
    check: input width, mlp hidden widths, classes, and the number of samples."""

    inputs: int = 4
    hidden: tuple[int, ...] = (6, 5)
    classes: int = 3
    samples: int = 8


CHECK_SIZES = CheckSizes()


def numerical_gradients(network: Network, loss: Callable[[], float], *, eps=EPS):
    """Central differences ``(L(p + eps) - L(p - eps)) / (2 eps)`` for every parameter entry.

    Each entry is nudged in place and put back, so the network ends as it
    started; two calls of ``loss`` per entry.

    Parameters
    ----------
    network : Network
        Best in float64: the differences are of order ``eps``.
    loss : callable
        ``loss()`` evaluates the loss at the network's current parameters.
    eps : float
        The nudge.

    Returns
    -------
    dict of str to ndarray
        ``dL/dp`` by parameter name, each of its parameter's shape, as
        ``network.parameters()``.
    """
    out = {}
    for name, p in network.parameters().items():
        g = np.zeros_like(p)
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = loss()
            flat[i] = old - eps
            down = loss()
            flat[i] = old
            gflat[i] = (up - down) / (2 * eps)
        out[name] = g
    return out


def relative_errors(analytic: dict, numeric: dict) -> dict[str, float]:
    """``max |g - g_num| / max(|g|, |g_num|, 1e-12)`` for each parameter, maxima over entries.

    Parameters
    ----------
    analytic, numeric : dict of str to ndarray
        Gradients by parameter name, alike in names and shapes.

    Returns
    -------
    dict of str to float
    """
    errors = {}
    for name, g in analytic.items():
        scale = max(np.max(np.abs(g)), np.max(np.abs(numeric[name])), 1e-12)
        errors[name] = float(np.max(np.abs(g - numeric[name])) / scale)
    return errors


def randomise_biases(network: Network, rng: np.random.Generator, scale=0.1) -> None:
    """Give every bias a random value, in place.

    With the zero biases of a fresh network, an input row of zeros lands exactly
    on relu's kink at z = 0, where the finite difference straddles the corner
    and there is no gradient to compare; random biases move every z off it.

    Parameters
    ----------
    network : Network
        Its parameters named ``*.b``, the ``b_k`` of eq. (1), are overwritten.
    rng : numpy.random.Generator
    scale : float
        The standard deviation of the normal draws.
    """
    for name, p in network.parameters().items():
        if name.endswith(".b"):
            p[...] = rng.normal(0.0, scale, size=p.shape)


def gradcheck(network: Network, X, y, *, eps=EPS, reduction="mean") -> dict[str, float]:
    """Relative error of Theorem 1's gradients against finite differences, per parameter.

    The network is copied to float64 first, so the caller's network is left as
    it was; dropout layers act as the identity (the check runs in eval mode).
    Finite differences need a smooth loss: keep every ``z`` off relu's kink at 0
    (random biases do).

    Parameters
    ----------
    network : Network
    X : array-like of shape (m, n_0)
    y : array-like of shape (m,)
        Class indices.
    eps : float
        The finite differences' step (``EPS``).
    reduction : {"mean", "sum"}
        The loss of eq. (7) averaged, or summed as eq. (2) writes it.

    Returns
    -------
    dict of str to float
        The relative error of ``dL/dp`` by parameter name (``layers.0.W``, ...);
        below ``TOLERANCE`` where Theorem 1 holds.
    """
    net = network.astype(np.float64)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    net.loss_and_gradients(X, y, reduction=reduction, train=False)
    analytic = {k: v.copy() for k, v in net.gradients().items()}
    numeric = numerical_gradients(
        net, lambda: nll(net.forward(X), y, reduction=reduction)[0], eps=eps)
    return relative_errors(analytic, numeric)
