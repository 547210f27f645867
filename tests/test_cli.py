"""The command line: the files it writes, and one-line errors for bad options."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from nnlearn.training import History, load_model


def nnlearn(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "nnlearn", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_train_writes_model_history_metrics_and_figure(tmp_path):
    out = tmp_path / "rings"
    r = nnlearn("train", "--data", "rings", "--hidden", "100", "--iterations", "300",
                "--snapshots", "50,150,300", "--out", str(out), "--record-iterations")
    assert r.returncode == 0, r.stderr
    assert "test accuracy" in r.stdout
    names = {p.name for p in out.iterdir()}
    assert names == {"model.npz", "training_state.npz", "history.csv", "history.json",
                     "metrics.json", "decision_regions.png", "learning_curves.png",
                     "iterations.csv", "iterations.png"}
    metrics = json.loads((out / "metrics.json").read_text())
    for key in ("train_loss", "train_accuracy", "test_loss", "test_accuracy"):
        assert 0 <= metrics[key] < 10
    assert metrics["test_accuracy"] > 0.95 and metrics["iterations"] == 300
    assert metrics["config"]["hidden"] == [100]
    assert (out / "decision_regions.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    net = load_model(out / "model.npz")
    assert net.layer_list()["layers"][0]["n_out"] == 100 and len(net.layers) == 2
    history = History.from_json(out / "history.json")
    assert len(history) == 300 and history.last("val_accuracy") == pytest.approx(
        metrics["test_accuracy"])


def test_train_with_options_and_safetensors(tmp_path):
    r = nnlearn("train", "--data", "moons", "--hidden", "16,16", "--activation", "tanh,relu",
                "--optimizer", "adam", "--lr", "0.01", "--batch-size", "64", "--epochs", "3",
                "--schedule", "cosine", "--format", "safetensors", "--dtype", "float64",
                "--quiet", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    net = load_model(tmp_path / "model.safetensors")
    assert [layer.activation for layer in net.layers] == ["tanh", "relu", "identity"]
    assert net.dtype == np.float64
    r = nnlearn("train", "--data", "spirals", "--architecture", "resnet", "--width", "16",
                "--depth", "3", "--epochs", "2", "--quiet", "--out", str(tmp_path / "res"))
    assert r.returncode == 0, r.stderr
    assert sum(layer.entry()["type"] == "residual"
               for layer in load_model(tmp_path / "res" / "model.npz").layers) == 3


@pytest.mark.parametrize("args, message", [
    (["--hidden", "abc"], "--hidden"),
    (["--hidden", "-3"], "positive"),
    (["--lr", "-1"], "--lr"),
    (["--epochs", "2", "--iterations", "3"], "not both"),
    (["--optimizer", "rmsprop"], "--optimizer"),
    (["--activation", "relu,swish"], "swish"),
    (["--batch-size", "0"], "--batch-size"),
    (["--data", "nope"], "unknown data set"),
    (["--iterations", "10", "--snapshots", "50"], "past the last iteration"),
    (["--lr", "10000", "--iterations", "50"], "smaller learning rate"),
    (["--backend", "jax"], "--backend"),
    (["--no-such-option"], "no-such-option"),
])
def test_bad_options_exit_non_zero_with_one_line(tmp_path, args, message):
    r = nnlearn("train", "--quiet", "--out", str(tmp_path), *args)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("nnlearn: error:") and message in lines[0]
    assert "Traceback" not in r.stderr


def test_help_explains_every_option():
    r = nnlearn("train", "--help")
    assert r.returncode == 0
    for option in ("--data", "--hidden", "--iterations", "--epochs", "--snapshots", "--out",
                   "--seed", "--lr", "--batch-size", "--optimizer", "--activation"):
        assert option in r.stdout


def test_gradcheck_command_passes_and_fails_on_tolerance():
    r = nnlearn("gradcheck", "--architecture", "mlp", "--activation", "tanh,relu")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(" ok") == 2
    # numbers counted, not arrays (issue 28: "6 parameters" for 6 arrays of 89 numbers)
    from nnlearn.experiments.backprop import CHECK_SIZES, check_spec
    numbers, arrays = map(int, re.search(r"(\d+) parameters in (\d+) arrays", r.stdout).groups())
    net = check_spec("mlp", "tanh", inputs=CHECK_SIZES.inputs, hidden=CHECK_SIZES.hidden,
                     classes=CHECK_SIZES.classes).build(0)
    assert (numbers, arrays) == (net.n_parameters(), len(net.parameters()))
    r = nnlearn("gradcheck", "--architecture", "mlp", "--activation", "sigmoid", "--tol", "1e-15")
    assert r.returncode == 1 and "gradient check failed" in r.stderr


def test_torch_backend_writes_the_same_files_and_its_model_loads_in_numpy(tmp_path):
    pytest.importorskip("torch")
    from nnlearn.torch import to_torch
    r = nnlearn("train", "--backend", "torch", "--device", "cpu", "--iterations", "100",
                "--snapshots", "50,100", "--quiet", "--out", str(tmp_path / "torch"))
    assert r.returncode == 0, r.stderr
    r = nnlearn("train", "--iterations", "100", "--quiet", "--out", str(tmp_path / "numpy"))
    assert r.returncode == 0, r.stderr
    names = {p.name for p in (tmp_path / "torch").iterdir()}
    assert names == {p.name for p in (tmp_path / "numpy").iterdir()}
    net = load_model(tmp_path / "torch" / "model.npz")  # read by the NumPy engine
    module = to_torch(load_model(tmp_path / "numpy" / "model.npz"))  # and the other way
    assert set(module.state_dict()) == set(net.parameters())
    m_torch = json.loads((tmp_path / "torch" / "metrics.json").read_text())
    m_numpy = json.loads((tmp_path / "numpy" / "metrics.json").read_text())
    assert m_torch["test_loss"] == pytest.approx(m_numpy["test_loss"], rel=1e-3)


def test_torchrun_two_processes_match_one_and_only_rank0_writes(tmp_path):
    pytest.importorskip("torch")
    args = ["train", "--backend", "torch", "--iterations", "30", "--batch-size", "100",
            "--optimizer", "adam", "--lr", "0.01", "--quiet"]
    env = {**__import__("os").environ, "OMP_NUM_THREADS": "1"}
    r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                        "--nproc-per-node", "2", "-m", "nnlearn", *args, "--out",
                        str(tmp_path / "ddp")], capture_output=True, text=True, timeout=240,
                       env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    r = nnlearn(*args, "--out", str(tmp_path / "one"))
    assert r.returncode == 0, r.stderr
    ddp = json.loads((tmp_path / "ddp" / "metrics.json").read_text())
    one = json.loads((tmp_path / "one" / "metrics.json").read_text())
    assert ddp["test_loss"] == pytest.approx(one["test_loss"], rel=1e-4)
    assert ddp["iterations"] == one["iterations"] == 30
    assert not [p for p in (tmp_path / "ddp").iterdir() if p.suffix == ".tmp"]
    r = subprocess.run([sys.executable, "-m", "nnlearn", *args, "--backend", "numpy", "--out",
                        str(tmp_path / "x")], capture_output=True, text=True,
                       env={**env, "WORLD_SIZE": "2"})
    assert r.returncode == 2 and "needs --backend torch" in r.stderr


@pytest.mark.slow
def test_torchrun_teardown_is_clean_every_time(tmp_path):
    """Once in 27 runs a rank used to die with SIGABRT at exit, after rank 0 had
    written everything: several runs here, each of which must end with status 0."""
    pytest.importorskip("torch")
    env = {**__import__("os").environ, "OMP_NUM_THREADS": "1"}
    for attempt in range(4):
        r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                            "--nproc-per-node", "2", "-m", "nnlearn", "train", "--backend",
                            "torch", "--device", "cpu", "--iterations", "3", "--quiet",
                            "--out", str(tmp_path / str(attempt))],
                           capture_output=True, text=True, timeout=240, env=env)
        assert r.returncode == 0, f"run {attempt}: {r.stderr[-2000:]}"
        assert (tmp_path / str(attempt) / "model.npz").is_file()


def test_train_on_a_csv_file_with_string_labels(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    labels = np.where(X[:, 0] > 0, "yes", "no")
    rows = ["f1,f2,f3,answer"] + [f"{a},{b},{c},{lab}" for (a, b, c), lab in zip(X, labels)]
    path = tmp_path / "table.csv"
    path.write_text("\n".join(rows) + "\n")
    r = nnlearn("train", "--data", str(path), "--epochs", "50", "--quiet", "--out",
                str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    net = load_model(tmp_path / "out" / "model.npz")
    assert net.metadata["classes"] == ["no", "yes"] and net.n_in == 3
    assert json.loads((tmp_path / "out" / "metrics.json").read_text())["test_accuracy"] > 0.7
    bad = tmp_path / "bad.csv"
    bad.write_text("f1,answer\n1.0,yes\nabc,no\n")
    r = nnlearn("train", "--data", str(bad), "--quiet", "--out", str(tmp_path / "bad"))
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "row" in r.stderr or "line" in r.stderr


def test_train_on_digits_with_shift_augmentation(tmp_path):
    r = nnlearn("train", "--data", "digits", "--hidden", "32", "--optimizer", "adam", "--lr",
                "0.01", "--batch-size", "64", "--epochs", "5", "--augment-shift", "1",
                "--quiet", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["n_train"] + metrics["n_test"] == 1797 and metrics["test_accuracy"] > 0.6
    assert not (tmp_path / "decision_regions.png").exists()  # 64 features: no 2-D figure


def test_train_on_mnist_from_a_data_folder(tmp_path, data_env):
    from data_helpers import need_data
    found = need_data("mnist")
    r = nnlearn("train", "--data", "mnist", "--data-dir", str(found.folder), "--hidden", "10",
                "--n-train", "2000", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "100",
                "--epochs", "2", "--quiet", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["n_train"] == 2000 and metrics["n_test"] == 10000
    assert metrics["test_accuracy"] > 0.8
