"""Image data sets: MNIST and Fashion-MNIST from IDX files, and scikit-learn's digits.

MNIST-style files are decoded and checked once: the first load gunzips each
file, validates it (``idx.read_idx``), compares the MD5 of its content with
the published one and saves the decoded array as a ``.npy`` file, with a small
JSON sidecar that records what it was made from::

    train-images-idx3-ubyte.npy        uint8 (60000, 28, 28), memory-mappable
    train-images-idx3-ubyte.npy.json   {"source": ..., "source_size": ..., "source_mtime_ns": ...,
                                        "md5": ..., "npy_size": ..., "shape": ..., "dtype": ...}

Later loads memory-map the ``.npy`` after comparing the sidecar with the
source file's size and modification time and the ``.npy``'s size: no
re-hashing of 47 MB, and a stale (source replaced) or damaged (cut short)
cache is noticed and rebuilt. The cache lives next to the source files when
that folder is writable, else in the user cache folder (``sources.cache_home``).
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..fileio import atomic_path
from .dataset import Dataset
from .idx import read_idx
from .catalogue import ROLES, SOURCES, FileSpec, Source
from .sources import cache_home, find, is_writable, locate, source
from .sampling import train_val_split

#: bump when the layout of the decoded cache changes: older caches are rebuilt
CACHE_FORMAT = 1
IMAGE_DTYPES = ("float32", "uint8")


# -- the decoded cache -----------------------------------------------------------------

def _sidecar(npy: Path) -> Path:
    return npy.with_name(npy.name + ".json")


def _cache_folders(path: Path, name: str) -> list[Path]:
    """Where the decoded cache of ``path`` may live: beside it, then the user cache."""
    folders = [path.parent, cache_home() / name]
    return [f for i, f in enumerate(folders) if f not in folders[:i]]


def _source_record(path: Path, spec: FileSpec) -> dict:
    st = path.stat()
    return {"source": str(path.resolve()), "source_size": st.st_size,
            "source_mtime_ns": st.st_mtime_ns, "md5": spec.md5}


def _read_cache(npy: Path, record: dict) -> np.ndarray | None:
    """The cached array if its sidecar matches ``record`` and the ``.npy`` is whole, else None."""
    try:
        meta = json.loads(_sidecar(npy).read_text(encoding="utf-8"))
        if meta.get("format") != CACHE_FORMAT or any(meta.get(k) != v for k, v in record.items()):
            return None  # stale: the source file was replaced, or the expected MD5 changed
        if npy.stat().st_size != meta["npy_size"]:
            return None  # damaged: cut short or overwritten
        array = np.load(npy, mmap_mode="r", allow_pickle=False)
        if list(array.shape) != meta["shape"] or array.dtype.str != meta["dtype"]:
            return None
        return np.asarray(array)  # a plain ndarray view of the read-only map
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # missing or unreadable sidecar or .npy: rebuild


def _write_cache(folder: Path, array: np.ndarray, spec: FileSpec, record: dict) -> Path:
    npy = folder / f"{spec.name}.npy"
    with atomic_path(npy) as tmp:
        with open(tmp, "wb") as f:  # a file object: np.save would append .npy to a name
            np.save(f, array, allow_pickle=False)
        os.chmod(tmp, 0o644)
    meta = {"format": CACHE_FORMAT, **record, "npy_size": npy.stat().st_size,
            "shape": list(array.shape), "dtype": array.dtype.str}
    # written last: a sidecar only ever describes a complete .npy
    with atomic_path(_sidecar(npy)) as tmp:
        tmp.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        os.chmod(tmp, 0o644)  # readable by all, like the .npy it vouches for
    return npy


def _identify(md5: str) -> str | None:
    """Which published file has this MD5, for a message about a mislabelled file."""
    for src in SOURCES.values():
        for spec in src.files.values():
            if spec.md5 == md5:
                return f"{src.name}'s {spec.name}"
    return None


def _expected_shape(src: Source, role: str):
    return (None, *src.image_shape) if role.endswith("images") else (None,)


def decode_file(src: Source, role: str, path: Path) -> tuple[np.ndarray, str]:
    """The verified array of one file of ``src``, from the decoded cache or decoded now.

    Parameters
    ----------
    src : Source
    role : str
        One of ``ROLES``.
    path : Path
        The IDX file (``.gz`` or not).

    Returns
    -------
    array : ndarray, uint8, read-only
        ``(n, h, w)`` images or ``(n,)`` labels.
    how : str
        ``"cache"`` (read from a verified cache) or ``"verified"`` (decoded and
        its MD5 checked just now).

    Raises
    ------
    DataError
        The file is not a valid IDX file of the expected shape, or its MD5
        differs from the published one. Nothing is cached then.
    """
    spec = src.files[role]
    path = Path(path)
    record = _source_record(path, spec)
    folders = _cache_folders(path, src.name)
    for folder in folders:
        array = _read_cache(folder / f"{spec.name}.npy", record)
        if array is not None:
            return array, "cache"
    what = "images" if role.endswith("images") else "labels"
    array, md5 = read_idx(path, shape=_expected_shape(src, role), dtype=np.uint8, what=what)
    if md5 != spec.md5:
        known = _identify(md5)
        raise DataError(f"{path}: checksum mismatch: the MD5 of its content is {md5}, the "
                        f"published {src.name} {spec.name} has {spec.md5}; "
                        + (f"this file is {known}, mislabelled" if known else
                           "the file is corrupt or not the published one")
                        + ". Replace it with the original (or delete it to download it again)")
    for folder in folders:
        if not is_writable(folder):
            continue
        try:
            return np.asarray(np.load(_write_cache(folder, array, spec, record), mmap_mode="r")), \
                "verified"
        except OSError:
            continue  # e.g. a full disk: try the next folder
    tried = ", ".join(map(str, folders))
    warnings.warn(f"could not write a decoded cache of {path} (tried {tried}); every load will "
                  f"decode it again", stacklevel=2)
    return array, "verified"


def is_verified(src: Source, role: str, path: Path) -> bool:
    """Whether a verified decoded cache of ``path`` exists (cheap: no hashing)."""
    record = _source_record(Path(path), src.files[role])
    return any(_read_cache(folder / f"{src.files[role].name}.npy", record) is not None
               for folder in _cache_folders(Path(path), src.name))


# -- loaders -----------------------------------------------------------------------------

def _check_dtype(dtype) -> str:
    dtype = np.dtype(dtype).name
    if dtype not in IMAGE_DTYPES:
        raise ValueError(f"dtype must be one of {IMAGE_DTYPES}, got {dtype!r}")
    return dtype


def as_images(pixels: np.ndarray, *, flatten=True, dtype="float32") -> np.ndarray:
    """Byte images ``(n, h, w)`` as the loaders return them.

    Returns
    -------
    ndarray of shape ``(n, h*w)`` (``flatten``) or ``(n, h, w)``
        float32 in [0, 1] (a new array), or the uint8 bytes themselves
        (read-only when they come from the decoded cache).

    Examples
    --------
    >>> import numpy as np
    >>> as_images(np.array([[[0, 255], [51, 102]]], dtype=np.uint8)).tolist()
    [[0.0, 1.0, 0.20000000298023224, 0.4000000059604645]]
    """
    if _check_dtype(dtype) == "float32":
        # division, not multiplication by 1/255: 255 maps to exactly 1.0
        pixels = np.divide(pixels, np.float32(255), dtype=np.float32)
    return pixels.reshape(len(pixels), -1) if flatten else pixels


def load_image_set(name, *, data_dir=None, flatten=True, dtype="float32", download=True,
                   fetch=None) -> Dataset:
    """Load MNIST or Fashion-MNIST, verified, as a ``Dataset``.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
    data_dir : str or Path, optional
        Folder holding the four files (or a ``<name>/`` folder with them);
        see ``sources`` for where they are looked for otherwise.
    flatten : bool
        Images as rows ``(n, 784)`` (default) or as ``(n, 28, 28)``.
    dtype : {"float32", "uint8"}
        float32 in [0, 1] (default) or the original bytes 0..255.
    download, fetch
        Passed to ``sources.find``.

    Returns
    -------
    Dataset
        ``X_train`` ``(60000, 784)``, ``X_test`` ``(10000, 784)``, ``y`` as int64
        class indices; ``classes`` are the digits 0..9 or Fashion-MNIST's
        names; ``info`` says where the files were found and that they were verified.

    Examples
    --------
    Where MNIST is on the machine (see ``sources`` for where it is looked for; the
    documentation's tests run this only there):

    >>> data = load_image_set("mnist", download=False)
    >>> data.X_train.shape, data.X_test.shape, data.X_train.dtype.name
    ((60000, 784), (10000, 784), 'float32')
    >>> data.info["verified"]
    'md5 of the uncompressed content matches the published checksum'
    >>> load_image_set("mnist", flatten=False, dtype="uint8").X_test.shape
    (10000, 28, 28)
    """
    src = source(name)
    dtype = _check_dtype(dtype)
    loc = find(name, data_dir, download=download, fetch=fetch)
    arrays, how = {}, {}
    for role in ROLES:
        arrays[role], how[role] = decode_file(src, role, loc.paths[role])
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if len(images) != len(labels):
            raise DataError(f"{loc.paths[part + '_images']} holds {len(images)} images but "
                            f"{loc.paths[part + '_labels']} holds {len(labels)} labels")
        if labels.max(initial=0) >= len(src.classes):
            raise DataError(f"{loc.paths[part + '_labels']}: label {labels.max()} is out of "
                            f"range for {len(src.classes)} classes")
    return Dataset(
        name,
        as_images(arrays["train_images"], flatten=flatten, dtype=dtype),
        arrays["train_labels"].astype(np.int64),
        as_images(arrays["test_images"], flatten=flatten, dtype=dtype),
        arrays["test_labels"].astype(np.int64),
        classes=np.array(src.classes), image_shape=src.image_shape,
        info={"title": src.title, "folder": str(loc.folder), "origin": loc.origin,
              "files": {role: str(p) for role, p in loc.paths.items()},
              "verified": "md5 of the uncompressed content matches the published checksum",
              "decoded": how},
    )


def load_digits(*, seed=0, test_size=360, flatten=True) -> Dataset:
    """scikit-learn's bundled 8x8 digits (1797 images), split 1437/360 by default.

    Nothing is downloaded: the data ship with scikit-learn. Pixel values
    0..16 are scaled to [0, 1]; the test part is stratified and seeded
    (``transforms.train_val_split``).

    Parameters
    ----------
    seed : int
        Seed of the split.
    test_size : int or float
        Number (default 360) or share of the images held out for testing.
    flatten : bool
        Images as rows ``(n, 64)`` (default) or as ``(n, 8, 8)``.

    Returns
    -------
    Dataset

    Examples
    --------
    >>> data = load_digits(seed=0)
    >>> data.X_train.shape, data.X_test.shape, float(data.X_train.max())
    ((1437, 64), (360, 64), 1.0)
    """
    from sklearn.datasets import load_digits as sklearn_digits  # heavy: only when needed

    bunch = sklearn_digits()
    X = (bunch.data / 16.0).astype(np.float32)
    X_train, X_test, y_train, y_test = train_val_split(X, bunch.target.astype(np.int64),
                                                       test_size, seed)
    if not flatten:
        X_train, X_test = X_train.reshape(-1, 8, 8), X_test.reshape(-1, 8, 8)
    return Dataset("digits", X_train, y_train, X_test, y_test, classes=np.arange(10),
                   image_shape=(8, 8),
                   info={"title": "scikit-learn's 8x8 handwritten digits (UCI)", "origin":
                         "embedded", "seed": seed, "test_size": test_size})


# -- what is where (for ``nnlearn data list``) ---------------------------------------------

@dataclass
class Status:
    """Where an image data set is and whether its checksums have been verified.

    ``verified`` is True when every file has a verified decoded cache (or was
    just verified), False when it has not been checked yet, and None when the
    files were not found. ``message`` says how to get missing files.
    """

    name: str
    folder: Path | None
    origin: str | None
    verified: bool | None
    message: str = ""


def status(name: str, data_dir=None, *, verify=False) -> Status:
    """Locate ``name`` without downloading; with ``verify``, check its checksums now.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
    data_dir : str or Path, optional
        As for ``load_image_set``.
    verify : bool
        Decode and verify every file now (slow the first time).

    Returns
    -------
    Status
        For a data set that is missing or fails verification too, with the
        reason in ``message`` rather than an exception, so a listing can go on.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as empty:
    ...     missing = status("mnist", data_dir=empty)
    >>> missing.folder, missing.verified
    (None, None)
    >>> print(missing.message)
    mnist is not in the data folder ... Put the files train-images-idx3-ubyte.gz, ...
    """
    src = source(name)
    loc = None
    try:
        # with download=False, find raises when the files are missing, with the message
        # that says where to put what
        loc = find(name, data_dir, download=False)
        for role in ROLES if verify else ():
            decode_file(src, role, loc.paths[role])
        verified = verify or all(is_verified(src, role, loc.paths[role]) for role in ROLES)
        return Status(name, loc.folder, loc.origin, verified)
    except DataError as err:
        if loc is None:
            return Status(name, None, None, None, str(err))
        return Status(name, loc.folder, loc.origin, False, str(err))


def checksums(data: str, data_dir=None) -> dict:
    """``{role: {"file", "sha256"}}`` of the data set's files as found, the bytes as
    stored (gzipped or not); none for an embedded set such as ``digits``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     for spec in SOURCES["mnist"].files.values():
    ...         _ = (Path(folder) / spec.gz_name).write_bytes(b"")  # empty stand-ins
    ...     sums = checksums("mnist", folder)
    >>> sorted(sums) == sorted(ROLES), sums["test_labels"]["sha256"][:12], checksums("digits")
    (True, 'e3b0c44298fc', {})
    """
    if data not in SOURCES:
        return {}
    try:
        found = locate(data, data_dir)
    except DataError:  # an explicit folder without the files: the run says so, and skips
        found = None
    if found is None:
        return {}
    out = {}
    for role, path in sorted(found.paths.items()):
        with open(path, "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        out[role] = {"file": str(path), "sha256": digest}
    return out
