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
"""``leaky_relu``'s slope for ``z < 0``."""


def identity(z):
    """``sigma(z) = z``: the output layer, whose logits go to soft-max (eq. 7).

    Parameters
    ----------
    z : ndarray
        ``z_k`` of eq. (3), any shape.

    Returns
    -------
    ndarray
        ``f_k = sigma(z_k)`` of eq. (1), of ``z``'s shape and dtype.
    """
    return z


def identity_prime(z, f):
    """``sigma'(z) = 1``.

    Parameters
    ----------
    z, f : ndarray
        ``z_k`` and ``f_k = sigma(z_k)``, of one shape.

    Returns
    -------
    ndarray
        ``sigma'(z_k)``, the diagonal of ``D_k`` in Theorem 1 (eq. 4).
    """
    return np.ones_like(z)


def relu(z):
    """``sigma(z) = max(z, 0)``.

    Parameters
    ----------
    z : ndarray
        ``z_k`` of eq. (3), any shape.

    Returns
    -------
    ndarray
        ``f_k = sigma(z_k)`` of eq. (1), of ``z``'s shape and dtype.
    """
    return np.maximum(z, 0)


def relu_prime(z, f):
    """``sigma'(z) = 1`` where ``z > 0``, else 0 (0 at the kink ``z = 0``).

    Parameters
    ----------
    z, f : ndarray
        ``z_k`` and ``f_k = sigma(z_k)``, of one shape.

    Returns
    -------
    ndarray
        ``sigma'(z_k)``, the diagonal of ``D_k`` in Theorem 1 (eq. 4).
    """
    return (z > 0).astype(z.dtype)


def leaky_relu(z):
    """``sigma(z) = z`` where ``z > 0``, else ``LEAKY_SLOPE * z``.

    Parameters
    ----------
    z : ndarray
        ``z_k`` of eq. (3), any shape.

    Returns
    -------
    ndarray
        ``f_k = sigma(z_k)`` of eq. (1), of ``z``'s shape and dtype.
    """
    return np.where(z > 0, z, z * z.dtype.type(LEAKY_SLOPE))


def leaky_relu_prime(z, f):
    """``sigma'(z) = 1`` where ``z > 0``, else ``LEAKY_SLOPE``.

    Parameters
    ----------
    z, f : ndarray
        ``z_k`` and ``f_k = sigma(z_k)``, of one shape.

    Returns
    -------
    ndarray
        ``sigma'(z_k)``, the diagonal of ``D_k`` in Theorem 1 (eq. 4).
    """
    return np.where(z > 0, z.dtype.type(1), z.dtype.type(LEAKY_SLOPE))


def sigmoid(z):
    """``sigma(z) = 1 / (1 + e^{-z})``, computed without overflow.

    Parameters
    ----------
    z : ndarray
        ``z_k`` of eq. (3), any shape.

    Returns
    -------
    ndarray
        ``f_k = sigma(z_k)`` of eq. (1), of ``z``'s shape and dtype.
    """
    # exp of a negative argument only, so that neither branch overflows.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e)).astype(z.dtype, copy=False)


def sigmoid_prime(z, f):
    """``sigma'(z) = f (1 - f)``.

    Parameters
    ----------
    z, f : ndarray
        ``z_k`` and ``f_k = sigma(z_k)``, of one shape.

    Returns
    -------
    ndarray
        ``sigma'(z_k)``, the diagonal of ``D_k`` in Theorem 1 (eq. 4).
    """
    return f * (1 - f)


def tanh(z):
    """``sigma(z) = tanh(z)``.

    Parameters
    ----------
    z : ndarray
        ``z_k`` of eq. (3), any shape.

    Returns
    -------
    ndarray
        ``f_k = sigma(z_k)`` of eq. (1), of ``z``'s shape and dtype.
    """
    return np.tanh(z)


def tanh_prime(z, f):
    """``sigma'(z) = 1 - f^2``.

    Parameters
    ----------
    z, f : ndarray
        ``z_k`` and ``f_k = sigma(z_k)``, of one shape.

    Returns
    -------
    ndarray
        ``sigma'(z_k)``, the diagonal of ``D_k`` in Theorem 1 (eq. 4).
    """
    return 1 - f * f


def softplus(z):
    """``sigma(z) = log(1 + e^z)``, exact for large ``|z|``.

    Parameters
    ----------
    z : ndarray
        ``z_k`` of eq. (3), any shape.

    Returns
    -------
    ndarray
        ``f_k = sigma(z_k)`` of eq. (1), of ``z``'s shape and dtype.
    """
    # log(1 + e^z) = max(z, 0) + log1p(e^{-|z|}): exact for large |z|.
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def softplus_prime(z, f):
    """``sigma'(z) = 1 / (1 + e^{-z})``, the sigmoid.

    Parameters
    ----------
    z, f : ndarray
        ``z_k`` and ``f_k = sigma(z_k)``, of one shape.

    Returns
    -------
    ndarray
        ``sigma'(z_k)``, the diagonal of ``D_k`` in Theorem 1 (eq. 4).
    """
    return sigmoid(z)


ACTIVATIONS = {
    "identity": (identity, identity_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "softplus": (softplus, softplus_prime),
}
"""Name -> ``(sigma, sigma')``; ``sigma'(z, f)`` receives ``f = sigma(z)``."""


def get_activation(name: str):
    """The pair ``(sigma, sigma')`` of an activation.

    Parameters
    ----------
    name : str
        A key of ``ACTIVATIONS``.

    Returns
    -------
    tuple of callable
        ``sigma(z)`` and ``sigma'(z, f)``.

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    """
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(f"unknown activation {name!r}; choose one of: {known}") from None
