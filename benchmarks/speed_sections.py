"""Two sections of the speed benchmark that run whole trainings: peak memory (in
a fresh process) and time to accuracy."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

from speed_engines import ENGINES

# Time to accuracy: (shape, target) and each engine's recipe
# (optimizer, lr, batch, schedule, epochs: the cosine's length and the cap).
TTA_TARGETS = {"784-32-10": 0.970, "784-10-10": 0.93}
TTA_RECIPES = {  # found by a small search on this machine (docs/benchmarks.md)
    "nnlearn": {"784-32-10": ("nesterov", 0.05, 64, "cosine", 10),
                "784-10-10": ("nesterov", 0.1, 64, "cosine", 8)},
    # torch reached 93% with all 3 seeds at batch 128 (1.1-1.3 s) and 2 of 3 at 64.
    "torch": {"784-32-10": ("nesterov", 0.05, 64, "cosine", 10),
              "784-10-10": ("nesterov", 0.1, 128, "cosine", 8)},
    # MLPClassifier has no cosine schedule; for 784-32-10 neither Nesterov 0.05 (batch 64)
    # nor Adam 2e-3 passed 96.5% in 12 epochs here, Adam 1e-3 came closest over 20.
    "sklearn": {"784-32-10": ("adam", 1e-3, 128, "constant", 30),
                "784-10-10": ("adam", 3e-3, 128, "constant", 8)},
}



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


def bench_tta(data, shapes, seeds, engines, max_epochs=None):
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
                eng = ENGINES[e](shapes[shape_name], X, y, batch, **kw)
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
