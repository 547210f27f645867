"""The crafted files of the second hardening review (issue 24), one test per attack.

Each test feeds a small crafted file to a fresh process (the CLI or a loader)
and asserts the clear error (one line, non-zero exit) and the memory bound:
the process's peak resident memory stays under ``CLI_BUDGET_MB`` (500 MB),
measured by ``rss_helpers`` with ``wait4``. Each figure in a comment is what
the file cost before the fix.
"""

from __future__ import annotations

import gzip
import json
import zipfile

import numpy as np
import pytest

from nnlearn.errors import ModelFileError
from nnlearn.limits import MAX_CELL_CHARS, MAX_IDX_BYTES, MAX_LABEL_CHARS, MAX_PARAMS

from rss_helpers import CLI_BUDGET_MB, Outcome, run_nnlearn, run_python

LOAD_TABLE = ("import sys\nfrom nnlearn.data import load_table\nfrom nnlearn.errors import "
              "DataError\ntry:\n    d = load_table(sys.argv[1])\nexcept DataError as err:\n"
              "    sys.exit(f'error: {err}')\nprint(len(d.X_train) + len(d.X_test))\n")


def in_process(capsys, *args) -> Outcome:
    """``nnlearn args...`` in this process (no memory measured: for the attacks on meaning)."""
    from nnlearn.cli import main
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out = capsys.readouterr()
    return Outcome(exit_.value.code, out.out, out.err, 0.0)


def _one_line_error(outcome, *needles):
    assert outcome.returncode != 0, outcome.stdout
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in outcome.stderr, outcome.stderr[-2000:]
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert outcome.peak_mb < CLI_BUDGET_MB, outcome.peak_mb


# -- 1. CSV cell padding ------------------------------------------------------------------

def test_one_long_cell_is_refused_by_its_length_in_the_cli(tmp_path):
    # 125 KB: 2.4 GB peak before (every cell padded to the longest)
    path = tmp_path / "x.csv"
    path.write_text("a,b,label\n" + "1,2,0\n3,4,1\n" * 2000 + "5," + "6" * 100_000 + ",1\n")
    r = run_nnlearn("train", "--data", str(path), "--epochs", "1", "--quiet",
                    "--out", str(tmp_path / "out"))
    _one_line_error(r, "line 4002, column 2", f"at most {MAX_CELL_CHARS:,}")


def test_cells_are_not_padded_to_the_longest_one(tmp_path):
    # a long (allowed) cell beside 100,000 short ones: 8 bytes a feature cell, no padding
    path = tmp_path / "wide.csv"
    long_number = "0." + "1" * (MAX_CELL_CHARS - 2)
    path.write_text("a,b,label\n" + f"{long_number},2,0\n" + "1,2,0\n3,4,1\n" * 50_000)
    r = run_python(LOAD_TABLE, str(path))
    assert r.returncode == 0 and int(r.stdout) == 100_001, r.stderr
    assert r.peak_mb < 200, r.peak_mb  # padded to 1000 characters, it was 1.2 GB


def test_a_long_label_is_refused_and_labels_pad_within_their_cap(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("a,label\n" + "1,x\n2,y\n" * 10 + "3," + "z" * (MAX_LABEL_CHARS + 1) + "\n")
    _one_line_error(run_python(LOAD_TABLE, str(path)), "line 22, column 2", "label of")
    ok = tmp_path / "ok.csv"
    ok.write_text("a,label\n" + "1,x\n2,y\n" * 100_000 + "3," + "z" * MAX_LABEL_CHARS + "\n")
    r = run_python(LOAD_TABLE, str(ok))
    assert r.returncode == 0, r.stderr
    assert r.peak_mb < 300, r.peak_mb


def test_a_row_of_too_many_columns_is_refused(tmp_path):
    from nnlearn.limits import MAX_TABLE_COLUMNS
    path = tmp_path / "columns.csv"
    path.write_text("1," * MAX_TABLE_COLUMNS + "0\n")
    _one_line_error(run_python(LOAD_TABLE, str(path)), "line 1 has", "columns")


# -- 3. a gzipped IDX file is decompressed before its header is checked --------------------

LOAD_IDX = ("import sys\nfrom nnlearn.data.idx import read_idx\nfrom nnlearn.errors import "
            "DataError\ntry:\n    a, _ = read_idx(sys.argv[1])\nexcept DataError as err:\n"
            "    sys.exit(f'error: {err}')\nprint(a.shape)\n")


def _gzip_zeros(path, header: bytes, n_zeros: int):
    """A gzip file of ``header`` and ``n_zeros`` zero bytes, written in chunks."""
    chunk = bytes(2**24)
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(header)
        for start in range(0, n_zeros, len(chunk)):
            f.write(chunk[: min(len(chunk), n_zeros - start)])


def test_a_gzip_bomb_behind_a_small_header_is_read_no_further_than_declared(tmp_path):
    # 300 MB of zeros behind a header of 10 bytes: the stream stops at byte 11
    path = tmp_path / "bomb-idx1-ubyte.gz"
    _gzip_zeros(path, bytes([0, 0, 8, 1]) + (10).to_bytes(4, "big"), 300 * 2**20)
    assert path.stat().st_size < 400_000
    _one_line_error(run_python(LOAD_IDX, str(path)), "unexpected data after the 10 bytes")


def test_a_header_past_the_cap_or_past_what_the_gzip_holds_is_refused_before_reading(tmp_path):
    huge = tmp_path / "huge-idx1-ubyte.gz"
    _gzip_zeros(huge, bytes([0, 0, 8, 1]) + (MAX_IDX_BYTES + 1).to_bytes(4, "big"), 1000)
    _one_line_error(run_python(LOAD_IDX, str(huge)), "MAX_IDX_BYTES")
    liar = tmp_path / "liar-idx3-ubyte.gz"  # 500 MB declared in a file of a hundred bytes
    _gzip_zeros(liar, bytes([0, 0, 8, 3]) + b"".join(
        n.to_bytes(4, "big") for n in (500_000, 1000, 1)), 1000)
    _one_line_error(run_python(LOAD_IDX, str(liar)), "more than", "bytes of gzip can hold")


# -- 4. an honest but huge model file ------------------------------------------------------

def _huge_honest_model(path, widths=(2, 16384, 16384, 2)):
    """A valid, deflated model file of an mlp of ``widths`` (float32 zeros), written in chunks:
    about 5 MB on disk for 268 million parameters (1.1 GB; 1 MB at deflate's level 6, but
    level 1 writes it twice as fast)."""
    from nnlearn.engine import mlp
    from nnlearn.training.modelio import HEADER_KEY, _header
    small = mlp(widths[0], [4] * (len(widths) - 2), widths[-1], dtype=np.float32)
    spec = small.layer_list()
    for k, (a, b) in enumerate(zip(widths, widths[1:])):
        spec["layers"][k].update(n_in=a, n_out=b)
    header = json.loads(_header(small, {}))
    header["network"] = spec
    chunk = bytes(2**24)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open(HEADER_KEY + ".npy", "w") as f:
            np.lib.format.write_array(f, np.array(json.dumps(header)))
        for k, (a, b) in enumerate(zip(widths, widths[1:])):
            for name, shape in ((f"layers.{k}.W", (b, a)), (f"layers.{k}.b", (b,))):
                with zf.open(name + ".npy", "w", force_zip64=True) as f:
                    np.lib.format.write_array_header_1_0(
                        f, {"descr": "<f4", "fortran_order": False, "shape": shape})
                    left = 4 * int(np.prod(shape))
                    while left:
                        f.write(chunk[: min(left, len(chunk))])
                        left -= min(left, len(chunk))


@pytest.fixture(scope="module")
def huge_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("huge") / "huge.npz"
    _huge_honest_model(path)
    return path


def test_an_honest_but_huge_model_file_is_refused_by_its_parameter_count(huge_model, tmp_path):
    # 1 MB on disk, 4.3 GB allocated on load before
    assert huge_model.stat().st_size < 6_000_000
    data = tmp_path / "x.csv"
    data.write_text("a,b\n1,2\n3,4\n")
    r = run_nnlearn("predict", "--model", str(huge_model), "--data", str(data),
                    "--out", str(tmp_path / "p.csv"))
    _one_line_error(r, "268,533,762 parameters", f"at most {MAX_PARAMS:,}", "--max-params")
    assert not (tmp_path / "p.csv").exists()


def test_max_params_raises_the_cap(tmp_path, capsys):
    from nnlearn.engine import mlp
    from nnlearn.training import load_model, save_model
    path = save_model(mlp(2, [64], 2), tmp_path / "m.npz")  # 322 parameters
    with pytest.raises(ModelFileError, match="322 parameters"):
        load_model(path, max_params=321)
    assert load_model(path, max_params=322).n_parameters() == 322
    data = tmp_path / "x.csv"
    data.write_text("a,b\n1,2\n3,4\n")
    r = in_process(capsys, "predict", "--model", str(path), "--data", str(data),
                   "--max-params", "100", "--out", str(tmp_path / "p.csv"))
    _one_line_error(r, "322 parameters", "at most 100")


# -- 5. crafted metadata -------------------------------------------------------------------

def _with_metadata(tmp_path, **metadata):
    from nnlearn.spec import NetworkSpec
    from nnlearn.training import save_model
    spec = NetworkSpec(n_in=2, n_out=2, hidden=(4,))
    net = spec.build(0)
    meta = {"spec": spec.to_dict(), "classes": [0, 1],
            "source": {"data": "rings", "options": {"seed": 0}}}
    for key, value in metadata.items():
        where, _, field = key.partition("__")
        meta[where] = {**meta[where], field: value} if field else value
    return save_model(net, tmp_path / "m.npz", metadata=meta)


@pytest.mark.parametrize("field, value, message", [
    ("spec__dropout", "x", "dropout must be a number in [0, 1), got 'x'"),
    ("spec__n_in", -3, "n_in must be an integer >= 1, got -3"),
    ("spec__hidden", [4, "wide"], "hidden must be"),
])
def test_a_crafted_spec_in_the_metadata_is_a_clear_error(tmp_path, capsys, field, value,
                                                         message):
    path = _with_metadata(tmp_path, **{field: value})
    data = tmp_path / "x.csv"
    data.write_text("a,b\n1,2\n3,4\n")
    r = in_process(capsys, "predict", "--model", str(path), "--data", str(data),
                   "--out", str(tmp_path / "p.csv"))
    _one_line_error(r, message)


@pytest.mark.parametrize("options, message", [
    ({"seed": 0, "n_train": 1e12}, "n_train must be an integer >= 1, got 1000000000000.0"),
    ({"seed": 0, "n_train": 10**12}, "n_train=1,000,000,000,000 points"),
    ({"seed": "x"}, "seed must be"),
    ({"seed": 0, "allow_pickle": True}, "unknown option 'allow_pickle'"),
])
def test_stored_source_options_are_checked_before_the_loader(tmp_path, capsys, options,
                                                            message):
    path = _with_metadata(tmp_path, source__options=options)
    r = in_process(capsys, "evaluate", "--model", str(path))
    _one_line_error(r, message)


# -- 6. labels of 2**63 or more ------------------------------------------------------------

def test_labels_past_int64_keep_their_identity(tmp_path):
    from nnlearn.data import load_table
    big = 2**63
    csv_path = tmp_path / "big.csv"
    csv_path.write_text("a,label\n" + "".join(f"{i},{big + i % 3}\n" for i in range(30)))
    data = load_table(csv_path)  # as float64 the three labels were one
    assert data.classes.tolist() == [str(big), str(big + 1), str(big + 2)]
    npz = tmp_path / "big.npz"
    np.savez(npz, X=np.arange(20.0).reshape(10, 2), y=np.array([big, big + 1] * 5, np.uint64),
             X_test=np.zeros((4, 2)), y_test=np.array([1, 2, 1, 2]))
    data = load_table(npz)  # int64 beside uint64 concatenated to float64 before
    assert data.classes.tolist() == [1, 2, big, big + 1]
    assert data.y_train.tolist() == [2, 3] * 5 and data.y_test.tolist() == [0, 1, 0, 1]
    floats = tmp_path / "floats.npz"  # whole numbers past 2**53: check_labels raised IndexError
    np.savez(floats, X=np.zeros((10, 2)), y=np.array([2.0**53, 2.0**60] * 5))
    assert load_table(floats).classes.tolist() == [2.0**53, 2.0**60]


# -- 7. subnormal scales and non-finite outputs -----------------------------------------------

@pytest.fixture(scope="module")
def scaled_model(tmp_path_factory):
    from nnlearn.spec import InputScaling, NetworkSpec
    from nnlearn.training import save_model
    folder = tmp_path_factory.mktemp("scaled")
    spec = NetworkSpec(n_in=2, n_out=2, hidden=(4,), scaling=InputScaling((0.0, 0.0),
                                                                          (1.0, 1e-320)))
    net = spec.build(0)
    save_model(net, folder / "m.npz", metadata={"spec": spec.to_dict(), "classes": ["a", "b"]})
    plain = NetworkSpec(n_in=2, n_out=2, hidden=(4,), dtype="float32")
    save_model(plain.build(0), folder / "p.npz", metadata={"spec": plain.to_dict()})
    return folder


@pytest.mark.parametrize("model, row, message", [
    ("m.npz", "1,2", "smallest scale 1e-320"),
    ("p.npz", "1e39,2", "row 2 (of 2): a value beyond float32's range"),
    ("p.npz", "1e308,2", "row 2 (of 2): a value beyond float32's range"),
])
def test_non_finite_outputs_are_an_error_naming_the_row(scaled_model, tmp_path, capsys, model,
                                                        row, message):
    data = tmp_path / "x.csv"
    data.write_text(f"a,b\n1,2\n{row}\n")
    r = in_process(capsys, "predict", "--model", str(scaled_model / model), "--data", str(data),
                   "--out", str(tmp_path / "p.csv"))
    _one_line_error(r, message)
    assert not (tmp_path / "p.csv").exists()


def test_logits_that_overflow_name_their_row():
    from nnlearn.engine import mlp
    from nnlearn.errors import DataError
    from nnlearn.inference import predict
    net = mlp(2, [4], 2, dtype=np.float64)
    net.layers[0].params["W"][...] = 1e300
    with pytest.raises(DataError, match=r"row 2 \(of 3\): the model's output is not finite"):
        predict(net, np.array([[0.0, 0.0], [1e10, 1e10], [0.0, 0.0]]))


# -- 8. --out replaces what it should not ----------------------------------------------------

@pytest.fixture
def small_model(tmp_path):
    from nnlearn.spec import NetworkSpec
    from nnlearn.training import save_model
    spec = NetworkSpec(n_in=2, n_out=2, hidden=(4,))
    data = tmp_path / "x.csv"
    data.write_text("a,b\n1,2\n3,4\n")
    return save_model(spec.build(0), tmp_path / "m.npz",
                      metadata={"spec": spec.to_dict(), "classes": ["=1+1", "-x"]}), data


def test_out_refuses_a_link_a_fifo_a_device_and_the_inputs(small_model, tmp_path, capsys):
    import os
    model, data = small_model
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    model_bytes = model.read_bytes()
    for out, message in [(link, "symbolic link"), (fifo, "device, FIFO or socket"),
                         ("/dev/null", "device, FIFO or socket"),
                         (model, "also an input"), (data, "also an input"),
                         (tmp_path / "." / "m.npz", "also an input")]:
        r = in_process(capsys, "predict", "--model", str(model), "--data", str(data),
                       "--out", str(out))
        _one_line_error(r, message)
    assert target.read_text() == "keep me" and model.read_bytes() == model_bytes
    assert data.read_text() == "a,b\n1,2\n3,4\n" and fifo.is_fifo()
    r = in_process(capsys, "evaluate", "--model", str(model), "--data", str(data),
                   "--out", str(tmp_path / "ev"))  # fine: the folder holds neither input
    (tmp_path / "ev2").mkdir()
    (tmp_path / "ev2" / "evaluation.json").symlink_to(target)
    r = in_process(capsys, "evaluate", "--model", str(model), "--data", str(data),
                   "--out", str(tmp_path / "ev2"))
    _one_line_error(r, "symbolic link")
    (tmp_path / "run").mkdir()
    table = tmp_path / "run" / "metrics.json"  # --data is where --out would write metrics.json
    table.write_text("a,label\n" + "1,x\n2,y\n" * 10)
    r = in_process(capsys, "train", "--data", str(table), "--epochs", "1", "--quiet",
                   "--out", str(tmp_path / "run"))
    _one_line_error(r, "also an input")


def test_writes_are_synced_and_a_killed_writers_temp_file_is_cleaned(tmp_path, monkeypatch):
    import os
    import subprocess
    import sys
    from nnlearn import fileio
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    fileio.write_text(tmp_path / "a.txt", "hello")
    assert len(synced) == 2  # the file, then its folder
    # a writer killed (kill -9) inside atomic_path leaves its temporary file ...
    code = ("import os, sys\nfrom nnlearn.fileio import atomic_path\n"
            "with atomic_path(sys.argv[1]) as tmp:\n    tmp.write_text('half')\n"
            "    os.kill(os.getpid(), 9)\n")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "a.txt")], check=False)
    stale = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(stale) == 1 and stale[0].startswith(".a.txt.")
    alive = tmp_path / f".a.txt.{os.getppid()}.x.tmp"  # a writer that still runs: kept
    alive.write_text("")
    fileio.write_text(tmp_path / "a.txt", "again")  # ... which the next write removes
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a.txt", alive.name])
    assert (tmp_path / "a.txt").read_text() == "again"


# -- 10. --dask-scheduler without dask ---------------------------------------------------------

def test_dask_scheduler_without_dask_is_one_line_naming_the_extra(tmp_path, capsys,
                                                                   monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed: ImportError
    r = in_process(capsys, "reproduce", "--quick", "--only", "depth", "--data", "digits",
                   "--dask-scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "r"))
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1] == (
        "nnlearn: error: --dask-scheduler needs dask.distributed, which is not installed: "
        "pip install 'nnlearn[dask]'")


# -- 11. spreadsheet formulas in the CSVs we write ---------------------------------------------

def test_predicted_labels_that_look_like_formulas_are_prefixed(small_model, tmp_path, capsys):
    import csv
    from nnlearn.fileio import spreadsheet_safe
    assert [spreadsheet_safe(c) for c in ("=1+1", "+A1", "-x", "@SUM(A1)", "\tx", "-1", "+2.5",
                                          "1e3", "apple", 7)] == \
        ["'=1+1", "'+A1", "'-x", "'@SUM(A1)", "'\tx", "-1", "+2.5", "1e3", "apple", "7"]
    model, data = small_model
    for extra in ([], ["--top-k", "2"]):
        out = tmp_path / f"p{len(extra)}.csv"
        r = in_process(capsys, "predict", "--model", str(model), "--data", str(data),
                       "--out", str(out), *extra)
        assert r.returncode == 0, r.stderr
        rows = list(csv.reader(out.open()))
        # --top-k: label_1, p_1, label_2, p_2 (issue 28: no repeated prediction column)
        labels = {c for row in rows[1:] for c in (row[0::2] if extra else row[:1])}
        assert labels <= {"'=1+1", "'-x"} and labels, rows
        assert not any(c.startswith(("=", "-")) for row in rows for c in row)
