"""The confusion matrix: which classes are taken for which."""

from __future__ import annotations

import numpy as np

from .base import plt


def confusion_matrix(counts, labels, *, title="Confusion matrix", normalize=True):
    """Rows are the true classes, columns the predicted ones; each cell shows its count.

    With ``normalize`` the colour is the share of the row (the recall of the
    diagonal), so that rare classes read as clearly as common ones.
    """
    counts = np.asarray(counts)
    k = len(labels)
    if counts.shape != (k, k):
        raise ValueError(f"a confusion matrix of {k} classes is {k}x{k}, got {counts.shape}")
    rows = counts.sum(axis=1, keepdims=True)
    shade = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0) if normalize \
        else counts
    size = max(4.0, 0.45 * k + 2)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(shade, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    fig.colorbar(image, ax=ax, label="share of the true class" if normalize else "count")
    ticks = np.arange(k)
    names = [str(c) for c in labels]
    ax.set(xticks=ticks, yticks=ticks, xticklabels=names, yticklabels=names,
           xlabel="predicted class", ylabel="true class", title=title)
    plt.setp(ax.get_xticklabels(), rotation=45 if max(map(len, names)) > 2 else 0, ha="right")
    if k <= 20:  # beyond that the numbers would not fit their cells
        for i in range(k):
            for j in range(k):
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if shade[i, j] > 0.5 * (shade.max() or 1) else "black")
    fig.tight_layout()
    return fig
