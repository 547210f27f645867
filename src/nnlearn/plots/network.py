"""A fully connected network drawn as the lecture's Figure 1: nodes as circles, weights as edges."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import TwoSlopeNorm

from ..engine.layers import Dense, Dropout
from ..engine.network import Network
from .base import plt

#: the lecture's Figure 1: n_0 = 6 inputs, hidden widths 2, 6, 4, and one output
LECTURE_FIGURE_1 = (6, 2, 6, 4, 1)
#: the largest drawing: nodes in one layer, and edges in all
MAX_NODES = 128
MAX_EDGES = 4096
#: node colours as in Figure 1: red input, blue hidden, green output
NODE_COLOURS = {"input": "#d62728", "hidden": "#1f77b4", "output": "#2ca02c"}
WEIGHT_CMAP = "RdBu_r"  # negative weights blue, positive red, zero white


def _architecture(model) -> tuple[list[int], list[np.ndarray] | None]:
    """Widths ``n_0 .. n_L`` and, for a ``Network``, its ``W_k`` (each ``(n_k, n_{k-1})``)."""
    if isinstance(model, Network):
        dense = []
        for layer in model.layers:
            if isinstance(layer, Dropout):
                continue  # no weights, same width: nothing to draw
            if not isinstance(layer, Dense):
                raise ValueError(f"only fully connected networks (Dense layers, eq. 1) can be "
                                 f"drawn; this one has a {type(layer).__name__} layer")
            dense.append(layer)
        return [dense[0].n_in] + [d.n_out for d in dense], [np.asarray(d.W) for d in dense]
    if isinstance(model, (str, bytes)) or not isinstance(model, Sequence):
        raise TypeError(f"draw a Network or a sequence of layer widths, not {model!r}")
    widths = list(model)
    if len(widths) < 2 or not all(isinstance(n, (int, np.integer)) and n > 0 for n in widths):
        raise ValueError(f"widths must be at least two positive integers (n_0, ..., n_L), "
                         f"got {model!r}")
    return [int(n) for n in widths], None


def _check_size(widths: list[int]) -> None:
    widest = max(widths)
    edges = sum(a * b for a, b in zip(widths, widths[1:]))
    if widest > MAX_NODES or edges > MAX_EDGES:
        raise ValueError(
            f"a network with widths {tuple(widths)} ({widest} nodes in its widest layer, "
            f"{edges} weights) is too large to draw; the limit is {MAX_NODES} nodes in a "
            f"layer and {MAX_EDGES} weights (for a 784-input MNIST network, look at the "
            "hidden units' weights as images instead)")


#: the tallest column of nodes: wider layers have their nodes closer together
MAX_HEIGHT = 11.0
#: the distance between layers, in node spacings
LAYER_GAP = 2.0


def _spacing(n: int) -> float:
    return 1.0 if n <= 1 else min(1.0, MAX_HEIGHT / (n - 1))


def _positions(widths: list[int]) -> list[np.ndarray]:
    """Node centres ``(n_k, 2)`` per layer: layer ``k`` at x = k LAYER_GAP, centred on y = 0."""
    return [np.column_stack([np.full(n, k * LAYER_GAP), ((n - 1) / 2 - np.arange(n)) * _spacing(n)])
            for k, n in enumerate(widths)]


def _role(k: int, L: int) -> str:
    return "input" if k == 0 else "output" if k == L else "hidden"


def network_diagram(model=LECTURE_FIGURE_1, *, weights: bool | None = None, title=None,
                    ax=None):
    """Draw a small fully connected network as the lecture's Figure 1.

    Parameters
    ----------
    model : sequence of int or Network
        The widths ``(n_0, n_1, ..., n_L)`` of eq. (1) (default: Figure 1's
        ``(6, 2, 6, 4, 1)``), or a ``Network`` of ``Dense`` (and dropout)
        layers, whose widths and weights are used.
    weights : bool, optional
        Colour and thicken each edge by its weight ``W_k[i, j]`` (blue
        negative, red positive, width proportional to ``|W_k[i, j]|``, one scale
        for all layers). Default: True for a ``Network``; widths alone have none.
    title : str, optional
        Default: the widths, e.g. "n = (6, 2, 6, 4, 1)".
    ax : matplotlib Axes, optional
        Draw into it; by default a new figure is made.

    Returns
    -------
    matplotlib.figure.Figure
        The figure. The edges of layer ``k`` (``W_k``, from layer ``k-1`` to
        ``k``) are the ``LineCollection`` with gid ``"W_{k}"``.

    Raises
    ------
    ValueError
        For networks too large to draw (more than ``MAX_NODES`` nodes in a
        layer or ``MAX_EDGES`` weights), residual networks, bad widths.
    """
    widths, Ws = _architecture(model)
    _check_size(widths)
    if weights and Ws is None:
        raise ValueError("weights=True needs a Network; widths alone have no weights")
    use_weights = Ws is not None if weights is None else bool(weights)
    shown = Ws if use_weights else None  # the weights the edges are coloured by, if any
    L = len(widths) - 1
    pos = _positions(widths)
    top = max(p[:, 1].max() for p in pos)
    if ax is None:  # about 0.45 inch per node spacing, and room for the colour bar
        fig, ax = plt.subplots(figsize=(0.45 * (LAYER_GAP * L + 1.4) + 1.6 * use_weights + 0.4,
                                        0.45 * (2 * top + 2.8) + 0.5))
    fig = ax.figure
    if shown is not None:
        scale = max(float(np.max(np.abs(W))) for W in shown) or 1.0
        norm = TwoSlopeNorm(vcenter=0.0, vmin=-scale, vmax=scale)
        cmap = plt.get_cmap(WEIGHT_CMAP)
    n_edges = sum(a * b for a, b in zip(widths, widths[1:]))
    thin = 1.0 if n_edges <= 200 else 200 / n_edges  # many edges: thinner lines
    colours: np.ndarray | str
    linewidths: np.ndarray | float
    for k in range(1, L + 1):
        below, above = pos[k - 1], pos[k]
        # edge (i, j) joins node j of layer k-1 to node i of layer k: W_k[i, j], eq. (1)
        i, j = np.meshgrid(np.arange(widths[k]), np.arange(widths[k - 1]), indexing="ij")
        segments = list(np.stack([below[j.ravel()], above[i.ravel()]], axis=1))
        if shown is not None:
            w = shown[k - 1][i.ravel(), j.ravel()]
            colours = cmap(norm(w))
            linewidths = thin * (0.3 + 2.7 * np.abs(w) / norm.vmax)
        else:
            colours, linewidths = "0.6", 0.8 * thin
        ax.add_collection(LineCollection(segments, colors=colours, linewidths=linewidths,
                                         zorder=1, gid=f"W_{k}"))
    for k, p in enumerate(pos):
        role = _role(k, L)
        ax.scatter(p[:, 0], p[:, 1], s=max(25.0, 380 * _spacing(widths[k])), c=NODE_COLOURS[role],
                   edgecolors="k", linewidths=0.8 if widths[k] <= 40 else 0.4, zorder=2,
                   gid=f"f_{k}")
        ax.text(k * LAYER_GAP, -top - 0.7, f"{role}\n$n_{{{k}}} = {widths[k]}$", ha="center",
                va="top", fontsize=9)
    ax.set_xlim(-0.7, LAYER_GAP * L + 0.7)
    ax.set_ylim(-top - 2.1, top + 0.7)
    ax.set_aspect("equal" if max(widths) <= 12 else "auto")
    ax.set_axis_off()
    ax.set_title(title if title is not None else f"n = {tuple(widths)}")
    if shown is not None:
        bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.7,
                           pad=0.02)
        bar.set_label("weight $W_k[i, j]$")
    return fig
