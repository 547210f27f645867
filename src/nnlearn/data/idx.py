"""The IDX format of the MNIST files: read, validate, write.

An IDX file is a header and the elements of one array in C order::

    0x00 0x00 T D          magic number: T the element type, D the number of dimensions
    size_1 ... size_D      D big-endian uint32 sizes
    elements               prod(size_i) elements of type T, big-endian

MNIST ships ``T = 0x08`` (unsigned byte): images ``(n, 28, 28)``, labels ``(n,)``.
Files named ``*.gz`` are gzip-compressed, as the originals are; any other name
is read as the raw bytes. Every defect (bad gzip, bad magic number, wrong
dimensions, too few or too many bytes) raises a ``DataError`` that names the
file and says what is wrong, so a truncated download never decodes to garbage.
The sizes a header declares are compared with the bytes there are before
anything is decoded (for an uncompressed file, before it is read at all), in
Python integers, so a forged header cannot make the reader allocate for it.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import math
import os
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..fileio import atomic_path
from ..limits import MAX_DEFLATE_RATIO, MAX_IDX_BYTES

#: element type code of the magic number -> NumPy dtype (big-endian, as stored)
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_TYPE_CODES = {dtype.newbyteorder("="): code for code, dtype in IDX_TYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20


def is_gzip_name(path) -> bool:
    """Whether ``path`` is named as gzip-compressed (``*.gz``)."""
    return Path(path).suffix == ".gz"


@contextlib.contextmanager
def _reading(path: Path):
    """Turn the ways reading a (gzip) file fails into one ``DataError`` naming the file."""
    try:
        yield
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except EOFError:
        raise DataError(f"{path}: the gzip stream is truncated (the file was cut short, "
                        f"e.g. by an interrupted download)") from None
    except (gzip.BadGzipFile, zlib.error) as err:
        raise DataError(f"{path}: not a valid gzip file ({err}); the file is corrupt") from None
    except OSError as err:
        raise DataError(f"{path}: cannot read: {err.strerror or err}") from None


def _open(path: Path, gz: bool | None):
    gz = is_gzip_name(path) if gz is None else gz
    return gzip.open(path, "rb") if gz else open(path, "rb")


def read_bytes(path, *, gz: bool | None = None) -> bytes:
    """The uncompressed content of ``path``.

    ``gz`` says whether the file is gzip-compressed; by default, whether it is
    named ``*.gz``.

    Raises
    ------
    DataError
        The file is missing, unreadable, not gzip although named ``.gz``,
        or its gzip stream is corrupt or cut short.
    """
    path = Path(path)
    with _reading(path), _open(path, gz) as f:
        return f.read()


def md5_of_content(path, *, gz: bool | None = None) -> str:
    """MD5 (hex) of the uncompressed content of ``path``, read in chunks.

    The published MNIST checksums are of the uncompressed bytes, so a file
    re-gzipped with other settings still matches. ``gz`` and errors as in
    ``read_bytes``.
    """
    path = Path(path)
    digest = hashlib.md5()
    with _reading(path), _open(path, gz) as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _declared(buf: bytes, source) -> tuple[int, tuple[int, ...], np.dtype]:
    """The header length, shape and element type that the start of an IDX file declares.

    ``buf`` holds at least the header (or the whole file, if shorter).
    """
    if len(buf) < 4:
        raise DataError(f"{source}: not an IDX file: only {len(buf)} bytes, "
                        f"shorter than the 4-byte magic number")
    zero, code, ndim = int.from_bytes(buf[:2], "big"), buf[2], buf[3]
    if zero != 0:
        hint = ("; it looks gzip-compressed: name it *.gz" if buf[:2] == _GZIP_MAGIC else "")
        raise DataError(f"{source}: bad magic number 0x{buf[:4].hex()}: an IDX file starts "
                        f"with two zero bytes, so this is not an IDX file{hint}")
    if code not in IDX_TYPES:
        raise DataError(f"{source}: bad magic number 0x{buf[:4].hex()}: unknown element type "
                        f"0x{code:02x} (known: {', '.join(f'0x{c:02x}' for c in IDX_TYPES)})")
    if ndim == 0:
        raise DataError(f"{source}: bad magic number 0x{buf[:4].hex()}: zero dimensions")
    header = 4 + 4 * ndim
    if len(buf) < header:
        raise DataError(f"{source}: truncated: the header of {ndim} dimensions needs "
                        f"{header} bytes, the file has {len(buf)}")
    shape = tuple(int.from_bytes(buf[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return header, shape, IDX_TYPES[code]


def _check_size(shape, dtype, found: int, source) -> None:
    """The data after the header must be exactly what ``shape`` declares."""
    expected = math.prod(shape) * dtype.itemsize  # Python integers: no overflow
    if found < expected:
        raise DataError(f"{source}: truncated: shape {shape} needs {expected} bytes of data, "
                        f"the file has {found}")
    if found > expected:
        raise DataError(f"{source}: {found - expected} bytes of unexpected data after the "
                        f"{expected} bytes that shape {shape} needs; the file is corrupt")


def parse_idx(buf: bytes | bytearray, source="<bytes>") -> np.ndarray:
    """Decode the bytes of an IDX file into an array of native byte order.

    Parameters
    ----------
    buf : bytes or bytearray
        The whole uncompressed file.
    source : str or Path
        Named in error messages.

    Returns
    -------
    ndarray of shape ``(size_1, ..., size_D)``
        Read-only for one-byte types (a view of ``buf``, no copy).
    """
    header, shape, dtype = _declared(bytes(buf[:4 + 4 * 255]), source)
    _check_size(shape, dtype, len(buf) - header, source)
    data = np.frombuffer(buf, dtype=dtype, offset=header).reshape(shape)
    if dtype.itemsize == 1:
        data.flags.writeable = False  # a view of ``buf``, which may be a bytearray
        return data
    # multi-byte types are stored big-endian; one conversion to native order
    return data.astype(dtype.newbyteorder("="))


def check_array(array: np.ndarray, source, *, shape: Sequence[int | None] | None = None,
                dtype=None, what="data") -> np.ndarray:
    """Check an IDX array against what the file's name promises.

    ``shape`` may hold ``None`` for any size, e.g. ``(None, 28, 28)``. A file of
    labels where images are expected ("mislabelled") fails here with a message
    naming both shapes.
    """
    if dtype is not None and array.dtype != np.dtype(dtype):
        raise DataError(f"{source}: holds {array.dtype} elements, expected {np.dtype(dtype)} "
                        f"{what}; is it the right file?")
    if shape is not None:
        ok = array.ndim == len(shape) and all(
            want is None or want == got for want, got in zip(shape, array.shape))
        if not ok:
            want_text = "(" + ", ".join("n" if s is None else str(s) for s in shape) + \
                ("," if len(shape) == 1 else "") + ")"
            raise DataError(f"{source}: holds an array of shape {array.shape}, expected {what} "
                            f"of shape {want_text}; is it the right file?")
    return array


def read_idx(path, *, shape=None, dtype=None, what="data") -> tuple[np.ndarray, str]:
    """Read and validate an IDX file.

    Parameters
    ----------
    path : str or Path
        ``*.gz`` is gunzipped, any other name read as is.
    shape, dtype, what
        Optional expectations, see ``check_array``.

    Returns
    -------
    array : ndarray
        The decoded array, native byte order (read-only for byte types).
    md5 : str
        MD5 of the uncompressed bytes, to compare with a published checksum.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_idx(f"{folder}/labels-idx1-ubyte.gz", np.array([7, 2, 1], dtype=np.uint8))
    ...     labels, md5 = read_idx(f"{folder}/labels-idx1-ubyte.gz", shape=(None,),
    ...                            dtype=np.uint8, what="labels")
    >>> labels.tolist(), md5
    ([7, 2, 1], '95cb6c54ea3c0cf91e8411f0a9fd1728')
    """
    path = Path(path)
    buf = _read_capped(path)
    array = parse_idx(buf, source=path)
    check_array(array, path, shape=shape, dtype=dtype, what=what)
    return array, hashlib.md5(buf).hexdigest()


def _read_capped(path: Path) -> bytearray:
    """The uncompressed bytes of the IDX file ``path``, never more than its header declares.

    The header is read first; the size it declares is checked against
    ``MAX_IDX_BYTES`` and against what the file can hold (its length, or for a
    gzip file its compressed length times deflate's largest expansion); then the
    stream is read in chunks up to one byte past the declared end, so a small
    gzip file that inflates to gigabytes is refused after a few megabytes.
    """
    size = path.stat().st_size if path.exists() else 0
    gz = is_gzip_name(path)
    with _reading(path), _open(path, gz) as f:
        buf = bytearray(f.read(4))
        if len(buf) == 4:
            buf += f.read(4 * buf[3])
        header, shape, dtype = _declared(bytes(buf), path)
        expected = math.prod(shape) * dtype.itemsize  # Python integers: no overflow
        if header + expected > MAX_IDX_BYTES:
            raise DataError(f"{path}: its header declares shape {shape} ({expected:,} bytes); "
                            f"nnlearn reads IDX files of at most {MAX_IDX_BYTES:,} bytes "
                            f"(nnlearn.limits.MAX_IDX_BYTES)")
        if not gz:
            _check_size(shape, dtype, size - header, path)  # before reading what may be huge
        elif header + expected > size * MAX_DEFLATE_RATIO + 2**10:
            raise DataError(f"{path}: its header declares shape {shape} ({expected:,} bytes), "
                            f"more than {size:,} bytes of gzip can hold; the file is corrupt")
        end = header + expected + 1  # one byte past the end: enough to see trailing data
        while len(buf) < end and (chunk := f.read(min(_CHUNK, end - len(buf)))):
            buf += chunk
    return buf


def encode_idx(array) -> bytes:
    """The bytes of an IDX file holding ``array`` (any supported dtype, ndim >= 1)."""
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _TYPE_CODES or array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"IDX cannot hold an array of dtype {array.dtype} and "
                         f"{array.ndim} dimensions")
    code = _TYPE_CODES[native]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + np.ascontiguousarray(array, dtype=IDX_TYPES[code]).tobytes()


def write_idx(path, array) -> None:
    """Write ``array`` as an IDX file (MNIST's format), atomically.

    Parameters
    ----------
    path : str or Path
        Gzip-compressed if it ends in ``.gz`` (the same array always gives the same bytes).
    array : array-like
        Of 1 to 255 dimensions and an IDX type: uint8, int8, int16, int32,
        float32 or float64 (``ValueError`` otherwise).

    Examples
    --------
    >>> import tempfile
    >>> images = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_idx(f"{folder}/images-idx3-ubyte", images)
    ...     raw = open(f"{folder}/images-idx3-ubyte", "rb").read()
    ...     back, _ = read_idx(f"{folder}/images-idx3-ubyte")
    >>> raw[:4], len(raw), bool((back == images).all())  # magic: uint8, 3 dimensions
    (b'\\x00\\x00\\x08\\x03', 34, True)
    >>> write_idx("never-written.idx", np.zeros(3, dtype=np.int64))
    Traceback (most recent call last):
    ValueError: IDX cannot hold an array of dtype int64 and 1 dimensions
    """
    data = encode_idx(array)
    with atomic_path(path) as tmp:
        if is_gzip_name(path):
            # mtime=0: the same array always gives the same bytes
            with open(tmp, "wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as f:
                f.write(data)
        else:
            tmp.write_bytes(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a data file is for everyone to read
