"""Weight initialisation: He (Kaiming) and Glorot (Xavier), uniform or normal.

Every initialiser draws from a ``numpy.random.Generator`` passed in by the
caller; nothing touches a global random state, so a seed fixes the weights.

For a weight matrix ``W`` of shape ``(n_out, n_in)`` (eq. 1):

- He keeps the variance of ``relu(W f)`` equal to that of ``f``: ``Var W = 2 / n_in``.
- Glorot balances the forward and backward variances: ``Var W = 2 / (n_in + n_out)``.

A uniform law on ``[-a, a]`` has variance ``a^2 / 3``, which fixes ``a``.
"""

from __future__ import annotations

import numpy as np


def _std(name: str, n_in: int, n_out: int) -> float:
    if name.startswith("he"):
        return np.sqrt(2.0 / n_in)
    return np.sqrt(2.0 / (n_in + n_out))


def init_weight(name: str, shape: tuple[int, int], rng: np.random.Generator, dtype) -> np.ndarray:
    """Draw a weight matrix of ``shape = (n_out, n_in)`` with the named law."""
    if name not in INITIALISERS:
        raise ValueError(f"unknown init {name!r}; choose one of: {', '.join(INITIALISERS)}")
    n_out, n_in = shape
    std = _std(name, n_in, n_out)
    if name.endswith("uniform"):
        a = np.sqrt(3.0) * std
        W = rng.uniform(-a, a, size=shape)
    else:
        W = rng.normal(0.0, std, size=shape)
    return W.astype(dtype)


INITIALISERS = ("he_normal", "he_uniform", "glorot_normal", "glorot_uniform")


def default_init(activation: str) -> str:
    """He for the rectifiers, Glorot for the saturating activations."""
    return "he_normal" if activation in ("relu", "leaky_relu") else "glorot_uniform"
