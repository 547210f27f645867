"""The speed benchmark's report: Markdown tables and a plot of the ratios.

Reads the record ``bench_speed.py`` builds (the same dict it writes as JSON).
"""

from __future__ import annotations

import numpy as np

from speed_engines import ENGINES

from nnlearn.fileio import write_bytes

PEERS = ("sklearn", "torch")


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
