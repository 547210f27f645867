"""Learning curves: loss and accuracy over training, per epoch and per iteration."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from .base import plt

#: up to this many points a curve also gets a marker at each point (one epoch is
#: one point: without a marker it would not be drawn at all)
MARKERS_UP_TO = 30
#: from this many epochs (or iterations) on, the x-axis is logarithmic, so that
#: the first steps, where most happens, are not squashed against the y-axis
LOG_X_FROM = 200

#: the words of the figures for the columns of ``history.csv``
VALIDATION = "validation"


def _style(n_points: int) -> dict:
    return {"marker": "o", "markersize": 3.5} if n_points <= MARKERS_UP_TO else {}


def _xscale(x, xscale) -> str:
    """``xscale`` if given, else "log" for long runs that start at a positive step."""
    if xscale is not None:
        return xscale
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    return "log" if len(x) >= LOG_X_FROM and x.min() > 0 else "linear"


def _x_label(word: str, scale: str) -> str:
    return f"{word} (log scale)" if scale == "log" else word


def _loss_axis(ax, values) -> None:
    """A log y-axis when the loss is positive and spans more than a decade."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    spans = finite.size and finite.min() > 0 and finite.max() > 10 * finite.min()
    ax.set_yscale("log" if spans else "linear")


def _finish(axes, x, scale, title, fig) -> None:
    for ax in axes:
        if scale == "linear":  # epochs and iterations are whole numbers
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            if len(x) == 1:  # one point: a range of whole numbers around it
                ax.set_xlim(x[0] - 1, x[0] + 1)
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()


def learning_curves(history, title="Training", *, xscale=None):
    """Loss and accuracy per epoch, training and (when recorded) validation.

    Parameters
    ----------
    history : nnlearn.training.History
        The columns ``epoch``, ``train_*`` and ``val_*`` are drawn; ``val_*``
        are labelled "validation", the word ``history.csv`` stands for.
    title : str
        The figure's title (name the data, the architecture and the optimiser).
    xscale : {"linear", "log"}, optional
        By default "log" from ``LOG_X_FROM`` epochs on, else "linear".

    Returns
    -------
    matplotlib.figure.Figure
        The figure. With few epochs (up to ``MARKERS_UP_TO``) every point has a
        marker, so that a run of one epoch still shows its one point.
    """
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4))
    epochs = history["epoch"]
    style = _style(len(epochs))
    scale = _xscale(epochs, xscale)
    ax_loss.plot(epochs, history["train_loss"], label="train", **style)
    ax_acc.plot(epochs, history["train_accuracy"], label="train", **style)
    losses = [history["train_loss"]]
    if history.has_validation():
        ax_loss.plot(epochs, history["val_loss"], label=VALIDATION, **style)
        ax_acc.plot(epochs, history["val_accuracy"], label=VALIDATION, **style)
        losses.append(history["val_loss"])
    _loss_axis(ax_loss, np.concatenate(losses) if len(epochs) else [])
    ax_loss.set(xlabel=_x_label("epoch", scale), ylabel="loss (eq. 7, mean)", xscale=scale)
    ax_acc.set(xlabel=_x_label("epoch", scale), ylabel="accuracy", xscale=scale)
    _finish((ax_loss, ax_acc), epochs, scale, title, fig)
    return fig


def iteration_curves(history, title="Training, per iteration", *, xscale=None):
    """The loss and accuracy of every training batch (``--record-iterations``).

    Each optimiser step is one point: the batch's mean loss and accuracy,
    before the step. When the history holds validation rows, the validation
    loss and accuracy at the end of each epoch are drawn at that epoch's last
    iteration, on the same axes.

    Raises
    ------
    ValueError
        When the history has no iteration rows (train with ``record_iterations``).
    """
    rows = history.iterations
    if not rows["iteration"]:
        raise ValueError("the history has no iteration rows; train with record_iterations=True "
                         "(nnlearn train --record-iterations)")
    it = np.asarray(rows["iteration"], dtype=float)
    loss = np.asarray(rows["loss"], dtype=float)
    accuracy = np.asarray(rows["accuracy"], dtype=float)
    scale = _xscale(it, xscale)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4))
    style = _style(len(it))
    ax_loss.plot(it, loss, lw=0.8, label="train (each batch)", **style)
    ax_acc.plot(it, accuracy, lw=0.8, label="train (each batch)", **style)
    losses = [loss]
    if history.has_validation():
        at = history["iteration"]
        ax_loss.plot(at, history["val_loss"], label=f"{VALIDATION} (end of epoch)",
                     **_style(len(at)))
        ax_acc.plot(at, history["val_accuracy"], label=f"{VALIDATION} (end of epoch)",
                    **_style(len(at)))
        losses.append(history["val_loss"])
    _loss_axis(ax_loss, np.concatenate(losses))
    ax_loss.set(xlabel=_x_label("iteration", scale), ylabel="loss (eq. 7, mean)", xscale=scale)
    ax_acc.set(xlabel=_x_label("iteration", scale), ylabel="accuracy", xscale=scale)
    _finish((ax_loss, ax_acc), it, scale, title, fig)
    return fig
