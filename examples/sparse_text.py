"""The estimator on sparse text features: TF-IDF in, never a dense matrix.

nnlearn's take on classifying documents with scikit-learn's text tools. A small
corpus is generated here (no download): each document mixes made-up common
words (3000 of them, used as often as Zipf's law says) with words of its topic,
some of which also belong to a neighbouring topic.
``TfidfVectorizer`` makes a SciPy CSR matrix; ``NeuralNetClassifier`` takes it
as it is (only the first layer reads ``X``, with sparse products). With no
hidden layer the network is multinomial logistic regression, and
``coefs_[0]`` of shape ``(n_words, n_classes)`` says which words count for
each class: the figure shows the largest weights.

    python examples/sparse_text.py
    python examples/sparse_text.py --quick            # fewer documents

Writes ``sparse_text.png`` into ``--out`` (default ``docs/examples``).
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split

from nnlearn import NeuralNetClassifier, plots
from nnlearn.plots.base import plt

OUT = Path(__file__).resolve().parents[1] / "docs" / "examples"
TOPICS = {
    "space": "orbit rocket planet moon launch star galaxy telescope astronaut comet "
             "satellite gravity nasa mars crater signal",
    "cooking": "oven recipe flour butter garlic onion simmer bake sauce salt pepper "
               "kitchen dough roast taste signal",
    "football": "goal match referee league striker penalty coach stadium pitch tackle "
                "season keeper score team fans",
    "music": "guitar chord melody album concert drum band tempo lyrics singer stage "
             "rhythm piano score fans record",
}
def filler(n_words: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """``n_words`` made-up two-syllable words, and how often each is used (Zipf's law:
    the r-th most common one in proportion to 1 / r), as in any language's text."""
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    pairs = rng.choice(len(syllables) ** 2, size=n_words, replace=False)
    words = np.array([syllables[i // len(syllables)] + syllables[i % len(syllables)]
                      for i in pairs])
    frequency = 1.0 / np.arange(1, n_words + 1)
    return words, frequency / frequency.sum()


def corpus(n_docs: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """``n_docs`` documents of 20 to 60 words, about one in eight from the topic."""
    rng = np.random.default_rng(seed)
    topics = [t.split() for t in TOPICS.values()]
    common, frequency = filler(3000, rng)
    y = rng.integers(0, len(topics), size=n_docs)
    docs = []
    for c in y:
        n = int(rng.integers(20, 61))
        words = np.where(rng.random(n) < 0.12, rng.choice(topics[c], size=n),
                         rng.choice(common, size=n, p=frequency))
        docs.append(" ".join(words))
    return docs, np.array(list(TOPICS))[y]


def run(quick: bool = False, out: Path = OUT) -> dict:
    docs, labels = corpus(1000 if quick else 4000)
    docs_train, docs_test, y_train, y_test = train_test_split(docs, labels, test_size=0.25,
                                                              random_state=0, stratify=labels)
    vectorizer = TfidfVectorizer()
    X_train = vectorizer.fit_transform(docs_train)  # scipy.sparse CSR, float64
    X_test = vectorizer.transform(docs_test)
    words = vectorizer.get_feature_names_out()
    results = {"shape": X_train.shape, "density": X_train.nnz / np.prod(X_train.shape)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        linear = NeuralNetClassifier(hidden=(), lr=0.05, epochs=30 if quick else 100,
                                     random_state=0).fit(X_train, y_train)
        mlp = NeuralNetClassifier(hidden=(32,), lr=1e-2, epochs=20 if quick else 50,
                                  random_state=0).fit(X_train, y_train)
    results["accuracy"] = {"linear": linear.score(X_test, y_test),
                           "32 hidden": mlp.score(X_test, y_test)}
    W = linear.coefs_[0]  # (n_words, n_classes)
    top = {c: [words[i] for i in np.argsort(W[:, k])[::-1][:8]]
           for k, c in enumerate(linear.classes_)}
    results["top_words"] = top
    fig, axes = plt.subplots(1, len(top), figsize=(3.0 * len(top), 3.2), layout="constrained")
    for ax, (k, c) in zip(axes, enumerate(linear.classes_)):
        order = np.argsort(W[:, k])[::-1][:8]
        ax.barh(range(8)[::-1], W[order, k], color=plots.CLASS_COLOURS[k])
        ax.set_yticks(range(8)[::-1], [words[i] for i in order], fontsize=8)
        ax.set_title(c, fontsize=10)
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle(f"TF-IDF {X_train.shape[0]} x {X_train.shape[1]} "
                 f"({100 * results['density']:.1f}% non-zero), the largest weights of "
                 f"coefs_[0] per class; test accuracy {results['accuracy']['linear']:.3f} "
                 f"(linear), {results['accuracy']['32 hidden']:.3f} (32 hidden)", fontsize=9)
    out.mkdir(parents=True, exist_ok=True)
    plots.save_figure(fig, out / "sparse_text.png")
    print(f"test accuracy {results['accuracy']}; wrote {out / 'sparse_text.png'}")
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer documents and epochs")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the figure")
    args = parser.parse_args(argv)
    run(args.quick, args.out)


if __name__ == "__main__":
    main()
