"""Depth: gradient norms layer by layer, and accuracy against depth."""

from __future__ import annotations

import numpy as np

from .base import plt


def grad_norms_by_layer(norms: dict, *, title=""):
    """``|dL/dz_k|`` against the layer ``k`` (log scale), one panel per network kind.

    Parameters
    ----------
    norms : dict of {kind: {depth L: (norms at initialisation, norms trained)}}
        Each norms list has one value per weight layer, ``k = 1 .. L``.
    """
    kinds = list(norms)
    fig, axes = plt.subplots(1, len(kinds), figsize=(3.6 * len(kinds), 3.4), sharey=True,
                             squeeze=False)
    for ax, kind in zip(axes[0], kinds):
        depths = sorted(norms[kind])
        for i, L in enumerate(depths):
            init, trained = norms[kind][L]
            k = np.arange(1, len(init) + 1)
            colour = plt.get_cmap("viridis")(i / max(1, len(depths) - 1))
            # a norm of exactly 0 (underflow) cannot go on a log axis: floor it
            ax.plot(k, np.maximum(init, 1e-30), ls="--", color=colour, lw=1)
            ax.plot(k, np.maximum(trained, 1e-30), color=colour, lw=1.4, label=f"L = {L}")
        ax.set(yscale="log", xlabel="layer k (1 = input side)", title=kind.replace("_", ", "))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("|dL/dz_k|")
    axes[0][-1].legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def depth_accuracy(depths, accuracy: dict, *, title=""):
    """Test accuracy against depth ``L``, one line per network kind."""
    fig, ax = plt.subplots(figsize=(5.6, 3.6))
    for i, (kind, values) in enumerate(accuracy.items()):
        ax.plot(depths, values, marker="o", color=f"C{i}",
                ls="-" if kind.startswith("resnet") else "--", label=kind)
    ax.set(xscale="log", xlabel="depth L (weight layers)", ylabel="test accuracy", ylim=(0, 1))
    ax.set_xticks(list(depths), [str(d) for d in depths])
    ax.minorticks_off()
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
