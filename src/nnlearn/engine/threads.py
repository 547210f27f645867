"""How many BLAS threads the engine's matrix products use, chosen on purpose.

The rule: a pass (a training step, or one chunk of prediction) whose matrix
products need fewer than ``SMALL_PASS_FLOPS`` floating-point operations runs on
one BLAS thread; a bigger one runs with whatever the BLAS library is set to (by
default one thread per core). The lecture's networks are small: a training step
of 784-32-10 at batch 128 is about 2 * 10^7 operations, predicting the 10000
MNIST test images with it 5 * 10^8. Threads split such a product into pieces
too small to pay for their start and their wait for each other, and on a machine
whose cores are busy with other work a step with two threads is slower than with
one, not faster (``docs/benchmarks.md``, "Why the engine is built this way").

The rule only ever lowers the number of threads, for the duration of the pass:
a limit set by the caller (``threadpoolctl.threadpool_limits``, or
``OMP_NUM_THREADS``) or by joblib inside its worker processes (cores / n_jobs,
so that ``GridSearchCV(n_jobs=2)`` on 2 cores runs one thread per worker) is
kept. Set ``SMALL_PASS_FLOPS = 0`` to leave every choice to the library.

threadpoolctl comes with scikit-learn; without it nothing is changed.
"""

from __future__ import annotations

from contextlib import contextmanager

#: Passes with fewer floating-point operations than this run on one BLAS thread.
SMALL_PASS_FLOPS = 1e9

_BLAS: list | None = None


def _blas_controllers() -> list:
    """threadpoolctl's controllers of the BLAS libraries loaded now (NumPy's)."""
    global _BLAS
    if _BLAS is None:
        try:
            from threadpoolctl import ThreadpoolController
            _BLAS = list(ThreadpoolController().select(user_api="blas").lib_controllers)
        except Exception:  # threadpoolctl absent or unable to inspect: change nothing
            _BLAS = []
    return _BLAS


def one_thread(flops: float) -> bool:
    """The rule, for both engines: a pass of fewer than ``SMALL_PASS_FLOPS`` operations
    runs on one thread (NumPy's BLAS here; torch's intra-op threads in
    ``nnlearn.torch.backend.torch_threads_for``)."""
    return flops < SMALL_PASS_FLOPS


@contextmanager
def blas_threads_for(flops: float):
    """Within the block, one BLAS thread if ``one_thread(flops)``, else as set.

    Cheap enough (three calls into each BLAS library) to wrap every training step.
    """
    changed = []
    if one_thread(flops):
        for lib in _blas_controllers():
            n = lib.get_num_threads()
            if n is not None and n > 1:
                lib.set_num_threads(1)
                changed.append((lib, n))
    try:
        yield
    finally:
        for lib, n in changed:
            lib.set_num_threads(n)


def step_flops(network, m: int) -> float:
    """Operations of the matrix products of one training step on ``m`` rows.

    Forward ``2 m n_W`` for the ``n_W`` weights, backward twice that (``dL/dW``
    and ``W^T dL/dz``): about ``6 m n_W``.
    """
    return 6.0 * m * network.n_parameters()


def predict_flops(network, m: int) -> float:
    """Operations of the matrix products of a forward pass on ``m`` rows: ``2 m n_W``."""
    return 2.0 * m * network.n_parameters()
