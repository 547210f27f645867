"""The thread policy on a busy machine: the torch backend against a plain torch loop.

torch starts one intra-op thread per core. On a machine whose cores are busy
with other work, a small network's step then waits for a core at every product.
nnlearn's rule (``nnlearn.engine.threads``) runs a pass of fewer than
``SMALL_PASS_FLOPS`` operations on one thread, for both engines
(``nnlearn.torch.threads.torch_threads_for`` for torch). This benchmark keeps
``--spinners`` processes spinning (two by default, on a 2-core machine) and times
one epoch of 784-32-10 (Adam, batch 128) on ``--rows`` rows with:

- ``plain_torch_1``: a plain PyTorch loop with ``torch.set_num_threads(1)``;
- ``plain_torch_default``: the same loop with torch's own thread count;
- ``nnlearn_torch``: the torch backend, assembled as every face assembles it;
- ``nnlearn_torch_no_rule``: the same with the rule off (``SMALL_PASS_FLOPS = 0``),
  which is what the backend did before the policy;
- ``nnlearn_numpy``: the NumPy engine.

It prints the median of ``--repeat`` epochs each and the ratios to
``plain_torch_1``, and writes them to ``benchmarks/results/threads.json``.
The bar of issue 26: ``nnlearn_torch / plain_torch_1 <= 1.5`` on a busy machine.

Run: ``python benchmarks/bench_threads.py`` (about a minute).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed_engines import NnlearnEngine, TorchEngine  # noqa: E402

from nnlearn.engine import threads  # noqa: E402
from nnlearn.errors import TrainingWarning  # noqa: E402
from nnlearn.fileio import write_text  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "threads.json"
SHAPE = {"kind": "mlp", "hidden": [32]}


def _spin(stop):
    while not stop.is_set():
        pass


def _median_epoch(engine, repeat: int) -> float:
    engine.epoch()  # warm up: first-call costs are not the steady state
    return statistics.median(engine.epoch() for _ in range(repeat))


def measure(rows: int, repeat: int) -> dict:
    import torch

    # random labels: every run ends at chance level, which is not what is measured here
    warnings.filterwarnings("ignore", category=TrainingWarning)

    rng = np.random.default_rng(0)
    X = rng.random((rows, 784), dtype=np.float32)
    y = rng.integers(0, 10, rows)
    default_threads = torch.get_num_threads()
    seconds = {}
    torch.set_num_threads(1)
    seconds["plain_torch_1"] = _median_epoch(TorchEngine(SHAPE, X, y, 128), repeat)
    torch.set_num_threads(default_threads)
    seconds["plain_torch_default"] = _median_epoch(TorchEngine(SHAPE, X, y, 128), repeat)
    seconds["nnlearn_torch"] = _median_epoch(NnlearnEngine(SHAPE, X, y, 128, backend="torch"),
                                             repeat)
    rule = threads.SMALL_PASS_FLOPS
    threads.SMALL_PASS_FLOPS = 0
    try:
        seconds["nnlearn_torch_no_rule"] = _median_epoch(
            NnlearnEngine(SHAPE, X, y, 128, backend="torch"), repeat)
    finally:
        threads.SMALL_PASS_FLOPS = rule
    seconds["nnlearn_numpy"] = _median_epoch(NnlearnEngine(SHAPE, X, y, 128), repeat)
    assert torch.get_num_threads() == default_threads, "the rule must restore torch's threads"
    return {"torch_threads": default_threads, "epoch_s": seconds,
            "ratio_to_plain_torch_1": {k: v / seconds["plain_torch_1"]
                                       for k, v in seconds.items()}}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spinners", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    stop = mp.Event()
    spinners = [mp.Process(target=_spin, args=(stop,), daemon=True)
                for _ in range(args.spinners)]
    for p in spinners:
        p.start()
    try:
        time.sleep(0.5)  # let the spinners take their cores
        record = measure(args.rows, args.repeat)
        record["load_average"] = list(os.getloadavg())
    finally:
        stop.set()
        for p in spinners:
            p.join(5)
    record.update({"rows": args.rows, "repeat": args.repeat, "spinners": args.spinners,
                   "network": "784-32-10, adam, batch 128",
                   "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count()},
                   "bar": "nnlearn_torch / plain_torch_1 <= 1.5"})
    record["meets_bar"] = record["ratio_to_plain_torch_1"]["nnlearn_torch"] <= 1.5
    for name, s in record["epoch_s"].items():
        print(f"{name:24s} {s:8.3f} s  x{record['ratio_to_plain_torch_1'][name]:.2f}")
    print(f"load average {record['load_average']}; bar met: {record['meets_bar']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text(args.out, json.dumps(record, indent=2) + "\n")
    return record


if __name__ == "__main__":
    main()
