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


def test_a_fit_holds_the_rule_for_both_engines_and_restores_the_counts(two_threads):
    """One thread policy: within ``Trainer.fit`` a small network's steps run on one
    thread on the NumPy backend (BLAS) and on the torch backend (torch's intra-op
    threads too); both counts come back when the fit ends."""
    torch = pytest.importorskip("torch")
    from nnlearn.assembly import assemble
    from nnlearn.spec import NetworkSpec
    from nnlearn.training import LambdaCallback

    seen = []
    watch = LambdaCallback(on_iteration_end=lambda trainer: seen.append(
        (torch.get_num_threads(), max(_blas_threads(), default=1))))
    X = np.random.default_rng(0).normal(size=(64, 4))
    y = np.arange(64) % 2
    before = torch.get_num_threads()
    torch.set_num_threads(2)  # as torch starts on a 2-core machine (conftest pins 1)
    try:
        for backend in ("numpy", "torch"):
            run = assemble(NetworkSpec(4, 2, hidden=(8,)),
                           {"backend": backend, "device": "cpu", "iterations": 3},
                           callbacks=[watch])
            run.trainer.fit(X, y)
            assert torch.get_num_threads() == 2 and max(_blas_threads()) == 2
    finally:
        torch.set_num_threads(before)
    assert len(seen) == 6
    numpy_steps, torch_steps = seen[:3], seen[3:]
    assert all(blas == 1 for _, blas in numpy_steps)
    assert all(t == 1 and blas == 1 for t, blas in torch_steps)


def test_a_big_step_keeps_torchs_threads():
    torch = pytest.importorskip("torch")
    from nnlearn.torch.threads import torch_threads_for
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with torch_threads_for(threads.SMALL_PASS_FLOPS * 2):
            assert torch.get_num_threads() == 2
        with torch_threads_for(1.0):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
