"""Data-parallel training: several processes, one global batch, averaged gradients.

Started by ``torchrun``, which gives each process ``RANK``, ``WORLD_SIZE``,
``LOCAL_RANK``, ``MASTER_ADDR`` and ``MASTER_PORT`` in its environment::

    torchrun --nproc-per-node 4 -m nnlearn train --backend torch ...

Every process runs the same training loop (``nnlearn.training.Trainer``) on the
same data with the same seed, so every process draws the same global batch at
every step. ``DistributedTorchBackend`` then computes on its own block of that
batch's rows, and ``DistributedDataParallel`` (DDP) averages the gradients over
the processes during ``backward``. Each process scales its loss so that the
average is the gradient of the global batch's mean loss:

    rank r:   L_r = world * sum_{i in block r} w_i l_i / sum_{i in batch} w_i
    DDP:      (1/world) sum_r dL_r/dtheta = d/dtheta [sum_i w_i l_i / sum_i w_i],

which holds for blocks of any sizes (an empty one included). The optimiser step
is then the same on every process, and the run equals one process training on
the global batches, to rounding.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from ..engine.losses import log_softmax
from ..engine.network import Network
from ..engine.optim import Optimizer
from .backend import TorchBackend
from .convert import resolve_device

ENV_VARS = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


@dataclass(frozen=True)
class DistInfo:
    """Where this process stands, as ``init_from_env`` found it.

    Parameters
    ----------
    rank, world_size : int
        This process's number, ``0 .. world_size - 1``, and how many there are.
    local_rank : int
        Its number on its machine (its GPU's index).
    device : torch.device
        Where it computes.
    backend : {"nccl", "gloo"} or None
        How the processes communicate; None in a single process.
    """

    rank: int
    world_size: int
    local_rank: int
    device: torch.device
    backend: str | None

    @property
    def is_rank0(self) -> bool:
        """Whether this is rank 0, the process that writes files."""
        return self.rank == 0


def _env_int(name: str) -> int:
    value = os.environ.get(name)
    if value is not None:
        try:
            return int(value)
        except ValueError:
            pass  # one message below, for unset and for not an integer
    raise ValueError(f"environment variable {name} must be an integer, got {value!r} "
                     "(start the processes with torchrun)")


def is_distributed() -> bool:
    """Whether this process is in an initialised process group.

    Returns
    -------
    bool
    """
    return dist.is_available() and dist.is_initialized()


def init_from_env(device="auto", *, backend=None, timeout_s=600) -> DistInfo:
    """Join the process group that ``torchrun`` set up, from the environment.

    Parameters
    ----------
    device : str
        ``"auto"`` (default): with CUDA, process ``LOCAL_RANK`` takes GPU
        ``cuda:LOCAL_RANK`` and talks NCCL; without, the CPU and gloo.
        ``"cpu"`` forces the CPU and gloo (e.g. to test on a GPU machine).
    backend : {"nccl", "gloo"}, optional
        Overrides the communication backend chosen from the device.
    timeout_s : float
        How long collective operations wait for the other processes before
        failing, so that a dead process cannot hang the others for ever.

    Returns
    -------
    DistInfo
        Without ``WORLD_SIZE`` in the environment (a plain ``python`` run)
        nothing is initialised and the result describes one process:
        rank 0 of 1 on ``resolve_device(device)``.

    Raises
    ------
    ValueError
        For missing or malformed variables, or a ``LOCAL_RANK`` with no GPU.
    """
    if is_distributed():  # called twice: describe the group already joined
        backend = dist.get_backend()
        dev = (torch.device("cuda", torch.cuda.current_device()) if backend == "nccl"
               else torch.device("cpu"))
        return DistInfo(dist.get_rank(), dist.get_world_size(),
                        int(os.environ.get("LOCAL_RANK", 0)), dev, backend)
    if "WORLD_SIZE" not in os.environ:
        return DistInfo(0, 1, 0, resolve_device(device), None)
    if not dist.is_available():
        raise RuntimeError("this torch build has no torch.distributed")
    missing = [name for name in ENV_VARS if name not in os.environ]
    if missing:
        raise ValueError(f"data-parallel training needs {', '.join(missing)} in the environment; "
                         "start it with torchrun --nproc-per-node N ...")
    rank, world, local_rank = _env_int("RANK"), _env_int("WORLD_SIZE"), _env_int("LOCAL_RANK")
    if not 0 <= rank < world:
        raise ValueError(f"RANK={rank} is not in 0 .. WORLD_SIZE-1 = {world - 1}")
    want_cuda = device == "auto" and torch.cuda.is_available() or str(device).startswith("cuda")
    if want_cuda:
        count = torch.cuda.device_count()
        if not torch.cuda.is_available() or local_rank >= count:
            raise ValueError(f"process LOCAL_RANK={local_rank} needs GPU cuda:{local_rank} but "
                             f"this machine has {count if torch.cuda.is_available() else 0}; "
                             "give --nproc-per-node at most the number of GPUs")
        dev = torch.device("cuda", local_rank)
        torch.cuda.set_device(dev)  # so that NCCL and every default tensor use this GPU
    else:
        dev = resolve_device(device if device != "auto" else "cpu")
    backend = backend or ("nccl" if dev.type == "cuda" else "gloo")
    dist.init_process_group(backend, init_method="env://", rank=rank, world_size=world,
                            timeout=timedelta(seconds=timeout_s))
    return DistInfo(rank, world, local_rank, dev, dist.get_backend())


def is_rank0() -> bool:
    """Whether this process writes files: rank 0, or the only process.

    Returns
    -------
    bool
    """
    return not is_distributed() or dist.get_rank() == 0


def barrier() -> None:
    """Wait for every process (e.g. for rank 0 to finish writing); nothing in one process."""
    if is_distributed():
        dist.barrier()


def cleanup() -> None:
    """Leave the process group, if there is one (call once, at the end)."""
    if is_distributed():
        dist.destroy_process_group()


def block(m: int, rank: int, world: int) -> slice:
    """Rows ``[start, stop)`` of a batch of ``m`` that process ``rank`` computes.

    Contiguous blocks whose sizes differ by at most one (the first ``m % world``
    blocks have one more row); a block is empty when ``m < world``. Blocks are
    views, not copies, and the batch is already shuffled by the loop.

    Parameters
    ----------
    m : int
        The rows of the global batch.
    rank, world : int
        This process's rank, and the number of processes.

    Returns
    -------
    slice
        Over the batch's rows; the blocks of ``rank = 0 .. world - 1`` tile ``0 .. m``.
    """
    q, r = divmod(m, world)
    start = rank * q + min(rank, r)
    return slice(start, start + q + (rank < r))


class DistributedTorchBackend(TorchBackend):
    """``TorchBackend`` for one process of a data-parallel run (DDP).

    Call ``init_from_env()`` first. Every process must give the training loop
    the same data and seed, so that ``train_step`` receives the same global
    batch in every process (checked on the first step); each computes its
    ``block`` of the rows, DDP averages the gradients, and every process takes
    the same optimiser step. Losses, counts of correct rows and evaluations are
    summed over processes, so every process records the same history.

    Parameters
    ----------
    network, optimizer, seed
        As for ``TorchBackend``. DDP copies rank 0's weights to every process at
        construction, so the runs start equal even if the networks given differ.
        Dropout masks use ``seed + rank``: the blocks get different masks.
    device : str or torch.device, optional
        By default the device ``init_from_env`` chose for this process.

    Notes
    -----
    ``predict_logits`` and ``get_network`` need no communication: every process
    holds the same weights and answers for all rows given.
    """

    def __init__(self, network: Network, optimizer: Optimizer, *, device=None, seed=0):
        if not is_distributed():
            raise RuntimeError("DistributedTorchBackend needs a process group: start the "
                               "processes with torchrun and call init_from_env() first")
        self.rank, self.world_size = dist.get_rank(), dist.get_world_size()
        if device is None:
            device = (torch.device("cuda", torch.cuda.current_device())
                      if dist.get_backend() == "nccl" else "cpu")
        super().__init__(network, optimizer, device=device, seed=int(seed) + self.rank)
        self.grad_scale = float(self.world_size)
        ids = [self.device.index] if self.device.type == "cuda" else None
        self.model = DistributedDataParallel(self.module, device_ids=ids)
        self._checked_batch = False

    def _shard(self, X, y, sample_weight):
        if not self._checked_batch:
            self._check_same_batch(X, y)
            self._checked_batch = True
        rows = block(len(y), self.rank, self.world_size)
        return X[rows], y[rows], None if sample_weight is None else sample_weight[rows]

    def _all_reduce(self, t):
        dist.all_reduce(t)
        return t

    def hold(self, X, y, sample_weight) -> bool:
        """Declined: each process takes its block of every batch on the host.

        Parameters
        ----------
        X, y, sample_weight
            As ``TorchBackend.hold``; not kept.

        Returns
        -------
        bool
            False.
        """
        return False

    def _step_sums(self, loss_sum, z, yt, wt):
        """The batch's sums over every process's shard, in one all-reduce."""
        return self._all_reduce(self._sums_tensor(loss_sum, z, yt, wt)).tolist()

    def _check_same_batch(self, X, y):
        """Fail in every process, not hang, when the processes got different batches."""
        mine = torch.tensor([len(y), float(np.sum(y)), float(np.sum(X, dtype=np.float64))],
                            dtype=torch.float64, device=self.device)
        first = mine.clone()
        dist.broadcast(first, src=0)
        differs = (first != mine).any().to(torch.float64)
        dist.all_reduce(differs, op=dist.ReduceOp.MAX)
        if differs.item():
            raise RuntimeError("the processes of a data-parallel run received different "
                               "batches: give every process the same data and the same seed")

    def evaluate(self, X, y, sample_weight=None):
        """Mean loss of eq. (7) and accuracy over all rows, each process evaluating its
        ``block``; the sums are added over the processes, so every process gets the same.

        Parameters
        ----------
        X : array-like of shape (m, n_0)
            The same in every process.
        y : array-like of shape (m,)
        sample_weight : array-like of shape (m,), optional

        Returns
        -------
        loss, accuracy : float
            (Weighted) means over all ``m`` rows.
        """
        X, y = np.asarray(X), np.asarray(y)
        rows = block(len(y), self.rank, self.world_size)
        z, y_mine = self.predict_logits(X[rows]), y[rows]
        w = (np.ones(len(y_mine)) if sample_weight is None
             else np.asarray(sample_weight, dtype=np.float64)[rows])
        terms = -log_softmax(z)[np.arange(len(y_mine)), y_mine].astype(np.float64)  # eq. (7)
        correct = (np.argmax(z, axis=1) == y_mine) if len(y_mine) else np.zeros(0, bool)
        sums = torch.tensor([terms @ w, correct @ w, w.sum()], dtype=torch.float64,
                            device=self.device)
        loss_sum, n_correct, total = self._all_reduce(sums).tolist()
        return loss_sum / total, n_correct / total


def make_torch_backend(network: Network, optimizer: Optimizer, *, device="auto",
                       seed=0) -> TorchBackend:
    """The torch backend for this process (``make_backend("torch", ...)`` calls it).

    Parameters
    ----------
    network : nnlearn.engine.Network
    optimizer : nnlearn.engine.optim.SGD or Adam
    device : str or torch.device
        For ``TorchBackend``; a process of a group uses its own device.
    seed : int

    Returns
    -------
    TorchBackend
        A ``DistributedTorchBackend`` inside a process group of several processes
        (after ``init_from_env``), else a ``TorchBackend``.
    """
    if is_distributed() and dist.get_world_size() > 1:
        return DistributedTorchBackend(network, optimizer, seed=seed)
    return TorchBackend(network, optimizer, device=device, seed=seed)
