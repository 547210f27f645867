"""How ``weight_decay`` changes the decision regions.

nnlearn's take on scikit-learn's gallery example "Varying regularization in
Multi-layer Perceptron", written anew. The same network (two hidden layers of
32) is trained on three of nnlearn's toy sets with a growing L2 penalty: each
step adds ``weight_decay * W`` to every parameter's gradient, pulling the
weights towards 0. Small weights make a smoother function, so the boundary
loses its wiggles and, with too much decay, the detail it needs.

    python examples/weight_decay_regions.py
    python examples/weight_decay_regions.py --quick     # fewer points and epochs

Writes ``weight_decay_<data>.png`` into ``--out`` (default ``docs/examples``).
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from nnlearn import NeuralNetClassifier, plots
from nnlearn.data import load
from nnlearn.errors import TrainingWarning

OUT = Path(__file__).resolve().parents[1] / "docs" / "examples"
DECAYS = (0.0, 0.001, 0.01, 0.1)
DATA = ("moons", "rings", "spirals")


def run(quick: bool = False, out: Path = OUT) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    norms: dict = {}
    for name in DATA[:1] if quick else DATA:
        data = load(name, n_train=150 if quick else 400, seed=1)
        X, y = data.X_train, data.y_train
        networks = {}
        for decay in DECAYS:
            clf = NeuralNetClassifier(hidden=(32, 32), lr=1e-2, batch_size=50,
                                      epochs=40 if quick else 300, weight_decay=decay,
                                      random_state=0)
            with warnings.catch_warnings():
                # Too much decay learns nothing: the panel's accuracy says so.
                warnings.simplefilter("ignore", ConvergenceWarning)
                warnings.simplefilter("ignore", TrainingWarning)
                clf.fit(X, y)
            label = f"weight_decay {decay:g}: accuracy {clf.score(X, y):.2f}"
            networks[label] = clf.network_
            norms[(name, decay)] = float(sum(np.sum(c.astype(float) ** 2) for c in clf.coefs_))
        fig = plots.decision_regions(networks, X, y, classes=data.classes, ncols=4,
                                     title=f"{name}: the same network, more weight decay")
        plots.save_figure(fig, out / f"weight_decay_{name}.png")
        print(f"wrote {out / f'weight_decay_{name}.png'}")
    return {"squared_weight_norms": norms}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one data set, fewer epochs")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the figures")
    args = parser.parse_args(argv)
    run(args.quick, args.out)


if __name__ == "__main__":
    main()
