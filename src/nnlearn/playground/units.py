"""The network view of a frame: every unit's output over the plane, the weights between
the units drawn, the weight norm and the test split's confusion counts.

Layers are numbered as the page numbers them: 0 the input features, 1..n the hidden
layers (dropout layers are not drawn: they only mask), n+1 the output (soft-max
probabilities, eq. 7). A layer wider than ``WINDOW`` units is drawn ``WINDOW`` units at
a time; the page moves each layer's window (``offsets``), so no unit is out of reach,
and a frame carries only what is drawn: at most ``WINDOW`` maps per layer, of at most
``MAP_CELLS`` values together, and the ``WINDOW x WINDOW`` weights between two windows.
"""

from __future__ import annotations

import math

import numpy as np

from ..engine.features import Features
from ..engine.layers import Dense, Dropout
from ..engine.losses import softmax
from ..engine.network import Network
from .data import PlayData
from .plane import b64, grid_points

WINDOW = 16  #: units of one layer drawn at a time
MAP_MAX, MAP_MIN = 20, 6  #: cells per side of a unit's map
MAP_CELLS = 40_000  #: int8 values of all the unit maps of one frame, at most


def view_layers(network: Network) -> list:
    """The weight layers the view draws, in order (dropout and the features left out)."""
    return [layer for layer in network.layers if not isinstance(layer, (Dropout, Features))]


def _inputs(network: Network, U) -> tuple[np.ndarray, list]:
    """Layer 0's values at the standardized points ``U`` (the input features, when the
    network computes them first), and the layers after it."""
    layers = network.layers
    if isinstance(layers[0], Features):
        return layers[0].apply(U), layers[1:]
    return U, layers


def widths(network: Network) -> list[int]:
    """Units of each drawn layer: inputs, hidden layers, outputs."""
    first = network.layers[0]
    return [first.n_out if isinstance(first, Features) else network.n_in] + [
        layer.n_out for layer in view_layers(network)]


def clamp_offsets(network: Network, offsets) -> list[int]:
    """Each layer's first drawn unit: ``offsets`` as the page sent them, kept in range."""
    out = []
    for j, width in enumerate(widths(network)):
        try:
            value = int(offsets[j]) if offsets and j < len(offsets) else 0
        except (TypeError, ValueError):
            value = 0
        out.append(min(max(value, 0), max(width - WINDOW, 0)))
    return out


def map_size(shown: int) -> int:
    """Cells per side of each map when ``shown`` maps are drawn: 20, or fewer for many."""
    return int(min(MAP_MAX, max(MAP_MIN, math.sqrt(MAP_CELLS / max(shown, 1)))))


def unit_maps(network: Network, data: PlayData, offsets) -> dict:
    """Each drawn unit's output over the plane, an ``m x m`` grid as int8 per map.

    A hidden unit's values ``f`` are scaled by the map's own largest ``|f|``
    (``peak``, sent along); an output unit's probability ``p`` is ``2 p - 1`` on a
    fixed scale; an input feature by its peak, as a hidden unit.
    """
    sizes = widths(network)
    shown = sum(min(WINDOW, w) for w in sizes)
    m = map_size(shown)
    f, layers = _inputs(network, data.standardize(grid_points(data.domain, m)).astype(
        network.dtype))
    outputs = [f]
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in layers:
            f = layer.apply(f)
            if not isinstance(layer, Dropout):
                outputs.append(f)
        outputs[-1] = softmax(outputs[-1])
    layers = []
    last = len(outputs) - 1
    for j, (values, offset) in enumerate(zip(outputs, offsets)):
        part = np.nan_to_num(np.asarray(values[:, offset:offset + WINDOW], dtype=np.float64))
        if j == last:
            peak = np.ones(part.shape[1])
            scaled = 2 * part - 1
        else:
            peak = np.max(np.abs(part), axis=0)
            scaled = part / np.where(peak > 0, peak, 1.0)
        codes = np.round(127 * np.clip(scaled, -1, 1)).astype(np.int8).T  # one map per row
        layers.append({"layer": j, "offset": offset, "count": part.shape[1], "of": sizes[j],
                       "peak": [float(v) for v in peak], "data": b64(codes)})
    return {"m": m, "layers": layers}


def edges(network: Network, offsets) -> list[dict | None]:
    """The weights from the drawn units of layer ``j - 1`` to those of layer ``j``
    (``W[k, i]``: to unit ``k`` from unit ``i``, eq. 1), float32; ``None`` for a
    residual block, whose weights pass through its inner units (not drawn)."""
    out: list[dict | None] = []
    for j, layer in enumerate(view_layers(network), start=1):
        if not isinstance(layer, Dense):
            out.append(None)
            continue
        rows, cols = offsets[j], offsets[j - 1]
        W = np.nan_to_num(layer.W[rows:rows + WINDOW, cols:cols + WINDOW]).astype(np.float32)
        out.append({"layer": j, "rows": W.shape[0], "cols": W.shape[1], "data": b64(W)})
    return out


def weight_norm(network: Network) -> float:
    """``sqrt(sum |W|^2)`` over the weight matrices (biases left out): what L2 shrinks."""
    total = sum(float(np.sum(np.square(p, dtype=np.float64)))
                for name, p in network.parameters().items() if name.rsplit(".", 1)[-1] != "b")
    return math.sqrt(total) if math.isfinite(total) else float("nan")


def confusion(logits: np.ndarray, y: np.ndarray, k: int) -> list[list[int]]:
    """``C[i][j]``: test points of class ``i`` predicted as ``j`` (rows: true classes)."""
    predicted = np.argmax(np.nan_to_num(logits), axis=1) if len(logits) else np.zeros(0, int)
    counts = np.bincount(k * np.asarray(y, dtype=np.int64) + predicted, minlength=k * k)
    return counts[:k * k].reshape(k, k).tolist()
