"""What the lecture's pages share: the image data, and one way to train on it.

The pages of the site's lecture (``docs/lecture/NN_*.py``) import this module,
so that each page, downloaded as a script or a notebook, runs on its own with
only nnlearn installed. ``mnist()`` loads MNIST where ``nnlearn.data.load``
finds it and never downloads it (the site builds offline). Without MNIST it
warns (the site shows the warning in a box under the cell) and returns
scikit-learn's 8x8 digits instead (embedded in scikit-learn), so that every
page still runs; its numbers are then not the lecture's.

``train`` is the recipe of the pages: Adam with rate 5e-3 and a cosine
schedule, batches of 128, pixels in [0, 1]. It is the reproduction's tuned
recipe (``nnlearn.experiments.capacity``) with fewer epochs, the pages' quick
setting: the full runs, 20 epochs and every seed, are in the report.

With the environment variable ``NNLEARN_LECTURE_QUICK=1`` (CI runs the
downloaded notebooks so), ``mnist()`` takes at most ``QUICK_SIZES`` images and
``train`` one epoch: the page runs in seconds, and its numbers mean nothing.
"""

from __future__ import annotations

import os
import warnings

from nnlearn.assembly import Seeds, assemble
from nnlearn.data import Dataset, load, subset
from nnlearn.errors import DataError

__all__ = ["EPOCHS", "QUICK_SIZES", "RECIPE", "mnist", "quick", "train"]

#: how the pages train on images: the report's tuned recipe, for EPOCHS epochs
RECIPE = {"optimizer": "adam", "lr": 5e-3, "schedule": "cosine", "batch_size": 128}
#: the pages' quick setting (the report trains for 20 epochs)
EPOCHS = 5
#: at most this many training and test images in quick mode (NNLEARN_LECTURE_QUICK=1)
QUICK_SIZES = (1000, 500)


def quick() -> bool:
    """Whether the pages run in quick mode (``NNLEARN_LECTURE_QUICK=1``).

    Examples
    --------
    >>> import os
    >>> quick() == (os.environ.get("NNLEARN_LECTURE_QUICK") == "1")
    True
    """
    return os.environ.get("NNLEARN_LECTURE_QUICK") == "1"


def _smaller(n, limit):
    return limit if n is None else min(n, limit)


def mnist(n_train=None, n_test=None, seed=0) -> Dataset:
    """MNIST, or scikit-learn's 8x8 digits, with a warning, when MNIST is not here.

    Parameters
    ----------
    n_train, n_test : int, optional
        Stratified subsets of that many training and test images (all of them
        when not given; at most ``QUICK_SIZES`` in quick mode).
    seed : int
        Seed of the subsets (and of the digits' test split).

    Returns
    -------
    Dataset
        Pixels in [0, 1], ``image_shape`` set.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     data = mnist(n_train=100, n_test=50)
    >>> len(data.y_train), data.n_classes
    (100, 10)
    """
    if quick():
        n_train, n_test = _smaller(n_train, QUICK_SIZES[0]), _smaller(n_test, QUICK_SIZES[1])
    try:
        return load("mnist", n_train=n_train, n_test=n_test, seed=seed, download=False)
    except DataError as err:
        # a warning, so that the site shows it in a box at the top of the page's output
        warnings.warn("MNIST is not on this machine, so this page falls back to "
                      "scikit-learn's 8x8 digits (1797 images): its numbers are not the "
                      "lecture's. Set NNLEARN_DATA to a folder holding mnist/ to see them. "
                      f"({str(err).splitlines()[0]})", stacklevel=2)
        data = load("digits", seed=seed)  # 1437 training and 360 test images
        if n_train is not None and n_train < len(data.y_train):
            data.X_train, data.y_train = subset(data.X_train, data.y_train, n_train, seed)
        if n_test is not None and n_test < len(data.y_test):
            data.X_test, data.y_test = subset(data.X_test, data.y_test, n_test, seed)
        return data


def train(network, data, *, epochs=EPOCHS, transform=None, seed=0, backend="numpy"):
    """Train ``network`` on ``data`` with ``RECIPE``, the test set as validation.

    The run is put together as every face of nnlearn does it
    (``nnlearn.assembly.assemble``).

    Parameters
    ----------
    network : Network
        The engine's network, trained in place.
    data : Dataset
        Its training set is trained on, its test set reported each epoch.
    epochs : int
        Epochs (one in quick mode).
    transform : callable, optional
        Applied to every training batch (augmentation).
    seed : int
        Seed of the batch order.
    backend : {"numpy", "torch"}
        The engine, or the PyTorch twin's ``TorchBackend``.

    Returns
    -------
    History
        Loss and accuracy per epoch, training and test.

    Examples
    --------
    >>> from nnlearn.data import load
    >>> from nnlearn.engine import mlp
    >>> data = load("digits", seed=0)
    >>> net = mlp(data.n_features, [10], data.n_classes, seed=0)
    >>> history = train(net, data, epochs=1)
    >>> len(history["val_accuracy"])
    1
    """
    if quick():
        epochs = 1
    run = assemble(None, {**RECIPE, "epochs": epochs, "backend": backend, "device": "cpu"},
                   seeds=Seeds.same(seed), network=network)
    return run.trainer.fit(data.X_train, data.y_train,
                           validation_data=(data.X_test, data.y_test), transform=transform)
