"""One frame of the page: decision regions, first-layer tiles, gradient norms, metrics.

Arrays travel as base64 bytes (a 80 x 80 grid is 6400 bytes per array), rows
from the top of the picture down, so the page copies them straight into pixels.
"""

from __future__ import annotations

import base64
import math

import numpy as np

from ..engine.losses import evaluate_logits, softmax
from ..engine.network import Network
from .data import PlayData

GRID_MAX, GRID_MIN = 80, 24  # cells per side of the region picture
TILE = 20  # cells per side of a first-layer tile
MAX_TILES = 64
GRID_WORK = 6e7  # multiply-adds one region picture may cost; bigger networks get coarser grids
CHUNK = 256  # rows per pass: small arrays are reused by the allocator instead of mapped afresh


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def logits(network: Network, X) -> np.ndarray:
    """``network.predict_logits`` in passes of ``CHUNK`` rows (several times faster for the
    6400 cells of a picture where allocating large arrays is slow, as in small VMs)."""
    X = np.asarray(X, dtype=network.dtype)
    return np.concatenate([network.predict_logits(X[i:i + CHUNK])
                           for i in range(0, len(X), CHUNK)])


def grid_size(network: Network) -> int:
    """Cells per side: 80 for small networks, fewer (down to 24) for big ones."""
    per_point = max(network.n_parameters(), 1)
    return int(min(GRID_MAX, max(GRID_MIN, math.sqrt(GRID_WORK / per_point))))


def grid_points(domain, n) -> np.ndarray:
    """``(n * n, 2)`` cell centres, row by row from the top (largest y) down."""
    x0, x1, y0, y1 = domain
    dx, dy = (x1 - x0) / n, (y1 - y0) / n
    xs = x0 + dx * (np.arange(n) + 0.5)
    ys = y1 - dy * (np.arange(n) + 0.5)
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def regions(network: Network, data: PlayData, n: int) -> dict:
    """The predicted class of every cell and its margin ``p_top - p_second`` in 0..255."""
    p = softmax(logits(network, data.standardize(grid_points(data.domain, n))))
    top = np.argmax(p, axis=1)
    two = np.sort(p, axis=1)[:, -2:] if p.shape[1] > 1 else np.zeros((len(p), 2))
    margin = np.clip(np.round(255 * (two[:, 1] - two[:, 0])), 0, 255)
    margin = np.nan_to_num(margin).astype(np.uint8)
    return {"n": n, "cls": _b64(top.astype(np.uint8)), "margin": _b64(margin)}


def tiles(network: Network, data: PlayData, m: int = TILE) -> dict:
    """Each first-layer unit's output ``f_1`` over the plane, scaled to -127..127 per unit."""
    first = network.layers[0]
    if len(network.layers) == 1:  # no hidden layer: the first layer is the output
        return {"m": m, "count": 0, "of": 0, "data": ""}
    count = min(first.n_out, MAX_TILES)
    f1 = first.apply(data.standardize(grid_points(data.domain, m)).astype(network.dtype))
    f1 = np.nan_to_num(f1[:, :count].astype(np.float64))
    peak = np.max(np.abs(f1), axis=0)
    peak[peak == 0] = 1.0
    values = np.round(127 * f1 / peak).astype(np.int8).T  # (count, m * m): one tile per row
    return {"m": m, "count": count, "of": first.n_out, "data": _b64(values)}


def _finite(x):
    x = float(x)
    return x if math.isfinite(x) else None


def metrics(network: Network, data: PlayData) -> dict:
    """Mean loss (eq. 7) and accuracy on the train and test parts."""
    out = {}
    for part, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        with np.errstate(over="ignore", invalid="ignore"):
            loss, acc = evaluate_logits(logits(network, data.standardize(X)), y)
        out[f"{part}_loss"], out[f"{part}_accuracy"] = _finite(loss), _finite(acc)
    return out


def frame(network: Network, data: PlayData, *, iteration: int, epoch: int, lr: float,
          state: str) -> dict:
    """Everything the page redraws, as JSON-ready values."""
    norms = [_finite(v) for v in network.grad_norms()] if all(
        layer.dz is not None for layer in network.layers if layer.params) else []
    return {"type": "frame", "iteration": iteration, "epoch": epoch, "lr": lr, "state": state,
            **metrics(network, data), "grid": regions(network, data, grid_size(network)),
            "tiles": tiles(network, data), "grad_norms": norms}
