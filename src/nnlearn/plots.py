"""Every figure nnlearn draws (matplotlib, no screen needed)."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")  # files only; must precede pyplot so that no display is needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

from .fileio import atomic_path  # noqa: E402

CLASS_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def save_figure(fig, path, dpi=120) -> None:
    """Save ``fig`` atomically (format from the suffix) and close it."""
    fmt = str(path).rsplit(".", 1)[-1]
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight")
    plt.close(fig)


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


def learning_curves(history, title="Training"):
    """Loss and accuracy per epoch, training and (when recorded) validation."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4))
    epochs = history["epoch"]
    ax_loss.plot(epochs, history["train_loss"], label="train")
    ax_acc.plot(epochs, history["train_accuracy"], label="train")
    if history.has_validation():
        ax_loss.plot(epochs, history["val_loss"], label="test")
        ax_acc.plot(epochs, history["val_accuracy"], label="test")
    ax_loss.set(xlabel="epoch", ylabel="loss (eq. 7, mean)", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def image_grid(images, labels, title=""):
    """A figure of ``images`` ``(n, h, w)`` in a near-square grid, each under its label.

    The grid is one mosaic array drawn by one ``imshow`` (hundreds of small
    axes would take seconds to draw); each tile has a band above it for its label.
    """
    n, h, w = images.shape
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    band, gap = max(2, math.ceil(0.4 * h)), max(1, w // 10)
    # one grey scale for all: the images' brightness stays comparable; lo is the background
    lo, hi = float(images.min()), float(images.max())
    tiles = np.full((rows * cols, band + h, w + gap), lo, dtype=np.float32)
    tiles[:n, band:, :w] = images
    mosaic = tiles.reshape(rows, cols, band + h, w + gap).transpose(0, 2, 1, 3) \
        .reshape(rows * (band + h), cols * (w + gap))
    width = 1.2 * cols
    fig = plt.figure(figsize=(width, width * mosaic.shape[0] / mosaic.shape[1] + 0.3))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(mosaic, cmap="gray_r", vmin=lo, vmax=hi if hi > lo else lo + 1,
              interpolation="nearest")
    for i, label in enumerate(labels):
        row, col = divmod(i, cols)
        ax.text(col * (w + gap) + w / 2, row * (band + h) + band / 2, str(label),
                ha="center", va="center", fontsize=8)
    ax.set_axis_off()
    ax.set_title(title, fontsize=9)
    return fig
