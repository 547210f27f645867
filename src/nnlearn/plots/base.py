"""What every figure shares: a file-only matplotlib backend, atomic saving, class colours."""

from __future__ import annotations

import os
import sys

import matplotlib

# Files only, so that no display is needed, unless a backend was already chosen: a
# notebook's inline backend (ipykernel sets MPLBACKEND), or the caller's pyplot.
if "MPLBACKEND" not in os.environ and "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")  # must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402

from ..fileio import atomic_path  # noqa: E402

__all__ = ["CLASS_COLOURS", "plt", "save_figure"]

CLASS_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                 "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def save_figure(fig, path, dpi=120) -> None:
    """Save ``fig`` atomically (format from the suffix) and close it."""
    fmt = str(path).rsplit(".", 1)[-1]
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
