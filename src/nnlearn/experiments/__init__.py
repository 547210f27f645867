"""The lecture's results, one experiment per module: ``run(...) -> Record``, ``draw(record)``.

``run_experiments(Scope(...), names, Runner(jobs))`` runs a chosen set in
order; ``nnlearn.report`` turns the records into the report.
"""

from .base import Record, Scope, Task, train
from .registry import (
    EXPERIMENTS,
    claim_command,
    claim_ids,
    data_missing,
    default_names,
    draw,
    names_for_claim,
    parse_names,
    run_experiments,
)
from .runner import Runner

__all__ = ["EXPERIMENTS", "Record", "Runner", "Scope", "Task", "claim_command", "claim_ids",
           "data_missing", "default_names", "draw", "names_for_claim", "parse_names",
           "run_experiments", "train"]
