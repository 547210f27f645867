"""``TorchBackend``: the training loop's backend seam, computed by the PyTorch twin.

``nnlearn.training.Trainer`` decides the batches, their order and each step's
learning rate; this backend receives each batch as NumPy arrays, runs the
forward pass of eq. (1), the loss of eq. (7) through ``F.cross_entropy``,
autograd for Theorem 1, and one step of ``torch.optim.SGD`` or
``torch.optim.Adam`` set up with the engine optimiser's hyper-parameters.

From the same network and the same batches it follows ``NumpyBackend`` step
for step (to rounding): the parity tests hold it to that.
"""

from __future__ import annotations

import numpy as np
import torch

from ..engine.network import PREDICT_CHUNK, Network
from ..engine.optim import Optimizer, penalty
from ..engine.losses import evaluate_logits
from ..engine.sparse import as_csr, issparse
from ..engine.threads import step_flops
from .convert import as_tensor, from_torch, load_parameters, resolve_device, to_torch
from .step import torch_optimizer, weighted_nll_sum
from .threads import torch_threads_for

# Sparse input is made dense one batch at a time; a prediction chunk of a sparse
# set holds at most this many values dense (256 MB in float64).
SPARSE_CHUNK_VALUES = 2**25

class TorchBackend:
    """Trains the PyTorch twin of ``network`` for ``nnlearn.training.Trainer``.

    Parameters
    ----------
    network : nnlearn.engine.Network
        The starting weights (copied, not shared): the same ``random_state``
        gives the same initial network in both backends.
    optimizer : nnlearn.engine.optim.SGD or Adam
        Read for its hyper-parameters (see ``torch_optimizer``).
    device : str or torch.device
        ``"cpu"`` (default), ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (a GPU when
        there is one). A GPU that is absent is a ``ValueError``.
    seed : int
        Seeds the dropout masks only (a generator of its own, not torch's global
        one); batches come from the training loop.

    Attributes
    ----------
    module : TorchNetwork
        The twin, on ``device``; ``module.state_dict()`` has the engine's names.
    optimizer : torch.optim.Optimizer
    device : torch.device

    Notes
    -----
    The loss of a batch is the weighted mean ``sum_i w_i l_i / sum_i w_i`` of
    eq. (7) (plain mean without weights), as ``nnlearn.engine.losses.nll``.
    """

    def __init__(self, network: Network, optimizer: Optimizer, *, device="cpu", seed=0):
        self.device = resolve_device(device)
        self.module = to_torch(network, self.device)
        # What a training step calls: the module itself here, its DDP wrapper in
        # DistributedTorchBackend. Inference always calls ``module`` directly.
        self.model: torch.nn.Module = self.module
        self.np_dtype = network.dtype
        self.generator = torch.Generator(device=self.device).manual_seed(int(seed))
        self.module.set_generator(self.generator)
        self.optimizer = torch_optimizer(optimizer, self.module.parameters())
        # torch.optim has L2 (weight_decay) but no L1: its subgradient is added here
        self.l1 = optimizer.l1
        self._seeds: dict = {}
        self._step_flops_per_row = step_flops(network, 1)

    @property
    def n_in(self) -> int:
        """The input width ``n_0``."""
        return self.module.n_in

    @property
    def n_out(self) -> int:
        """The number of classes ``n_L``."""
        return self.module.n_out

    # -- moving batches ------------------------------------------------------------------------
    def _to_device(self, a, dtype=None) -> torch.Tensor:
        """NumPy batch -> tensor on the device: no copy on the CPU when the dtype
        already matches; an asynchronous copy to a GPU (the next kernel waits for it).
        A SciPy sparse batch is made dense here, one batch at a time."""
        if issparse(a):
            a = a.toarray()
        if (type(a) is np.ndarray and a.dtype == dtype and a.flags.c_contiguous
                and a.flags.writeable):  # a gathered batch: shared as it is
            t = torch.from_numpy(a)
        else:
            t = as_tensor(np.asarray(a, dtype=dtype))
        return t if self.device.type == "cpu" else t.to(self.device, non_blocking=True)

    def _batch(self, X, y, sample_weight):
        Xt = self._to_device(X, self.np_dtype)
        yt = self._to_device(y, np.int64)
        wt = None if sample_weight is None else self._to_device(sample_weight, self.np_dtype)
        return Xt, yt, wt

    # -- what the distributed backend changes --------------------------------------------------
    def _shard(self, X, y, sample_weight):
        """The rows this process computes: all of them in one process."""
        return X, y, sample_weight

    grad_scale = 1.0  # times world size under DDP, which averages gradients over ranks

    def _step_sums(self, loss_sum, z, yt, wt) -> list[float]:
        """``[summed loss, rows right]`` of a batch (weighted sums with ``wt``) as floats.

        On the CPU the tensors share their memory with NumPy, which counts in
        two calls where torch needs four operators and a stack, and measured
        faster (docs/benchmarks.md). On a GPU both numbers come back in one
        host synchronisation.
        """
        if self.device.type == "cpu":
            right = np.argmax(z.detach().numpy(), axis=1) == yt.numpy()
            correct = (np.count_nonzero(right) if wt is None
                       else float(np.dot(right, wt.numpy())))
            return [loss_sum.item(), correct]
        return self._sums_tensor(loss_sum, z, yt, wt).tolist()

    @staticmethod
    def _sums_tensor(loss_sum, z, yt, wt) -> torch.Tensor:
        right = (z.detach().argmax(dim=1) == yt).to(loss_sum.dtype)
        correct = right.sum() if wt is None else (right * wt).sum()
        return torch.stack([loss_sum.detach(), correct.to(loss_sum.dtype)])

    # -- the backend protocol ------------------------------------------------------------------
    def train_step(self, X, y, sample_weight, lr):
        """One optimiser step on a batch: eq. (7)'s mean loss, autograd for Theorem 1.

        Parameters
        ----------
        X : ndarray or CSR matrix of shape (m, n_0)
        y : ndarray of shape (m,)
        sample_weight : ndarray of shape (m,) or None
        lr : float

        Returns
        -------
        loss, n_correct : float
            The batch's (weighted) mean loss before the step, and the rows whose
            largest logit is the label (the sum of their weights, with weights).
        """
        # The divisor of the mean is the whole batch's: a shard under DDP divides
        # by the global total too, so that the averaged gradient is the batch's.
        total = (float(len(y)) if sample_weight is None
                 else float(np.sum(sample_weight, dtype=np.float64)))
        return self._step(*self._batch(*self._shard(X, y, sample_weight)), total, lr,
                          sample_weight is None)

    def threads(self, rows: int):
        """``torch_threads_for`` a step of ``rows`` rows, for the length of a ``fit``."""
        return torch_threads_for(self._step_flops_per_row * rows)

    @property
    def full_batch(self) -> bool:
        return False  # L-BFGS runs on the numpy backend only

    def hold(self, X, y, sample_weight) -> bool:
        """Keep the training set on the device, so that each step gathers its batch
        there (``train_rows``) rather than receiving it from the host: on a GPU
        that copy would cross the bus at every step.

        Parameters
        ----------
        X : ndarray or CSR matrix of shape (m, n_0)
        y : ndarray of shape (m,)
        sample_weight : ndarray of shape (m,) or None

        Returns
        -------
        bool
            False (the loop then gathers on the host and calls ``train_step``)
            where holding would copy the set on the CPU (another dtype than the
            network's, or a read-only array), for a sparse set, or where the
            set does not fit in the GPU's memory.
        """
        if issparse(X):  # held dense it could be many times the memory: batch by batch
            return False
        X = np.asarray(X)
        if self.device.type == "cpu" and (X.dtype != self.np_dtype or not X.flags.writeable):
            return False
        try:
            self._held = (self._to_device(X, self.np_dtype), self._to_device(y, np.int64),
                          None if sample_weight is None
                          else self._to_device(sample_weight, self.np_dtype))
        except torch.cuda.OutOfMemoryError:
            self._held = None
            torch.cuda.empty_cache()
            return False
        return True

    def train_rows(self, rows, sample_weight, lr):
        """``train_step`` on rows of the set given to ``hold``, gathered on the device.

        Parameters
        ----------
        rows : slice or ndarray of int
        sample_weight : ndarray of shape (b,) or None
            The rows' weights on the host, for the batch's total.
        lr : float

        Returns
        -------
        loss, n_correct : float
        """
        X, y, w = self._held
        if isinstance(rows, slice):
            Xb, yb, wb = X[rows], y[rows], None if w is None else w[rows]
        else:
            idx = torch.from_numpy(rows).to(self.device, non_blocking=True)
            Xb, yb = X.index_select(0, idx), y.index_select(0, idx)
            wb = None if w is None else w.index_select(0, idx)
        total = (float(len(yb)) if sample_weight is None
                 else float(np.sum(sample_weight, dtype=np.float64)))
        return self._step(Xb, yb, wb, total, lr, sample_weight is None)

    def release(self) -> None:
        """Let go of the set given to ``hold``."""
        self._held = None

    _held: tuple[torch.Tensor, torch.Tensor, torch.Tensor | None] | None = None

    def _step(self, Xt, yt, wt, total, lr, unweighted):
        """The step itself, on tensors: ``total`` is the batch's row count or weight."""
        # A batch whose weights are all zero contributes nothing, as in the engine.
        per_weight = 1.0 / total if total > 0 else 0.0
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        if not self.module.training:  # inference (predict_logits) switched it off
            self.model.train()
        self.optimizer.zero_grad(set_to_none=True)
        z = self.model(Xt)
        loss_sum = weighted_nll_sum(z, yt, wt)
        # Autograd, Theorem 1, from d(mean)/d(sum) = grad_scale * per_weight: the
        # gradient of the scaled sum without a multiplication in the graph.
        loss_sum.backward(self._seed(self.grad_scale * per_weight, loss_sum))
        if self.l1:  # lam |W|_1: its subgradient lam sign(W), as the engine's _decayed
            with torch.no_grad():
                for p in self.module.parameters():
                    if p.grad is not None:
                        p.grad.add_(torch.sign(p), alpha=self.l1)
        self.optimizer.step()
        loss, n_correct = self._step_sums(loss_sum, z, yt, wt)
        return loss * per_weight, int(round(n_correct)) if unweighted else n_correct

    def _seed(self, scale: float, like: torch.Tensor) -> torch.Tensor:
        """``scale`` as a 0-d tensor like ``like``: made once per value (a run has one
        batch size, and a shorter last batch), not at every step."""
        key = (scale, like.dtype, like.device)
        seed = self._seeds.get(key)
        if seed is None:
            if len(self._seeds) > 8:
                self._seeds.clear()
            seed = self._seeds[key] = torch.tensor(scale, dtype=like.dtype, device=like.device)
        return seed

    def set_penalty(self, regularization: str, rate: float) -> None:
        """The ``Backend`` protocol's live penalty: ``torch.optim`` has L2 as every
        group's ``weight_decay``; L1, which it lacks, is added in ``_step``."""
        kind, rate = penalty(regularization, rate)
        for group in self.optimizer.param_groups:
            group["weight_decay"] = rate if kind == "l2" else 0.0
        self.l1 = rate if kind == "l1" else 0.0

    # torch.optim's buffers under the engine's names (Optimizer.state_dict), so that a
    # training state file is the same whichever backend wrote it.
    _BUFFERS = {"momentum_buffer": "v", "exp_avg": "m", "exp_avg_sq": "v"}

    def optimizer_state(self) -> dict:
        """The optimiser's buffers, named as the engine's ``Optimizer.state_dict``.

        Returns
        -------
        dict of str to ndarray
            ``"t"`` and ``"{param}/{buffer}"``: the same whichever backend wrote it.
        """
        flat, t = {}, 0
        for name, p in self.module.named_parameters():
            for key, value in self.optimizer.state.get(p, {}).items():
                if key == "step":
                    t = int(value)
                elif key in self._BUFFERS and value is not None:
                    flat[f"{name}/{self._BUFFERS[key]}"] = value.detach().cpu().numpy().copy()
        flat["t"] = np.array(t, dtype=np.int64)
        return flat

    def load_optimizer_state(self, state: dict) -> None:
        """Continue from ``optimizer_state()`` (of either backend).

        Parameters
        ----------
        state : dict of str to ndarray
            ``ValueError`` where a buffer does not fit this network and optimiser.
        """
        params = dict(self.module.named_parameters())
        adam = isinstance(self.optimizer, torch.optim.Adam)
        names = {"m": "exp_avg", "v": "exp_avg_sq"} if adam else {"v": "momentum_buffer"}
        t = int(np.asarray(state.get("t", 0)))
        new: dict = {}
        for key, value in state.items():
            if key == "t":
                continue
            name, _, buffer = key.rpartition("/")
            if name not in params or buffer not in names:
                raise ValueError(f"optimizer state {key!r} does not fit this network and "
                                 f"optimizer")
            p = params[name]
            if tuple(np.shape(value)) != tuple(p.shape):
                raise ValueError(f"optimizer state {key!r} has shape {np.shape(value)}, the "
                                 f"parameter {tuple(p.shape)}")
            entry = new.setdefault(p, {"step": torch.tensor(float(t))} if adam else {})
            entry[names[buffer]] = torch.as_tensor(np.array(value), device=p.device,
                                                   dtype=p.dtype)
        for p, entry in new.items():
            self.optimizer.state[p] = entry

    def predict_logits(self, X) -> np.ndarray:
        """The logits ``f_L`` of eq. (1), with dropout off (``eval`` mode).

        Rows go through in chunks of ``PREDICT_CHUNK`` to bound memory on large
        sets (fewer for a wide sparse ``X``: ``SPARSE_CHUNK_VALUES`` dense at most).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (m, n_0)

        Returns
        -------
        ndarray of shape (m, n_L)
            A NumPy array of the network's dtype.
        """
        chunk = PREDICT_CHUNK
        if issparse(X):
            X = as_csr(X, X.dtype)
            chunk = max(1, min(chunk, SPARSE_CHUNK_VALUES // max(1, X.shape[1])))
        else:
            X = np.asarray(X)
        self.module.eval()
        flops = self._step_flops_per_row / 3 * min(chunk, X.shape[0])  # a forward pass
        with torch.inference_mode(), torch_threads_for(flops):
            parts = [self.module(self._to_device(X[i:i + chunk], self.np_dtype))
                     .cpu().numpy() for i in range(0, X.shape[0], chunk)]
        if not parts:
            return np.empty((0, self.n_out), dtype=self.np_dtype)
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def evaluate(self, X, y, sample_weight=None):
        """Mean loss of eq. (7) and accuracy on a data set (``Backend.evaluate``)."""
        return evaluate_logits(self.predict_logits(X), np.asarray(y), sample_weight)

    def get_network(self) -> Network:
        """A NumPy copy of the current network (bit-exact weights).

        Returns
        -------
        nnlearn.engine.Network
        """
        return from_torch(self.module)

    def current_network(self) -> Network:
        """``get_network()``: the twin trains its own weights, so a copy is the view."""
        return self.get_network()

    def set_parameters(self, values: dict) -> None:
        """Overwrite the parameters; names and shapes as in ``Network.parameters()``."""
        load_parameters(self.module, values)

    def __repr__(self):
        return f"{type(self).__name__}(device={self.device}, {self.module!r})"
