"""The numba kernels of ``fused``: imported only through ``fused.kernels()``.

Module-level functions (not closures), so that numba's on-disk cache finds them
in a new process.
"""

import numba
import numpy as np

# error_model="numpy": x / 0 gives inf as in NumPy, with no check that would stop
# LLVM from vectorising the loop. cache=True keeps the compiled code next to this
# file (or in NUMBA_CACHE_DIR), so that a new process (a joblib worker) does not
# compile again.
jit = numba.njit(cache=True, nogil=True, error_model="numpy")


# Branch-free loop bodies (a select, not an if, for the flush) so that LLVM
# vectorises them; the arithmetic is optim.py's, operation for operation. The
# flush: a moment smaller in magnitude than ``floor`` becomes 0 (``floor`` is
# ``finfo.tiny`` on a flushing step, else 0, which flushes nothing), at the point
# where the NumPy path calls ``flush_subnormals``; a NaN stays NaN, as there.
@jit
def adam(p, g, m, v, beta1, one_minus_beta1, beta2, one_minus_beta2, eps_t, step, wd,
         floor):  # pragma: no cover - compiled
    zero = floor - floor
    for i in range(p.size):
        gi = g[i] + wd * p[i]  # plus the L2 penalty's gradient, as _decayed (wd may be 0)
        mi = m[i] * beta1 + gi * one_minus_beta1
        vi = v[i] * beta2 + (gi * gi) * one_minus_beta2
        mi = zero if abs(mi) < floor else mi
        vi = zero if vi < floor else vi
        m[i] = mi
        v[i] = vi
        p[i] -= (mi / (np.sqrt(vi) + eps_t)) * step


@jit
def momentum(p, g, v, mu, lr, wd, nesterov, first, floor):  # pragma: no cover
    zero = floor - floor
    for i in range(p.size):
        gi = g[i] + wd * p[i]
        vi = gi if first else v[i] * mu + gi  # v <- g on the first step, as torch.optim.SGD
        vi = zero if abs(vi) < floor else vi
        v[i] = vi
        p[i] -= lr * (gi + mu * vi if nesterov else vi)
