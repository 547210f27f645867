"""``nnlearn predict`` and ``nnlearn evaluate`` on the model files ``nnlearn train`` writes."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, precision_score, recall_score

from nnlearn.data import load, shift, write_idx
from nnlearn.engine.losses import nll
from nnlearn.run import RunConfig, run, write_outputs
from nnlearn.training import load_model


def nnlearn(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "nnlearn", *args], capture_output=True,
                          text=True, timeout=300, **kwargs)


@pytest.fixture(scope="module")
def fruit_model(tmp_path_factory):
    """A model trained on a CSV whose labels are words, and that CSV."""
    folder = tmp_path_factory.mktemp("fruit")
    d = load("blobs", seed=1, n_classes=3)
    words = np.array(["apple", "banana", "cherry"])
    table = folder / "fruit.csv"
    with open(table, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["a", "b", "fruit"])
        for x, y in zip(d.X_train[:300], d.y_train[:300]):
            w.writerow([*x, words[y]])
    result = run(RunConfig(data=str(table), hidden=(16,), epochs=30, progress=False))
    write_outputs(result, folder / "run")
    return folder / "run" / "model.npz", table


@pytest.fixture(scope="module")
def digits_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("digits")
    result = run(RunConfig(data="digits", hidden=(32,), epochs=15, progress=False))
    write_outputs(result, folder)
    return folder / "model.npz"


def _rows(path):
    with open(path, newline="") as fh:
        return list(csv.reader(fh))


def test_predict_writes_the_original_labels_and_probabilities(tmp_path, fruit_model):
    model, table = fruit_model
    out = tmp_path / "p.csv"
    r = nnlearn("predict", "--model", str(model), "--data", str(table), "--out", str(out))
    assert r.returncode == 0, r.stderr
    rows = _rows(out)
    assert rows[0] == ["prediction", "p_apple", "p_banana", "p_cherry"]
    net = load_model(model)
    X = np.loadtxt(table, delimiter=",", skiprows=1, usecols=(0, 1))
    scaling = net.metadata["spec"]["scaling"]  # the table recipe's, folded in by predict
    X = (X - scaling["mean"]) / scaling["scale"]
    expected = np.array(["apple", "banana", "cherry"])[net.predict(X.astype(np.float32))]
    assert [row[0] for row in rows[1:]] == expected.tolist()
    p = np.array([[float(v) for v in row[1:]] for row in rows[1:]])
    np.testing.assert_allclose(p.sum(axis=1), 1, atol=1e-5)


def test_predict_reads_a_table_without_its_label_column_and_top_k(tmp_path, fruit_model):
    model, table = fruit_model
    features = tmp_path / "features.csv"
    X = np.loadtxt(table, delimiter=",", skiprows=1, usecols=(0, 1))
    np.savetxt(features, X, delimiter=",")
    out = tmp_path / "p.csv"
    r = nnlearn("predict", "--model", str(model), "--data", str(features), "--out", str(out),
                "--top-k", "2")
    assert r.returncode == 0, r.stderr
    rows = _rows(out)
    assert rows[0] == ["label_1", "p_1", "label_2", "p_2"]  # label_1 is the prediction
    for row in rows[1:]:
        assert row[0] != row[2] and float(row[1]) >= float(row[3])
    assert len(rows) == len(X) + 1


@pytest.mark.parametrize("data, message", [
    ("digits", "has 64 features, the model expects 2"),
    ("nowhere.csv", "neither a data set name"),
])
def test_predict_refuses_data_that_does_not_fit_in_one_line(tmp_path, fruit_model, data,
                                                            message):
    model, _ = fruit_model
    r = nnlearn("predict", "--model", str(model), "--data", data, "--out", str(tmp_path / "p"))
    assert r.returncode != 0 and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path / "p").exists()


def test_evaluate_matches_an_independent_computation(tmp_path, digits_model):
    r = nnlearn("evaluate", "--model", str(digits_model), "--json", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    net = load_model(digits_model)
    d = load("digits")
    z = net.predict_logits(d.X_test.astype(np.float32))
    predicted = z.argmax(axis=1)
    assert report["accuracy"] == pytest.approx(accuracy_score(d.y_test, predicted), abs=1e-12)
    assert report["loss"] == pytest.approx(nll(z.astype(np.float64), d.y_test)[0], rel=1e-6)
    assert [c["precision"] for c in report["per_class"]] == pytest.approx(
        precision_score(d.y_test, predicted, average=None, zero_division=0).tolist())
    assert [c["recall"] for c in report["per_class"]] == pytest.approx(
        recall_score(d.y_test, predicted, average=None).tolist())
    assert sum(map(sum, report["confusion_matrix"])) == len(d.y_test) == report["n"]
    assert (tmp_path / "confusion_matrix.png").stat().st_size > 1000
    assert json.loads((tmp_path / "evaluation.json").read_text()) == report


def test_evaluate_on_shifted_images_and_on_idx_files(tmp_path, digits_model):
    net = load_model(digits_model)
    d = load("digits")
    moved = shift(d.X_test, 1, 0, image_shape=(8, 8))
    expected = accuracy_score(d.y_test, net.predict(moved.astype(np.float32)))
    r = nnlearn("evaluate", "--model", str(digits_model), "--shift", "1,0", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["accuracy"] == pytest.approx(expected, abs=1e-12)
    # the same images as IDX files (bytes 0..255), labels in their own file
    images, labels = tmp_path / "img-idx3-ubyte", tmp_path / "lab-idx1-ubyte"
    write_idx(images, np.round(d.X_test.reshape(-1, 8, 8) * 255).astype(np.uint8))
    write_idx(labels, d.y_test.astype(np.uint8))
    r = nnlearn("evaluate", "--model", str(digits_model), "--data", str(images), "--labels",
                str(labels), "--json")
    assert r.returncode == 0, r.stderr
    direct = accuracy_score(d.y_test, net.predict(d.X_test.astype(np.float32)))
    assert json.loads(r.stdout)["accuracy"] == pytest.approx(direct, abs=0.01)
    half = nnlearn("evaluate", "--model", str(digits_model), "--shift", "0,4", "--json")
    assert half.returncode == 0, half.stderr  # half of an 8x8 image: allowed, with a warning
    assert half.stderr.strip().startswith("nnlearn: warning: a shift of (0, 4)")
    assert len(half.stderr.strip().splitlines()) == 1
    bad = nnlearn("evaluate", "--model", str(digits_model), "--shift", "9,0")
    assert bad.returncode != 0 and "shifted by (9, 0)" not in bad.stdout
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


@pytest.mark.parametrize("command, text, message", [
    ("predict", "1,2,3,4\n5,6,7,8\n", "has 4 columns; the model takes 2 features"),
    ("evaluate", "a,b,fruit\n0.1,0.2,apple\n0.3,0.1,durian\n",
     "labels the model does not know: durian"),
])
def test_tables_that_do_not_fit_the_model_are_refused(tmp_path, fruit_model, command, text,
                                                      message):
    model, _ = fruit_model
    table = tmp_path / "t.csv"
    table.write_text(text)
    r = nnlearn(command, "--model", str(model), "--data", str(table), "--out",
                str(tmp_path / "out"))
    assert r.returncode != 0 and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


@pytest.mark.parametrize("data", ["moons", "table"])
def test_evaluate_finds_the_test_part_the_model_was_trained_on(tmp_path, data):
    """Without --data, evaluate splits the training data as train did (its seed, its
    file wherever it lies): it gives the test numbers train wrote in metrics.json."""
    if data == "table":
        d = load("blobs", seed=2, n_classes=3)
        data = tmp_path / "tables" / "blobs.csv"
        data.parent.mkdir()
        data.write_text("x,y,label\n" + "".join(f"{a},{b},{c}\n" for (a, b), c in
                                                 zip(d.X_train[:300], d.y_train[:300])))
    run_dir = tmp_path / "run"
    r = nnlearn("train", "--data", str(data), "--data-seed", "3", "--hidden", "4",
                "--epochs", "3", "--batch-size", "50", "--quiet", "--out", str(run_dir))
    assert r.returncode == 0, r.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = nnlearn("evaluate", "--model", str(run_dir / "model.npz"), "--json", cwd=elsewhere)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert report["n"] == metrics["n_test"]
    assert report["accuracy"] == pytest.approx(metrics["test_accuracy"], abs=1e-12)
    assert report["loss"] == pytest.approx(metrics["test_loss"], rel=1e-5)
