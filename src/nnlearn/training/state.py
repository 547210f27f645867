"""The training state file: what a run needs, beside its model file, to continue.

``training_state.npz`` holds the optimiser's buffers (Adam's moments, the
momentum velocity) as arrays and, as a JSON text array under ``__state__``,
the loop's counters, its random stream and its schedule, and the optimiser's
name. Like model files it is read with ``allow_pickle=False`` and written
atomically: loading it never executes code.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from ..errors import ModelFileError
from ..fileio import atomic_path
from .modelio import write_npz

STATE_KEY = "__state__"
FORMAT = "nnlearn-training-state"
VERSION = 1


def save_training_state(path, trainer, *, optimizer_name: str) -> Path:
    """Write the optimiser state of ``trainer.backend`` and ``trainer.state_dict()``."""
    path = Path(path)
    arrays = trainer.backend.optimizer_state()
    header = json.dumps({"format": FORMAT, "version": VERSION, "optimizer": optimizer_name,
                         "trainer": trainer.state_dict()})
    if STATE_KEY in arrays:
        raise ValueError(f"optimizer state may not use the name {STATE_KEY!r}")
    with atomic_path(path) as tmp:
        write_npz(tmp, {**arrays, STATE_KEY: np.array(header)})
    return path


def load_training_state(path) -> tuple[dict, dict]:
    """Read ``(header, optimizer arrays)`` from a file written by ``save_training_state``.

    Raises ``ModelFileError`` naming the file when it is missing, corrupt or foreign.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no training state here (was the run written by a "
                             f"version of nnlearn that saves one?)")
    try:
        with np.load(path, allow_pickle=False) as data:
            if STATE_KEY not in data.files:
                raise ModelFileError(f"{path}: not an nnlearn training state file")
            header = json.loads(str(data[STATE_KEY][()]))
            arrays = {k: data[k] for k in data.files if k != STATE_KEY}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, KeyError) as err:
        raise ModelFileError(f"{path}: corrupt or truncated training state ({err})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an nnlearn training state file")
    if header.get("version") != VERSION:
        raise ModelFileError(f"{path}: training state version {header.get('version')} is not "
                             f"supported (this nnlearn reads version {VERSION})")
    return header, arrays
