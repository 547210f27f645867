"""Where a reproduction's numbers come from: the code's commit, the data's checksums, the packages.

``provenance(...)`` is what ``results.json`` keeps under ``provenance``: the git
commit of the source that ran and whether its tree had uncommitted changes
(``dirty``), each data file's sha256, and the packages' versions.
``refuse_dirty`` stops a report meant to be committed (written inside the
repository) from coming out of a dirty tree, unless ``--allow-dirty`` says so.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import nnlearn

from ..data import SOURCES, locate
from ..errors import DataError


def source_root() -> Path | None:
    """The git work tree holding the ``nnlearn`` source that runs, or None (an install)."""
    return _git(Path(nnlearn.__file__).resolve().parent, "rev-parse", "--show-toplevel",
                as_path=True)


def _git(where: Path, *args, as_path=False, strip=True):
    try:
        out = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    text = out.stdout.strip() if strip else out.stdout  # porcelain lines start with a space
    return Path(text) if as_path else text


def git_state(root: Path | None, exclude: Path | None = None) -> dict:
    """``{"commit", "dirty", "changed"}`` of the work tree ``root``; ``changed`` lists the
    paths with uncommitted changes (untracked files included), ``exclude`` left out
    (the report's own folder, which the run rewrites)."""
    if root is None:
        return {"commit": None, "dirty": None, "changed": []}
    spec = ["--", "."]
    if exclude is not None:
        try:
            spec.append(f":(exclude){Path(exclude).resolve().relative_to(root.resolve())}")
        except ValueError:
            pass
    status = _git(root, "status", "--porcelain", *spec, strip=False) or ""
    changed = [line[3:] for line in status.splitlines() if line.strip()]
    return {"commit": _git(root, "rev-parse", "HEAD"), "dirty": bool(changed),
            "changed": changed}


def inside(path, root: Path | None) -> bool:
    if root is None:
        return False
    try:
        Path(path).resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def refuse_dirty(out, allow_dirty: bool, root: Path | None = None) -> str | None:
    """Why a report may not be written to ``out``, or None: a folder inside the repository
    holds a report to be committed, and that must come from a committed tree."""
    root = source_root() if root is None else root
    if allow_dirty or not inside(out, root):
        return None
    state = git_state(root, exclude=Path(out))
    if not state["dirty"]:
        return None
    shown = ", ".join(state["changed"][:5]) + (", ..." if len(state["changed"]) > 5 else "")
    return (f"the source tree {root} has uncommitted changes ({shown}); a report written "
            f"into the repository ({out}) must come from a committed tree: commit first, or "
            f"pass --allow-dirty")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def dataset_checksums(data: str, data_dir=None) -> dict:
    """``{role: {"file", "sha256"}}`` of the data set's files as found (none for an
    embedded set such as ``digits``)."""
    if data not in SOURCES:
        return {}
    try:
        found = locate(data, data_dir)
    except DataError:  # an explicit folder without the files: the run says so, and skips
        found = None
    if found is None:
        return {}
    return {role: {"file": str(path), "sha256": sha256(path)}
            for role, path in sorted(found.paths.items())}


def provenance(scope, packages: dict, out=None, allow_dirty: bool = False) -> dict:
    """What ``results.json`` keeps under ``provenance``."""
    root = source_root()
    state = git_state(root, exclude=Path(out) if out is not None else None)
    return {"commit": state["commit"], "dirty": state["dirty"], "changed": state["changed"],
            "allow_dirty": allow_dirty, "source": str(root) if root else None,
            "datasets": {scope.data: dataset_checksums(scope.data, scope.data_dir)},
            "packages": packages}
