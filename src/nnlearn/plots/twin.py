"""Two engines side by side: the NumPy engine and the PyTorch twin, seed by seed."""

from __future__ import annotations

import numpy as np

from .base import plt


def engine_curves(runs: dict, *, title="", column="val_accuracy", label="test accuracy"):
    """An accuracy per epoch of both engines (top) and their difference (bottom).

    Parameters
    ----------
    runs : dict of {engine: {(hidden, seed): history}}
        ``engine`` is ``"numpy"`` or ``"torch"``; a history has the columns
        ``epoch`` and ``column``.
    column, label : str
        The history's column to draw (``val_accuracy``: the set measured after
        each epoch; ``train_accuracy``) and how the axis names it.
    """
    widths = sorted({h for h, _ in runs["numpy"]})
    fig, axes = plt.subplots(2, len(widths), figsize=(4.4 * len(widths), 5.6), squeeze=False,
                             sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    for col, h in enumerate(widths):
        top, bottom = axes[0][col], axes[1][col]
        seeds = sorted(s for hh, s in runs["numpy"] if hh == h)
        for i, s in enumerate(seeds):
            a, b = runs["numpy"][(h, s)], runs["torch"][(h, s)]
            top.plot(a["epoch"], a[column], color=f"C{i}", lw=1.4, label=f"seed {s}")
            top.plot(b["epoch"], b[column], color=f"C{i}", lw=1.4, ls="--")
            diff = 100 * (np.asarray(b[column]) - np.asarray(a[column]))
            bottom.plot(a["epoch"], diff, color=f"C{i}", marker="o", ms=3, lw=1)
        top.set(title=f"{h} hidden units", ylabel=label)
        top.legend(fontsize=8, loc="lower right")
        bottom.axhline(0, color="k", lw=0.8)
        bottom.set(xlabel="epoch", ylabel="twin - engine (pt)")
        for ax in (top, bottom):
            ax.grid(alpha=0.3)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
