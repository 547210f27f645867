"""Loading MNIST: nnlearn's verified decoded cache against decoding the IDX files by hand.

Three timings, measured in this one run: the first ``load("mnist")`` (gunzip,
validate, MD5, write the ``.npy`` cache), the second ``load("mnist")`` (the
memory-mapped cache), and the plain way a script reads the files
(``gzip.open`` + ``np.frombuffer`` + scaling to float32, no checks). The
ratios printed compare them.

    NNLEARN_DATA=../shared/datasets python benchmarks/bench_data.py

Results go to ``benchmarks/results/data.json`` (written atomically).
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from nnlearn.data import load
from nnlearn.data.sources import locate
from nnlearn.fileio import write_text

RESULTS = Path(__file__).resolve().parent / "results" / "data.json"


def by_hand(folder: Path):
    """What a script without nnlearn does: gunzip, skip the header, scale."""
    out = []
    for name, header in [("train-images-idx3-ubyte.gz", 16), ("train-labels-idx1-ubyte.gz", 8),
                         ("t10k-images-idx3-ubyte.gz", 16), ("t10k-labels-idx1-ubyte.gz", 8)]:
        with gzip.open(folder / name, "rb") as fh:
            a = np.frombuffer(fh.read(), dtype=np.uint8, offset=header)
        out.append(a.reshape(-1, 784).astype(np.float32) / 255 if header == 16 else a)
    return out


def timed(fn, repeat=1):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    found = locate("mnist")
    if found is None:
        raise SystemExit("MNIST not found: set NNLEARN_DATA (see docs/data.md)")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["XDG_CACHE_HOME"] = cache  # a cold cache for the first load
        first = timed(lambda: load("mnist", download=False))
        second = timed(lambda: load("mnist", download=False), repeat=5)
    hand = timed(lambda: by_hand(Path(found.folder)), repeat=3)
    results = {"machine": platform.machine(), "cpus": os.cpu_count(),
               "first_load_s": first, "second_load_s": second, "by_hand_s": hand,
               "by_hand_over_second": hand / second, "first_over_by_hand": first / hand}
    print(f"first load (decode, verify, cache)  {first:7.3f} s   {first / hand:5.2f} x by hand")
    print(f"second load (cached)                {second:7.3f} s   {hand / second:5.1f} x faster "
          "than by hand")
    print(f"by hand (gunzip, no checks)         {hand:7.3f} s")
    write_text(RESULTS, json.dumps(results, indent=2))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
