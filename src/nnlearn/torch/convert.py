"""Moving a network between the NumPy engine and its PyTorch twin, weights copied exactly.

Both directions copy every parameter by name (the names are the same on both
sides) and keep the dtype, so ``from_torch(to_torch(net))`` has the very same
bits as ``net``, in float32 or float64.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..engine.network import Network
from .modules import TorchNetwork


def resolve_device(device=None) -> torch.device:
    """A ``torch.device`` from a name, checked against what this machine has.

    Parameters
    ----------
    device : str, torch.device or None
        ``None`` or ``"cpu"``; ``"cuda"`` or ``"cuda:N"``; ``"auto"`` for the
        first GPU when CUDA is available and the CPU otherwise; any other
        device type torch knows (``"mps"``, ...).

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        For a name torch does not know, or a GPU this machine does not have.
    """
    if device is None:
        return torch.device("cpu")
    if isinstance(device, str) and device.strip().lower() == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(f"unknown device {device!r}; "
                         "use 'cpu', 'cuda', 'cuda:N' or 'auto'") from None
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device {device!r} was requested but CUDA is not available here "
                             "(use 'cpu', or 'auto' to take a GPU only when there is one)")
        count = torch.cuda.device_count()
        if dev.index is not None and dev.index >= count:
            raise ValueError(f"device {device!r} was requested but this machine has {count} "
                             f"GPU{'s' if count != 1 else ''} (cuda:0 .. cuda:{count - 1})")
    elif dev.type == "mps" and not (hasattr(torch.backends, "mps")
                                    and torch.backends.mps.is_available()):
        raise ValueError(f"device {device!r} was requested but MPS is not available here")
    return dev


def to_torch(network: Network, device=None) -> TorchNetwork:
    """The PyTorch twin of ``network``, with a bit-exact copy of its weights.

    Parameters
    ----------
    network : nnlearn.engine.Network
    device : str or torch.device, optional
        Where the module lives (see ``resolve_device``); the CPU by default.

    Returns
    -------
    TorchNetwork
        Same layers, parameter names, shapes and dtype; ``metadata`` copied.
    """
    dev = resolve_device(device)
    module = TorchNetwork(network.layer_list(), device=dev, draw=False)
    load_parameters(module, network.parameters())
    module.metadata = dict(network.metadata)
    return module


def from_torch(module: nn.Module) -> Network:
    """A NumPy ``Network`` with a bit-exact copy of the module's weights.

    Parameters
    ----------
    module : TorchNetwork
        Possibly wrapped (``DistributedDataParallel``, ``torch.compile``): the
        wrapper is looked through. On any device.

    Returns
    -------
    nnlearn.engine.Network
        Same layers, parameter names, shapes and dtype; ``metadata`` copied.

    Raises
    ------
    TypeError
        For a module that is not a ``TorchNetwork``.
    """
    module = unwrap(module)
    if not isinstance(module, TorchNetwork):
        raise TypeError(f"from_torch needs a TorchNetwork, got {type(module).__name__}")
    network = Network.from_layer_list(module.layer_list())
    network.set_parameters(numpy_parameters(module))
    network.metadata = dict(module.metadata)
    return network


def unwrap(module: nn.Module) -> nn.Module:
    """The module inside ``DistributedDataParallel`` / ``DataParallel`` / ``torch.compile``."""
    while True:
        if isinstance(module, (nn.parallel.DistributedDataParallel, nn.DataParallel)):
            module = module.module
        elif isinstance(inner := getattr(module, "_orig_mod", None), nn.Module):
            module = inner  # what torch.compile returns wraps the module as _orig_mod
        else:
            return module


def numpy_parameters(module: nn.Module) -> dict[str, np.ndarray]:
    """Every parameter as a NumPy array (a copy, on the CPU), by engine name.

    Parameters
    ----------
    module : torch.nn.Module
        A ``TorchNetwork``, possibly wrapped.

    Returns
    -------
    dict of str to ndarray
        As ``Network.parameters()``: ``layers.k.W`` of shape ``(n_k, n_{k-1})``, ...
    """
    return {name: p.detach().cpu().numpy().copy()
            for name, p in unwrap(module).named_parameters()}


def as_tensor(a) -> torch.Tensor:
    """A CPU tensor sharing memory with the NumPy array ``a`` where it can.

    ``torch.from_numpy`` takes neither read-only arrays (model files loaded from
    disk are often read-only) nor negative strides: those few are copied first.
    """
    a = np.asarray(a)
    if not a.flags.writeable or any(s < 0 for s in a.strides):
        a = np.array(a, copy=True)
    return torch.from_numpy(a)


def load_parameters(module: nn.Module, values: dict) -> None:
    """Copy ``values`` into the module's parameters, converted to their dtype and device.

    Parameters
    ----------
    module : torch.nn.Module
        A ``TorchNetwork``, possibly wrapped.
    values : dict of str to ndarray or torch.Tensor
        By engine name; names and shapes must match exactly (``ValueError``),
        as for ``Network.set_parameters``.
    """
    own = dict(unwrap(module).named_parameters())
    if set(values) != set(own):
        missing, extra = sorted(set(own) - set(values)), sorted(set(values) - set(own))
        raise ValueError(f"parameter names do not match: missing {missing}, unexpected {extra}")
    with torch.no_grad():
        for name, p in own.items():
            v = values[name]
            v = v if isinstance(v, torch.Tensor) else as_tensor(v)
            if tuple(v.shape) != tuple(p.shape):
                raise ValueError(f"{name} has shape {tuple(v.shape)}, the network expects "
                                 f"{tuple(p.shape)}")
            p.copy_(v)
