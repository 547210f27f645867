"""The PyTorch twin of the NumPy engine, its training backend, and data-parallel training.

``to_torch(network)`` gives a ``TorchNetwork`` with the engine's layers, parameter
names, shapes, dtype and weights; ``from_torch(module)`` goes back, bit-exact.
``TorchBackend`` plugs the twin into ``nnlearn.training.Trainer``;
``DistributedTorchBackend`` does the same for one process of a ``torchrun`` run.

PyTorch is an optional dependency (``pip install nnlearn[torch]``): nothing
else in nnlearn imports this package.
"""

from .backend import TorchBackend
from .step import torch_optimizer, weighted_nll_sum
from .convert import from_torch, load_parameters, numpy_parameters, resolve_device, to_torch
from .distributed import (DistInfo, DistributedTorchBackend, barrier, cleanup, init_from_env,
                          is_distributed, is_rank0, make_torch_backend)
from .modules import ACTIVATIONS, Dense, Dropout, Residual, TorchNetwork

__all__ = ["ACTIVATIONS", "Dense", "DistInfo", "DistributedTorchBackend", "Dropout", "Residual",
           "TorchBackend", "TorchNetwork", "barrier", "cleanup", "from_torch", "init_from_env",
           "is_distributed", "is_rank0", "load_parameters", "make_torch_backend",
           "numpy_parameters", "resolve_device", "to_torch", "torch_optimizer",
           "weighted_nll_sum"]
