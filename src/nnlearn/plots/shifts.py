"""Accuracy on shifted images, and confusion matrices."""

from __future__ import annotations

import math

import numpy as np

from .base import plt


def shift_curves(pixels, curves: dict, *, lecture: dict | None = None, title="",
                 pair_styles=False):
    """Accuracy (y) against the shift in pixels (x), one line per entry of ``curves``.

    ``lecture`` ({pixels: accuracy}) adds the lecture's numbers as black crosses.
    With ``pair_styles`` consecutive entries share a colour, the first dashed
    (e.g. without and with augmentation).
    """
    fig, ax = plt.subplots(figsize=(7.6, 4.0))
    for i, (name, values) in enumerate(curves.items()):
        if pair_styles:
            colour, style = f"C{i // 2}", "--" if i % 2 == 0 else "-"
        else:
            colour, style = f"C{i}", "-"
        ax.plot(pixels, values, marker="o", ms=3.5, color=colour, ls=style, label=name)
    if lecture:
        ax.plot(list(lecture), list(lecture.values()), "kx", ms=9, mew=2, label="lecture")
    ax.set(xlabel="shift (pixels)", ylabel="test accuracy", ylim=(0, 1.0), xticks=list(pixels))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def confusion_matrices(matrices: dict, classes, *, title="", ncols=2):
    """Row-normalised confusion matrices (true class down, predicted across), one per panel.

    Each cell shows the fraction of the true class predicted as that class;
    the diagonal is each class's recall.
    """
    n = len(matrices)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.4 * ncols, 4.1 * nrows), squeeze=False)
    k = len(classes)
    for ax, (name, C) in zip(axes.ravel(), matrices.items()):
        C = np.asarray(C, dtype=float)
        R = C / np.maximum(C.sum(axis=1, keepdims=True), 1)
        im = ax.imshow(R, cmap="Blues", vmin=0, vmax=1)
        for i in range(k):
            for j in range(k):
                if R[i, j] >= 0.01:
                    ax.text(j, i, f"{100 * R[i, j]:.0f}", ha="center", va="center", fontsize=6,
                            color="white" if R[i, j] > 0.5 else "black")
        ax.set_xticks(range(k), [str(c) for c in classes], fontsize=7,
                      rotation=90 if max(len(str(c)) for c in classes) > 2 else 0)
        ax.set_yticks(range(k), [str(c) for c in classes], fontsize=7)
        ax.set(xlabel="predicted", ylabel="true")
        ax.set_title(f"{name}\naccuracy {np.trace(C) / C.sum():.3f}", fontsize=9)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.6, label="fraction of the true class")
    fig.suptitle(title)
    return fig


def ablation_bars(rows: dict, *, lecture=None, title=""):
    """One bar per variant: its shifted accuracy ± sd, its clean accuracy as a dot.

    Parameters
    ----------
    rows : dict of {label: (shifted mean, shifted sd, clean mean)}
    lecture : float, optional
        The lecture's shifted accuracy, drawn as a dashed line.
    """
    labels = list(rows)
    shifted = np.array([rows[k][0] for k in labels])
    sd = np.array([rows[k][1] for k in labels])
    clean = np.array([rows[k][2] for k in labels])
    y = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(7.6, 0.32 * len(labels) + 1.4))
    ax.barh(y, shifted, xerr=sd, color="C0", alpha=0.8, label="2-pixel shift")
    ax.plot(clean, y, "o", color="C1", label="clean")
    if lecture is not None:
        ax.axvline(lecture, color="k", ls="--", lw=1, label=f"lecture {100 * lecture:.0f}%")
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), xlabel="test accuracy")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig
