"""The first layer's weights drawn as images, read through ``coefs_``.

nnlearn's take on scikit-learn's gallery example "Visualization of MLP weights
on MNIST", written anew. ``coefs_[0]`` has shape ``(784, hidden)`` (scikit-learn's
layout): column ``j`` holds the 784 weights with which hidden unit ``j`` reads a
28x28 image, so reshaped it shows what the unit responds to (red: ink there
raises its input ``z_1(j)``, blue: lowers it). ``weight_decay`` pulls the weights
of pixels that never carry ink (their gradient is 0) towards 0, so the tiles
show strokes on grey.

    NNLEARN_DATA=../shared/datasets python examples/mnist_weights.py
    python examples/mnist_weights.py --quick        # 8x8 digits, seconds

Writes ``mnist_weights.png`` into ``--out`` (default ``docs/examples``).
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning

from nnlearn import NeuralNetClassifier, plots
from nnlearn.data import load
from nnlearn.plots.weights import hidden_units

OUT = Path(__file__).resolve().parents[1] / "docs" / "examples"


def images(quick: bool):
    """``(X_train, y_train, X_test, y_test, side)``: MNIST, or the 8x8 digits when quick
    or when MNIST cannot be found."""
    if not quick:
        try:
            data = load("mnist", n_train=20000)
            return data.X_train, data.y_train, data.X_test, data.y_test, 28
        except Exception as err:  # no copy here and no network: say so, and go on
            print(f"MNIST not available ({err}); using the 8x8 digits")
    data = load("digits")
    return data.X_train, data.y_train, data.X_test, data.y_test, 8


def run(quick: bool = False, out: Path = OUT) -> dict:
    X_train, y_train, X_test, y_test, side = images(quick)
    clf = NeuralNetClassifier(hidden=(16,), optimizer="sgd", lr=0.1, batch_size=100,
                              epochs=10 if quick else 15, weight_decay=1e-3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_train, y_train)
    accuracy = clf.score(X_test, y_test)
    W = clf.coefs_[0]  # (n_pixels, 16): one column per hidden unit
    tiles = W.T.reshape(-1, side, side)
    fig = hidden_units(tiles, ncols=8, title=(
        f"First-layer weights (coefs_[0]) of a {W.shape[0]}-16-10 network, "
        f"test accuracy {accuracy:.3f}"))
    out.mkdir(parents=True, exist_ok=True)
    plots.save_figure(fig, out / "mnist_weights.png")
    print(f"test accuracy {accuracy:.3f}; wrote {out / 'mnist_weights.png'}")
    return {"accuracy": accuracy, "tiles": tiles.shape, "side": side,
            "figure": out / "mnist_weights.png"}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the 8x8 digits, a few epochs")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the figure")
    args = parser.parse_args(argv)
    run(args.quick, args.out)


if __name__ == "__main__":
    main()
