"""One frame of the page: decision regions, the network view, gradient norms, metrics.

Arrays travel as base64 bytes (``plane.b64``); the network view (every unit's map,
the weights between drawn units, the confusion counts) is built by ``units``.
"""

from __future__ import annotations

import math

import numpy as np

from ..engine.losses import evaluate_logits, softmax
from ..engine.network import Network
from .data import PlayData
from .plane import b64, grid_points
from .units import clamp_offsets, confusion, edges, unit_maps, weight_norm

__all__ = ["frame", "grid_points", "grid_size", "logits", "metrics", "regions", "snapshot"]

GRID_MAX, GRID_MIN = 80, 24  # cells per side of the region picture
GRID_WORK = 6e7  # multiply-adds one region picture may cost; bigger networks get coarser grids
CHUNK = 256  # rows per pass: small arrays are reused by the allocator instead of mapped afresh
#: below this, every layer's gradient norm counts as zero: nothing is learnt any more
DEAD_GRADIENT = 1e-12


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


def regions(network: Network, data: PlayData, n: int) -> dict:
    """The predicted class of every cell and its margin ``p_top - p_second`` in 0..255."""
    with np.errstate(over="ignore", invalid="ignore"):
        p = softmax(logits(network, data.standardize(grid_points(data.domain, n))))
    top = np.argmax(np.nan_to_num(p), axis=1)
    two = np.sort(p, axis=1)[:, -2:] if p.shape[1] > 1 else np.zeros((len(p), 2))
    margin = np.clip(np.round(255 * (two[:, 1] - two[:, 0])), 0, 255)
    margin = np.nan_to_num(margin).astype(np.uint8)
    return {"n": n, "cls": b64(top.astype(np.uint8)), "margin": b64(margin)}


def _finite(x):
    x = float(x)
    return x if math.isfinite(x) else None


def metrics(network: Network, data: PlayData) -> dict:
    """Mean loss (eq. 7) and accuracy on the train and test parts, and the test
    part's confusion counts."""
    out: dict = {}
    for part, X, y in (("train", data.X_train, data.y_train), ("test", data.X_test, data.y_test)):
        with np.errstate(over="ignore", invalid="ignore"):
            z = logits(network, data.standardize(X))
            loss, acc = evaluate_logits(z, y)
        out[f"{part}_loss"], out[f"{part}_accuracy"] = _finite(loss), _finite(acc)
    out["confusion"] = confusion(z, data.y_test, data.n_classes)
    return out


def _warning(norms) -> str | None:
    """What the page should say when the gradients show that nothing is being learnt."""
    if norms and all(v is not None and v < DEAD_GRADIENT for v in norms):
        return ("the gradients are zero in every layer: the network has stopped learning "
                "(dead or saturated units, often after too large a learning rate); lower the "
                "learning rate and press Reset")
    return None


def frame(network: Network, data: PlayData, *, iteration: int, epoch: int, lr: float,
          state: str, offsets=None) -> dict:
    """Everything the page redraws, as JSON-ready values."""
    norms = [_finite(v) for v in network.grad_norms()] if all(
        layer.dz is not None for layer in network.layers if layer.params) else []
    offsets = clamp_offsets(network, offsets)
    out = {"type": "frame", "iteration": iteration, "epoch": epoch, "lr": lr, "state": state,
           **metrics(network, data), "grid": regions(network, data, grid_size(network)),
           "units": unit_maps(network, data, offsets), "edges": edges(network, offsets),
           "weight_norm": _finite(weight_norm(network)), "grad_norms": norms}
    warning = _warning(norms) if iteration else None
    if warning:
        out["warning"] = warning
    return out


def snapshot(network: Network, data: PlayData, iteration: int) -> dict:
    """The decision regions at one iteration, for the page's strip (``pace.snapshots``)."""
    return {"type": "snapshot", "iteration": iteration,
            "grid": regions(network, data, grid_size(network))}
