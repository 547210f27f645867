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
# vectorises them; the arithmetic is optim.py's, operation for operation.
@jit
def adam(p, g, m, v, beta1, one_minus_beta1, beta2, one_minus_beta2, eps_t, step, wd, flush,
         tiny):  # pragma: no cover - compiled
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
        p[i] -= (mi / (np.sqrt(vi) + eps_t)) * step


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
