"""How fast nnlearn starts: ``import nnlearn.spec`` and ``nnlearn --help``.

The settings table and the network description sit low in the layers and load
neither scikit-learn, SciPy nor torch; the command line lists its sub-commands
without importing what they run. Each is started ``--repeat`` times in a fresh
interpreter; the median wall time and the median CPU time of the child (user +
system, which a busy machine does not inflate) go to
``benchmarks/results/startup.json``, beside the bare interpreter's and NumPy's
(the floor no import order can go below). The bar of issue 26: under 0.5 s each,
on a quiet machine.

Run: ``python benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from nnlearn.fileio import write_text

RESULTS = Path(__file__).resolve().parent / "results" / "startup.json"
COMMANDS = {
    "python": [sys.executable, "-c", "pass"],
    "import numpy": [sys.executable, "-c", "import numpy"],
    "import nnlearn.spec": [sys.executable, "-c", "import nnlearn.spec"],
    "nnlearn --help": [sys.executable, "-m", "nnlearn", "--help"],
}


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command`` (a child of its own)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rows = {}
    for name, command in COMMANDS.items():
        runs = [timed(command) for _ in range(args.repeat)]
        rows[name] = {"wall_s": statistics.median(w for w, _ in runs),
                      "cpu_s": statistics.median(c for _, c in runs)}
        print(f"{name:22s} wall {rows[name]['wall_s']:.3f} s  cpu {rows[name]['cpu_s']:.3f} s")
    record = {"repeat": args.repeat, "seconds": rows, "load_average": list(os.getloadavg()),
              "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count()},
              "bar": "import nnlearn.spec and nnlearn --help under 0.5 s on a quiet machine"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text(args.out, json.dumps(record, indent=2) + "\n")
    return record


if __name__ == "__main__":
    main()
