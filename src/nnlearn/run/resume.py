"""Continue a run: read a folder written by ``nnlearn.run.outputs.write_outputs`` back.

``load_run(DIR)`` gives the run's configuration and a ``Resume`` (its model,
training state, optimiser state and history); ``continue_run`` plans the rest
of the run, or more of it, for ``nnlearn.run.train.run(cfg, resume=...)``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ..engine import Network
from ..errors import ModelFileError
from ..training import History, load_model
from ..training.state import load_training_state
from .config import RunConfig

STATE_FILE = "training_state.npz"


@dataclass
class Resume:
    """A run read back by ``load_run``: what ``run`` needs to continue it."""

    network: Network
    trainer_state: dict
    optimizer_state: dict
    history: History
    extend: bool = False  # True: a new plan of iterations; False: the rest of the old plan

    @property
    def done(self) -> int:
        return int(self.trainer_state["iteration"])


def load_run(folder) -> tuple[RunConfig, Resume]:
    """Read a run folder written by ``write_outputs``: its configuration, and what
    ``run(cfg, resume=...)`` needs to continue it (model, training state, history)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelFileError(f"{folder}: no such run folder")
    try:
        saved = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))["config"]
    except FileNotFoundError:
        raise ModelFileError(f"{folder}: no metrics.json; is this a folder written by "
                             f"nnlearn train?") from None
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ModelFileError(f"{folder / 'metrics.json'}: not a run description "
                             f"({err!r})") from None
    known = {f.name for f in fields(RunConfig)}
    unknown = set(saved) - known
    if unknown:
        raise ModelFileError(f"{folder / 'metrics.json'}: unknown settings {sorted(unknown)}")
    for name in ("hidden", "snapshots", "activation"):
        if isinstance(saved.get(name), list):
            saved[name] = tuple(saved[name])
    cfg = RunConfig(**saved)
    network = load_model(folder / f"model.{cfg.model_format}")
    header, optimizer_state = load_training_state(folder / STATE_FILE)
    if header.get("optimizer") != cfg.optimizer:
        raise ModelFileError(f"{folder / STATE_FILE}: holds {header.get('optimizer')!r} state; "
                             f"the run used {cfg.optimizer!r}")
    try:
        history = History.from_json(folder / "history.json")
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ModelFileError(f"{folder / 'history.json'}: cannot be read ({err!r})") from None
    return cfg, Resume(network, header["trainer"], optimizer_state, history)


def continue_run(folder, *, epochs=None, iterations=None) -> tuple[RunConfig, Resume]:
    """What ``run`` needs to continue the run in ``folder``: the rest of its plan
    (after an interruption), or ``epochs``/``iterations`` more when given."""
    cfg, resume = load_run(folder)
    if epochs is not None or iterations is not None:
        resume.extend = True
    else:
        state = resume.trainer_state
        end = int(state["schedule_origin"]) + int(state["schedule_total"])
        epochs, iterations = None, end - resume.done
        if iterations <= 0:
            raise ValueError(f"the run in {folder} is complete ({resume.done} iterations); "
                             f"give --epochs or --iterations to train it further")
    snapshots = tuple(i for i in cfg.snapshots if i > resume.done)  # earlier ones are gone
    cfg = RunConfig(**{**asdict(cfg), "epochs": epochs, "iterations": iterations,
                       "snapshots": snapshots})
    return cfg, resume
