"""Images in a grid (data sets, hidden units seen as pictures)."""

from __future__ import annotations

import math

import numpy as np

from .base import plt


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
