"""The backend seam: what the training loop asks of the thing doing the arithmetic.

The loop in ``trainer.py`` decides which samples go into which batch, with what
learning rate, and what is recorded; a backend computes. ``NumpyBackend`` runs
the engine; ``nnlearn.torch.TorchBackend`` runs the PyTorch twin with the same
interface, so both see the same batches in the same order. Which one to build
is decided above both, in ``nnlearn.backends``: this package never names torch.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..engine.losses import evaluate_logits
from ..engine.network import Network
from ..engine.optim import Optimizer
from ..engine.threads import blas_threads_for, step_flops


class Backend(Protocol):
    """What the loop asks of a backend.

    The optional part: a backend that can keep the training set where it
    computes (a GPU's memory) has its own ``hold``, ``train_rows`` and
    ``release``, as ``nnlearn.torch.TorchBackend`` does. A backend that
    subclasses ``Backend`` (``NumpyBackend``) inherits the defaults, which keep
    nothing: the loop then gathers every batch on the host.
    """

    @property
    def n_in(self) -> int:
        """The input width ``n_0``."""
        ...

    @property
    def n_out(self) -> int:
        """The number of classes ``n_L``."""
        ...

    def train_step(self, X, y, sample_weight, lr: float) -> tuple[float, float]:
        """One step of the optimiser on a batch; returns its mean loss before the
        step (weighted by ``sample_weight``) and the number of rows predicted
        right (the sum of their weights, with ``sample_weight``)."""
        ...

    def evaluate(self, X, y, sample_weight=None) -> tuple[float, float]:
        """(mean loss, accuracy) on a data set, without changing anything."""
        ...

    def predict_logits(self, X) -> np.ndarray:
        """Logits ``f_L`` for the rows of ``X``, as a NumPy array."""
        ...

    def get_network(self) -> Network:
        """A NumPy copy of the current network (for snapshots and model files)."""
        ...

    def set_parameters(self, values: dict) -> None:
        """Overwrite the parameters (names as in ``Network.parameters()``)."""
        ...

    def optimizer_state(self) -> dict:
        """The optimiser's state as NumPy arrays (``Optimizer.state_dict`` names)."""
        ...

    def load_optimizer_state(self, state: dict) -> None:
        """Continue from ``optimizer_state()``."""
        ...

    def hold(self, X, y, sample_weight) -> bool:
        """Keep the training set (checked arrays) for the length of one ``fit``.

        Returns True when the backend keeps it: the loop then calls
        ``train_rows`` instead of ``train_step``, and ``release`` when ``fit``
        ends. The default keeps nothing and returns False.
        """
        return False

    def train_rows(self, rows, sample_weight, lr: float) -> tuple[float, float]:
        """``train_step`` on the rows ``rows`` (a slice, or an array of indices)
        of the set given to ``hold``; ``sample_weight`` is their weights on the
        host (None without weights). Called only after ``hold`` returned True."""
        raise RuntimeError(f"{type(self).__name__} holds no training set: train_rows is "
                           "called only after hold returned True")

    def release(self) -> None:
        """Let go of the set given to ``hold`` (the default has none to let go of)."""
        return None


class NumpyBackend(Backend):
    """Trains a ``Network`` with the NumPy engine: eq. (7), Theorem 1, an optimiser.

    ``seed`` drives dropout masks only; batches come from the training loop.
    A step of a small network runs on one BLAS thread (``nnlearn.engine.threads``).
    """

    def __init__(self, network: Network, optimizer: Optimizer, *, seed=0):
        self.network = network
        self.optimizer = optimizer
        self.rng = np.random.default_rng(seed)
        self._flops_per_row = step_flops(network, 1)

    @property
    def n_in(self):
        return self.network.n_in

    @property
    def n_out(self):
        return self.network.n_out

    def train_step(self, X, y, sample_weight, lr):
        net = self.network
        with blas_threads_for(self._flops_per_row * len(y)):
            loss, z = net.loss_and_gradients(X, y, sample_weight=sample_weight, train=True,
                                             rng=self.rng)
            self.optimizer.step(net, lr)
        right = np.argmax(z, axis=1) == y
        if sample_weight is None:
            return loss, int(np.count_nonzero(right))
        return loss, float(np.dot(right, sample_weight))

    def predict_logits(self, X):
        return self.network.predict_logits(X)

    def evaluate(self, X, y, sample_weight=None):
        return evaluate_logits(self.predict_logits(X), y, sample_weight)

    def get_network(self):
        return self.network.copy()

    def set_parameters(self, values):
        self.network.set_parameters(values)

    def optimizer_state(self):
        return self.optimizer.state_dict()

    def load_optimizer_state(self, state):
        self.optimizer.load_state_dict(state, self.network.parameters())
