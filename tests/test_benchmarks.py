"""The speed benchmark runs and writes well-formed results. No timing is asserted:
speed is measured by ``benchmarks/bench_speed.py`` itself, not by tests."""

import json
import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def bench_speed():
    sys.path.insert(0, str(BENCH))
    try:
        import bench_speed
        yield bench_speed
    finally:
        sys.path.remove(str(BENCH))


def _positive(x):
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


@pytest.mark.slow  # imports torch's optimisers and matplotlib: seconds on a busy machine
def test_a_tiny_run_writes_json_and_a_plot(bench_speed, tmp_path):
    out = tmp_path / "speed.json"
    bench_speed.main(["--tiny", "--data", "synthetic", "--out", str(out), "--engines",
                      "nnlearn", "torch", "sklearn", "--sections", "throughput", "gemm",
                      "predict", "estimator", "tta"])
    record = json.loads(out.read_text())
    assert record["size"] == "tiny" and record["data"] == "synthetic"
    assert record["machine"]["cpu_count"] >= 1 and len(record["machine"]["load_average_end"]) == 3
    (row,) = record["throughput"]
    assert set(row["epoch_s"]) == {"nnlearn", "torch", "sklearn"}
    assert all(_positive(v) for v in row["epoch_s"].values())
    assert set(row["ratio"]) == {"nnlearn/torch", "nnlearn/sklearn"}
    (gemm,) = record["gemm"]
    assert _positive(gemm["bound_epoch_s"]) and _positive(gemm["gflops"])
    assert _positive(record["predict"]["seconds"]["nnlearn"])
    assert _positive(record["estimator"]["ratio"])
    assert {t["engine"] for t in record["tta"]} == {"nnlearn", "torch", "sklearn"}
    for t in record["tta"]:
        assert t["mean_s"] is None or _positive(t["mean_s"])
        assert len(t["runs"]) == 1 and t["runs"][0]["accuracy"]
    assert "| 784-10-10 | 128 |" in record["table_markdown"]
    assert out.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_a_tiny_run_of_the_process_sections(bench_speed, tmp_path):
    """GridSearchCV with joblib workers, and the memory probe in a fresh process."""
    out = tmp_path / "speed.json"
    bench_speed.main(["--tiny", "--out", str(out), "--engines", "nnlearn",
                      "--sections", "gridsearch", "memory"])
    record = json.loads(out.read_text())
    grid = record["gridsearch"]
    assert grid["fits"] == 8 and _positive(grid["n_jobs_1_s"]) and _positive(grid["n_jobs_2_s"])
    memory = record["memory"]
    assert ("error" in memory) if record["data"] != "mnist" else _positive(memory["peak_mb"])


@pytest.mark.slow  # three fresh processes, each importing scikit-learn
def test_the_sparse_benchmark_reports_peak_memory_against_the_dense_size(tmp_path):
    sys.path.insert(0, str(BENCH))
    try:
        import bench_sparse
    finally:
        sys.path.remove(str(BENCH))
    out = tmp_path / "sparse.json"
    record = bench_sparse.main(["--quick", "--engines", "nnlearn", "sklearn", "--out", str(out)])
    assert json.loads(out.read_text()) == record
    matrix = record["matrix"]
    assert matrix["rows"] == 600 and matrix["columns"] == 5000
    assert 30 <= matrix["nonzeros_per_row"] <= 40  # 40 words, a few drawn twice
    for run in record["runs"]:
        assert "error" not in run, run
        assert _positive(run["peak_rss_mb"]) and run["peak_rss_mb"] >= run["peak_rss_before_fit_mb"]
        assert run["epochs"] == 2 and 0 <= run["test_accuracy"] <= 1
    assert _positive(record["epoch_time_sklearn_over_nnlearn"])


def _bench(name):
    sys.path.insert(0, str(BENCH))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.slow  # imports torch
def test_the_thread_benchmark_times_each_engine_and_restores_torchs_threads(tmp_path):
    import torch
    threads = torch.get_num_threads()
    out = tmp_path / "threads.json"
    record = _bench("bench_threads").main(["--rows", "600", "--repeat", "1", "--spinners", "1",
                                           "--out", str(out)])
    assert json.loads(out.read_text()) == record
    assert set(record["epoch_s"]) == {"plain_torch_1", "plain_torch_default", "nnlearn_torch",
                                      "nnlearn_torch_no_rule", "nnlearn_numpy"}
    assert all(_positive(v) for v in record["epoch_s"].values())
    assert record["ratio_to_plain_torch_1"]["plain_torch_1"] == 1.0
    assert record["meets_bar"] == (record["ratio_to_plain_torch_1"]["nnlearn_torch"] <= 1.5)
    assert torch.get_num_threads() == threads


def test_the_startup_benchmark_times_each_command(tmp_path):
    out = tmp_path / "startup.json"
    record = _bench("bench_startup").main(["--repeat", "1", "--out", str(out)])
    assert json.loads(out.read_text()) == record
    assert set(record["seconds"]) == {"python", "import numpy", "import nnlearn.spec",
                                      "nnlearn --help"}
    assert all(_positive(v["wall_s"]) and v["cpu_s"] >= 0 for v in record["seconds"].values())
