"""Activation functions ``sigma`` and their derivatives ``sigma'``.

Each activation is two small functions: ``sigma(z)`` and ``sigma'(z, f)``, where
``f = sigma(z)`` is passed in so that derivatives such as the sigmoid's
``f (1 - f)`` reuse the forward value instead of recomputing it. The diagonal of
the matrix ``D_k = diag(sigma_k'(z_k))`` of Theorem 1 is ``sigma'(z_k, f_k)``.

Adding an activation is one pair of functions and one line in ``ACTIVATIONS``.
All functions work elementwise on arrays of any shape and keep the dtype.
"""

from __future__ import annotations

import numpy as np

LEAKY_SLOPE = 0.01


def identity(z):
    return z


def identity_prime(z, f):
    return np.ones_like(z)


def relu(z):
    return np.maximum(z, 0)


def relu_prime(z, f):
    return (z > 0).astype(z.dtype)


def leaky_relu(z):
    return np.where(z > 0, z, z * z.dtype.type(LEAKY_SLOPE))


def leaky_relu_prime(z, f):
    return np.where(z > 0, z.dtype.type(1), z.dtype.type(LEAKY_SLOPE))


def sigmoid(z):
    # exp of a negative argument only, so that neither branch overflows.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype, copy=False)


def sigmoid_prime(z, f):
    return f * (1 - f)


def tanh(z):
    return np.tanh(z)


def tanh_prime(z, f):
    return 1 - f * f


def softplus(z):
    # log(1 + e^z) = max(z, 0) + log1p(e^{-|z|}): exact for large |z|.
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_prime(z, f):
    return sigmoid(z)


#: name -> (sigma, sigma'); sigma'(z, f) receives f = sigma(z).
ACTIVATIONS = {
    "identity": (identity, identity_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "softplus": (softplus, softplus_prime),
}


def get_activation(name: str):
    """Return ``(sigma, sigma')`` for an activation name, or raise a clear error."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"unknown activation {name!r}; choose one of: {known}") from None
