"""A training run of ``nnlearn train``: its configuration and recipes, training, outputs, resume.

Read downward: ``config`` (``RunConfig``, ``resolve_settings``, the network's
``NetworkSpec``), ``recipes`` (what fills the options not given), ``train``
(``run``: load, build, train, evaluate), ``outputs`` (``write_outputs``) and
``resume`` (``load_run``, ``continue_run``).
"""

from .config import RunConfig, describe, network_spec, resolve_settings, training_source
from .outputs import write_outputs
from .resume import Resume, continue_run, load_run
from .train import RunResult, run

__all__ = ["Resume", "RunConfig", "RunResult", "continue_run", "describe", "load_run",
           "network_spec", "resolve_settings", "run", "training_source", "write_outputs"]
