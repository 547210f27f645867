"""Where the image data sets come from: find them, or download them (what each data set's
files are, with their checksums and mirrors, is ``catalogue.SOURCES``).

A data set's files are looked for in this order; the first folder that holds
all of them wins:

1. an explicit folder (``data_dir=`` / ``--data-dir``): ``data_dir/<name>/`` or
   ``data_dir`` itself. When given it must hold the files: nothing further is
   searched, so a typo in the folder is an error, not a silent download.
2. ``$NNLEARN_DATA/<name>/`` (``NNLEARN_DATA`` holds ``mnist/``, ``fashion-mnist/``, ...);
3. the user cache ``$XDG_CACHE_HOME/nnlearn/<name>/`` (default ``~/.cache/nnlearn/<name>/``);
4. the system folder ``/usr/share/datasets/<name>/`` (Debian's ``dataset-fashion-mnist``
   package puts Fashion-MNIST there);
5. a download from the data set's public mirrors into the user cache.

Each file may be gzip-compressed (``train-images-idx3-ubyte.gz``, as published)
or not (``train-images-idx3-ubyte``). Checksums are MD5s of the *uncompressed*
content, so a file re-compressed by a mirror or a distribution still matches.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from ..fileio import atomic_path
from .catalogue import ROLES, SOURCES, FileSpec, Source
from .idx import md5_of_content

#: where distributions install data sets (Debian's dataset-fashion-mnist)
SYSTEM_DIR = Path("/usr/share/datasets")


def source(name: str) -> Source:
    """The ``Source`` of a data set name, or a ``DataError`` listing the known ones."""
    try:
        return SOURCES[name]
    except KeyError:
        raise DataError(f"unknown image data set {name!r}; known: {', '.join(SOURCES)}") from None


def cache_home() -> Path:
    """The user cache folder of nnlearn: ``$XDG_CACHE_HOME/nnlearn`` or ``~/.cache/nnlearn``.

    Returns
    -------
    Path
        Not created here.

    Examples
    --------
    >>> cache_home().name
    'nnlearn'
    """
    xdg = os.environ.get("XDG_CACHE_HOME")
    # the XDG spec says a relative value is invalid and must be ignored
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "nnlearn"


def is_writable(folder) -> bool:
    """Whether nnlearn may write into ``folder`` (which need not exist yet).

    Two kinds of folder count as read-only even for root, who could write
    anyway: one whose permission bits let nobody write (``r-x``, a shared data
    folder made read-only on purpose), and anything under ``/usr`` or the
    system data folder, which belong to the package manager (the Filesystem
    Hierarchy Standard makes ``/usr`` read-only, shareable data).
    """
    folder = Path(folder).absolute()
    if any(folder.is_relative_to(system) for system in (Path("/usr"), SYSTEM_DIR)):
        return False
    while not folder.exists():
        if folder.parent == folder:
            return False
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK) and bool(folder.stat().st_mode & 0o222)


@dataclass
class Location:
    """Where a data set's files were found.

    ``origin`` says which step of the search found them: ``"data_dir"``,
    ``"NNLEARN_DATA"``, ``"cache"``, ``"system"`` or ``"download"``.
    ``paths`` maps each role in ``ROLES`` to the file (``.gz`` or not).
    """

    name: str
    folder: Path
    origin: str
    paths: dict[str, Path] = field(default_factory=dict)


def find_file(folder: Path, spec: FileSpec) -> Path | None:
    """``folder/<name>.gz`` if present, else ``folder/<name>``, else None."""
    for candidate in (folder / spec.gz_name, folder / spec.name):
        if candidate.is_file():
            return candidate
    return None


def _scan(src: Source, folder: Path) -> tuple[dict[str, Path], list[str]]:
    """The files of ``src`` found in ``folder``, and the names of those missing."""
    found, missing = {}, []
    for role in ROLES:
        path = find_file(folder, src.files[role])
        if path is None:
            missing.append(src.files[role].gz_name)
        else:
            found[role] = path
    return found, missing


def search_path(name: str) -> list[tuple[str, Path]]:
    """The folders searched after an explicit ``data_dir``, as ``(origin, folder)`` pairs."""
    folders = []
    env = os.environ.get("NNLEARN_DATA")
    if env:
        folders.append(("NNLEARN_DATA", Path(env).expanduser() / name))
    folders.append(("cache", cache_home() / name))
    folders.append(("system", SYSTEM_DIR / name))
    return folders


def _locate_explicit(src: Source, data_dir) -> Location:
    data_dir = Path(data_dir).expanduser()
    if not data_dir.is_dir():
        raise DataError(f"data folder {data_dir} does not exist (given as data_dir / --data-dir)")
    tried = []
    for folder in (data_dir / src.name, data_dir):
        found, missing = _scan(src, folder)
        if not missing:
            return Location(src.name, folder, "data_dir", found)
        tried.append((folder, missing))
    # the folder that lacks the fewest files (the first, on a tie) is the one meant
    folder, missing = min(tried, key=lambda t: len(t[1]))
    lacks = ("holds none of its files" if len(missing) == len(ROLES) else
             f"lacks {', '.join(missing)}")
    raise DataError(f"{src.name} is not in the data folder {data_dir} (given as data_dir / "
                    f"--data-dir): {folder} {lacks}. Put the files "
                    f"{', '.join(src.file_names())} in {data_dir / src.name}/ or in {data_dir}/")


def locate(name: str, data_dir=None) -> Location | None:
    """Find a data set's files without downloading anything.

    Parameters
    ----------
    name : str
        A key of ``SOURCES``.
    data_dir : str or Path, optional
        As for ``find``: when given, only it is searched.

    Returns
    -------
    Location or None
        None when no searched folder holds all the files.

    Raises
    ------
    DataError
        ``data_dir`` was given and does not hold the files: an explicit folder
        is never passed over.

    Examples
    --------
    Files of the published names (``locate`` goes by the names; ``load_image_set``
    verifies the contents, so these empty stand-ins would fail there):

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     for spec in SOURCES["mnist"].files.values():
    ...         _ = (Path(folder) / spec.gz_name).write_bytes(b"")
    ...     found = locate("mnist", data_dir=folder)
    >>> found.origin, sorted(found.paths)
    ('data_dir', ['test_images', 'test_labels', 'train_images', 'train_labels'])
    """
    src = source(name)
    if data_dir is not None:
        return _locate_explicit(src, data_dir)
    for origin, folder in search_path(name):
        found, missing = _scan(src, folder)
        if not missing:
            return Location(name, folder, origin, found)
    return None


def fetch_url(url: str, dest: Path, *, timeout: float = 30.0) -> None:
    """Download ``url`` into the file ``dest``, showing a progress bar (tqdm).

    This is the default downloader of ``find``. Tests (and users behind a
    proxy) replace it, either by passing ``fetch=`` or by monkeypatching this
    name: any callable ``fetch(url, dest)`` that writes the bytes of ``url`` to
    ``dest`` or raises will do.
    """
    # only needed when something is downloaded: the command line starts without them
    import urllib.request

    from tqdm.auto import tqdm

    with urllib.request.urlopen(url, timeout=timeout) as response, open(dest, "wb") as out:
        total = int(response.headers.get("Content-Length") or 0) or None
        with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                  desc=url.rsplit("/", 1)[-1], leave=False) as bar:
            while chunk := response.read(1 << 16):
                out.write(chunk)
                bar.update(len(chunk))


def download_file(src: Source, role: str, folder: Path, fetch=None) -> Path:
    """Download one file of ``src`` into ``folder``, trying each mirror in turn.

    The bytes go to a temporary file beside the target, which is renamed onto
    ``folder/<name>.gz`` only once the MD5 of its uncompressed content matches;
    a failed or wrong download leaves nothing behind.

    Raises
    ------
    DataError
        Every mirror failed; the message gives each mirror's reason.
    """
    fetch = fetch if fetch is not None else fetch_url  # looked up now: monkeypatchable
    spec = src.files[role]
    target = folder / spec.gz_name
    reasons = []
    for mirror in src.mirrors:
        url = mirror + spec.gz_name
        try:
            with atomic_path(target) as tmp:
                fetch(url, tmp)
                try:
                    got = md5_of_content(tmp, gz=True)  # tmp's name does not end in .gz
                except DataError:  # its message names the temporary file, of no use here
                    raise DataError("the downloaded bytes are not a valid gzip file "
                                    "(corrupt or incomplete)") from None
                if got != spec.md5:
                    raise DataError(f"checksum mismatch: MD5 of the content is {got}, "
                                    f"expected {spec.md5}")
                os.chmod(tmp, 0o644)
            return target
        except (OSError, ValueError) as err:  # URLError is an OSError, DataError a ValueError
            reasons.append(f"{url}: {_reason(err)}")
    raise DataError(f"could not download {spec.gz_name}: " + "; ".join(reasons))


def _reason(err: Exception) -> str:
    reason = getattr(err, "reason", None)  # URLError wraps the socket error
    return str(reason if reason is not None else err) or type(err).__name__


def how_to_get(src: Source, folder: Path | None = None) -> str:
    """A sentence telling a person which files to put where (for error messages)."""
    folder = folder or cache_home() / src.name
    options = [f"{folder}/"]
    if os.environ.get("NNLEARN_DATA"):
        options.append(f"{Path(os.environ['NNLEARN_DATA']).expanduser() / src.name}/ "
                       f"($NNLEARN_DATA)")
    else:
        options.append(f"$NNLEARN_DATA/{src.name}/")
    return (f"put the files {', '.join(src.file_names())} (from {src.mirrors[0]}) in "
            f"{' or '.join(options)}, or pass their folder as data_dir= / --data-dir")


def find(name: str, data_dir=None, *, download: bool = True, fetch=None) -> Location:
    """Find a data set's files, downloading the missing ones if nothing else has them.

    Parameters
    ----------
    name : str
        A key of ``SOURCES`` (``"mnist"``, ``"fashion-mnist"``).
    data_dir : str or Path, optional
        An explicit folder; when given, only it is searched (see the module doc).
    download : bool
        Whether step 5, the download into the user cache, may run.
    fetch : callable, optional
        ``fetch(url, dest)``, the downloader; default ``fetch_url``.

    Returns
    -------
    Location

    Raises
    ------
    DataError
        The files are nowhere and could not be downloaded; the message says
        which files to put where.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as empty:
    ...     find("mnist", data_dir=empty, download=False)
    Traceback (most recent call last):
    nnlearn.errors.DataError: mnist is not in the data folder ... Put the files ... in .../mnist/...
    """
    src = source(name)
    found = locate(name, data_dir)
    if found is not None:
        return found
    folder = cache_home() / name
    looked = "; ".join(f"{folder_} ({origin})" for origin, folder_ in search_path(name))
    if not download:
        raise DataError(f"{name} not found (looked in {looked}); {how_to_get(src, folder)}")
    if not is_writable(folder):
        raise DataError(f"{name} not found (looked in {looked}) and the cache folder {folder} "
                        f"is not writable, so it cannot be downloaded; {how_to_get(src, folder)}")
    paths, _ = _scan(src, folder)  # a partial earlier download: fetch only what is missing
    created = not folder.exists()
    try:
        for role in ROLES:
            if role not in paths:
                paths[role] = download_file(src, role, folder, fetch)
    except DataError as err:
        if created:
            with contextlib.suppress(OSError):  # leave nothing behind, not even a folder
                folder.rmdir()
        raise DataError(f"{name} not found (looked in {looked}) and the download failed "
                        f"({err}). To use it offline, {how_to_get(src, folder)}") from None
    return Location(name, folder, "download", paths)
