"""The ``.npz`` data file: arrays ``X`` and ``y`` (and optionally ``X_test``, ``y_test``).

An ``.npz`` file is a zip archive of ``.npy`` files. It is read with
``allow_pickle=False``, so it never runs code, and every member is checked
before NumPy allocates anything for it: the shape and dtype its header
declares must account for exactly the bytes the member holds, and the size
the archive declares for a member must be possible for its compressed size
(deflate expands at most about 1032 times). So a small file cannot make the
reader allocate more than about a thousand times its own size, and any
corrupt, truncated or forged file is a ``DataError`` naming the file.
"""

from __future__ import annotations

import math
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..limits import MAX_DEFLATE_RATIO

#: the arrays of a data file: X and y, and the optional test part
ARRAYS = ("X", "y", "X_test", "y_test")
#: what goes wrong inside a damaged archive, besides ``ValueError`` and ``OSError``
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError,
                   NotImplementedError, RuntimeError, KeyError, struct.error, MemoryError)


def _declared_npy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> None:
    """Check one ``.npy`` member's declared sizes before NumPy allocates its array."""
    name = info.filename
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise DataError(f"{path}: member {name} uses a compression method nnlearn does not "
                        f"read ({info.compress_type}); save with numpy.savez or savez_compressed")
    limit = info.compress_size * (1 if info.compress_type == zipfile.ZIP_STORED
                                  else MAX_DEFLATE_RATIO) + 64
    if info.file_size > limit or info.compress_size > path.stat().st_size:
        raise DataError(f"{path}: member {name} claims {info.file_size} bytes from "
                        f"{info.compress_size} stored bytes, which is impossible: the file is "
                        f"corrupt")
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        offset = f.tell()
    if dtype.hasobject:
        raise DataError(f"{path}: holds Python objects (pickled), which nnlearn does not load "
                        f"because unpickling can run code; save labels as a string array "
                        f"(e.g. y.astype(str)) and features as numbers")
    needed = math.prod(shape) * dtype.itemsize  # Python integers: no overflow
    if offset + needed != info.file_size:
        raise DataError(f"{path}: member {name} declares an array of shape {shape} and dtype "
                        f"{dtype} ({needed} bytes) but holds {info.file_size - offset} bytes "
                        f"of data: the file is corrupt or truncated")


def read_npz(path):
    """Read ``X`` and ``y`` (and, if present, ``X_test`` and ``y_test``) from an ``.npz`` file.

    Parameters
    ----------
    path : str or Path
        The ``.npz`` file (read with ``allow_pickle=False``).

    Returns
    -------
    dict
        ``"X"`` ``(n, ...)`` numeric and ``"y"`` ``(n,)``, numbers or strings,
        plus ``"X_test"``, ``"y_test"`` when the file has them.

    Raises
    ------
    DataError
        Not a zip archive, missing arrays, a damaged or forged member (see the
        module's docstring), pickled objects, arrays of the wrong shape or
        kind, missing or infinite values.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "mine.npz")
    >>> np.savez(path, X=np.zeros((6, 4)), y=np.array([0, 1] * 3))
    >>> arrays = read_npz(path)
    >>> sorted(arrays), arrays["X"].shape
    (['X', 'y'], (6, 4))
    """
    path = Path(path)
    if path.is_file() and not zipfile.is_zipfile(path):
        # np.load would take it for a pickle, and refuse it as one: say what it really is
        raise DataError(f"{path}: not a valid .npz file (not a zip archive); save one with "
                        f"numpy.savez(path, X=X, y=y)")
    try:
        with zipfile.ZipFile(path) as zf:
            members = {info.filename: info for info in zf.infolist()}
            keys = {name[:-4] for name in members if name.endswith(".npy")}
            if not {"X", "y"} <= keys:
                raise DataError(f"{path}: an .npz data file needs arrays named 'X' and 'y'; "
                                f"it has: {', '.join(sorted(keys)) or 'none'}")
            wanted = ["X", "y"] + (["X_test", "y_test"] if {"X_test", "y_test"} <= keys else [])
            for key in wanted:
                _declared_npy(zf, members[key + ".npy"], path)
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in wanted}
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except _ARCHIVE_ERRORS as err:
        raise DataError(f"{path}: not a valid .npz file ({type(err).__name__}: {err})") from None
    except ValueError as err:
        if isinstance(err, DataError):
            raise
        if "allow_pickle" in str(err) or "Object arrays" in str(err):
            raise DataError(f"{path}: holds Python objects (pickled), which nnlearn does not load "
                            f"because unpickling can run code; save labels as a string array "
                            f"(e.g. y.astype(str)) and features as numbers") from None
        raise DataError(f"{path}: not a valid .npz file ({err})") from None
    except OSError as err:
        raise DataError(f"{path}: cannot read: {err.strerror or err}") from None
    for part in ("", "_test"):
        if "X" + part in arrays:
            _check_npz_pair(arrays["X" + part], arrays["y" + part], path, part)
    return arrays


def _check_npz_pair(X, y, path, part):
    X_name, y_name = "X" + part, "y" + part
    if X.ndim < 2 or len(X) == 0 or X[0].size == 0:
        raise DataError(f"{path}: {X_name} must have one sample per row, shape (n, n_features) "
                        f"with n and n_features at least 1, got {X.shape}")
    if X.dtype.kind not in "biuf":
        raise DataError(f"{path}: {X_name} holds {X.dtype} values; features must be real "
                        f"numbers")
    bad = np.argwhere(~np.isfinite(X)) if X.dtype.kind == "f" else []
    if len(bad):
        index = ", ".join(map(str, bad[0]))
        raise DataError(f"{path}: {X_name}[{index}] is {X[tuple(bad[0])]}; missing or infinite "
                        f"values are not allowed")
    if y.ndim != 1 or len(y) != len(X):
        raise DataError(f"{path}: {y_name} must hold one label per row of {X_name} "
                        f"({len(X)}), got shape {y.shape}")
    if y.dtype.kind not in "iubfUS":
        raise DataError(f"{path}: {y_name} holds {y.dtype} values; labels must be numbers "
                        f"or strings")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        i = int(np.flatnonzero(~np.isfinite(y))[0])
        raise DataError(f"{path}: {y_name}[{i}] is {y[i]}; every sample needs a label")
