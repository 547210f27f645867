"""Optional numba kernels for the optimiser steps: the same arithmetic in one pass.

The NumPy path in ``optim.py`` is the reference: an Adam step there is a dozen
whole-array operations, each reading and writing every parameter. The kernels
in ``_kernels.py`` do the same operations, in the same order and in the parameter's dtype,
element by element in one loop, and give the same numbers
(``tests/test_fused.py`` holds the two paths to it).

numba is optional (``pip install nnlearn[fast]``) and off by default: set the
environment variable ``NNLEARN_NUMBA=1`` (or call ``enable()``) to use it.
Why off: starting numba in a new process costs more than the kernels save in a
short fit, a test or a joblib worker; only long runs in one process gain
(``docs/benchmarks.md``, "Why the engine is built this way"). Without numba,
``kernels()`` returns None and the optimisers use NumPy alone.
"""

from __future__ import annotations

import os

_KERNELS: dict | None = None
_TRIED = False


_WANTED: bool | None = None  # set by enable(); None: the environment decides


def enable(on: bool | None = True) -> None:
    """Use numba's kernels (``on=True``) or NumPy alone (``False``), whatever
    ``NNLEARN_NUMBA`` says; ``None`` leaves the choice to ``NNLEARN_NUMBA`` again."""
    global _WANTED
    _WANTED = None if on is None else bool(on)


def enabled() -> bool:
    """Whether the kernels are wanted: ``enable()``, else ``NNLEARN_NUMBA=1``."""
    if _WANTED is not None:
        return _WANTED
    return os.environ.get("NNLEARN_NUMBA", "0").strip().lower() in ("1", "true", "yes")


def kernels() -> dict | None:
    """``{"adam": ..., "momentum": ...}`` compiled by numba, or None (plain NumPy)."""
    global _KERNELS, _TRIED
    if not enabled():
        return None
    if not _TRIED:
        _TRIED = True
        try:
            from . import _kernels  # imports numba
            _KERNELS = {"adam": _kernels.adam, "momentum": _kernels.momentum}
        except Exception:  # numba absent or broken: the NumPy path is complete on its own
            _KERNELS = None
    return _KERNELS
