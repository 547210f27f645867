"""Model files: the weights as ``.npz`` or ``.safetensors``, the architecture as JSON.

A model file is one file. In ``.npz`` the JSON description is stored as a text
array under ``__nnlearn__`` beside one array per parameter; in ``.safetensors``
it is the header's metadata. Neither format can hold code, and ``.npz`` files
are read with ``allow_pickle=False``: loading a model never executes anything.
Files are written to a temporary name and renamed, so a crash never leaves a
half-written model behind.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from ..engine.network import Network
from ..errors import ModelFileError
from ..fileio import atomic_path

FORMAT = "nnlearn-model"
VERSION = 1
HEADER_KEY = "__nnlearn__"
SUFFIXES = (".npz", ".safetensors")


def _header(network: Network, metadata) -> str:
    return json.dumps({"format": FORMAT, "version": VERSION, "network": network.spec(),
                       "metadata": metadata or {}})


def save_model(network: Network, path, *, metadata: dict | None = None) -> Path:
    """Write ``network`` (and JSON-ready ``metadata``, e.g. class labels) to ``path``.

    The suffix chooses the format: ``.npz`` or ``.safetensors``.
    """
    path = Path(path)
    if path.suffix not in SUFFIXES:
        raise ValueError(f"model file must end in .npz or .safetensors, got {path.name!r}")
    header = _header(network, metadata if metadata is not None else network.metadata)
    arrays = {name: np.ascontiguousarray(p) for name, p in network.parameters().items()}
    with atomic_path(path) as tmp:
        if path.suffix == ".npz":
            with open(tmp, "wb") as fh:  # a file object: np.savez would append ".npz" to a name
                np.savez(fh, **arrays, **{HEADER_KEY: np.array(header)})
        else:
            from safetensors.numpy import save
            tmp.write_bytes(save(arrays, metadata={HEADER_KEY: header}))
    return path


def _read_npz(path: Path):
    try:
        with np.load(path, allow_pickle=False) as data:
            if HEADER_KEY not in data.files:
                raise ModelFileError(f"{path}: not an nnlearn model file (no {HEADER_KEY} entry)")
            header = str(data[HEADER_KEY][()])
            arrays = {k: data[k] for k in data.files if k != HEADER_KEY}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, KeyError) as err:
        raise ModelFileError(f"{path}: corrupt or truncated .npz model file ({err})") from None
    return header, arrays


def _read_safetensors(path: Path):
    from safetensors import safe_open
    try:
        with safe_open(str(path), framework="numpy") as fh:
            header = (fh.metadata() or {}).get(HEADER_KEY)
            arrays = {k: fh.get_tensor(k) for k in fh.keys()}
    except Exception as err:  # safetensors raises its own error types for bad bytes
        raise ModelFileError(f"{path}: corrupt or truncated .safetensors model file "
                             f"({err})") from None
    if header is None:
        raise ModelFileError(f"{path}: not an nnlearn model file (no {HEADER_KEY} metadata)")
    return header, arrays


def load_model(path) -> Network:
    """Read a model file written by ``save_model``; ``network.metadata`` holds its metadata.

    Raises ``ModelFileError`` naming the file for a missing, corrupt, truncated
    or inconsistent file (weights that do not match the described architecture).
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    if path.suffix not in SUFFIXES:
        raise ModelFileError(f"{path}: model files end in .npz or .safetensors")
    header, arrays = _read_npz(path) if path.suffix == ".npz" else _read_safetensors(path)
    try:
        info = json.loads(header)
    except json.JSONDecodeError as err:
        raise ModelFileError(f"{path}: the architecture description is not valid JSON "
                             f"({err})") from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an nnlearn model file")
    if info.get("version") != VERSION:
        raise ModelFileError(f"{path}: model file version {info.get('version')} is not supported "
                             f"(this nnlearn reads version {VERSION})")
    try:
        network = Network.from_spec(info["network"])
        expected = network.parameters()
        for name, a in arrays.items():
            if name in expected and a.dtype != expected[name].dtype:
                raise ValueError(f"{name} is {a.dtype}, the description says "
                                 f"{expected[name].dtype}")
        network.set_parameters(arrays)
    except (ValueError, KeyError, TypeError) as err:
        raise ModelFileError(f"{path}: weights do not match the architecture: {err}") from None
    if not all(np.all(np.isfinite(p)) for p in network.parameters().values()):
        raise ModelFileError(f"{path}: the weights contain NaN or infinite values")
    network.metadata = info.get("metadata", {})
    return network
