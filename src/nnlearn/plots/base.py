"""What every figure shares: a file-only matplotlib backend, atomic saving, class colours."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only; must precede pyplot so that no display is needed
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
