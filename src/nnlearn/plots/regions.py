"""Decision regions of 2-D classifiers: the lecture's training figure."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import ListedColormap

from .base import CLASS_COLOURS, plt


def _grid(X, resolution, margin=0.15):
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = margin * (hi - lo)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return gx, gy, np.column_stack([gx.ravel(), gy.ravel()])


def decision_regions(networks: dict, X, y, *, n_classes=None, resolution=250,
                     title="Decision regions", ncols=3):
    """One panel per network: the region of each class, the boundary, the points.

    Parameters
    ----------
    networks : dict of {label: Network}
        Usually ``{iteration: snapshot}``; a panel is titled "Iteration {label}"
        for integer labels, else ``label``.
    X : ndarray of shape (m, 2)
        The training points to draw; ``y`` of shape (m,) their classes.

    Returns the matplotlib figure.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision regions need 2-D points, got shape {X.shape}")
    k = n_classes or int(y.max()) + 1
    colours = CLASS_COLOURS[:k] if k <= len(CLASS_COLOURS) else None
    cmap = ListedColormap(colours) if colours else plt.get_cmap("tab20", k)
    gx, gy, grid = _grid(X, resolution)
    n = len(networks)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 3.4 * nrows), squeeze=False)
    for ax, (label, net) in zip(axes.ravel(), networks.items()):
        region = net.predict(grid).reshape(gx.shape)
        ax.contourf(gx, gy, region, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.25)
        # The boundary: where the predicted class changes.
        ax.contour(gx, gy, region, levels=np.arange(k) + 0.5, colors="k", linewidths=1.2)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=k - 0.5, s=6,
                   edgecolors="none")
        ax.set_title(f"Iteration {label}" if isinstance(label, (int, np.integer)) else str(label))
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal")
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
