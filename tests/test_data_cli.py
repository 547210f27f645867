"""``nnlearn data list`` and ``nnlearn data show``."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from data_helpers import files_in, need_data, write_tiny

from nnlearn.cli import cli
from nnlearn.data import names

PNG = b"\x89PNG\r\n\x1a\n"


def run(*args):
    result = CliRunner().invoke(cli, ["data", *args], catch_exceptions=True)
    return result


def test_list_names_every_data_set_and_says_how_to_get_a_missing_one(tiny):
    result = run("list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for name in names():
        assert any(line.startswith(name + " ") for line in lines), name
    row = next(i for i, line in enumerate(lines) if line.startswith("tiny "))
    assert "missing" in lines[row]
    assert "put the files train-images-idx3-ubyte.gz" in lines[row + 1]
    assert str(tiny.cache) in lines[row + 1]


def test_list_shows_where_and_verifies_on_request(tiny):
    write_tiny(tiny.system, tiny.arrays)
    tiny_row = next(line for line in run("list").output.splitlines() if line.startswith("tiny "))
    assert f"{tiny.system} (system)" in tiny_row and "not yet" in tiny_row
    result = run("list", "--verify")
    tiny_row = next(line for line in result.output.splitlines() if line.startswith("tiny "))
    assert tiny_row.rstrip().endswith("verified") and "not yet" not in tiny_row


def test_list_reports_a_failed_verification(tiny):
    folder = write_tiny(tiny.cache, dict(tiny.arrays, train_labels=tiny.arrays["train_labels"] * 0))
    lines = run("list", "--verify").output.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("tiny "))
    assert "FAILED" in lines[row] and "checksum mismatch" in lines[row + 1]
    assert str(folder) in lines[row]


MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def test_list_of_real_data(data_env):
    """The rows state where the files are, as the files on disk say (not as ``locate`` says)."""
    result = run("list")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines()[1:] if line[:1] != " "}
    shared = os.environ.get("NNLEARN_DATA")  # unset on a machine without the data folder
    for name in ("mnist", "fashion-mnist"):
        here = [(Path(shared) / name, "NNLEARN_DATA")] if shared else []
        here.append((Path("/usr/share/datasets") / name, "system"))
        found = [(folder, origin) for folder, origin in here
                 if all((folder / f).is_file() for f in MNIST_FILES)]
        if not found:
            assert "missing" in rows[name]
            continue
        folder, origin = found[0]
        assert rows[name].split()[1:3] == [str(folder), f"({origin})"]
        assert rows[name].rstrip().endswith(("verified", "(on first load, or run --verify)"))
    need_data("mnist")  # on a machine with MNIST (CI), the row above was not a "missing" one
    assert "(NNLEARN_DATA)" in rows["mnist"] or "(system)" in rows["mnist"]


def test_show_writes_a_png_grid(tiny, tmp_path):
    write_tiny(tiny.cache, tiny.arrays)
    out = tmp_path / "figs" / "grid.png"
    result = run("show", "tiny", "--n", "6", "--out", str(out), "--split", "test", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == PNG
    assert files_in(tmp_path / "figs") == ["grid.png"]  # atomic: no temporary file left
    assert "6 test images of tiny" in result.output


def test_show_digits_to_the_default_file_and_from_a_data_dir(tiny, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("show", "digits")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "digits-train.png").read_bytes()[:8] == PNG
    write_tiny(tmp_path / "mine" / "tiny", tiny.arrays)
    result = run("show", "tiny", "--data-dir", str(tmp_path / "mine"), "--split", "test")
    assert result.exit_code == 0, result.output
    assert "20 test images" in result.output  # asked for 25: capped at the 20 there are
    assert (tmp_path / "tiny-test.png").is_file()


def _png_pixels(path):
    from matplotlib import image

    assert path.read_bytes()[:8] == PNG
    return image.imread(path)  # (height, width, RGBA) floats in [0, 1]


@pytest.mark.parametrize("shape", [(20, 5, 6), (20, 36)])  # images, and flat 6x6 ones
def test_show_of_npz_images(tmp_path, shape):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "shapes.npz", X=rng.random(shape), y=np.arange(20) % 2)
    out = tmp_path / "s.png"
    result = run("show", str(tmp_path / "shapes.npz"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "16 train images" in result.output  # 25 asked, 16 in the training part (20 - 4)
    pixels = _png_pixels(out)
    h, w = shape[1:] if len(shape) == 3 else (6, 6)
    # 16 tiles in a 4x4 grid, each tile (band + h) x (w + gap): the figure is 4.8 inches
    # (576 pixels at 120 dpi) wide, cropped to its drawing plus 0.1 inch (12 pixels) of margin;
    # the mosaic keeps its aspect ratio
    band, gap = max(2, -(-4 * h // 10)), max(1, w // 10)
    height, width = pixels.shape[:2]
    assert 0.8 * 576 <= width <= 576 + 24
    mosaic_height = (width - 24) * (4 * (band + h)) / (4 * (w + gap))
    assert mosaic_height <= height <= mosaic_height + 24 + 40  # + the margins and the title
    grey = pixels[..., :3].mean(axis=2)
    assert len(np.unique(np.round(grey, 2))) > 50  # random pixels, not a blank figure
    assert (grey < 0.2).mean() > 0.02 and (grey > 0.8).mean() > 0.2  # ink, and background
def test_show_errors(tiny, tmp_path):
    result = run("show", "rings", "--out", str(tmp_path / "r.png"))
    assert result.exit_code != 0 and "not an image data set" in str(result.exception)
    result = run("show", "digits", "--out", str(tmp_path / "r.jpg"))
    assert result.exit_code == 2 and "must be a .png file" in result.output
    assert files_in(tmp_path) == []


def test_show_shift_draws_the_images_moved(tmp_path, monkeypatch):
    """``--shift 2,-1``: the grid is of the chosen images moved 2 right and 1 up, zeros
    filling in, as ``nnlearn.data.shift`` moves the lecture's test images."""
    from nnlearn import plots
    from nnlearn.data import shift

    rng = np.random.default_rng(0)
    X = rng.random((20, 6, 6))
    np.savez(tmp_path / "shapes.npz", X=X, y=np.arange(20) % 2)
    drawn = {}
    real = plots.image_grid

    def grid(images, labels, **kw):
        drawn["images"], drawn["title"] = np.array(images), kw.get("title", "")
        return real(images, labels, **kw)

    monkeypatch.setattr(plots, "image_grid", grid)
    args = ("show", str(tmp_path / "shapes.npz"), "--n", "4", "--seed", "1")
    assert run(*args, "--out", str(tmp_path / "a.png")).exit_code == 0
    plain = drawn["images"]
    result = run(*args, "--out", str(tmp_path / "b.png"), "--shift", "2,-1")
    assert result.exit_code == 0, result.output
    assert np.array_equal(drawn["images"], shift(plain, 2, -1))
    assert np.all(drawn["images"][:, :, :2] == 0) and np.all(drawn["images"][:, -1, :] == 0)
    assert "shifted by (2, -1) pixels" in result.output and "(2, -1)" in drawn["title"]
    assert _png_pixels(tmp_path / "b.png").shape[0] > 0
    for bad in ("2", "a,b", "1,2,3"):
        result = run(*args, "--shift", bad)
        assert result.exit_code == 2 and "must be DX,DY" in result.output, bad
    result = run(*args, "--shift", "6,0")  # as wide as the image: it would be blank
    assert result.exit_code != 0 and "--shift 6,0" in str(result.exception)


def test_errors_are_one_line_and_a_nonzero_exit(tmp_path):
    (tmp_path / "empty").mkdir()
    r = subprocess.run([sys.executable, "-m", "nnlearn", "data", "show", "mnist",
                        "--data-dir", str(tmp_path / "empty")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.startswith("nnlearn: error: mnist is not in the data folder")
    assert str(tmp_path / "empty") in r.stderr and len(r.stderr.strip().splitlines()) == 1


# -- nnlearn train: the data options (--label, --delimiter, --header, --standardize, ...) --

def train(tmp_path, *args, out="run"):
    """``nnlearn train ... --quiet --out tmp_path/out`` in this process: (exit status, stderr)."""
    import contextlib
    import io

    from nnlearn.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as done:
        main(["train", *args, "--quiet", "--out", str(tmp_path / out)])
    return done.value.code, err.getvalue()


def metrics(tmp_path, out="run"):
    return json.loads((tmp_path / out / "metrics.json").read_text())


FAST = ("--hidden", "16", "--optimizer", "adam", "--lr", "0.01", "--batch-size", "32",
        "--epochs", "5")


def test_train_names_the_label_column_the_delimiter_and_the_header(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    rows = [f"{'yes' if a > 0 else 'no'};{a:.3f};{b:.3f}" for a, b in X]
    (tmp_path / "t.csv").write_text("0;1;2\n" + "\n".join(rows) + "\n")  # numeric names
    code, err = train(tmp_path, "--data", str(tmp_path / "t.csv"), "--label", "0",
                      "--delimiter", ";", "--header", *FAST)
    assert code == 0, err
    m = metrics(tmp_path)
    assert m["n_train"] + m["n_test"] == 80 and m["n_classes"] == 2
    assert m["config"]["label"] == "0" and m["config"]["header"] is True
    code, err = train(tmp_path, "--data", str(tmp_path / "t.csv"), "--label", "0",
                      "--delimiter", ";", "--no-header", *FAST, out="nohead")
    assert code == 0, err  # told there is no header, the names row is a sample of class '0'
    assert metrics(tmp_path, "nohead")["n_classes"] == 3
    assert metrics(tmp_path, "nohead")["n_train"] + metrics(tmp_path, "nohead")["n_test"] == 81


def wine_csv(tmp_path):
    from sklearn.datasets import load_wine

    wine = load_wine(as_frame=True)
    table = wine.frame.assign(target=np.asarray(wine.target_names)[wine.target])
    path = tmp_path / "wine.csv"
    table.to_csv(path, index=False)
    return path


def test_standardize_makes_the_wine_table_learnable_and_is_kept_in_the_model(tmp_path):
    from nnlearn.training import load_model

    path = wine_csv(tmp_path)
    args = ("--data", str(path), "--hidden", "32", "--optimizer", "adam", "--lr", "0.01",
            "--batch-size", "32", "--epochs", "30")
    assert train(tmp_path, *args, "--no-standardize", out="raw")[0] == 0
    assert train(tmp_path, *args, "--standardize", out="scaled")[0] == 0
    raw, scaled = metrics(tmp_path, "raw"), metrics(tmp_path, "scaled")
    assert scaled["test_accuracy"] >= 0.94 and raw["test_accuracy"] <= 0.85
    net = load_model(tmp_path / "scaled" / "model.npz")
    kept = net.metadata["spec"]["scaling"]
    assert net.metadata["classes"] == ["class_0", "class_1", "class_2"]
    assert len(kept["mean"]) == len(kept["scale"]) == 13 and kept["mean"][12] > 100  # proline
    assert load_model(tmp_path / "raw" / "model.npz").metadata["spec"]["scaling"] is None


def test_train_refuses_a_csv_without_a_label_column(tmp_path):
    path = wine_csv(tmp_path)
    features = "\n".join(",".join(line.split(",")[:-1]) for line in
                         path.read_text().splitlines())
    path.write_text(features + "\n")
    code, err = train(tmp_path, "--data", str(path), *FAST)
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "distinct values in 178 rows" in err and "--label" in err


def test_train_refuses_a_shift_larger_than_the_images(tmp_path):
    code, err = train(tmp_path, "--data", "digits", "--augment-shift", "50", *FAST)
    assert code == 1 and "max_shift=50 is too large for 8x8 images" in err
    assert not (tmp_path / "run" / "model.npz").exists()


def test_train_on_all_of_a_training_part(tmp_path):
    code, err = train(tmp_path, "--data", "digits", "--n-train", "1437", *FAST)
    assert code == 0, err  # 1437 is all of digits' training part: 143 or 144 each is not there
    assert metrics(tmp_path)["n_train"] == 1437


def test_train_augments_flat_square_images_of_a_file(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "flat.npz", X=rng.random((60, 36)), y=np.arange(60) % 2)
    code, err = train(tmp_path, "--data", str(tmp_path / "flat.npz"), "--augment-shift", "1",
                      *FAST)
    assert code == 0, err
