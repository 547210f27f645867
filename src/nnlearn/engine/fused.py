"""Optional numba kernels for the optimiser steps: the same arithmetic in one pass.

The NumPy path in ``optim.py`` is the reference: an Adam step there is a dozen
whole-array operations, each reading and writing every parameter. The kernels
below do the same operations, in the same order and in the parameter's dtype,
element by element in one loop: on the lecture's small networks (a few tens of
thousands of weights) they take a step in a fraction of the time, and give the
same numbers (``tests/test_fused.py`` holds the two paths to it).

numba is optional (``pip install nnlearn[fast]``). Without it, or with the
environment variable ``NNLEARN_NUMBA=0``, ``kernels()`` returns None and the
optimisers use NumPy alone. numba is imported on the first optimiser step, not
when nnlearn is imported, and compiled kernels are cached on disk.
"""

from __future__ import annotations

import os

_KERNELS: dict | None = None
_TRIED = False


def enabled() -> bool:
    """Whether the kernels are wanted: ``NNLEARN_NUMBA`` unset or not ``0``."""
    return os.environ.get("NNLEARN_NUMBA", "1").strip().lower() not in ("0", "false", "no", "")


def kernels() -> dict | None:
    """``{"adam": ..., "momentum": ...}`` compiled by numba, or None (plain NumPy)."""
    global _KERNELS, _TRIED
    if not enabled():
        return None
    if not _TRIED:
        _TRIED = True
        try:
            _KERNELS = _build()
        except Exception:  # numba absent or broken: the NumPy path is complete on its own
            _KERNELS = None
    return _KERNELS


def _build() -> dict:
    import numba
    import numpy as np

    # error_model="numpy": x / 0 gives inf as in NumPy, with no check that would stop
    # LLVM from vectorising the loop. cache=True keeps the compiled code next to this
    # file (or in NUMBA_CACHE_DIR), so that a new process (a joblib worker) does not
    # compile again.
    jit = numba.njit(cache=True, nogil=True, error_model="numpy")

    # Branch-free loop bodies (a select, not an if, for the flush) so that LLVM
    # vectorises them; the arithmetic is optim.py's, operation for operation.
    @jit
    def adam(p, g, m, v, beta1, one_minus_beta1, beta2, one_minus_beta2, sqrt_c2, eps,
             step, wd, flush, tiny):  # pragma: no cover - compiled
        zero = tiny - tiny
        floor = tiny if flush else zero  # |x| < floor becomes 0
        for i in range(p.size):
            gi = g[i] + wd * p[i]  # plus the L2 penalty's gradient, as _decayed (wd may be 0)
            mi = m[i] * beta1 + gi * one_minus_beta1
            vi = v[i] * beta2 + (gi * gi) * one_minus_beta2
            mi = mi if abs(mi) >= floor else zero
            vi = vi if vi >= floor else zero
            m[i] = mi
            v[i] = vi
            p[i] -= (mi / (np.sqrt(vi) / sqrt_c2 + eps)) * step

    @jit
    def momentum(p, g, v, mu, lr, wd, nesterov, first, flush, tiny):  # pragma: no cover
        zero = tiny - tiny
        floor = tiny if flush else zero
        for i in range(p.size):
            gi = g[i] + wd * p[i]
            vi = gi if first else v[i] * mu + gi  # v <- g on the first step, as torch.optim.SGD
            vi = vi if abs(vi) >= floor else zero
            v[i] = vi
            p[i] -= lr * (gi + mu * vi if nesterov else vi)

    return {"adam": adam, "momentum": momentum}
