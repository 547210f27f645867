"""``make_backend``: the one place that names both backends.

It sits above ``nnlearn.training`` (the loop and ``NumpyBackend``) and
``nnlearn.torch`` (the twin), so that neither imports the other's side of the
seam. PyTorch is imported only here, and only when asked for.
"""

from __future__ import annotations

from .engine.network import Network
from .engine.optim import Optimizer
from .settings.table import BACKENDS
from .training.backend import NumpyBackend


def make_backend(name: str, network: Network, optimizer: Optimizer, *, device="auto", seed=0):
    """The backend seam: ``"numpy"`` (the engine) or ``"torch"`` (its PyTorch twin).

    Parameters
    ----------
    name : {"numpy", "torch"}
        Inside a ``torchrun`` process group, ``"torch"`` gives the data-parallel backend.
    network : Network
        The network to train; the torch backend trains a twin of it.
    optimizer : Optimizer
        From ``nnlearn.engine.make_optimizer``.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"``; the numpy backend takes
        ``"auto"`` and ``"cpu"``.
    seed : int
        Seeds the backend's own draws (dropout masks).

    Returns
    -------
    Backend
        ``NumpyBackend``, ``TorchBackend`` or ``DistributedTorchBackend``.

    Raises
    ------
    ValueError
        For an unknown name, or a GPU asked of the numpy backend.
    ImportError
        For ``"torch"`` without PyTorch, saying what to install.
    """
    if name == "numpy":
        if device not in ("cpu", "auto"):
            raise ValueError(f"the numpy backend runs on the cpu, not {device!r}")
        return NumpyBackend(network, optimizer, seed=seed)
    if name == "torch":
        try:
            from .torch import make_torch_backend
        except ImportError as err:
            raise ImportError(f"the torch backend needs PyTorch, which cannot be imported "
                              f"({err}); pip install 'nnlearn[torch]', or use the numpy "
                              "backend") from err
        return make_torch_backend(network, optimizer, device=device, seed=seed)
    raise ValueError(f"unknown backend {name!r}; choose {' or '.join(BACKENDS)}")
