"""Writing files safely: nothing is ever left half-written, nothing is written where it must not.

Every file nnlearn writes goes through ``atomic_path``: the bytes go to a
temporary file beside the target (``.NAME.PID.XXXX.tmp``), which is flushed to
the disk (``fsync``) and then renamed onto the target, and the folder is
synced, so a crash or a power cut leaves either the old file or the complete
new one. A temporary file whose writer was killed (``kill -9``) is removed by
the next write of the same target. The target itself is checked first
(``check_output``): a symbolic link, a device, a FIFO or a folder is refused,
and so is a path that is also an input of the same command.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import OutputError


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)  # the same inode: hard links, ``./x`` and ``x``
    except OSError:
        return a.resolve() == b.resolve()  # one of them does not exist yet


def check_output(path, *, inputs=()) -> Path:
    """Refuse to write ``path`` when it is a link, not a regular file, or one of ``inputs``.

    Parameters
    ----------
    path : str or Path
    inputs : iterable of str or Path or None
        The files the same command reads (None entries are skipped).

    Returns
    -------
    Path

    Raises
    ------
    OutputError
        Naming the path and what it is.
    """
    path = Path(path)
    if path.is_symlink():
        raise OutputError(f"{path}: is a symbolic link; nnlearn does not write through links "
                          f"(give the path of a regular file)")
    if path.exists() and not path.is_file():
        kind = "a folder" if path.is_dir() else "a device, FIFO or socket"
        raise OutputError(f"{path}: is {kind}, not a regular file; nnlearn writes only "
                          f"regular files")
    for other in inputs:
        if other is not None and Path(other).exists() and _same_file(path, Path(other)):
            raise OutputError(f"{path}: is also an input of this command ({other}); write "
                              f"the output elsewhere")
    return path


def _remove_stale(path: Path) -> None:
    """Remove the temporary files of ``path`` whose writing process no longer runs."""
    prefix = f".{path.name}."
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(".tmp")):
                continue
            pid = name[len(prefix):].split(".", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _fsync(path, *, folder=False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if folder else 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # a folder cannot be opened on Windows: its rename is durable anyway
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path, *, inputs=()):
    """Yield a temporary path beside ``path``; sync it and rename it onto ``path`` on success.

    On any error the temporary file is removed and ``path`` is untouched, so a
    reader sees either the old file or the complete new one. ``path`` is first
    checked by ``check_output`` (with ``inputs``).
    """
    path = check_output(path, inputs=inputs)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                               dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); the finished file gets the mode
        # any other new file would get here (0666 less the umask), so runs can be shared.
        os.chmod(tmp, 0o666 & ~_umask())
        _fsync(tmp)  # the bytes on the disk before the name points at them
        check_output(path, inputs=inputs)  # still not a link: it may have changed meanwhile
        os.replace(tmp, path)
        _fsync(path.parent, folder=True)  # and the rename itself
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path, text: str, *, inputs=()) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8); ``inputs`` as in ``check_output``."""
    with atomic_path(path, inputs=inputs) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(path, data: bytes, *, inputs=()) -> None:
    """Write ``data`` to ``path`` atomically; ``inputs`` as in ``check_output``."""
    with atomic_path(path, inputs=inputs) as tmp:
        tmp.write_bytes(data)


#: first characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection list)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell) -> str:
    """``cell`` as text for a CSV file: prefixed with ``'`` when a spreadsheet would read it
    as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return and
    is not a plain number: ``-1`` stays ``-1``, ``=HYPERLINK(...)`` becomes ``'=HYPERLINK(...)``).
    """
    text = str(cell)
    if text.startswith(FORMULA_STARTS):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def _umask() -> int:
    # The only way to read the umask is to set it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
