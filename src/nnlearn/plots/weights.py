"""Weights seen as images: the rows of ``W_1`` of an image classifier."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from .base import plt

#: Negative weights blue, zero a neutral mid grey, positive red.
GREY_ZERO = LinearSegmentedColormap.from_list("grey_zero", ["#2166ac", "#808080", "#b2182b"])


def hidden_units(images, *, title="", ncols=5):
    """One tile per hidden unit (``images`` of shape ``(n, h, w)``, a row of ``W_1`` each).

    All tiles share one symmetric colour scale ``[-a, a]`` with ``a`` the largest
    absolute weight, so zero is the same grey everywhere and tiles compare.
    """
    images = np.asarray(images, dtype=float)
    n = len(images)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    a = float(np.abs(images).max()) or 1.0
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.9 * ncols + 0.9, 2.0 * nrows),
                             squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.axis("off")
            continue
        im = ax.imshow(images[i], cmap=GREY_ZERO, vmin=-a, vmax=a, interpolation="nearest")
        ax.set_title(f"unit {i + 1}", fontsize=9)
    fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8, label="weight (one scale, 0 = grey)")
    fig.suptitle(title, fontsize=10)
    return fig
