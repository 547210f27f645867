"""Training curves of each optimiser, from ``loss_curve_``.

nnlearn's take on scikit-learn's gallery example "Compare Stochastic learning
strategies for MLPClassifier", written anew. The same 64-32-10 network starts
from the same weights on the 8x8 digits and is trained by each of nnlearn's
optimisers at its own default learning rate (``DEFAULT_LR``), in batches of
200, and by full-batch L-BFGS, whose ``loss_curve_`` has one entry per
iteration (each a pass over the whole set, like an epoch).

    python examples/optimizer_curves.py
    python examples/optimizer_curves.py --quick       # fewer epochs

Writes ``optimizer_curves.png`` into ``--out`` (default ``docs/examples``).
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning

from nnlearn import NeuralNetClassifier, plots
from nnlearn.data import load
from nnlearn.plots.base import plt

OUT = Path(__file__).resolve().parents[1] / "docs" / "examples"
OPTIMIZERS = ("gd", "momentum", "nesterov", "adam", "lbfgs")


def run(quick: bool = False, out: Path = OUT) -> dict:
    data = load("digits")
    curves, accuracy = {}, {}
    for name in OPTIMIZERS:
        clf = NeuralNetClassifier(hidden=(32,), optimizer=name, epochs=15 if quick else 150,
                                  patience=None, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(data.X_train, data.y_train)
        curves[name], accuracy[name] = clf.loss_curve_, clf.score(data.X_test, data.y_test)
    fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
    for name, curve in curves.items():
        ax.plot(range(1, len(curve) + 1), curve,
                label=f"{name} (test accuracy {accuracy[name]:.3f})")
    ax.set_yscale("log")
    ax.set_xlabel("epoch (lbfgs: iteration over the whole set)")
    ax.set_ylabel("mean training loss, eq. (7)")
    ax.set_title("digits, 64-32-10: loss_curve_ of each optimizer")
    ax.legend(fontsize=8)
    out.mkdir(parents=True, exist_ok=True)
    plots.save_figure(fig, out / "optimizer_curves.png")
    print("\n".join(f"{k:9s} {len(v):4d} epochs, last loss {v[-1]:.4f}, test accuracy "
                    f"{accuracy[k]:.3f}" for k, v in curves.items()))
    return {"curves": curves, "accuracy": accuracy}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the figure")
    args = parser.parse_args(argv)
    run(args.quick, args.out)


if __name__ == "__main__":
    main()
