"""The backend seam: what the training loop asks of the thing doing the arithmetic.

The loop in ``trainer.py`` decides which samples go into which batch, with what
learning rate, and what is recorded; a backend computes. ``NumpyBackend`` runs
the engine; ``nnlearn.torch.TorchBackend`` runs the PyTorch twin with the same
interface, so both see the same batches in the same order. Which one to build
is decided above both, in ``nnlearn.assembly``: this package never names torch.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

import numpy as np

from ..engine.layers import Dropout
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
        """One step of the optimiser on a batch: the mean of the loss of eq. (7),
        its gradient by Theorem 1 (eqs. 3-5), then the update with step size ``lr``.

        Parameters
        ----------
        X : ndarray or CSR matrix of shape (b, n_0)
        y : ndarray of shape (b,)
            Class indices (int64).
        sample_weight : ndarray of shape (b,) or None
            Weights of the mean (float64); None weighs every row 1.
        lr : float

        Returns
        -------
        loss : float
            The batch's (weighted) mean loss before the step.
        n_correct : float
            Rows predicted right (the sum of their weights, with ``sample_weight``).
        """
        ...

    def evaluate(self, X, y, sample_weight=None) -> tuple[float, float]:
        """Mean loss of eq. (7) and accuracy on a data set, changing nothing.

        Parameters
        ----------
        X : ndarray or CSR matrix of shape (m, n_0)
        y : ndarray of shape (m,)
        sample_weight : ndarray of shape (m,), optional

        Returns
        -------
        loss, accuracy : float
            Weighted means with ``sample_weight``.
        """
        ...

    def predict_logits(self, X) -> np.ndarray:
        """The logits ``f_L`` of eq. (1) for the rows of ``X``.

        Parameters
        ----------
        X : ndarray of shape (m, n_0)

        Returns
        -------
        ndarray of shape (m, n_L)
            A NumPy array, wherever the backend computes.
        """
        ...

    def set_penalty(self, regularization: str, rate: float) -> None:
        """Change, between two steps, the penalty added to the loss of eq. (2) (the
        playground's live regularisation): from the next ``train_step`` on, the update
        adds ``rate W`` (``"l2"``: the gradient of ``rate / 2 |W|^2``) or ``rate sign(W)``
        (``"l1"``: a subgradient of ``rate |W|_1``) to every parameter's gradient.
        The optimiser's state (moments, step count) is kept.

        Parameters
        ----------
        regularization : {"none", "l1", "l2"}
        rate : float
            ``ValueError`` for an unknown kind or a negative rate
            (``nnlearn.engine.optim.penalty``).
        """
        ...

    def get_network(self) -> Network:
        """A NumPy copy of the current network (for snapshots and model files).

        Returns
        -------
        Network
        """
        ...

    def current_network(self) -> Network:
        """The network as trained so far, to read and not to change: the NumPy
        backend's own (trained in place, so no copy), or ``get_network()``.

        Returns
        -------
        Network
        """
        return self.get_network()

    def set_parameters(self, values: dict) -> None:
        """Overwrite the parameters.

        Parameters
        ----------
        values : dict of str to ndarray
            Names and shapes as in ``Network.parameters()``.
        """
        ...

    def optimizer_state(self) -> dict:
        """The optimiser's state.

        Returns
        -------
        dict of str to ndarray
            NumPy arrays under ``Optimizer.state_dict`` names.
        """
        ...

    def load_optimizer_state(self, state: dict) -> None:
        """Continue from ``optimizer_state()``.

        Parameters
        ----------
        state : dict of str to ndarray
        """
        ...

    def hold(self, X, y, sample_weight) -> bool:
        """Keep the training set (checked arrays) for the length of one ``fit``.

        Parameters
        ----------
        X : ndarray of shape (m, n_0)
        y : ndarray of shape (m,)
        sample_weight : ndarray of shape (m,) or None

        Returns
        -------
        bool
            True when the backend keeps it: the loop then calls ``train_rows``
            instead of ``train_step``, and ``release`` when ``fit`` ends. The
            default keeps nothing and returns False.
        """
        return False

    def train_rows(self, rows, sample_weight, lr: float) -> tuple[float, float]:
        """``train_step`` on rows of the set given to ``hold`` (called only after
        ``hold`` returned True).

        Parameters
        ----------
        rows : slice or ndarray of int
        sample_weight : ndarray of shape (b,) or None
            The rows' weights, on the host.
        lr : float

        Returns
        -------
        loss, n_correct : float
            As ``train_step``.
        """
        raise RuntimeError(f"{type(self).__name__} holds no training set: train_rows is "
                           "called only after hold returned True")

    def release(self) -> None:
        """Let go of the set given to ``hold`` (the default has none to let go of)."""
        return None

    def threads(self, rows: int) -> AbstractContextManager:
        """Within the block (one ``fit``), the thread counts for steps of ``rows`` rows,
        by ``nnlearn.engine.threads``' rule; restored after. The default changes nothing.

        Parameters
        ----------
        rows : int
            Rows per step.
        """
        return nullcontext()

    # -- full-batch solvers (L-BFGS, ``training.lbfgs``) -----------------------------
    @property
    def full_batch(self) -> bool:
        """True when the optimiser is a full-batch solver that runs its own iterations
        (L-BFGS): the loop then hands it the whole set. The default: False."""
        return False

    def solver(self):
        """The full-batch solver's settings (``engine.optim.LBFGS``); only for a
        backend whose ``full_batch`` is True."""
        raise TypeError(f"{type(self).__name__} has no full-batch solver")

    def flat_parameters(self) -> np.ndarray:
        """Every parameter in one vector ``theta`` (float64, a copy), the L-BFGS view."""
        raise TypeError(f"a full-batch solver runs on the numpy backend, not on "
                        f"{type(self).__name__}")

    def loss_and_flat_gradient(self, theta, X, y, sample_weight) -> tuple[float, float,
                                                                          np.ndarray]:
        """Set the parameters to ``theta``, then the (weighted) mean loss of eq. (7) on the
        whole set, the weight of the rows predicted right, and ``dL/dtheta`` (Theorem 1)
        as a float64 vector. Nothing is updated."""
        raise TypeError(f"a full-batch solver runs on the numpy backend, not on "
                        f"{type(self).__name__}")


class NumpyBackend(Backend):
    """Trains a ``Network`` with the NumPy engine: eq. (7), Theorem 1, an optimiser.

    A step of a small network runs on one BLAS thread (``nnlearn.engine.threads``).
    The methods are the ``Backend`` contract above.

    Parameters
    ----------
    network : Network
        Trained in place.
    optimizer : Optimizer
        From ``nnlearn.engine.make_optimizer``.
    seed : int
        Drives the dropout masks only; batches come from the training loop.
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

    def threads(self, rows):
        """One BLAS thread for steps too small to share (``engine.threads``)."""
        return blas_threads_for(self._flops_per_row * rows)

    @property
    def full_batch(self):
        return bool(getattr(self.optimizer, "full_batch", False))

    def solver(self):
        return self.optimizer

    def flat_parameters(self):
        return self._flat().params.astype(np.float64)

    def loss_and_flat_gradient(self, theta, X, y, sample_weight):
        layout = self._flat()
        layout.params[...] = theta
        loss, z = self.network.loss_and_gradients(X, y, sample_weight=sample_weight,
                                                  train=False)
        right = np.argmax(z, axis=1) == y
        correct = float(np.count_nonzero(right) if sample_weight is None
                        else np.dot(right, sample_weight))
        return loss, correct, layout.grads.astype(np.float64)

    def _flat(self):
        """The flat parameter and gradient buffers, for a network that has them and
        whose loss is one fixed function (no dropout)."""
        layout = self.network.flat_layout()
        if layout is None:
            raise ValueError("L-BFGS needs a network whose parameters are views into one "
                             "flat buffer (Network.flat_layout() is None)")
        if any(isinstance(layer, Dropout) and layer.p > 0 for layer in self.network.layers):
            raise ValueError("L-BFGS minimises one fixed loss; dropout makes it random: use "
                             "dropout=0 with lbfgs, or another optimizer")
        return layout

    def train_step(self, X, y, sample_weight, lr):
        """``Network.loss_and_gradients`` (eq. 7, Theorem 1), then ``optimizer.step``."""
        net = self.network
        loss, z = net.loss_and_gradients(X, y, sample_weight=sample_weight, train=True,
                                         rng=self.rng)
        self.optimizer.step(net, lr)
        right = np.argmax(z, axis=1) == y
        if sample_weight is None:
            return loss, int(np.count_nonzero(right))
        return loss, float(np.dot(right, sample_weight))

    def set_penalty(self, regularization, rate):
        """``Optimizer.set_penalty``: the engine's update adds it (``Optimizer._decayed``)."""
        self.optimizer.set_penalty(regularization, rate)

    def predict_logits(self, X):
        """``Network.predict_logits``: eq. (1), in chunks of rows."""
        return self.network.predict_logits(X)

    def evaluate(self, X, y, sample_weight=None):
        """``evaluate_logits`` (log-sum-exp, eq. 7) of the predicted logits."""
        return evaluate_logits(self.predict_logits(X), y, sample_weight)

    def get_network(self):
        """``Network.copy``: an independent copy of the network."""
        return self.network.copy()

    def current_network(self):
        """The network itself, trained in place (no copy)."""
        return self.network

    def set_parameters(self, values):
        """``Network.set_parameters``: copied into the existing arrays."""
        self.network.set_parameters(values)

    def optimizer_state(self):
        """``Optimizer.state_dict``."""
        return self.optimizer.state_dict()

    def load_optimizer_state(self, state):
        """``Optimizer.load_state_dict`` against the network's parameters."""
        self.optimizer.load_state_dict(state, self.network.parameters())
