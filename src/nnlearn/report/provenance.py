"""Where a reproduction's numbers come from: the code's commit, the data's checksums, the packages.

``provenance(...)`` is what ``results.json`` keeps under ``provenance``: the git
commit of the source that ran and whether its tree had uncommitted changes
(``dirty``), each data file's sha256 (``nnlearn.data.checksums``), and the
packages' versions.
``refuse_dirty`` stops a report meant to be committed (written inside the
repository) from coming out of a dirty tree, unless ``--allow-dirty`` says so.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import nnlearn



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


def provenance(scope, packages: dict, datasets: dict, out=None,
               allow_dirty: bool = False) -> dict:
    """What ``results.json`` keeps under ``provenance``; ``datasets`` is
    ``nnlearn.data.checksums`` of the scope's data set."""
    root = source_root()
    state = git_state(root, exclude=Path(out) if out is not None else None)
    return {"commit": state["commit"], "dirty": state["dirty"], "changed": state["changed"],
            "allow_dirty": allow_dirty, "source": str(root) if root else None,
            "datasets": {scope.data: datasets},
            "packages": packages}
