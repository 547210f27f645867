"""Data-parallel training: two gloo processes on localhost equal one process.

The two processes are started as ``torchrun`` starts them: fresh interpreters
with ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and
``MASTER_PORT`` in their environment. Each runs ``_run_rank`` below (this file
is loaded by path), writes its weights and history, and the test compares them
with one process training on the same global batches.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nnlearn.engine import SGD, mlp  # noqa: E402
from nnlearn.torch import (DistributedTorchBackend, TorchBackend, barrier, cleanup,  # noqa: E402
                           init_from_env, is_distributed, is_rank0, make_torch_backend)
from nnlearn.torch.distributed import block  # noqa: E402
from nnlearn.training import TrainConfig, Trainer  # noqa: E402

WORLD = 2
TIMEOUT_S = 60  # the whole two-process run; it takes a few seconds


# -- the case both runs train: shared by the processes and the reference run ------------------

def _case():
    rng = np.random.default_rng(0)
    # 101 rows in batches of 25: the last batch has one row, so rank 1's block is empty.
    X = rng.normal(size=(101, 5))
    y = (X[:, 0] + X[:, 1] ** 2 > 1).astype(int) + (X[:, 2] > 0.5)
    w = rng.uniform(0.2, 2.0, size=101)
    X_val = rng.normal(size=(31, 5))
    y_val = (X_val[:, 0] > 0).astype(int)
    network = mlp(5, [16, 8], 3, "tanh", seed=4, dtype=np.float64)
    config = TrainConfig(epochs=2, batch_size=25, lr=0.1, seed=7, progress=False)
    return X, y, w, (X_val, y_val), network, config


def _train(backend):
    X, y, w, validation, _, config = _case()
    history = Trainer(backend, config).fit(X, y, sample_weight=w, validation_data=validation)
    return backend.get_network().parameters(), history


def _run_rank(out_dir):
    """One process of the data-parallel run (called in the child interpreters)."""
    torch.set_num_threads(1)  # two processes on a small machine: no oversubscription
    info = init_from_env("cpu", timeout_s=TIMEOUT_S)
    try:
        _, _, _, _, network, _ = _case()
        backend = DistributedTorchBackend(network, SGD(momentum=0.9, weight_decay=1e-3))
        params, history = _train(backend)
        X, y, w, (X_val, y_val), _, _ = _case()
        val = backend.evaluate(X_val, y_val, w[:31])
        # Different batches in the two processes must fail in both, not hang.
        fresh = DistributedTorchBackend(network, SGD())
        try:
            fresh.train_step(X[info.rank:], y[info.rank:], None, 0.1)
            mismatch_caught = False
        except RuntimeError as err:
            mismatch_caught = "different batches" in str(err)
        np.savez(Path(out_dir) / f"rank{info.rank}.npz", **params,
                 train_loss=history["train_loss"], train_accuracy=history["train_accuracy"],
                 val_loss=history["val_loss"], weighted_val=np.array(val),
                 is_rank0=info.is_rank0 == is_rank0(), mismatch_caught=mismatch_caught)
        # Leave together, as `nnlearn train` does under torchrun: a rank that tears its
        # connections down while the other still uses them can abort in gloo's threads.
        barrier()
    finally:
        cleanup()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_train_as_one_process_on_the_global_batch(tmp_path):
    port = _free_port()
    code = ("import importlib.util, sys; "
            "spec = importlib.util.spec_from_file_location('ddp_case', sys.argv[1]); "
            "case = importlib.util.module_from_spec(spec); spec.loader.exec_module(case); "
            "case._run_rank(sys.argv[2])")
    procs = []
    for rank in range(WORLD):
        env = dict(os.environ, RANK=str(rank), WORLD_SIZE=str(WORLD), LOCAL_RANK=str(rank),
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), OMP_NUM_THREADS="1")
        procs.append(subprocess.Popen([sys.executable, "-c", code, __file__, str(tmp_path)],
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    outputs = []
    try:
        for p in procs:
            outputs.append(p.communicate(timeout=TIMEOUT_S)[0].decode(errors="replace"))
    finally:
        for p in procs:  # never leave a process behind, whatever happened
            if p.poll() is None:
                p.kill()
                p.wait()
    for rank, (p, out) in enumerate(zip(procs, outputs)):
        assert p.returncode == 0, f"rank {rank} failed:\n{out[-3000:]}"

    params, history = _train(TorchBackend(_case()[4], SGD(momentum=0.9, weight_decay=1e-3)))
    X, y, w, (X_val, y_val), _, _ = _case()
    expected_val = TorchBackend(_case()[4], SGD())
    for rank in range(WORLD):
        got = np.load(tmp_path / f"rank{rank}.npz")
        for name, p in params.items():
            np.testing.assert_allclose(got[name], p, rtol=0, atol=1e-6, err_msg=name)
            assert np.max(np.abs(got[name] - p)) < 1e-12  # in fact equal to rounding
        for column in ("train_loss", "train_accuracy", "val_loss"):
            np.testing.assert_allclose(got[column], history[column], rtol=1e-12)
        expected_val.set_parameters(params)
        np.testing.assert_allclose(got["weighted_val"],
                                   expected_val.evaluate(X_val, y_val, w[:31]), rtol=1e-12)
        assert got["is_rank0"] and got["mismatch_caught"]


def test_blocks_cover_every_row_once():
    for m in (0, 1, 2, 3, 10, 101):
        for world in (1, 2, 3, 8):
            rows = [np.arange(m)[block(m, r, world)] for r in range(world)]
            assert np.array_equal(np.concatenate(rows), np.arange(m))
            assert max(map(len, rows)) - min(map(len, rows)) <= 1


def test_one_process_without_torchrun(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    info = init_from_env("cpu")
    assert (info.rank, info.world_size, info.backend) == (0, 1, None)
    assert is_rank0() and not is_distributed()
    cleanup()  # nothing to clean: must not fail
    assert type(make_torch_backend(mlp(2, [3], 2), SGD(), device="cpu")) is TorchBackend
    with pytest.raises(RuntimeError, match="init_from_env"):
        DistributedTorchBackend(mlp(2, [3], 2), SGD())


def test_bad_environment_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    for name in ("RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT.*torchrun"):
        init_from_env("cpu")
    monkeypatch.setenv("RANK", "two")
    monkeypatch.setenv("LOCAL_RANK", "0")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.setenv("MASTER_PORT", "29500")
    with pytest.raises(ValueError, match="RANK must be an integer, got 'two'"):
        init_from_env("cpu")
    monkeypatch.setenv("RANK", "2")
    with pytest.raises(ValueError, match="RANK=2 is not in 0 .. WORLD_SIZE-1 = 1"):
        init_from_env("cpu")
