"""What the lecture's pages share: the image data, and one way to train on it.

The pages import this module (it lies beside them). ``mnist()`` loads MNIST
where ``nnlearn.data.load`` finds it and never downloads it: the site builds
offline. Without MNIST it warns (the site shows the warning in a box under the
cell) and returns scikit-learn's 8x8 digits instead (embedded in scikit-learn),
so that every page still runs; its numbers are then not the lecture's.

``train`` is the recipe of the pages: Adam with rate 5e-3 and a cosine
schedule, batches of 128, pixels in [0, 1]. It is the reproduction's tuned
recipe (``nnlearn.experiments.capacity``) with fewer epochs, the pages' quick
setting: the full runs, 20 epochs and three seeds, are in the report.
"""

from __future__ import annotations

import warnings

from nnlearn.assembly import Seeds, assemble
from nnlearn.data import load, subset
from nnlearn.errors import DataError

#: how the pages train on images: the report's tuned recipe, for EPOCHS epochs
RECIPE = {"optimizer": "adam", "lr": 5e-3, "schedule": "cosine", "batch_size": 128}
#: the pages' quick setting (the report trains for 20 epochs)
EPOCHS = 5


def mnist(n_train=None, n_test=None, seed=0):
    """MNIST (a stratified subset of ``n_train`` / ``n_test`` images when given), or
    scikit-learn's 8x8 digits, with a note, when MNIST is not on this machine."""
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
        return data


def train(network, data, *, epochs=EPOCHS, transform=None, seed=0, backend="numpy"):
    """Train ``network`` on ``data`` with ``RECIPE`` (the test set as validation).

    ``transform`` is applied to every training batch (augmentation); ``backend``
    is ``"numpy"`` (the engine) or ``"torch"`` (the PyTorch twin's
    ``TorchBackend``). The run is put together as every face of nnlearn does it
    (``nnlearn.assembly.assemble``). Returns the ``History`` (loss and accuracy per
    epoch, training and test).
    """
    run = assemble(None, {**RECIPE, "epochs": epochs, "backend": backend, "device": "cpu"},
                   seeds=Seeds.same(seed), network=network)
    return run.trainer.fit(data.X_train, data.y_train,
                           validation_data=(data.X_test, data.y_test), transform=transform)
