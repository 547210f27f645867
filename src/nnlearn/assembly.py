"""One assembly: a network description and the settings become a training run.

``assemble(spec, settings)`` is the only place that turns a ``NetworkSpec`` and
the options of the settings table (``nnlearn.settings``) into the pieces of a
run, in one order:

1. the network, ``spec.build(seeds.network)`` (or one given: a run continued);
2. the optimiser, ``make_optimizer`` with its hyper-parameters (L-BFGS's
   ``max_fun`` and ``tol`` only for ``lbfgs``);
3. the backend, ``make_backend`` (the NumPy engine or its PyTorch twin: the one
   place that names both, so that ``nnlearn.training`` and ``nnlearn.torch``
   never import each other's side of the seam);
4. the ``TrainConfig``: learning rate (the optimiser's own where none is
   given), schedule, batches, epochs or iterations, from ``train_config``;
5. the ``Trainer`` with the face's callbacks.

The faces (``nnlearn train``, the estimator, the experiments, the rings figure,
the playground) differ only in the callbacks they add and in where their
settings come from. An option a face does not give takes the table's default,
so "what is the default" has one answer. Thread counts are the backends' rule
(``nnlearn.engine.threads``), applied by ``Trainer.fit`` for both engines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .engine.network import Network
from .engine.optim import DEFAULT_LR, Optimizer, make_optimizer
from .settings import BACKENDS, default
from .spec import NetworkSpec
from .training.backend import Backend, NumpyBackend
from .training.callbacks import Callback
from .training.config import FULL, TrainConfig
from .training.trainer import Trainer

#: The settings ``assemble`` reads; an option not given takes the table's default.
RUN_SETTINGS = ("optimizer", "lr", "momentum", "weight_decay", "schedule", "batch_size",
                "epochs", "iterations", "backend", "device", "max_fun", "tol")


@dataclass(frozen=True)
class Seeds:
    """The seeds of a run's random draws: initial weights, the backend's own draws
    (dropout masks) and the loop's (batch order, augmentation)."""

    network: int = 0
    backend: int = 0
    batches: int = 0

    @classmethod
    def same(cls, seed: int) -> Seeds:
        """One seed for all three, as ``nnlearn train`` and the experiments use."""
        return cls(int(seed), int(seed), int(seed))


@dataclass
class Run:
    """What ``assemble`` made: the network, its backend and the trainer that drives it."""

    spec: NetworkSpec | None
    network: Network
    backend: Backend
    trainer: Trainer

    @property
    def config(self) -> TrainConfig:
        return self.trainer.config


def option(settings: Mapping, name: str):
    """``settings[name]``, or the table's default when it is not given (absent or None
    for an option whose table default is not None)."""
    value = settings.get(name)
    return default(name) if value is None else value


def learning_rate(optimizer: str, lr: float | None) -> float:
    """The step size in use: the one given, else the optimiser's own (``DEFAULT_LR``)."""
    return DEFAULT_LR[optimizer] if lr is None else float(lr)


def is_full_batch(settings: Mapping) -> bool:
    """Whether every step takes the whole training set: ``batch_size="full"``, or
    L-BFGS (a full-batch method whatever the batch size says)."""
    return option(settings, "optimizer") == "lbfgs" or option(settings, "batch_size") == FULL


def planned_iterations(settings: Mapping, n_rows: int) -> int:
    """How many optimiser steps the settings plan on ``n_rows`` training rows
    (``TrainConfig.planned_iterations``)."""
    return train_config(settings).planned_iterations(n_rows)


def train_config(settings: Mapping, *, seed: int = 0, progress: bool | None = False,
                 record_iterations: bool = False) -> TrainConfig:
    """The ``TrainConfig`` of the settings (the table's default for each option not given)."""
    optimizer = option(settings, "optimizer")
    iterations = settings.get("iterations")
    return TrainConfig(
        epochs=None if iterations is not None else int(option(settings, "epochs")),
        iterations=None if iterations is None else int(iterations),
        batch_size=FULL if is_full_batch(settings) else int(option(settings, "batch_size")),
        lr=learning_rate(optimizer, settings.get("lr")), schedule=option(settings, "schedule"),
        seed=int(seed), progress=progress, record_iterations=record_iterations)


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


def make_run_backend(network: Network, settings: Mapping, seed: int = 0) -> Backend:
    """The optimiser and the backend of the settings, around ``network``."""
    optimizer = option(settings, "optimizer")
    lbfgs = ({"max_fun": int(option(settings, "max_fun")), "tol": float(option(settings, "tol"))}
             if optimizer == "lbfgs" else {})
    opt = make_optimizer(optimizer, momentum=float(option(settings, "momentum")),
                         weight_decay=float(option(settings, "weight_decay")), **lbfgs)
    return make_backend(option(settings, "backend"), network, opt,
                        device=option(settings, "device"), seed=seed)


def assemble(spec: NetworkSpec | None, settings: Mapping, *, seeds: Seeds = Seeds(),
             network: Network | None = None, callbacks: Sequence[Callback] = (),
             progress: bool | None = False, record_iterations: bool = False) -> Run:
    """A training run: network, optimiser, backend, ``TrainConfig`` and ``Trainer``.

    Parameters
    ----------
    spec : NetworkSpec or None
        What to build; None only with ``network`` (a run continued from a file).
    settings : mapping
        Options of the settings table by name (``RUN_SETTINGS``); one not given, or
        None, takes the table's default (``lr``: the optimiser's own).
    seeds : Seeds
    network : Network, optional
        Train this network instead of ``spec.build(seeds.network)``.
    callbacks : sequence of Callback
        The face's own, after the trainer's defaults.
    progress, record_iterations : bool
        As ``TrainConfig``.

    Returns
    -------
    Run
    """
    if network is None:
        if spec is None:
            raise ValueError("assemble needs a NetworkSpec or a network")
        network = spec.build(seeds.network)
    backend = make_run_backend(network, settings, seeds.backend)
    config = train_config(settings, seed=seeds.batches, progress=progress,
                          record_iterations=record_iterations)
    return Run(spec, network, backend, Trainer(backend, config, callbacks=list(callbacks)))


__all__ = ["BACKENDS", "RUN_SETTINGS", "Run", "Seeds", "assemble", "is_full_batch",
           "learning_rate", "make_backend", "make_run_backend", "option", "planned_iterations",
           "train_config"]
