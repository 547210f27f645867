"""``nnlearn train``: recipes for options not given, contradictions refused, a graceful
stop on Ctrl-C and continuing a run with ``--resume``."""

import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from nnlearn.run import RunConfig, run, write_outputs
from nnlearn.training import LambdaCallback, load_model


def nnlearn(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "nnlearn", *args], capture_output=True,
                          text=True, timeout=300, **kwargs)


def test_options_not_given_come_from_the_recipe_and_are_recorded(tmp_path):
    r = nnlearn("train", "--data", "moons", "--iterations", "20", "--optimizer", "adam",
                "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    settings = json.loads((tmp_path / "metrics.json").read_text())["settings"]
    assert settings["optimizer"] == {"value": "adam", "from": "you"}
    # the rate is the chosen optimiser's own, not the recipe's (which belongs to gd)
    assert settings["lr"] == {"value": 0.001, "from": "adam's default"}
    assert settings["batch_size"] == {"value": "full", "from": "recipe (toy)"}
    assert settings["iterations"]["value"] == 20
    assert "settings: optimizer adam (you), lr 0.001 (adam's default)" in r.stdout


def test_image_data_gets_mini_batch_adam_by_default(tmp_path):
    r = nnlearn("train", "--data", "digits", "--epochs", "1", "--quiet", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["settings"]["optimizer"]["value"] == "adam"
    assert metrics["settings"]["batch_size"]["value"] == 64
    n_train = metrics["n_train"]
    assert metrics["iterations"] == -(-n_train // 64)  # one epoch of batches of 64


@pytest.mark.parametrize("args, message", [
    (["--hidden", "0"], "for a linear model, with no hidden layer, give 'none'"),
    (["--architecture", "resnet", "--hidden", "500"], "a resnet is sized by --width"),
    (["--width", "64"], "--width and --depth size a resnet"),
    (["--data", "digits", "--snapshots", "10"], "need 2-D data; digits has 64 features"),
    (["--epochs", "2", "--snapshots", "5"], "past the last iteration (2)"),
    (["--resume", "nowhere"], "no such run folder"),
])
def test_contradictory_or_impossible_options_are_refused(tmp_path, args, message):
    r = nnlearn("train", *args, "--out", str(tmp_path / "out"))
    assert r.returncode != 0
    assert message in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out" / "model.npz").exists()


def test_first_ctrl_c_writes_what_was_learned_and_exits_130(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "nnlearn", "train", "--data", "rings",
                             "--iterations", "1000000", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().startswith("settings:")  # training starts now
        # A signal before the first step stops at iteration 0 (nothing to finish);
        # a moment later some steps are done, and they are what must be kept.
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert "interrupted at iteration" in stderr and "--resume" in stderr
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["interrupted"] is True and 0 < metrics["iterations"] < 1000000
    net = load_model(out / "model.npz")
    assert net.metadata["classes"] == [0, 1]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_resume_finishes_an_interrupted_run_like_an_uninterrupted_one(tmp_path):
    cfg = dict(data="moons", hidden=(8,), optimizer="adam", epochs=6, batch_size=50,
               schedule="cosine", dtype="float64", progress=False)
    whole = run(RunConfig(**cfg))

    def halt(trainer):  # what Ctrl-C at the end of epoch 2 does
        if trainer.epoch == 2:
            trainer.interrupted = trainer.stop_training = True

    part = run(RunConfig(**cfg), callbacks=[LambdaCallback(on_epoch_end=halt)])
    assert part.metrics["interrupted"] and part.metrics["epochs"] == 2
    write_outputs(part, tmp_path)
    r = nnlearn("train", "--resume", str(tmp_path), "--quiet")
    assert r.returncode == 0, r.stderr
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["iterations"] == whole.metrics["iterations"] and not metrics["interrupted"]
    resumed = load_model(tmp_path / "model.npz").parameters()
    for name, value in whole.network.parameters().items():
        np.testing.assert_allclose(resumed[name], value, rtol=0, atol=1e-12)
    history = json.loads((tmp_path / "history.json").read_text())
    assert history["epochs"]["epoch"] == [1, 2, 3, 4, 5, 6]

    again = nnlearn("train", "--resume", str(tmp_path))
    assert again.returncode != 0 and "is complete" in again.stderr
    more = nnlearn("train", "--resume", str(tmp_path), "--epochs", "1", "--quiet")
    assert more.returncode == 0, more.stderr
    assert json.loads((tmp_path / "metrics.json").read_text())["epochs"] == 7
    other = nnlearn("train", "--resume", str(tmp_path), "--lr", "0.5")
    assert other.returncode != 0 and "not --lr" in other.stderr


def test_resume_refuses_a_damaged_state_file(tmp_path):
    part = run(RunConfig(data="moons", iterations=3, progress=False))
    write_outputs(part, tmp_path)
    (tmp_path / "training_state.npz").write_bytes(b"PK\x03\x04 garbage")
    r = nnlearn("train", "--resume", str(tmp_path), "--iterations", "2")
    assert r.returncode != 0 and "training_state.npz" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_the_help_example_is_a_command_that_runs(tmp_path):
    """``train --help`` once printed its example rewrapped into a broken command: the
    example, joined at its backslashes, must be the quick start's rings command."""
    text = nnlearn("train", "--help").stdout
    lines = text[text.index("nnlearn train --data rings"):].splitlines()
    command = []
    for line in lines:
        command.append(line.strip().rstrip("\\").strip())
        if not line.rstrip().endswith("\\"):
            break
    args = " ".join(command).split()
    assert args[:2] == ["nnlearn", "train"] and "--snapshots" in args
    args[args.index("--iterations") + 1] = "60"  # the same command, shorter
    args[args.index("--snapshots") + 1] = "50,60"
    args[args.index("--out") + 1] = str(tmp_path)
    r = nnlearn(*args[1:], "--quiet")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "decision_regions.png").is_file()


def test_tables_are_scaled_by_their_recipe_unless_told_not_to(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2)) * [1.0, 1000.0] + [0.0, 5000.0]  # columns in other units
    rows = ["a,b,label"] + [f"{a},{b},{int(a > 0)}" for a, b in X]
    table = tmp_path / "t.csv"
    table.write_text("\n".join(rows) + "\n")
    for flag, expected in (([], True), (["--no-standardize"], False)):
        out = tmp_path / str(expected)
        r = nnlearn("train", "--data", str(table), "--epochs", "2", "--quiet", *flag,
                    "--out", str(out))
        assert r.returncode == 0, r.stderr
        settings = json.loads((out / "metrics.json").read_text())["settings"]
        assert settings["standardize"]["value"] is expected
        scaling = load_model(out / "model.npz").metadata["spec"]["scaling"]
        assert (scaling is not None) is expected
        if expected:  # learnt on the training part: close to the columns' own statistics
            assert abs(scaling["mean"][0]) < 0.5 and abs(scaling["mean"][1] - 5000) < 400
            assert 500 < scaling["scale"][1] < 1500
