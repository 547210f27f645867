"""Accuracy per epoch in panels: one panel per setting, one line per seed."""

from __future__ import annotations

import math

from .base import plt


def _panels(n, ncols, size=(3.6, 3.0)):
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows),
                             squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    return fig, axes.ravel()


def seed_curves(panels: dict, title="", ncols=4, ylim=None):
    """Test (solid) and training (dashed) accuracy per epoch.

    Parameters
    ----------
    panels : dict of {panel title: list of histories}
        A history is a mapping with the columns ``epoch``, ``train_accuracy``
        and ``val_accuracy`` (the test set here); one line per history (seed).
    """
    fig, axes = _panels(len(panels), ncols)
    for ax, (name, histories) in zip(axes, panels.items()):
        for i, h in enumerate(histories):
            ax.plot(h["epoch"], h["val_accuracy"], color="C0", lw=1.2,
                    label="test" if i == 0 else None)
            ax.plot(h["epoch"], h["train_accuracy"], color="C1", lw=1.0, ls="--",
                    label="training" if i == 0 else None)
        ax.set(title=name, xlabel="epoch", ylabel="accuracy")
        if ylim:
            ax.set_ylim(*ylim)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def size_panels(panels: dict, title=""):
    """The lecture's overfitting panels: one per training-set size, the gap shaded.

    ``panels`` maps a title ("100 training images") to the histories of its seeds.
    """
    import numpy as np

    fig, axes = _panels(len(panels), 4, size=(3.4, 3.0))
    for ax, (name, histories) in zip(axes, panels.items()):
        for i, h in enumerate(histories):
            ax.plot(h["epoch"], h["train_accuracy"], color="C1", lw=1.0,
                    label="training" if i == 0 else None)
            ax.plot(h["epoch"], h["val_accuracy"], color="C0", lw=1.2,
                    label="test" if i == 0 else None)
        h = histories[0]
        ax.fill_between(h["epoch"], np.asarray(h["val_accuracy"]),
                        np.asarray(h["train_accuracy"]), color="C3", alpha=0.12, lw=0,
                        label="gap (seed 0)")
        ax.set(title=name, xlabel="epoch", ylabel="accuracy", ylim=(0.5, 1.005))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def search_curves(panels: dict, title=""):
    """Validation accuracy per epoch of each recipe of a search, one panel per network.

    Parameters
    ----------
    panels : dict of {panel title: (curves, chosen)}
        ``curves`` maps a recipe's label to its validation accuracy after each
        epoch; ``chosen`` is ``(label, epochs)``, drawn as a dot.
    """
    fig, axes = _panels(len(panels), 2, size=(4.6, 3.4))
    for ax, (name, (curves, (chosen, epochs))) in zip(axes, panels.items()):
        for i, (label, curve) in enumerate(curves.items()):
            ax.plot(range(1, len(curve) + 1), curve, color=f"C{i}", lw=1.3, label=label)
            if label == chosen:
                ax.plot([epochs], [curve[epochs - 1]], "o", color=f"C{i}", ms=7, mec="k")
        ax.set(title=name, xlabel="epoch", ylabel="validation accuracy")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
