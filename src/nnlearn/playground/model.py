"""The network the settings describe, and the model file the page exports."""

from __future__ import annotations

import numpy as np

from ..engine.layers import Dense, Dropout, Layer, Residual
from ..engine.network import Network
from .data import PlayData


def build(settings: dict, n_classes: int, seed: int = 0) -> Network:
    """The network of eq. (1), or of eq. (6) with ``architecture="resnet"``.

    Plain: ``2 -> hidden[0] -> ... -> hidden[-1] -> n_classes``, hidden layer
    ``j`` with activation ``activation[j]``. ResNet: an input map
    ``2 -> hidden[0]``, then one residual block per further hidden layer, of
    width ``hidden[0]`` and inner width ``hidden[j]`` (eq. 6), then the output
    map. A dropout layer follows every hidden layer when ``dropout > 0``.
    """
    rng = np.random.default_rng(seed)
    hidden, acts, p = list(settings["hidden"]), list(settings["activation"]), settings["dropout"]
    layers: list[Layer] = []
    width = 2
    for j, (h, act) in enumerate(zip(hidden, acts)):
        if settings["architecture"] == "resnet" and j > 0:
            layers.append(Residual(width, h, act, rng=rng))
        else:
            layers.append(Dense(width, h, act, rng=rng))
            width = h
        if p:
            layers.append(Dropout(width, p))
    layers.append(Dense(width, n_classes, "identity", init="glorot_uniform", rng=rng))
    return Network(layers)


def export_network(network: Network, data: PlayData) -> Network:
    """A copy that takes the original coordinates, with the labels in its metadata.

    The playground trains on ``u = (x - mean) / scale``; the first layer's
    ``z = W u + b`` equals ``W' x + b'`` with ``W' = W diag(1/scale)`` and
    ``b' = b - W' mean``, so the copy predicts on raw points exactly as the
    page shows. The metadata is what ``nnlearn train`` writes.
    """
    net = network.copy()
    first = net.layers[0]
    W, b = first.params["W"], first.params["b"]
    W_raw = (W.astype(np.float64) / data.scale).astype(W.dtype)
    b[...] = b - W_raw.astype(np.float64) @ data.mean
    W[...] = W_raw
    net.metadata = {"classes": list(data.classes), "data": data.name}
    return net


def describe(network: Network) -> list[dict]:
    """The layers for the page's diagram: kind, widths, activation."""
    out = []
    for layer in network.layers:
        entry = {"kind": type(layer).__name__.lower(), "n_in": layer.n_in, "n_out": layer.n_out}
        if hasattr(layer, "activation"):
            entry["activation"] = layer.activation
        if isinstance(layer, Residual):
            entry["inner"] = layer.inner
        if isinstance(layer, Dropout):
            entry["p"] = layer.p
        out.append(entry)
    return out
