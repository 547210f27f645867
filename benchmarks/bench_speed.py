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
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed_engines import ENGINES, build_network, gemm_seconds, step_gemms  # noqa: E402

from nnlearn.fileio import write_bytes, write_text  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
SHAPES = {
    "784-10-10": {"kind": "mlp", "hidden": [10]},
    "784-32-10": {"kind": "mlp", "hidden": [32]},
    "784-100-10": {"kind": "mlp", "hidden": [100]},
    "784-(64x4)-10": {"kind": "mlp", "hidden": [64] * 4},
    "resnet-64x8": {"kind": "resnet", "width": 64, "depth": 8},
}
PEERS = ("sklearn", "torch")
SECTIONS = ("throughput", "gemm", "predict", "estimator", "gridsearch", "memory", "tta")
# Time to accuracy: (shape, target) and each engine's recipe
# (optimizer, lr, batch, schedule, epochs: the cosine's length and the cap).
TTA_TARGETS = {"784-32-10": 0.970, "784-10-10": 0.93}
TTA_RECIPES = {  # found by a small search on this machine (docs/benchmarks.md)
    "nnlearn": {"784-32-10": ("nesterov", 0.05, 64, "cosine", 10),
                "784-10-10": ("nesterov", 0.1, 128, "cosine", 8)},
    "torch": {"784-32-10": ("nesterov", 0.05, 64, "cosine", 10),
              "784-10-10": ("nesterov", 0.1, 128, "cosine", 8)},
    # MLPClassifier has no cosine schedule; for 784-32-10 neither Nesterov 0.05 (batch 64)
    # nor Adam 2e-3 passed 96.5% in 12 epochs here, Adam 1e-3 came closest over 20.
    "sklearn": {"784-32-10": ("adam", 1e-3, 128, "constant", 30),
                "784-10-10": ("nesterov", 0.1, 128, "constant", 8)},
}


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


MEMORY_SCRIPT = """
import json, resource, sys
import numpy as np
from threadpoolctl import threadpool_limits
threadpool_limits(1)
from nnlearn.data import load
from nnlearn.engine import make_optimizer, mlp
from nnlearn.training import NumpyBackend, TrainConfig, Trainer
from nnlearn.training.callbacks import Callback
def rss():
    # VmHWM: this process's peak since exec. ru_maxrss would also count the parent's
    # memory at fork time (Linux carries it over exec), here the benchmark's own.
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
d = load("mnist", download=False)
after_load = rss()
per_epoch = []
class Watch(Callback):
    def on_epoch_end(self, trainer):
        per_epoch.append(rss())
backend = NumpyBackend(mlp(784, [32], 10, seed=0), make_optimizer("adam"))
Trainer(backend, TrainConfig(epochs=int(sys.argv[1]), batch_size=128, lr=1e-3,
                             progress=False), callbacks=[Watch()]).fit(
    d.X_train, d.y_train, validation_data=(d.X_test, d.y_test))
print(json.dumps({"after_load_mb": after_load, "peak_per_epoch_mb": per_epoch,
                  "peak_mb": rss()}))
"""


def bench_memory(epochs):
    """Peak RSS (MB) of a fresh process that loads MNIST and trains 784-32-10."""
    run = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(epochs)],
                         capture_output=True, text=True, env=os.environ.copy())
    if run.returncode != 0:
        return {"error": run.stderr.strip().splitlines()[-1] if run.stderr else "failed"}
    return {"epochs": epochs, **json.loads(run.stdout.strip().splitlines()[-1])}


def bench_tta(data, seeds, engines, max_epochs=None):
    """Seconds of training (evaluation excluded) until the test accuracy reaches the target."""
    _, X, y, X_test, y_test = data
    out = []
    for shape_name, target in TTA_TARGETS.items():
        for e in engines:
            opt, lr, batch, schedule, epochs = TTA_RECIPES[e][shape_name]
            epochs = min(epochs, max_epochs or epochs)
            runs = []
            for seed in seeds:
                kw = {"lr": lr, "seed": seed, "optimizer": opt}
                if e != "sklearn":
                    kw.update(schedule=schedule, epochs=epochs)
                eng = ENGINES[e](SHAPES[shape_name], X, y, batch, **kw)
                runs.append(_race(eng, e, X_test, y_test, target, epochs))
            reached = [r["seconds"] for r in runs if r["seconds"] is not None]
            out.append({"shape": shape_name, "target": target, "engine": e,
                        "recipe": {"optimizer": opt, "lr": lr, "batch": batch,
                                   "schedule": schedule, "epochs": epochs},
                        "runs": runs, "reached": f"{len(reached)}/{len(runs)}",
                        "mean_s": statistics.mean(reached) if reached else None})
            print(f"  {shape_name} {target:.1%} {e:<10} {out[-1]['reached']} reached, "
                  f"mean {out[-1]['mean_s']}", flush=True)
    return out


def _race(engine, name, X_test, y_test, target, epochs):
    if name.startswith("nnlearn"):  # one fit, so that the schedule spans all epochs
        from nnlearn.training.callbacks import Callback
        state = {"epoch": None, "eval_s": 0.0, "accs": []}

        class Watch(Callback):
            def on_epoch_end(self, trainer):
                t0 = time.perf_counter()
                acc = engine.accuracy(X_test, y_test)
                state["eval_s"] += time.perf_counter() - t0
                state["accs"].append(acc)
                if acc >= target:
                    state["epoch"], trainer.stop_training = trainer.epoch, True
        engine.trainer.callbacks.append(Watch())
        engine.trainer.config.epochs = epochs
        hist = engine.trainer.fit(engine.X, engine.y)
        seconds = hist["time"][-1] - state["eval_s"]
        return {"seconds": seconds if state["epoch"] else None, "epochs": state["epoch"],
                "accuracy": state["accs"]}
    spent, accs = 0.0, []
    for epoch in range(1, epochs + 1):
        spent += engine.epoch()
        accs.append(engine.accuracy(X_test, y_test))
        if accs[-1] >= target:
            return {"seconds": spent, "epochs": epoch, "accuracy": accs}
    return {"seconds": None, "epochs": None, "accuracy": accs}


# -- report -------------------------------------------------------------------------------

def table(record) -> str:
    """The results as Markdown tables (printed, and kept in docs/benchmarks.md)."""
    lines = []
    thr, gemm = record.get("throughput"), {(g["shape"], g["batch"]): g
                                            for g in record.get("gemm") or []}
    if thr:
        engines = [e for e in ENGINES if any(e in r["epoch_s"] for r in thr)]
        lines += ["| shape | batch | " + " | ".join(engines) + " | nnlearn / sklearn "
                  "| nnlearn / torch | torch backend / torch | GEMM bound | nnlearn / bound |",
                  "|" + " --- |" * (len(engines) + 7)]
        for r in thr:
            med, g = r["epoch_s"], gemm.get((r["shape"], r["batch"]))
            cells = [f"{med[e]:.3f}" if e in med else "-" for e in engines]
            ratio = [f"{med['nnlearn'] / med[p]:.2f}x" if p in med else "-" for p in PEERS]
            tb = f"{med['nnlearn-torch'] / med['torch']:.2f}x" if "torch" in med \
                and "nnlearn-torch" in med else "-"
            bound = (f"{g['bound_epoch_s']:.3f}", f"{med['nnlearn'] / g['bound_epoch_s']:.2f}x") \
                if g else ("-", "-")
            lines.append(f"| {r['shape']} | {r['batch']} | " + " | ".join(cells + ratio)
                         + f" | {tb} | {bound[0]} | {bound[1]} |")
        lines.append("")
        lines.append("Seconds per epoch of 60000 rows (median of the turns); ratios < 1: "
                     "nnlearn faster.")
    if record.get("predict"):
        p = record["predict"]
        lines += ["", f"Predicting {p['rows']} test images (784-32-10): " + ", ".join(
            f"{k} {v * 1000:.1f} ms" for k, v in p["seconds"].items())]
    if record.get("estimator"):
        e = record["estimator"]
        lines += ["", f"NeuralNetClassifier.fit vs bare Trainer ({e['rows']} rows, "
                  f"{e['epochs']} epochs): {e['fit_s']['estimator']:.3f} s vs "
                  f"{e['fit_s']['trainer']:.3f} s, ratio {e['ratio']:.3f}"]
    if record.get("gridsearch"):
        g = record["gridsearch"]
        lines += ["", f"GridSearchCV, {g['fits']} fits of {g['epochs']} epochs on {g['rows']} "
                  f"rows: n_jobs=1 {g['n_jobs_1_s']:.2f} s, n_jobs=2 {g['n_jobs_2_s']:.2f} s "
                  f"(workers started), ratio {g['ratio']:.2f}; the first n_jobs=2 call, which "
                  f"starts the workers, {g.get('cold_start_s', float('nan')):.2f} s"]
    if record.get("memory"):
        m = record["memory"]
        lines += ["", "Peak RSS of a full MNIST training: " + (
            f"{m['peak_mb']:.0f} MB (after loading MNIST {m['after_load_mb']:.0f} MB; "
            f"after each epoch {', '.join(f'{x:.0f}' for x in m['peak_per_epoch_mb'])})"
            if "peak_mb" in m else m.get("error", "?"))]
    if record.get("tta"):
        lines += ["", "| shape | target | engine | recipe | reached | mean seconds |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for t in record["tta"]:
            r = t["recipe"]
            recipe = f"{r['optimizer']} {r['lr']:g}, batch {r['batch']}, {r['schedule']}, " \
                     f"<= {r['epochs']} epochs"
            mean = f"{t['mean_s']:.2f}" if t["mean_s"] is not None else "not reached"
            lines.append(f"| {t['shape']} | {t['target']:.1%} | {t['engine']} | {recipe} | "
                         f"{t['reached']} | {mean} |")
    return "\n".join(lines)


def plot(record, path):
    """Bar chart of nnlearn's epoch time over each peer's (and over the GEMM bound)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    thr = record.get("throughput") or []
    gemm = {(g["shape"], g["batch"]): g["bound_epoch_s"] for g in record.get("gemm") or []}
    labels = [f"{r['shape']}\nb{r['batch']}" for r in thr]
    series = {f"nnlearn / {p}": [r["epoch_s"]["nnlearn"] / r["epoch_s"][p]
                                 if p in r["epoch_s"] else np.nan for r in thr]
              for p in ("sklearn", "torch", "nnlearn-torch")}
    series["nnlearn / GEMM bound"] = [r["epoch_s"]["nnlearn"] / gemm[(r["shape"], r["batch"])]
                                      if (r["shape"], r["batch"]) in gemm else np.nan for r in thr]
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(labels) + 2), 4.5))
    x = np.arange(len(labels))
    w = 0.8 / len(series)
    for i, (name, vals) in enumerate(series.items()):
        ax.bar(x + (i - (len(series) - 1) / 2) * w, vals, w, label=name)
    ax.axhline(1.0, color="k", lw=0.8)
    ax.axhline(0.5, color="k", lw=0.8, ls="--")
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylabel("epoch time ratio (< 1: nnlearn faster)")
    ax.set_title(f"nnlearn NumPy engine vs peers, {record['data']}, "
                 f"{record['machine']['cpu_count']} cores")
    ax.legend(fontsize=8)
    fig.tight_layout()
    import io
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    write_bytes(path, buf.getvalue())


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
    plan = {"full": dict(rows=60000, turns=5, shapes=list(SHAPES), batches=[128, 512],
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
            record[section] = bench_tta(data, plan["seeds"],
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
