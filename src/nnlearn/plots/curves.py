"""Learning curves: loss and accuracy over training."""

from __future__ import annotations

from .base import plt


def learning_curves(history, title="Training"):
    """Loss and accuracy per epoch, training and (when recorded) validation."""
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4))
    epochs = history["epoch"]
    ax_loss.plot(epochs, history["train_loss"], label="train")
    ax_acc.plot(epochs, history["train_accuracy"], label="train")
    if history.has_validation():
        ax_loss.plot(epochs, history["val_loss"], label="test")
        ax_acc.plot(epochs, history["val_accuracy"], label="test")
    ax_loss.set(xlabel="epoch", ylabel="loss (eq. 7, mean)", yscale="log")
    ax_acc.set(xlabel="epoch", ylabel="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
