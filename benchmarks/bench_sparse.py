"""Training on a TF-IDF matrix: peak memory against the dense size, nnlearn against sklearn.

A corpus is generated (no download): documents of about 100 distinct words
from a fixed vocabulary, each with a share of words from its class's topic, so
that the classes can be learnt. ``TfidfVectorizer`` with that vocabulary turns
it into a CSR matrix of ``n_docs x vocabulary`` (the bar: 20000 x 200000 with
about 100 non-zeros a row, 16 GB dense in float32, 16 MB of values sparse).

Each run is a fresh process (``--child``) that loads the saved matrix, fits,
predicts and reports its peak resident set size (``ru_maxrss``), so that one
run's memory does not count against the next. Engines:

- ``nnlearn``: ``NeuralNetClassifier`` on the CSR matrix (the first layer
  multiplies the sparse batches, ``nnlearn.engine.sparse``);
- ``nnlearn-torch``: the torch backend (one batch made dense at a time);
- ``sklearn``: ``MLPClassifier`` (adam), which also takes sparse input.

    python benchmarks/bench_sparse.py                 # the bar: 20000 x 200000
    python benchmarks/bench_sparse.py --quick         # seconds: a small corpus

Results go to ``benchmarks/results/sparse.json`` (written atomically).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "sparse.json"
SIZES = {"full": dict(docs=20000, vocabulary=200_000, words=100, epochs=3),
         "quick": dict(docs=600, vocabulary=5000, words=40, epochs=2)}
ENGINES = ("nnlearn", "nnlearn-torch", "sklearn")
CLASSES, TOPIC_WORDS, TOPIC_SHARE = 4, 400, 0.2


def corpus(docs: int, vocabulary: int, words: int, seed: int = 0):
    """Documents as strings of ``w<i>`` tokens, and their classes."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, CLASSES, size=docs)
    topics = rng.choice(vocabulary, size=(CLASSES, TOPIC_WORDS), replace=False)
    n_topic = int(words * TOPIC_SHARE)
    texts = []
    for c in y:
        ids = np.concatenate([rng.choice(topics[c], size=n_topic, replace=False),
                              rng.integers(0, vocabulary, size=words - n_topic)])
        counts = rng.integers(1, 4, size=len(ids))  # a word may come back in a document
        texts.append(" ".join(f"w{i}" for i, k in zip(ids, counts) for _ in range(k)))
    return texts, y


def tfidf(docs: int, vocabulary: int, words: int):
    """The TF-IDF matrix (CSR, float32) of a generated corpus, and its labels."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    texts, y = corpus(docs, vocabulary, words)
    vectorizer = TfidfVectorizer(vocabulary=[f"w{i}" for i in range(vocabulary)],
                                 dtype=np.float32)
    return vectorizer.fit_transform(texts).tocsr(), y


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(engine: str, matrix: str, epochs: int) -> dict:
    """One run in this process: load, fit, predict; what it took."""
    import warnings

    import scipy.sparse as sp
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    from nnlearn import NeuralNetClassifier
    if engine == "nnlearn-torch":
        import torch  # noqa: F401  (its memory counts before the fit, not in it)
    X = sp.load_npz(matrix).tocsr()
    y = np.load(matrix.replace(".npz", "-y.npy"))
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    if engine == "sklearn":
        clf = MLPClassifier((32,), max_iter=epochs, random_state=0)
    else:
        clf = NeuralNetClassifier(hidden=(32,), epochs=epochs, random_state=0,
                                  backend="torch" if engine == "nnlearn-torch" else "numpy",
                                  device="cpu")
    before = peak_rss_mb()
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    seconds = time.perf_counter() - t0
    accuracy = float(clf.score(X_test, y_test))
    return {"engine": engine, "fit_seconds": round(seconds, 3),
            "epoch_seconds": round(seconds / clf.n_iter_, 3), "epochs": int(clf.n_iter_),
            "test_accuracy": round(accuracy, 4), "peak_rss_before_fit_mb": round(before, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1)}


def run(engine: str, matrix: str, epochs: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", engine, "--matrix", matrix,
                          "--epochs", str(epochs)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"engine": engine, "error": out.stderr.strip().splitlines()[-1:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small corpus (seconds)")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--matrix", help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.matrix, args.epochs)))
        return {}

    from nnlearn.fileio import write_text
    import scipy.sparse as sp
    size = SIZES["quick" if args.quick else "full"]
    t0 = time.perf_counter()
    X, y = tfidf(size["docs"], size["vocabulary"], size["words"])
    built = time.perf_counter() - t0
    m, n = X.shape
    record = {"machine": platform.machine(), "cpus": os.cpu_count(),
              "load_average": list(os.getloadavg()), "size": "quick" if args.quick else "full",
              "matrix": {"rows": m, "columns": n, "nonzeros": int(X.nnz),
                         "nonzeros_per_row": round(X.nnz / m, 1),
                         "sparse_mb": round((X.data.nbytes + X.indices.nbytes
                                             + X.indptr.nbytes) / 2**20, 1),
                         "dense_float32_mb": round(m * n * 4 / 2**20, 1),
                         "tfidf_seconds": round(built, 2)},
              "network": "n_features-32-4, adam, batch 200", "runs": []}
    print(f"TF-IDF {m} x {n}, {X.nnz / m:.0f} non-zeros a row: "
          f"{record['matrix']['sparse_mb']} MB sparse, "
          f"{record['matrix']['dense_float32_mb'] / 1024:.1f} GB dense (float32)")
    with tempfile.TemporaryDirectory() as tmp:
        matrix = os.path.join(tmp, "tfidf.npz")
        sp.save_npz(matrix, X, compressed=False)
        np.save(matrix.replace(".npz", "-y.npy"), y)
        del X
        for engine in args.engines:
            result = run(engine, matrix, size["epochs"])
            record["runs"].append(result)
            if "error" in result:
                print(f"{engine:14s} failed: {result['error']}")
                continue
            ratio = record["matrix"]["dense_float32_mb"] / result["peak_rss_mb"]
            result["dense_over_peak"] = round(ratio, 1)
            print(f"{engine:14s} peak RSS {result['peak_rss_mb']:8.1f} MB "
                  f"({result['peak_rss_before_fit_mb']:.0f} MB before fit; dense / peak "
                  f"= {ratio:.1f}), {result['epoch_seconds']:.2f} s/epoch, "
                  f"test accuracy {result['test_accuracy']:.3f}")
    times = {r["engine"]: r["epoch_seconds"] for r in record["runs"] if "error" not in r}
    if "nnlearn" in times and "sklearn" in times:
        record["epoch_time_sklearn_over_nnlearn"] = round(times["sklearn"] / times["nnlearn"], 2)
        print(f"sklearn / nnlearn epoch time: {record['epoch_time_sklearn_over_nnlearn']}")
    record["load_average_end"] = list(os.getloadavg())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text(args.out, json.dumps(record, indent=2))
    print(f"wrote {args.out}")
    return record


if __name__ == "__main__":
    main()
