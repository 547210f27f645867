"""``nnlearn playground``: prints its address, serves, warns off loopback, fails in one line."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytest.importorskip("uvicorn", reason="the playground extra: pip install -e '.[playground]'")
SRC = Path(__file__).resolve().parent.parent / "src"


def _start(*args):
    env = {**os.environ, "PYTHONPATH": str(SRC), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "nnlearn", "playground", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _stop(proc):
    proc.terminate()
    try:
        return proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


@pytest.mark.parametrize("host, warned", [("127.0.0.1", False), ("0.0.0.0", True)])
def test_it_prints_its_address_and_serves_the_page(host, warned):
    allow = () if host == "127.0.0.1" else ("--allow-host", "box.example")
    proc = _start("--port", "0", "--host", host, *allow)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        page = httpx.get(match.group(0), timeout=20)
        assert page.status_code == 200 and "nnlearn playground" in page.text
    finally:
        _, err = _stop(proc)
    assert ("warning: listening on 0.0.0.0" in err) == warned, err


def test_an_address_others_reach_needs_allow_host():
    proc = _start("--port", "0", "--host", "0.0.0.0")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and out == ""
    assert err.startswith("nnlearn: error: listening on 0.0.0.0 lets other machines in")
    assert "--allow-host NAME" in err and err.count("\n") == 1


def test_a_busy_port_is_one_line_on_stderr():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = _start("--port", str(port))
        try:
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                _stop(proc)
    assert proc.returncode == 1
    assert err.startswith("nnlearn: error: cannot listen on 127.0.0.1:") and err.count("\n") == 1


def test_help_names_the_options():
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    r = subprocess.run([sys.executable, "-m", "nnlearn", "playground", "--help"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0
    for option in ("--host", "--port", "--allow-host", "--open"):
        assert option in r.stdout


def test_without_the_extra_it_says_what_to_install():
    code = ("import sys; sys.modules['starlette'] = None\n"
            "from nnlearn.cli import main; main(['playground', '--port', '0'])")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 1
    assert r.stderr.strip() == ('nnlearn: error: the playground needs Starlette and uvicorn '
                                '(starlette is missing): pip install "nnlearn[playground]"')


@pytest.mark.slow  # a fresh interpreter loads nnlearn's command line: several seconds here
def test_nnlearn_evaluate_reads_an_exported_model(tmp_path):
    """The exported file is a model file like any other: ``nnlearn evaluate`` reads it."""
    import numpy as np

    from nnlearn.playground import data as playdata
    from nnlearn.playground.model import build, export_network
    from nnlearn.playground.settings import network_spec, validate
    from nnlearn.training.modelio import save_model
    s, _ = validate({"data": "blobs", "classes": 3, "noise": 0.05, "hidden": "8"})
    d = playdata.toy_sample(s)
    net = build(s, d.n_classes)
    save_model(export_network(net, d, network_spec(s, d.n_classes)), tmp_path / "model.npz")
    rows = "".join(f"{a},{b},{c}\n" for (a, b), c in zip(d.X_test, d.y_test))
    (tmp_path / "test.csv").write_text("x1,x2,label\n" + rows)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    r = subprocess.run([sys.executable, "-m", "nnlearn", "evaluate", "--model",
                        str(tmp_path / "model.npz"), "--data", str(tmp_path / "test.csv")],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    accuracy = float(re.search(r"accuracy (\d\.\d+)", r.stdout).group(1))
    expected = np.mean(net.predict(d.standardize(d.X_test)) == d.y_test)
    assert accuracy == pytest.approx(expected, abs=1e-4)


def test_the_estimator_loads_an_exported_model(tmp_path):
    """One model format: a file exported by the playground loads as a fitted
    ``NeuralNetClassifier`` that predicts as the page's network does."""
    import numpy as np

    from nnlearn import NeuralNetClassifier
    from nnlearn.playground import data as playdata
    from nnlearn.playground.model import build, export_network
    from nnlearn.playground.settings import network_spec, validate
    from nnlearn.training.modelio import save_model
    s, _ = validate({"data": "spirals", "classes": 3, "hidden": "16,16"})
    d = playdata.toy_sample(s)
    net = build(s, d.n_classes)
    save_model(export_network(net, d, network_spec(s, d.n_classes)), tmp_path / "model.npz")
    clf = NeuralNetClassifier.load(tmp_path / "model.npz")
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    # the export carries the network's description, as nnlearn train's files do
    from nnlearn.spec import spec_of
    from nnlearn.training import load_model
    assert spec_of(load_model(tmp_path / "model.npz")) == network_spec(s, 3)
    np.testing.assert_array_equal(clf.predict(d.X_test), net.predict(d.standardize(d.X_test)))
