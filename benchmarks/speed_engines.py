"""The engines that ``bench_speed.py`` races, each behind one small interface.

An engine is built for a network shape, a batch size and a training set, and
``epoch()`` trains one pass over that set and returns its seconds (training
only: no evaluation, no input checks of the caller's). The engines:

- ``nnlearn``: a run from ``nnlearn.assembly.assemble``: ``NumpyBackend``
  (``numba=True``: with the fused optimiser kernels), or ``TorchBackend``
  (``backend="torch"``).
- ``torch``: a plain PyTorch loop on preloaded tensors, the way a tutorial
  writes it: ``randperm``, ``index_select``, ``zero_grad``, ``cross_entropy``,
  ``backward``, ``step``, the loss summed on the device (no sync per step).
- ``sklearn``: ``MLPClassifier.partial_fit`` (one epoch a call), with
  ``assume_finite`` so that it does not check its input at every epoch.

Every engine starts from the same initial weights where it can (nnlearn's and
torch's; scikit-learn draws its own) and uses Adam (1e-3 unless told).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from nnlearn.assembly import Seeds, assemble
from nnlearn.engine import fused, mlp, resnet


def build_network(shape: dict, n_in: int, n_out: int, seed: int):
    """``shape``: ``{"kind": "mlp", "hidden": [32]}`` or ``{"kind": "resnet", "width",
    "depth"}``."""
    if shape["kind"] == "mlp":
        return mlp(n_in, shape["hidden"], n_out, seed=seed)
    return resnet(n_in, shape["width"], shape["depth"], n_out, seed=seed)


class NnlearnEngine:
    def __init__(self, shape, X, y, batch, *, lr=1e-3, seed=0, backend="numpy", numba=False,
                 optimizer="adam", schedule="constant", epochs=1):
        self.X, self.y, self.numba = X, y, numba
        net = build_network(shape, X.shape[1], int(y.max()) + 1, seed)
        run = assemble(None, {"optimizer": optimizer, "lr": lr, "batch_size": batch,
                              "epochs": epochs, "schedule": schedule, "backend": backend,
                              "device": "cpu"}, seeds=Seeds.same(seed), network=net)
        self.backend, self.trainer, self.config = run.backend, run.trainer, run.config

    def epoch(self) -> float:
        """One epoch; the loop's own clock, which starts after ``fit`` has checked X."""
        fused.enable(self.numba)
        try:
            return float(self.trainer.fit(self.X, self.y)["time"][-1])
        finally:
            fused.enable(None)

    def accuracy(self, X, y) -> float:
        return float(self.backend.evaluate(X, y)[1])


class TorchEngine:
    """A plain PyTorch loop (nn.Sequential for MLPs; nnlearn's twin module for ResNets)."""

    def __init__(self, shape, X, y, batch, *, lr=1e-3, seed=0, schedule="constant", epochs=1,
                 optimizer="adam"):
        import torch
        from torch import nn

        from nnlearn.torch import to_torch
        self.torch = torch
        net = build_network(shape, X.shape[1], int(y.max()) + 1, seed)
        if shape["kind"] == "mlp":
            layers = []
            for layer in net.layers:
                lin = nn.Linear(layer.n_in, layer.n_out)
                with torch.no_grad():
                    lin.weight.copy_(torch.from_numpy(layer.W))
                    lin.bias.copy_(torch.from_numpy(layer.b))
                layers += [lin, nn.ReLU()]
            self.model = nn.Sequential(*layers[:-1])
        else:
            self.model = to_torch(net, "cpu")
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)
        self.batch = batch
        self.opt = (torch.optim.Adam(self.model.parameters(), lr=lr) if optimizer == "adam" else
                    torch.optim.SGD(self.model.parameters(), lr=lr, momentum=0.9,
                                    nesterov=optimizer == "nesterov"))
        steps = epochs * -(-len(y) // batch)
        self.sched = (torch.optim.lr_scheduler.CosineAnnealingLR(self.opt, steps)
                      if schedule == "cosine" else None)
        self.gen = torch.Generator().manual_seed(seed)

    def epoch(self) -> float:
        torch, F = self.torch, self.torch.nn.functional
        t0 = time.perf_counter()
        self.model.train()
        order = torch.randperm(len(self.y), generator=self.gen)
        total = torch.zeros(())
        for start in range(0, len(self.y), self.batch):
            idx = order[start:start + self.batch]
            xb, yb = self.X.index_select(0, idx), self.y.index_select(0, idx)
            self.opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(self.model(xb), yb)
            loss.backward()
            self.opt.step()
            if self.sched is not None:
                self.sched.step()
            total += loss.detach()
        float(total)  # one sync at the end, as a loop that reports its epoch loss
        return time.perf_counter() - t0

    def accuracy(self, X, y) -> float:
        torch = self.torch
        self.model.eval()
        with torch.inference_mode():
            pred = self.model(torch.from_numpy(X)).argmax(1).numpy()
        return float(np.mean(pred == y))


class SklearnEngine:
    def __init__(self, shape, X, y, batch, *, lr=1e-3, seed=0, optimizer="adam"):
        from sklearn.neural_network import MLPClassifier
        if shape["kind"] != "mlp":
            raise NotImplementedError("scikit-learn has no residual networks")
        self.clf = MLPClassifier(hidden_layer_sizes=tuple(shape["hidden"]),
                                 solver="adam" if optimizer == "adam" else "sgd",
                                 momentum=0.9, nesterovs_momentum=optimizer == "nesterov",
                                 learning_rate_init=lr, batch_size=batch, alpha=0.0,
                                 shuffle=True, random_state=seed)
        self.X, self.y, self.classes = X, y, np.unique(y)

    def epoch(self) -> float:
        import sklearn
        from sklearn.exceptions import ConvergenceWarning
        with warnings.catch_warnings(), sklearn.config_context(assume_finite=True):
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            self.clf.partial_fit(self.X, self.y, classes=self.classes)
            return time.perf_counter() - t0

    def accuracy(self, X, y) -> float:
        return float(self.clf.score(X, y))


ENGINES = {
    "nnlearn": lambda *a, **k: NnlearnEngine(*a, **k),
    "nnlearn+numba": lambda *a, **k: NnlearnEngine(*a, numba=True, **k),
    "nnlearn-torch": lambda *a, **k: NnlearnEngine(*a, backend="torch", **k),
    "torch": lambda *a, **k: TorchEngine(*a, **k),
    "sklearn": lambda *a, **k: SklearnEngine(*a, **k),
}


# -- the GEMM bound ------------------------------------------------------------------------

def step_gemms(network, m: int) -> list[tuple[int, int, int]]:
    """``(rows, inner, cols)`` of every matrix product of one training step on ``m`` rows.

    A Dense layer: ``F W^T`` forward, ``dZ^T F`` for ``dL/dW`` and, above the
    first layer, ``dZ W`` for ``dL/df``. A residual block has two of each.
    """
    shapes = []
    for k, layer in enumerate(network.layers):
        mats = [p for name, p in layer.params.items() if p.ndim == 2]
        for W in mats:
            n_out, n_in = W.shape
            shapes.append((m, n_in, n_out))  # forward
            shapes.append((n_out, m, n_in))  # dL/dW
            if k > 0:
                shapes.append((m, n_out, n_in))  # W^T dL/dz
    return shapes


def gemm_seconds(shapes, dtype=np.float32, min_time=0.2, seed=0) -> float:
    """Seconds of one pass over the products ``shapes``, each timed in a tight loop
    on preallocated arrays (the best of three loops: the machine's speed, not its noise)."""
    rng = np.random.default_rng(seed)
    total = 0.0
    for r, inner, c in shapes:
        A = rng.random((r, inner), dtype=dtype)
        B = rng.random((inner, c), dtype=dtype)
        out = np.empty((r, c), dtype=dtype)
        np.matmul(A, B, out=out)
        reps = max(3, int(min_time / 3 / max(2e-6, _once(A, B, out))))
        best = min(_loop(A, B, out, reps) for _ in range(3))
        total += best
    return total


def _once(A, B, out):
    t0 = time.perf_counter()
    np.matmul(A, B, out=out)
    return time.perf_counter() - t0


def _loop(A, B, out, reps):
    t0 = time.perf_counter()
    for _ in range(reps):
        np.matmul(A, B, out=out)
    return (time.perf_counter() - t0) / reps
