"""``nnlearn data list`` and ``nnlearn data show``."""

import subprocess
import sys

import numpy as np
from click.testing import CliRunner
from data_helpers import files_in, write_tiny

from nnlearn.cli import cli
from nnlearn.data import names, sources

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


def test_list_of_real_data(data_env):
    result = run("list")
    assert result.exit_code == 0, result.output
    for name in ("mnist", "fashion-mnist"):
        row = next(line for line in result.output.splitlines() if line.startswith(name + " "))
        found = sources.locate(name)
        assert (str(found.folder) in row) if found else ("missing" in row)


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


def test_show_of_npz_images(tmp_path):
    np.savez(tmp_path / "shapes.npz", X=np.random.default_rng(0).random((20, 5, 6)),
             y=np.arange(20) % 2)
    result = run("show", str(tmp_path / "shapes.npz"), "--out", str(tmp_path / "s.png"))
    assert result.exit_code == 0, result.output


def test_show_errors(tiny, tmp_path):
    result = run("show", "rings", "--out", str(tmp_path / "r.png"))
    assert result.exit_code != 0 and "not an image data set" in str(result.exception)
    result = run("show", "digits", "--out", str(tmp_path / "r.jpg"))
    assert result.exit_code == 2 and "must be a .png file" in result.output
    assert files_in(tmp_path) == []


def test_errors_are_one_line_and_a_nonzero_exit(tmp_path):
    (tmp_path / "empty").mkdir()
    r = subprocess.run([sys.executable, "-m", "nnlearn", "data", "show", "mnist",
                        "--data-dir", str(tmp_path / "empty")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert r.stderr.startswith("nnlearn: error: mnist is not in the data folder")
    assert str(tmp_path / "empty") in r.stderr and len(r.stderr.strip().splitlines()) == 1
