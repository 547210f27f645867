"""The engine's BLAS thread rule (``nnlearn.engine.threads``), and one run on the
default thread path: the session fixture in conftest.py pins every test to one
thread, so this file lifts that pin on purpose."""

import os

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from nnlearn.engine import make_optimizer, mlp, threads
from nnlearn.training import NumpyBackend, TrainConfig, Trainer


def _blas_threads():
    """Threads of the BLAS libraries the rule controls: those loaded when the engine
    first needed one, NumPy's among them (scipy or torch may load others later)."""
    return [lib.get_num_threads() for lib in threads._blas_controllers()]


def test_the_rule_controls_numpys_blas():
    numpy_blas = [lib["filepath"] for lib in threadpool_info()
                  if lib["user_api"] == "blas" and "numpy" in lib["filepath"]]
    if not numpy_blas:
        pytest.skip("NumPy's BLAS is not a library of its own here (a system BLAS)")
    controlled = [lib.filepath for lib in threads._blas_controllers()]
    assert set(numpy_blas) <= set(controlled)


@pytest.fixture
def two_threads():
    if not _blas_threads():
        pytest.skip("no BLAS library that threadpoolctl can control")
    with threadpool_limits(2, user_api="blas"):  # lifts conftest's one-thread pin
        if max(_blas_threads()) < 2:
            pytest.skip("this BLAS does not take a second thread")
        yield


def test_small_passes_run_on_one_thread_and_the_limit_comes_back(two_threads):
    with threads.blas_threads_for(threads.SMALL_PASS_FLOPS / 2):
        assert max(_blas_threads()) == 1
    assert max(_blas_threads()) == 2
    with threads.blas_threads_for(threads.SMALL_PASS_FLOPS * 2):
        assert max(_blas_threads()) == 2  # a big pass keeps what the library has


def test_a_lower_limit_set_by_the_caller_is_kept():
    with threadpool_limits(1, user_api="blas"), threads.blas_threads_for(10**12):
        assert max(_blas_threads(), default=1) == 1


def test_the_limit_comes_back_after_an_error(two_threads):
    with pytest.raises(RuntimeError), threads.blas_threads_for(1.0):
        raise RuntimeError("boom")
    assert max(_blas_threads()) == 2


def test_training_on_the_default_thread_path_gives_the_pinned_result(rings_data, monkeypatch):
    """Once, the whole training and prediction path with the library's threads
    (the rule switched off), against the same run on one thread (float64)."""
    d = rings_data

    def run():
        backend = NumpyBackend(mlp(2, [64], 2, seed=0, dtype=np.float64), make_optimizer("adam"))
        Trainer(backend, TrainConfig(epochs=3, batch_size=64, lr=1e-2, seed=0,
                                     progress=False)).fit(d.X_train, d.y_train)
        return backend.network.predict_proba(d.X_test)

    pinned = run()
    monkeypatch.setattr(threads, "SMALL_PASS_FLOPS", 0)
    with threadpool_limits(os.cpu_count() or 2, user_api="blas"):  # as a process starts
        default = run()
    np.testing.assert_allclose(default, pinned, rtol=1e-9, atol=1e-12)
