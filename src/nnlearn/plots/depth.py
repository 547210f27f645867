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
            # the norms come in float64 (no underflow); a norm of exactly 0 cannot go on
            # a log axis and is left out rather than drawn at an invented floor
            ax.plot(k, np.where(np.asarray(init) > 0, init, np.nan), ls="--", color=colour,
                    lw=1)
            ax.plot(k, np.where(np.asarray(trained) > 0, trained, np.nan), color=colour, lw=1.4,
                    label=f"L = {L}")
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


def norms_by_setup(panels: dict, *, title=""):
    """``|dL/dz_k|`` against the layer ``k`` (log scale): one panel per setup, one
    colour per architecture, one line per seed.

    Parameters
    ----------
    panels : dict of {panel title: {architecture: list of norms lists}}
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 3.6), squeeze=False)
    for ax, (name, kinds) in zip(axes[0], panels.items()):
        for i, (kind, runs) in enumerate(kinds.items()):
            for j, norms in enumerate(runs):
                k = np.arange(1, len(norms) + 1)
                ax.plot(k, norms, color=f"C{i}", lw=1.0, alpha=0.8,
                        label=kind if j == 0 else None)
        ax.set(yscale="log", xlabel="layer k (1 = input side)", ylabel="|dL/dz_k|", title=name)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
