"""The two architectures of the lecture, built layer by layer: ``mlp`` (eq. 1) and
``resnet`` (eq. 6). Outside the engine, networks are described by
``nnlearn.spec.NetworkSpec``, whose ``build`` calls these.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .layers import Dense, Dropout, Layer, Residual
from .network import Network


def _activations(activation, n):
    if isinstance(activation, str):
        return [activation] * n
    activation = list(activation)
    if len(activation) != n:
        raise ValueError(f"got {len(activation)} activations for {n} hidden layers")
    return activation


def _rng(seed):
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def mlp(n_in: int, hidden: Sequence[int], n_out: int, activation="relu", *, dropout=0.0,
        init=None, seed=0, dtype=np.float32) -> Network:
    """Fully connected network of eq. (1): ``n_in -> hidden[0] -> ... -> n_out``.

    ``mlp(784, [32], 10)`` is the lecture's "2-layer network with 32 hidden
    nodes" (32 hidden units, L = 2 weight layers). The output layer is linear:
    its logits feed the soft-max of eq. (7).

    Parameters
    ----------
    n_in : int
        ``n_0``, the number of input features.
    hidden : sequence of int
        The hidden widths ``n_1 .. n_{L-1}``; empty for a linear model.
    n_out : int
        ``n_L``, the number of classes.
    activation : str or sequence of str
        ``sigma_k`` of the hidden layers: one name of ``ACTIVATIONS``, or one
        per hidden layer.
    dropout : float
        With ``dropout > 0``, a dropout layer after every hidden layer.
    init : str, optional
        Initialiser of the hidden weights; default He for rectifiers, else Glorot.
    seed, dtype
        Source of the initial weights (int or Generator); float32 or float64.

    Returns
    -------
    Network
        ``L = len(hidden) + 1`` weight layers; ``W_k`` of shape ``(n_k, n_{k-1})``.
    """
    hidden = [int(h) for h in hidden]
    if any(h <= 0 for h in hidden) or n_in <= 0 or n_out <= 0:
        raise ValueError(f"layer widths must be positive, got {n_in}, {hidden}, {n_out}")
    rng = _rng(seed)
    acts = _activations(activation, len(hidden))
    layers: list[Layer] = []
    widths = [int(n_in), *hidden]
    for n_prev, n_k, act in zip(widths, hidden, acts):
        layers.append(Dense(n_prev, n_k, act, init=init, rng=rng, dtype=dtype))
        if dropout:
            layers.append(Dropout(n_k, dropout))
    layers.append(Dense(widths[-1], n_out, "identity", init=init or "glorot_uniform",
                        rng=rng, dtype=dtype))
    return Network(layers, dtype=dtype)


def resnet(n_in: int, width: int, depth: int, n_out: int, activation="relu", *, inner=None,
           dropout=0.0, init=None, seed=0, dtype=np.float32) -> Network:
    """ResNet of eq. (6): an input map ``n_in -> width``, ``depth`` residual blocks
    of that width, and a linear output map ``width -> n_out``.

    Parameters
    ----------
    n_in : int
        ``n_0``.
    width : int
        ``n``, the width of every block (``f_k`` and ``f_{k-1}`` in R^n).
    depth : int
        The number of residual blocks ``f_k = f_{k-1} + W_{k,1} sigma_k(W_{k,2}
        f_{k-1} + b_k)``; ``L = depth + 2`` weight layers in all.
    n_out : int
        The number of classes.
    activation : str or sequence of str
        One name, or one for the input map and one per block (``1 + depth``).
    inner : int, sequence of int or None
        The blocks' inner width ``h`` (rows of ``W_{k,2}``): one int, one per
        block, or None for ``width``.
    dropout, init, seed, dtype
        As in ``mlp`` (dropout after the input map and each block).

    Returns
    -------
    Network
    """
    if width <= 0 or depth < 0 or n_in <= 0 or n_out <= 0:
        raise ValueError(f"bad ResNet size: n_in={n_in}, width={width}, depth={depth}, "
                         f"n_out={n_out}")
    inners = list(inner) if isinstance(inner, Sequence) else [inner] * depth
    if len(inners) != depth:
        raise ValueError(f"got {len(inners)} inner widths for {depth} residual blocks")
    rng = _rng(seed)
    acts = _activations(activation, depth + 1)  # the input map and each block are hidden layers
    layers: list[Layer] = [Dense(n_in, width, acts[0], init=init, rng=rng, dtype=dtype)]
    if dropout:  # the input map's units are hidden units too
        layers.append(Dropout(width, dropout))
    for h, act in zip(inners, acts[1:]):
        layers.append(Residual(width, h, act, init=init, rng=rng, dtype=dtype))
        if dropout:
            layers.append(Dropout(width, dropout))
    layers.append(Dense(width, n_out, "identity", init=init or "glorot_uniform", rng=rng,
                        dtype=dtype))
    return Network(layers, dtype=dtype)
