"""Model files: the weights as ``.npz`` or ``.safetensors``, the architecture as JSON.

A model file is one file. In ``.npz`` the JSON description is stored as a text
array under ``__nnlearn__`` beside one array per parameter; in ``.safetensors``
it is the header's metadata. Neither format can hold code, and ``.npz`` entries
are parsed here without pickle: loading a model never executes anything.
Files are written to a temporary name and renamed, so a crash never leaves a
half-written model behind. The format is described in ``docs/model-files.md``.

Loading trusts nothing in the file. The description is read first (its entry
may declare at most ``MAX_HEADER_BYTES``), and the parameters it declares are
counted: more than ``max_params`` (``nnlearn.limits.MAX_PARAMS``; the command
line's ``--max-params``) is refused before any weight is read. Then, before any weight entry of an
``.npz`` is inflated, its name must be one the description declares and its
declared size no more than the shape it must hold takes (plus a ``.npy``
header); every size a ``.npy`` header declares is checked against the bytes
actually stored before an array is made. So a file makes ``load_model``
allocate at most what the network it describes holds.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from ..engine.network import Network
from ..errors import ModelFileError
from ..fileio import atomic_path
from ..limits import MAX_DEFLATE_RATIO, MAX_HEADER_BYTES, MAX_PARAMS, NPY_HEADER_BYTES
from .shapes import check_names, check_stored_arrays, declared_shapes

FORMAT = "nnlearn-model"
VERSION = 1
HEADER_KEY = "__nnlearn__"
SUFFIXES = (".npz", ".safetensors")
LABEL_TYPES = (str, int, float, bool)  # what metadata["classes"] may hold (JSON scalars)


def _header(network: Network, metadata) -> str:
    return json.dumps({"format": FORMAT, "version": VERSION, "network": network.layer_list(),
                       "metadata": metadata or {}})


def write_npz(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` as an uncompressed ``.npz`` file, by name, never pickling.

    The file ``np.savez`` writes, without its keyword options: through
    ``np.savez(path, **arrays)`` an array named ``allow_pickle`` would be taken
    for that option (NumPy >= 2.1), and an object array would be pickled.
    """
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays.items():
            with zf.open(name + ".npy", "w", force_zip64=True) as f:  # as np.savez: gh-10776
                np.lib.format.write_array(f, np.asanyarray(array), allow_pickle=False)


def save_model(network: Network, path, *, metadata: dict | None = None) -> Path:
    """Write ``network`` and its metadata to ``path``, atomically, without pickle.

    Parameters
    ----------
    network : Network
    path : str or Path
        Ending in ``.npz`` or ``.safetensors``, which chooses the format.
    metadata : dict, optional
        JSON-ready; ``network.metadata`` when None. ``metadata["classes"]``, when
        present, lists the original class labels (see ``class_labels``).

    Returns
    -------
    Path
    """
    path = Path(path)
    if path.suffix not in SUFFIXES:
        raise ValueError(f"model file must end in .npz or .safetensors, got {path.name!r}")
    metadata = metadata if metadata is not None else network.metadata
    _check_classes(metadata.get("classes") if metadata else None, network.n_out)
    header = _header(network, metadata)
    arrays = {name: np.ascontiguousarray(p) for name, p in network.parameters().items()}
    with atomic_path(path) as tmp:
        if path.suffix == ".npz":
            write_npz(tmp, {**arrays, HEADER_KEY: np.array(header)})
        else:
            from safetensors.numpy import save
            tmp.write_bytes(save(arrays, metadata={HEADER_KEY: header}))
    return path


# -- reading the container: what the bytes are, and the arrays in them ----------------------

def _sniff(path: Path) -> str | None:
    """``"npz"`` (a zip archive), ``"safetensors"``, ``"npy"`` or None, from the first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(9)
    if head[:2] == b"PK":
        return "npz"
    if head[:6] == b"\x93NUMPY":
        return "npy"
    if len(head) == 9 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") < 2**40:
        return "safetensors"  # an 8-byte header length, then the JSON header
    return None


def _read_npy(data: bytes, name: str) -> np.ndarray:
    """One ``.npy`` entry, checked: no objects, and exactly the bytes its header declares."""
    fp = io.BytesIO(data)
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
    else:
        raise ValueError(f"entry {name!r} has .npy format version {version}, not 1.0 or 2.0")
    if dtype.hasobject:
        raise ValueError(f"entry {name!r} holds Python objects, which only pickle could read "
                         "(model files never do)")
    count = math.prod(shape)
    have = len(data) - fp.tell()
    if count * dtype.itemsize != have:
        raise ValueError(f"entry {name!r} declares shape {shape} of {dtype} "
                         f"({count * dtype.itemsize} bytes) but holds {have} bytes")
    a = np.frombuffer(data, dtype=dtype, count=count, offset=fp.tell())
    return a.reshape(shape[::-1]).T if fortran else a.reshape(shape)


def _description(path: Path, header: str) -> dict:
    """The parsed JSON description, checked to be an nnlearn model file of this version."""
    try:
        info = json.loads(header)
    except (json.JSONDecodeError, RecursionError) as err:
        raise ModelFileError(f"{path}: the architecture description is not valid JSON "
                             f"({err})") from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an nnlearn model file")
    if info.get("version") != VERSION:
        raise ModelFileError(f"{path}: model file version {info.get('version')!r} is not "
                             f"supported (this nnlearn reads version {VERSION})")
    if not isinstance(info.get("metadata", {}), dict):
        raise ModelFileError(f"{path}: the metadata is not a JSON object")
    return info


def _npz_entries(zf: zipfile.ZipFile, size: int) -> dict:
    """The archive's entries by array name, each checked before anything is inflated."""
    entries = {}
    for info in zf.infolist():
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValueError(f"entry {info.filename!r} uses an unsupported compression")
        ratio = 1 if info.compress_type == zipfile.ZIP_STORED else MAX_DEFLATE_RATIO
        if info.compress_size > size or info.file_size > ratio * info.compress_size + 64:
            raise ValueError(f"entry {info.filename!r} declares {info.file_size} bytes, "
                             "more than the file can hold")
        if not info.filename.endswith(".npy"):
            raise ValueError(f"entry {info.filename!r} is not a .npy array")
        if info.filename[:-4] in entries:
            raise ValueError(f"entry {info.filename!r} occurs twice")
        entries[info.filename[:-4]] = info
    return entries


def _check_entry_sizes(entries: dict, spec) -> None:
    """Names and declared sizes of the weight entries against the description, before any
    is inflated (``ValueError``): none may claim more than its shape holds."""
    dtype, shapes = declared_shapes(spec)
    check_names(shapes, entries)
    for name, shape in shapes.items():
        need = math.prod(shape) * dtype.itemsize
        if entries[name].file_size > need + NPY_HEADER_BYTES:
            raise ValueError(f"entry {name!r} declares {entries[name].file_size:,} bytes; a "
                             f"{shape} array of {dtype} takes {need:,} (and a .npy header)")


def _check_budget(path: Path, spec, max_params: int) -> dict[str, tuple]:
    """The parameter shapes the description declares, refused past ``max_params`` in all."""
    try:
        dtype, shapes = declared_shapes(spec)
    except ValueError as err:
        raise ModelFileError(f"{path}: weights do not match the architecture: {err}") from None
    total = sum(math.prod(shape) for shape in shapes.values())  # Python integers
    if total > max_params:
        raise ModelFileError(f"{path}: the network has {total:,} parameters "
                             f"({total * dtype.itemsize:,} bytes); nnlearn loads at most "
                             f"{max_params:,} (raise it with --max-params, or "
                             f"load_model(path, max_params=...))")
    return shapes


def _read_npz(path: Path, max_params: int):
    """The description and the arrays of an ``.npz`` model file."""
    size = path.stat().st_size
    try:
        with zipfile.ZipFile(path) as zf:
            entries = _npz_entries(zf, size)
            head = entries.pop(HEADER_KEY, None)
            if head is None:
                raise ModelFileError(f"{path}: not an nnlearn model file (no {HEADER_KEY} "
                                     "entry)")
            if head.file_size > MAX_HEADER_BYTES:
                raise ValueError(f"the {HEADER_KEY} entry declares {head.file_size:,} bytes; "
                                 f"a description takes at most {MAX_HEADER_BYTES:,}")
            info = _description(path, _header_text(path, _read_npy(zf.read(head), HEADER_KEY)))
            _check_budget(path, info.get("network"), max_params)
            try:
                _check_entry_sizes(entries, info.get("network"))
            except ValueError as err:
                raise ModelFileError(f"{path}: weights do not match the architecture: "
                                     f"{err}") from None
            arrays = {name: _read_npy(zf.read(entry), name) for name, entry in entries.items()}
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError,
            KeyError, TypeError, SyntaxError, OverflowError, RecursionError,
            NotImplementedError, UnicodeDecodeError) as err:
        raise ModelFileError(f"{path}: corrupt or truncated .npz model file ({err})") from None
    return info, arrays


def _header_text(path: Path, header: np.ndarray) -> str:
    if header.dtype.kind != "U" or header.shape != ():
        raise ModelFileError(f"{path}: the {HEADER_KEY} entry is not a text")
    try:
        return str(header[()])
    except ValueError as err:  # a code point beyond Unicode
        raise ModelFileError(f"{path}: the {HEADER_KEY} entry is not valid text ({err})") from None


def _read_safetensors(path: Path, max_params: int):
    """The description and the arrays of a ``.safetensors`` model file (the library
    checks that every tensor lies within the file; each tensor's declared shape is
    checked against the description before it is read)."""
    from safetensors import safe_open
    try:
        with safe_open(str(path), framework="numpy") as fh:
            header = (fh.metadata() or {}).get(HEADER_KEY)
            if header is None:
                raise ModelFileError(f"{path}: not an nnlearn model file (no {HEADER_KEY} "
                                     "metadata)")
            info = _description(path, header)
            shapes = _check_budget(path, info.get("network"), max_params)
            try:
                check_names(shapes, set(fh.keys()))
            except ValueError as err:
                raise ModelFileError(f"{path}: weights do not match the architecture: "
                                     f"{err}") from None
            for name, shape in shapes.items():  # before a tensor is read
                stored = tuple(fh.get_slice(name).get_shape())
                if stored != shape:
                    raise ModelFileError(f"{path}: weights do not match the architecture: "
                                         f"{name} has shape {stored}, the description says "
                                         f"{shape}")
            arrays = {k: fh.get_tensor(k) for k in fh.keys()}
    except ModelFileError:
        raise
    except Exception as err:  # safetensors raises its own error types for bad bytes
        raise ModelFileError(f"{path}: corrupt or truncated .safetensors model file "
                             f"({err})") from None
    return info, arrays


def _read_container(path: Path, max_params: int):
    """The description (parsed) and the stored arrays, whatever the file's suffix claims."""
    kind = _sniff(path)
    claimed = path.suffix[1:]
    if kind == "npy":
        raise ModelFileError(f"{path}: a single .npy array, not a model file")
    if kind is None:
        raise ModelFileError(f"{path}: not a model file, or truncated: neither a .npz (zip) "
                             "archive nor a .safetensors file")
    if kind != claimed:
        raise ModelFileError(f"{path}: this is a .{kind} file named .{claimed}; rename it to "
                             f"{path.with_suffix('.' + kind).name}")
    return (_read_npz if kind == "npz" else _read_safetensors)(path, max_params)


def _check_classes(classes, n_out: int) -> None:
    """``metadata["classes"]``: None, or one JSON scalar label per output, no two equal."""
    if classes is None:
        return
    if not isinstance(classes, (list, tuple)) or len(classes) != n_out:
        raise ValueError(f"metadata['classes'] must list one label per output ({n_out}), "
                         f"got {classes!r:.200}")
    bad = [c for c in classes if not isinstance(c, LABEL_TYPES)
           or (isinstance(c, float) and not math.isfinite(c))]
    if bad:
        raise ValueError(f"class labels must be strings, numbers or booleans, got {bad[0]!r}")
    if len({(type(c) is str, c) for c in classes}) != len(classes):
        raise ValueError(f"class labels must differ from each other, got {classes!r:.200}")


def class_labels(network: Network) -> np.ndarray:
    """The original class labels of ``network``'s outputs, from ``metadata["classes"]``.

    Output ``j`` of the network (logit ``z_j``) stands for label ``class_labels(net)[j]``.

    Parameters
    ----------
    network : Network

    Returns
    -------
    labels : ndarray of shape (n_out,)
        ``str`` labels as a unicode array, integers as int64, numbers as
        float64, booleans as bool, a mixture as objects; ``arange(n_out)``
        when the model stores no labels.
    """
    classes = (network.metadata or {}).get("classes")
    if classes is None:
        return np.arange(network.n_out)
    _check_classes(classes, network.n_out)
    kinds = {bool if isinstance(c, bool) else str if isinstance(c, str) else
             int if isinstance(c, int) else float for c in classes}
    if kinds == {bool}:
        return np.array(classes, dtype=bool)
    if kinds == {str}:
        return np.array(classes, dtype=str)
    if kinds == {int} and all(-2**63 <= c < 2**63 for c in classes):
        return np.array(classes, dtype=np.int64)
    if kinds <= {int, float} and all(abs(c) < 2**53 for c in classes if isinstance(c, int)):
        return np.array(classes, dtype=np.float64)
    labels = np.empty(len(classes), dtype=object)
    labels[:] = classes
    return labels


def load_model(path, *, max_params: int = MAX_PARAMS) -> Network:
    """Read a model file written by ``save_model``, executing nothing in it.

    Parameters
    ----------
    path : str or Path
    max_params : int
        The most parameters (weights and biases) the file's network may have,
        counted from its description before any array is made
        (``nnlearn.limits.MAX_PARAMS`` by default).

    Returns
    -------
    Network
        Its ``metadata`` holds the file's; ``class_labels(network)`` its labels.

    Raises
    ------
    ModelFileError
        Naming the file, for a missing, corrupt, truncated or inconsistent one
        (weights that do not fit the architecture, labels that do not fit its outputs).
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    if path.suffix not in SUFFIXES:
        raise ModelFileError(f"{path}: model files end in .npz or .safetensors")
    info, arrays = _read_container(path, max_params)
    metadata = info.get("metadata", {})
    try:
        check_stored_arrays(info.get("network"), arrays)  # before anything is allocated
        network = Network.from_layer_list(info["network"])
        network.set_parameters(arrays)
    except (ValueError, KeyError, TypeError) as err:
        raise ModelFileError(f"{path}: weights do not match the architecture: {err}") from None
    if not all(np.all(np.isfinite(p)) for p in network.parameters().values()):
        raise ModelFileError(f"{path}: the weights contain NaN or infinite values")
    try:
        _check_classes(metadata.get("classes"), network.n_out)
    except ValueError as err:
        raise ModelFileError(f"{path}: {err}") from None
    network.metadata = metadata
    return network
