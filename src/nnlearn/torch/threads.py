"""The engine's thread rule (``nnlearn.engine.threads``), applied to torch."""

from __future__ import annotations

from contextlib import contextmanager

import torch

from ..engine.threads import blas_threads_for, one_thread


@contextmanager
def torch_threads_for(flops: float):
    """The engine's thread rule (``engine.threads.one_thread``) for torch: within the
    block, one intra-op thread for a small pass, and NumPy's BLAS likewise; restored
    after. torch's own default, a thread per core, makes a small network's step wait
    for busy cores (measured by ``benchmarks/bench_threads.py``; ``docs/benchmarks.md``).
    A limit the caller set lower is kept."""
    before = torch.get_num_threads()
    lower = one_thread(flops) and before > 1
    if lower:
        torch.set_num_threads(1)
    try:
        with blas_threads_for(flops):
            yield
    finally:
        if lower:
            torch.set_num_threads(before)
