"""Loading MNIST: nnlearn's verified decoded cache against decoding the IDX files by hand;
shifting images: ``nnlearn.data.shift`` against a per-pixel gather.

Three timings, measured in this one run: the first ``load("mnist")`` (gunzip,
validate, MD5, write the ``.npy`` cache), the second ``load("mnist")`` (the
memory-mapped cache), and the plain way a script reads the files
(``gzip.open`` + ``np.frombuffer`` + scaling to float32, no checks). The
ratios printed compare them.

Three more for shifts, each against the per-pixel gather that ``shift`` used
before (``per_pixel_shift`` below), on the same images: ``RandomShift(2)`` on
batches of 128 random 28x28 images in a loop, and inside an epoch of training
on MNIST (augmentation, once per step); one shift of 10000 test images
(``evaluate --shift``, experiment 3).

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

from nnlearn.data import RandomShift, load, shift
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


def per_pixel_shift(stack, dx, dy):
    """Zero-fill shift of ``(n, h, w)`` by one gather with a source index for every pixel."""
    n, h, w = stack.shape
    rows = np.arange(h) - np.broadcast_to(dy, (n,))[:, None]
    cols = np.arange(w) - np.broadcast_to(dx, (n,))[:, None]
    out = stack[np.arange(n)[:, None, None],
                np.clip(rows, 0, h - 1)[:, :, None], np.clip(cols, 0, w - 1)[:, None, :]]
    out *= ((rows >= 0) & (rows < h))[:, :, None] & ((cols >= 0) & (cols < w))[:, None, :]
    return out


def shift_timings(calls=2000):
    """Seconds per call of nnlearn's shifts and of ``per_pixel_shift``, checked equal first."""
    rng = np.random.default_rng(0)
    batch = rng.random((128, 28, 28), dtype=np.float32)
    test = rng.random((10000, 28, 28), dtype=np.float32)
    augment = RandomShift(2, image_shape=(28, 28))

    def by_pixel(X, r):  # RandomShift's draws, then the per-pixel gather
        dx, dy = r.integers(-2, 3, size=(2, len(X)))
        return per_pixel_shift(X, dx, dy)

    assert np.array_equal(augment(batch, np.random.default_rng(1)),
                          by_pixel(batch, np.random.default_rng(1)))
    assert np.array_equal(shift(test, 2, -1), per_pixel_shift(test, 2, -1))
    out = {"test_s": timed(lambda: shift(test, 2, -1), 20),
           "test_per_pixel_s": timed(lambda: per_pixel_shift(test, 2, -1), 20)}
    r_new, r_old = np.random.default_rng(1), np.random.default_rng(1)
    out["batch_s"] = timed(lambda: [augment(batch, r_new) for _ in range(calls)], 3) / calls
    out["batch_per_pixel_s"] = timed(lambda: [by_pixel(batch, r_old) for _ in range(calls)],
                                     3) / calls
    out["batch_per_pixel_over_nnlearn"] = out["batch_per_pixel_s"] / out["batch_s"]
    out["test_per_pixel_over_nnlearn"] = out["test_per_pixel_s"] / out["test_s"]
    return out


class _Clocked:
    """A batch transform that adds up the seconds it takes."""

    def __init__(self, transform):
        self.transform, self.seconds, self.calls = transform, 0.0, 0

    def __call__(self, X, rng):
        t0 = time.perf_counter()
        out = self.transform(X, rng)
        self.seconds += time.perf_counter() - t0
        self.calls += 1
        return out


def shift_in_training(data, n_train=20000, turns=2):
    """Seconds per batch of the augmentation inside one epoch of 784-32-10, batch 128.

    Allocations, caches and the process's state are those of a real run, which
    an isolated loop does not reproduce: the same padded copy costs several
    times more in a fresh process than in one that has trained.
    """
    from nnlearn.assembly import make_backend
    from nnlearn.engine import make_optimizer, mlp
    from nnlearn.training import TrainConfig, Trainer

    def by_pixel(X, r):
        dx, dy = r.integers(-2, 3, size=(2, len(X)))
        return per_pixel_shift(X.reshape(-1, 28, 28), dx, dy).reshape(X.shape)

    times = {"nnlearn": [], "per_pixel": []}
    for _ in range(turns):
        for name, transform in (("nnlearn", RandomShift(2, image_shape=(28, 28))),
                                ("per_pixel", by_pixel)):
            backend = make_backend("numpy", mlp(784, [32], 10, seed=0), make_optimizer("adam"),
                                   device="cpu", seed=0)
            clocked = _Clocked(transform)
            Trainer(backend, TrainConfig(epochs=1, batch_size=128, lr=1e-3, seed=0,
                                         progress=False)).fit(
                data.X_train[:n_train], data.y_train[:n_train], transform=clocked)
            times[name].append(clocked.seconds / clocked.calls)
    out = {"batch_s": min(times["nnlearn"]), "batch_per_pixel_s": min(times["per_pixel"])}
    out["batch_per_pixel_over_nnlearn"] = out["batch_per_pixel_s"] / out["batch_s"]
    return out


def main():
    shifts = shift_timings()
    print(f"RandomShift(2), 128 images   {shifts['batch_s'] * 1e6:7.1f} us   "
          f"{shifts['batch_per_pixel_over_nnlearn']:4.1f} x faster than per pixel "
          f"({shifts['batch_per_pixel_s'] * 1e6:.1f} us)")
    print(f"shift(2, -1), 10000 images   {shifts['test_s'] * 1e3:7.2f} ms   "
          f"{shifts['test_per_pixel_over_nnlearn']:4.1f} x faster than per pixel "
          f"({shifts['test_per_pixel_s'] * 1e3:.2f} ms)")
    found = locate("mnist")
    if found is None:
        raise SystemExit("MNIST not found: set NNLEARN_DATA (see docs/data.md)")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["XDG_CACHE_HOME"] = cache  # a cold cache for the first load
        first = timed(lambda: load("mnist", download=False))
        second = timed(lambda: load("mnist", download=False), repeat=5)
    hand = timed(lambda: by_hand(Path(found.folder)), repeat=3)
    shifts["in_training"] = trained = shift_in_training(load("mnist", download=False))
    print(f"RandomShift(2), in training  {trained['batch_s'] * 1e6:7.1f} us   "
          f"{trained['batch_per_pixel_over_nnlearn']:4.1f} x faster than per pixel "
          f"({trained['batch_per_pixel_s'] * 1e6:.1f} us)")
    results = {"machine": platform.machine(), "cpus": os.cpu_count(),
               "first_load_s": first, "second_load_s": second, "by_hand_s": hand,
               "by_hand_over_second": hand / second, "first_over_by_hand": first / hand,
               "shift": shifts}
    print(f"first load (decode, verify, cache)  {first:7.3f} s   {first / hand:5.2f} x by hand")
    print(f"second load (cached)                {second:7.3f} s   {hand / second:5.1f} x faster "
          "than by hand")
    print(f"by hand (gunzip, no checks)         {hand:7.3f} s")
    write_text(RESULTS, json.dumps(results, indent=2))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
