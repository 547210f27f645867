"""Speed of nnlearn's NumPy engine against scikit-learn and PyTorch on a CPU.

One command measures, in one process and one run, so that every ratio compares
numbers taken side by side on the same machine under the same load:

- throughput: seconds per epoch of MNIST (60000 rows) for 784-10-10, 784-32-10,
  784-100-10, 784-(64x4)-10 and a ResNet of width 64 and depth 8, at batch 128
  and 512, Adam 1e-3, float32: nnlearn (NumPy), nnlearn with numba's optimiser
  kernels (784-32-10 only), nnlearn's torch backend, a plain PyTorch loop and
  scikit-learn's MLPClassifier. The engines take turns (A B C D, A B C D, ...)
  and each figure is the median of its turns.
- gemm: the GEMM bound, i.e. the seconds of an epoch's matrix products alone,
  timed in tight loops on the same shapes (and their GFLOP/s).
- predict: predicting the 10000 test images.
- estimator: ``NeuralNetClassifier.fit`` against the bare ``Trainer`` it wraps.
- gridsearch: ``GridSearchCV`` over 8 fits with ``n_jobs=1`` and ``n_jobs=2``.
- memory: peak resident memory of a whole MNIST training, in a fresh process.
- tta: time to accuracy (97.0% with 784-32-10, 93% with 784-10-10), mean over
  3 seeds, each engine with the best recipe found for it.

Every engine runs with one BLAS / torch thread (``--threads``): on the
lecture's small networks that is each one's fastest setting on this 2-core
machine, and nnlearn's own rule (``nnlearn.engine.threads``).

    python benchmarks/bench_speed.py            # everything (5 min on 2 quiet cores, 15-40 busy)
    python benchmarks/bench_speed.py --quick    # a tenth of the data, one seed (2-3 min)

It prints a table and writes ``benchmarks/results/speed.json`` (``speed-quick.json``
with ``--quick``) and a plot of the ratios next to it (``.png``). MNIST is read
from ``NNLEARN_DATA`` or nnlearn's other places; without it, synthetic data of
the same shape stands in (said in the output).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed_engines import ENGINES, build_network, gemm_seconds, step_gemms  # noqa: E402
from speed_report import plot, table  # noqa: E402
from speed_sections import bench_memory, bench_tta  # noqa: E402

from nnlearn.fileio import write_text  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SHAPES = {
    "784-10-10": {"kind": "mlp", "hidden": [10]},
    "784-32-10": {"kind": "mlp", "hidden": [32]},
    "784-100-10": {"kind": "mlp", "hidden": [100]},
    "784-(64x4)-10": {"kind": "mlp", "hidden": [64] * 4},
    "resnet-64x8": {"kind": "resnet", "width": 64, "depth": 8},
}
SECTIONS = ("throughput", "gemm", "predict", "estimator", "gridsearch", "memory", "tta")
def load_data(which="auto", seed=0, n_synthetic=70000):
    """``(name, X_train, y_train, X_test, y_test)``, float32 rows, int64 labels.

    Synthetic data (``which="synthetic"``, or MNIST absent): ``n_synthetic`` rows
    of MNIST's shape, a seventh of them for the test part.
    """
    if which != "synthetic":
        try:
            from nnlearn.data import load
            d = load("mnist", download=False)
            return "mnist", d.X_train, d.y_train, d.X_test, d.y_test
        except Exception as err:
            if which == "mnist":
                raise SystemExit(f"MNIST is not available: {err}") from None
            print(f"MNIST not available ({err}); synthetic data stands in", file=sys.stderr)
    rng = np.random.default_rng(seed)
    centres = rng.random((10, 784), dtype=np.float32)
    y = rng.integers(0, 10, n_synthetic)
    X = np.clip(centres[y] + rng.normal(0, 0.3, (n_synthetic, 784)).astype(np.float32), 0, 1)
    n_train = n_synthetic * 6 // 7
    return "synthetic", X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def threads(n):
    """Pin BLAS and torch to ``n`` threads for the rest of the process."""
    from threadpoolctl import threadpool_limits
    threadpool_limits(n)
    try:
        import torch
        torch.set_num_threads(n)
    except ImportError:
        pass


def machine() -> dict:
    info = {"python": platform.python_version(), "numpy": np.__version__,
            "cpu_count": os.cpu_count(), "platform": platform.platform(),
            "processor": _cpu_name(), "load_average_start": list(os.getloadavg()),
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE")}
    for mod in ("torch", "sklearn", "numba"):
        try:
            info[mod] = __import__(mod).__version__
        except ImportError:
            info[mod] = None
    return info


def _cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


# -- sections --------------------------------------------------------------------------------

def bench_throughput(data, shapes, batches, turns, rows, engines):
    """Seconds per 60000 rows (an epoch of MNIST) of each engine, turn by turn."""
    _, X, y, _, _ = data
    Xs, ys = X[:rows], y[:rows]
    scale = 60000 / rows
    out = []
    for shape_name in shapes:
        shape = SHAPES[shape_name]
        for batch in batches:
            names = [e for e in engines if not (e == "sklearn" and shape["kind"] != "mlp")
                     and not (e == "nnlearn+numba" and shape_name != "784-32-10")]
            made = {e: ENGINES[e](shape, Xs, ys, batch) for e in names}
            for e in names:  # warm-up: first allocations, numba's compiler, torch's kernels
                made[e].epoch()
            times = {e: [] for e in names}
            for _ in range(turns):
                for e in names:
                    times[e].append(made[e].epoch() * scale)
            row = {"shape": shape_name, "batch": batch,
                   "epoch_s": {e: statistics.median(t) for e, t in times.items()},
                   "turns_s": times}
            med = row["epoch_s"]
            row["ratio"] = {f"nnlearn/{p}": med["nnlearn"] / med[p] for p in names
                            if p != "nnlearn"}
            out.append(row)
            print(f"  {shape_name:<15}{batch:>5}  " + "  ".join(
                f"{e} {med[e]:.3f}" for e in names), flush=True)
    return out


def bench_gemm(data, shapes, batches, min_time=0.2):
    out = []
    for shape_name in shapes:
        for batch in batches:
            net = build_network(SHAPES[shape_name], 784, 10, 0)
            gemms = step_gemms(net, batch)
            per_step = gemm_seconds(gemms, min_time=min_time)
            steps = -(-60000 // batch)
            flops = sum(2 * r * i * c for r, i, c in gemms)
            out.append({"shape": shape_name, "batch": batch, "bound_epoch_s": per_step * steps,
                        "gflops": flops / per_step / 1e9, "gflop_per_epoch": flops * steps / 1e9})
    return out


def bench_predict(data, reps=7):
    """Seconds to predict the test set with 784-32-10 (median of ``reps``), and peers'."""
    _, X, y, X_test, y_test = data
    from nnlearn.engine import mlp
    net = mlp(784, [32], 10, seed=0)
    res = {}
    for label, fn in (("nnlearn", lambda: net.predict(X_test)),
                      ("nnlearn predict_proba", lambda: net.predict_proba(X_test))):
        fn()
        res[label] = statistics.median(_time(fn) for _ in range(reps))
    try:
        import torch
        model = ENGINES["torch"](SHAPES["784-32-10"], X[:256], y[:256], 128).model.eval()
        Xt = torch.from_numpy(X_test)

        def torch_predict():
            with torch.inference_mode():
                return model(Xt).argmax(1).numpy()
        torch_predict()
        res["torch"] = statistics.median(_time(torch_predict) for _ in range(reps))
    except ImportError:
        pass
    sk = ENGINES["sklearn"](SHAPES["784-32-10"], X[:2000], y[:2000], 128)
    sk.epoch()
    sk.clf.predict(X_test)
    res["sklearn"] = statistics.median(_time(lambda: sk.clf.predict(X_test)) for _ in range(reps))
    return {"rows": len(X_test), "seconds": res}


def _time(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_estimator(data, rows, epochs, turns):
    """Wall time of ``NeuralNetClassifier.fit`` and of the bare ``Trainer.fit`` it wraps."""
    from nnlearn import NeuralNetClassifier
    from nnlearn.engine import make_optimizer, mlp
    from nnlearn.training import NumpyBackend, TrainConfig, Trainer
    _, X, y, _, _ = data
    X, y = X[:rows], y[:rows]
    lr_name = "lr" if "lr" in NeuralNetClassifier().get_params() else "learning_rate"

    def estimator():
        NeuralNetClassifier(hidden=(32,), batch_size=128, epochs=epochs, random_state=0,
                            **{lr_name: 1e-3}).fit(X, y)

    def trainer():
        backend = NumpyBackend(mlp(784, [32], 10, seed=0), make_optimizer("adam"))
        Trainer(backend, TrainConfig(epochs=epochs, batch_size=128, lr=1e-3, seed=0,
                                     progress=False)).fit(X, y)
    times = {"estimator": [], "trainer": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "increase epochs": known
        for _ in range(turns):
            times["trainer"].append(_time(trainer))
            times["estimator"].append(_time(estimator))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"rows": rows, "epochs": epochs, "fit_s": med, "turns_s": times,
            "ratio": med["estimator"] / med["trainer"]}


def bench_gridsearch(data, rows, epochs, rounds):
    """GridSearchCV over 4 widths x 2 folds (8 fits, no refit) with n_jobs=1 and 2.

    The first ``n_jobs=2`` call starts joblib's worker processes (imports in each);
    it is timed on its own (``cold_start_s``), then the rounds alternate with the
    workers warm, as in a session that searches more than once.
    """
    from sklearn.model_selection import GridSearchCV

    from nnlearn import NeuralNetClassifier
    _, X, y, _, _ = data
    X, y = X[:rows], y[:rows]
    grid = {"hidden": [(16,), (32,), (48,), (64,)]}

    def search(n_jobs):
        gs = GridSearchCV(NeuralNetClassifier(batch_size=128, epochs=epochs, random_state=0),
                          grid, cv=2, n_jobs=n_jobs, refit=False)
        return _time(lambda: gs.fit(X, y))

    times = {1: [], 2: []}
    # "3 epochs done and the loss still improves" is the point here, not news; the
    # environment variable reaches joblib's worker processes too.
    before = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = "ignore::UserWarning"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            cold = search(2)
            for _ in range(rounds):
                for n_jobs in (1, 2):
                    times[n_jobs].append(search(n_jobs))
    finally:
        if before is None:
            del os.environ["PYTHONWARNINGS"]
        else:
            os.environ["PYTHONWARNINGS"] = before
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"rows": rows, "fits": 8, "epochs": epochs, "n_jobs_1_s": med[1], "n_jobs_2_s": med[2],
            "cold_start_s": cold, "turns_s": {str(k): v for k, v in times.items()},
            "ratio": med[2] / med[1],
            "note": "refit=False; n_jobs=2 with joblib's workers already started (cold_start_s: "
                    "the first call, which starts them)"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a tenth of the data, one seed (2-3 minutes)")
    parser.add_argument("--tiny", action="store_true", help="a smoke run of seconds (tests)")
    parser.add_argument("--data", choices=("auto", "mnist", "synthetic"), default="auto")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--engines", nargs="+", choices=list(ENGINES), default=list(ENGINES))
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON file (default benchmarks/results/speed[-quick].json)")
    args = parser.parse_args(argv)
    size = "tiny" if args.tiny else "quick" if args.quick else "full"
    out = args.out or RESULTS / ("speed.json" if size == "full" else f"speed-{size}.json")
    plan = {"full": dict(rows=60000, turns=9, shapes=list(SHAPES), batches=[128, 512],
                         seeds=[0, 1, 2], est_rows=60000, est_epochs=2, grid_rows=60000,
                         grid_epochs=3, grid_rounds=2, mem_epochs=3, tta_epochs=None),
            "quick": dict(rows=6000, turns=3, shapes=list(SHAPES), batches=[128, 512],
                          seeds=[0], est_rows=20000, est_epochs=2, grid_rows=20000,
                          grid_epochs=2, grid_rounds=1, mem_epochs=1, tta_epochs=None),
            "tiny": dict(rows=512, turns=1, shapes=["784-10-10"], batches=[128], seeds=[0],
                         est_rows=512, est_epochs=1, grid_rows=400, grid_epochs=1,
                         grid_rounds=1, mem_epochs=1, tta_epochs=1)}[size]
    engines = [e for e in args.engines if _available(e)]
    threads(args.threads)
    data = (load_data("synthetic", n_synthetic=1400) if args.tiny and args.data != "mnist"
            else load_data(args.data))
    record = {"benchmark": "speed", "size": size, "data": data[0], "threads": args.threads,
              "engines": engines, "machine": machine(),
              "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    print(f"{data[0]}, {size} run, {args.threads} thread(s), engines {', '.join(engines)}")
    t_start = time.perf_counter()
    for section in args.sections:
        print(f"{section} ...", flush=True)
        if section == "throughput":
            record[section] = bench_throughput(data, plan["shapes"], plan["batches"],
                                               plan["turns"], plan["rows"], engines)
        elif section == "gemm":
            record[section] = bench_gemm(data, plan["shapes"], plan["batches"],
                                         0.01 if size == "tiny" else 0.2)
        elif section == "predict":
            record[section] = bench_predict(data, 2 if size == "tiny" else 7)
        elif section == "estimator":
            record[section] = bench_estimator(data, plan["est_rows"], plan["est_epochs"],
                                              plan["turns"] + 2)
        elif section == "gridsearch":
            record[section] = bench_gridsearch(data, plan["grid_rows"], plan["grid_epochs"],
                                               plan["grid_rounds"])
        elif section == "memory":
            record[section] = (bench_memory(plan["mem_epochs"]) if data[0] == "mnist"
                               else {"error": "needs MNIST"})
        elif section == "tta":
            record[section] = bench_tta(data, SHAPES, plan["seeds"],
                                        [e for e in ("nnlearn", "torch", "sklearn")
                                         if e in engines], plan["tta_epochs"])
    record["machine"]["load_average_end"] = list(os.getloadavg())
    record["seconds"] = time.perf_counter() - t_start
    text = table(record)
    print(text)
    record["table_markdown"] = text
    write_text(out, json.dumps(record, indent=1, default=float) + "\n")
    plot(record, out.with_suffix(".png"))
    print(f"wrote {out} and {out.with_suffix('.png')}")
    return record


def _available(engine):
    mod = {"nnlearn-torch": "torch", "torch": "torch", "sklearn": "sklearn",
           "nnlearn+numba": "numba"}.get(engine)
    if mod is None:
        return True
    try:
        __import__(mod)
        return True
    except ImportError:
        return False


if __name__ == "__main__":
    main()
