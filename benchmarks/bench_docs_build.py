"""How long the documentation site takes to build: ``mkdocs build --strict``, as a
newcomer runs it.

One build in a fresh interpreter, with no thread variable set (``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` and torch's are removed from the
environment: the library's own thread policy decides). Its wall time, the CPU
time of the child (user + system, which a busy machine does not inflate), the
time of each lecture page (from the build's log), the load average before and
after, and whether MNIST was there go to ``benchmarks/results/docs_build.json``.
The bar of issue 27: at most 150 s on 2 cores; the README states the measured time.

Run: ``python benchmarks/bench_docs_build.py [--site DIR]`` from the repository root
(with the ``docs`` extra installed; NNLEARN_DATA pointing at MNIST for the real pages).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nnlearn.fileio import write_text

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "docs_build.json"
#: what a newcomer's shell does not set
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "NNLEARN_LECTURE_QUICK")
PAGE = re.compile(r"lecture/(\d\d_\w+)\.py: ran in ([\d.]+) s")


def build(site: Path) -> dict:
    """One strict build into ``site``: its times and its lecture pages' times."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    env["NO_MKDOCS_2_WARNING"] = "1"
    load_before = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"the build failed:\n{result.stderr[-4000:]}")
    return {"wall_s": round(wall, 1),
            "cpu_s": round((after.ru_utime - before.ru_utime)
                           + (after.ru_stime - before.ru_stime), 1),
            "load_average_before": round(load_before, 2),
            "load_average_after": round(os.getloadavg()[0], 2),
            "pages_s": {m.group(1): float(m.group(2)) for m in PAGE.finditer(result.stderr)},
            "mnist": "falls back to scikit-learn's 8x8 digits" not in result.stderr}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=None, help="keep the site here")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        record = build(args.site or Path(scratch) / "site")
    record.update({"command": "mkdocs build --strict", "cpus": os.cpu_count(),
                   "python": platform.python_version(), "bar_s": 150})
    print(f"mkdocs build --strict: wall {record['wall_s']} s, cpu {record['cpu_s']} s "
          f"(load {record['load_average_before']} -> {record['load_average_after']}, "
          f"{record['cpus']} CPUs); the bar: {record['bar_s']} s")
    write_text(args.out, json.dumps(record, indent=2) + "\n")
    return record


if __name__ == "__main__":
    main()
