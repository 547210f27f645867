"""Epoch time of the NumPy engine, the torch backend and scikit-learn's MLPClassifier.

The same network (``n_0 -> 32 -> 10``, ReLU, mini-batch SGD without momentum
or weight decay, the same batch size and learning rate) is trained for a few
epochs by each, in the same process, one after the other; every ratio printed
compares times measured in this one run. The first epoch is a warm-up and is
not counted: the figure per backend is the median of the later epochs.

Data: MNIST (784 inputs) when ``--data mnist`` or when ``NNLEARN_DATA`` holds
it, else scikit-learn's 8x8 digits (64 inputs), which ship with scikit-learn.
At most ``--n-train`` training rows (10000 by default) keep the run short.

On the CPU, torch's intra-op threads cost much more than they give on matrices
this small whenever other processes keep the cores busy, so torch is timed
twice: with its default number of threads and with one (``torch-1thread``).

    python benchmarks/bench_backends.py                       # digits or MNIST, CPU
    python benchmarks/bench_backends.py --data mnist --epochs 4
    python benchmarks/bench_backends.py --device cuda         # torch on a GPU

Results go to ``benchmarks/results/backends.json`` (written atomically).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from nnlearn.engine import SGD, mlp
from nnlearn.fileio import write_text
from nnlearn.training import NumpyBackend, TrainConfig, Trainer

RESULTS = Path(__file__).resolve().parent / "results" / "backends.json"


def load_data(which: str, seed: int):
    """``(name, X_train, y_train, X_test, y_test)`` as float32 rows and int64 labels."""
    if which in ("auto", "mnist") and (which == "mnist" or os.environ.get("NNLEARN_DATA")):
        try:
            from nnlearn.data import load
            d = load("mnist", seed=seed, download=False)
            return "mnist", d.X_train, d.y_train, d.X_test, d.y_test
        except Exception as err:  # absent or unreadable: say so, fall back to digits
            if which == "mnist":
                raise SystemExit(f"MNIST is not available: {err}") from None
            print(f"MNIST not available ({err}); using digits", file=sys.stderr)
    try:
        from nnlearn.data import load
        d = load("digits", seed=seed)
        return "digits", d.X_train, d.y_train, d.X_test, d.y_test
    except (ImportError, ValueError):  # an nnlearn without the digits loader
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
        X, y = load_digits(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            (X / 16).astype(np.float32), y.astype(np.int64), test_size=360, random_state=seed,
            stratify=y)
        return "digits", X_train, y_train, X_test, y_test


def epoch_times_nnlearn(backend, X, y, X_test, y_test, epochs, batch_size, lr, seed):
    """Seconds of each epoch from the loop's own clock, and the test accuracy."""
    config = TrainConfig(epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, progress=False)
    history = Trainer(backend, config).fit(X, y)
    ends = history["time"]
    times = np.diff(np.concatenate([[0.0], ends]))
    return times.tolist(), float(backend.evaluate(X_test, y_test)[1])


def epoch_times_sklearn(X, y, X_test, y_test, hidden, epochs, batch_size, lr, seed):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=(hidden,), activation="relu", solver="sgd",
                        alpha=0.0, batch_size=batch_size, learning_rate_init=lr, momentum=0.0,
                        nesterovs_momentum=False, shuffle=True, random_state=seed)
    classes = np.unique(y)
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(epochs):
            t0 = time.perf_counter()
            clf.partial_fit(X, y, classes=classes)  # one pass over the data in mini-batches
            times.append(time.perf_counter() - t0)
    return times, float(clf.score(X_test, y_test))


def summary(times):
    counted = times[1:] if len(times) > 1 else times  # the first epoch warms up
    return {"epoch_s": statistics.median(counted), "epoch_min_s": min(counted),
            "epochs_s": times}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", choices=("auto", "digits", "mnist"), default="auto")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per backend (>= 2)")
    parser.add_argument("--n-train", type=int, default=10000,
                        help="training rows at most (a seeded subset; MNIST has 60000)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--device", default="cpu", help="torch device: cpu, cuda, auto")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--skip", nargs="*", default=(), choices=("numpy", "torch", "sklearn"),
                        help="backends to leave out")
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (the first is a warm-up)")

    name, X, y, X_test, y_test = load_data(args.data, args.seed)
    if args.n_train < len(y):  # keeps the default run short on MNIST
        rows = np.random.default_rng(args.seed).choice(len(y), args.n_train, replace=False)
        X, y = X[rows], y[rows]
    X, X_test = X.astype(np.float32, copy=False), X_test.astype(np.float32, copy=False)
    n_in, k = X.shape[1], int(max(y.max(), y_test.max())) + 1
    arch = f"{n_in}-{args.hidden}-{k}"
    print(f"{name}: {len(y)} training rows, network {arch}, batch {args.batch_size}, "
          f"{args.epochs} epochs (first not counted)")

    def network():
        return mlp(n_in, [args.hidden], k, "relu", seed=args.seed, dtype=np.float32)

    fit = (X, y, X_test, y_test)
    common = (args.epochs, args.batch_size, args.lr, args.seed)
    results, info = {}, {}
    if "numpy" not in args.skip:
        results["numpy"] = epoch_times_nnlearn(NumpyBackend(network(), SGD()), *fit, *common)
    if "torch" not in args.skip:
        import torch

        from nnlearn.torch import TorchBackend
        threads = torch.get_num_threads()
        backend = TorchBackend(network(), SGD(), device=args.device, seed=args.seed)
        results["torch"] = epoch_times_nnlearn(backend, *fit, *common)
        info.update(torch=torch.__version__, torch_device=str(backend.device),
                    torch_threads=threads)
        if backend.device.type == "cpu" and threads > 1:
            # Small matrices gain nothing from torch's intra-op threads and lose much
            # when the cores are busy; this row shows what one thread does.
            torch.set_num_threads(1)
            try:
                backend = TorchBackend(network(), SGD(), device="cpu", seed=args.seed)
                results["torch-1thread"] = epoch_times_nnlearn(backend, *fit, *common)
            finally:
                torch.set_num_threads(threads)
    if "sklearn" not in args.skip:
        import sklearn
        results["sklearn"] = epoch_times_sklearn(*fit, args.hidden, *common)
        info["sklearn"] = sklearn.__version__

    rows = {key: {**summary(times), "test_accuracy": acc} for key, (times, acc) in results.items()}
    base = rows.get("numpy")
    print(f"{'backend':<14}{'epoch (s)':>11}{'min (s)':>10}{'vs numpy':>10}{'test acc':>10}")
    for key, row in rows.items():
        if base:
            row["ratio_to_numpy"] = row["epoch_s"] / base["epoch_s"]
        ratio = f"{row['ratio_to_numpy']:.2f}x" if base else "-"
        print(f"{key:<14}{row['epoch_s']:>11.4f}{row['epoch_min_s']:>10.4f}{ratio:>10}"
              f"{row['test_accuracy']:>10.3f}")

    record = {
        "benchmark": "backends", "data": name, "n_train": int(len(y)), "network": arch,
        "batch_size": args.batch_size, "epochs": args.epochs, "lr": args.lr,
        "optimizer": "sgd", "dtype": "float32", "results": rows,
        "note": "epoch_s: median over epochs after the first; ratios from this one run",
        "machine": {"python": platform.python_version(), "numpy": np.__version__,
                    "cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "load_average": list(os.getloadavg()), **info},
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    write_text(args.out, json.dumps(record, indent=1) + "\n")
    print(f"wrote {args.out}")
    return record


if __name__ == "__main__":
    main()
