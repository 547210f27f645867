"""Decision regions of 2-D classifiers: the lecture's training figure."""

from __future__ import annotations

import math
import textwrap

import numpy as np
from matplotlib.artist import Artist
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .base import CLASS_COLOURS, plt

#: how the points drawn on the regions are described ("training points", "test points")
POINTS = ("training", "test", "validation")


def region_grid(X, resolution=250, margin=0.15):
    """The plotting grid of ``decision_regions``: ``resolution`` x ``resolution`` points
    over the box of ``X`` widened by ``margin`` on each side. Returns the two mesh
    arrays and the points as rows ``(resolution**2, 2)``."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = margin * (hi - lo)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return gx, gy, np.column_stack([gx.ravel(), gy.ravel()])


def _label(value) -> str:
    """A class label as a person writes it (``1``, not ``np.int64(1)``)."""
    return str(value.item() if isinstance(value, np.generic) else value)


def decision_regions(networks: dict, X, y, *, n_classes=None, classes=None,
                     feature_names=None, points="training", resolution=250,
                     title="Decision regions", ncols=3):
    """One panel per network: the region of each class, the boundary, the points.

    Parameters
    ----------
    networks : dict of {label: Network}
        Usually ``{iteration: snapshot}``; a panel is titled "Iteration {label}"
        for integer labels, else ``label``.
    X : ndarray of shape (m, 2)
        The points to draw; ``y`` of shape (m,) their class indices.
    n_classes : int, optional
        ``k``; by default ``len(classes)``, else ``max(y) + 1``.
    classes : sequence, optional
        The class labels, ``classes[i]`` for index ``i`` (a ``Dataset``'s
        ``classes``); the legend names each colour by them. Default ``0 .. k-1``.
    feature_names : sequence of 2 str, optional
        The axis labels (a CSV file's column names); default "feature 1", "feature 2".
        Unnamed features of similar range are drawn to the same scale on both axes.
    points : {"training", "test", "validation"}
        Which data the points are: the legend says so.

    Returns
    -------
    matplotlib.figure.Figure
        The figure. Its legend names each class's colour, the boundary and the
        points.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision regions need 2-D points, got shape {X.shape}")
    if points not in POINTS:
        raise ValueError(f"points must be one of {', '.join(POINTS)}, got {points!r}")
    names_given = feature_names is not None
    if not names_given:
        feature_names = ("feature 1", "feature 2")
    elif len(feature_names) != 2:
        raise ValueError(f"need 2 feature names for 2-D points, got {len(feature_names)}")
    k = n_classes or (len(classes) if classes is not None else int(y.max()) + 1)
    if classes is None:
        classes = range(k)
    elif len(classes) != k:
        raise ValueError(f"got {len(classes)} class labels for {k} classes")
    colours = CLASS_COLOURS[:k] if k <= len(CLASS_COLOURS) else None
    cmap = ListedColormap(colours) if colours else plt.get_cmap("tab20", k)
    gx, gy, grid = region_grid(X, resolution)
    n = len(networks)
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    width = max(3.4 * ncols + 1.8, 6.4)  # room for the legend beside one panel
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, 3.5 * nrows + 0.4),
                             squeeze=False, layout="constrained")
    # One unit is the same length on both axes when the features are alike (unnamed
    # coordinates of similar range, as the toy sets); named columns of a table, in
    # their own units, fill the panel instead.
    spans = np.ptp(X, axis=0)
    alike = not names_given and spans.min() > 0 and spans.max() / spans.min() <= 3
    for ax, (label, net) in zip(axes.ravel(), networks.items()):
        region = net.predict(grid).reshape(gx.shape)
        ax.contourf(gx, gy, region, levels=np.arange(k + 1) - 0.5, cmap=cmap, alpha=0.25)
        # The boundary: where the predicted class changes.
        ax.contour(gx, gy, region, levels=np.arange(k) + 0.5, colors="k", linewidths=1.2)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=k - 0.5, s=6,
                   edgecolors="none")
        ax.set_title(f"Iteration {label}" if isinstance(label, (int, np.integer)) else str(label))
        ax.set_xlabel(feature_names[0])
        ax.set_ylabel(feature_names[1])
        ax.tick_params(labelsize=7)
        ax.set_aspect("equal" if alike else "auto")
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    handles: list[Artist] = [
        Patch(facecolor=cmap(i), edgecolor=cmap(i), alpha=0.6, label=_label(c))
        for i, c in enumerate(classes)]
    handles.append(Line2D([], [], color="k", lw=1.2, label="decision boundary"))
    handles.append(Line2D([], [], ls="none", marker="o", markersize=4, color="0.35",
                          label=f"{points} points ({len(y)})"))
    fig.legend(handles=handles, title="class", loc="outside right center", fontsize=8,
               title_fontsize=8)
    fig.suptitle(textwrap.fill(title, width=int(9 * width)))
    return fig


def class_points(X, y, *, n_classes=None, title="", points="training"):
    """The points alone, coloured by class (the lecture's Figure 2), one unit the
    same length on both axes."""
    X, y = np.asarray(X), np.asarray(y)
    k = n_classes or int(y.max()) + 1
    fig, ax = plt.subplots(figsize=(4.8, 4.4), layout="constrained")
    for c in range(k):
        ax.scatter(*X[y == c].T, s=6, color=CLASS_COLOURS[c % len(CLASS_COLOURS)],
                   edgecolors="none", label=f"class {c} ({int((y == c).sum())} {points} points)")
    ax.set(xlabel="feature 1", ylabel="feature 2", aspect="equal")
    ax.legend(fontsize=7, loc="upper right")
    ax.set_title(textwrap.fill(title, width=60), fontsize=9)
    return fig
