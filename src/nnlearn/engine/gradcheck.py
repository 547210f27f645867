"""Check back propagation against central finite differences, in float64."""

from __future__ import annotations

import numpy as np

from .network import Network


def numerical_gradients(network: Network, X, y, *, eps=1e-6, reduction="mean"):
    """Central differences ``(L(p + eps) - L(p - eps)) / (2 eps)`` for every parameter entry."""
    from .losses import nll

    def loss():
        return nll(network.forward(X), y, reduction=reduction)[0]

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


def gradcheck(network: Network, X, y, *, eps=1e-6, reduction="mean") -> dict[str, float]:
    """Relative error ``|g - g_num| / max(|g|, |g_num|, tiny)`` (max norm) per parameter.

    The network is copied to float64 first, so the caller's network is left as
    it was; dropout layers act as the identity (the check runs in eval mode).
    """
    net = network.astype(np.float64)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    net.loss_and_gradients(X, y, reduction=reduction, train=False)
    analytic = {k: v.copy() for k, v in net.gradients().items()}
    numeric = numerical_gradients(net, X, y, eps=eps, reduction=reduction)
    errors = {}
    for name, g in analytic.items():
        scale = max(np.max(np.abs(g)), np.max(np.abs(numeric[name])), 1e-12)
        errors[name] = float(np.max(np.abs(g - numeric[name])) / scale)
    return errors
