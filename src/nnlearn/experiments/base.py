"""What every experiment shares: its scope, its result record, and one training task.

An experiment is many independent trainings (seeds, sizes, depths). Each is a
``Task``: a small picklable description that ``train(task)`` turns into a
plain result (history, accuracies, gradient norms, parameters). A task loads
its own data where it runs (memory-mapped, so cheaply), which is what lets
``Runner`` send it to a joblib worker or to a Dask cluster unchanged. The
same task gives the same numbers wherever it runs: every random draw comes
from the task's seeds, and BLAS runs with the thread count the runner sets.
"""

from __future__ import annotations

import functools
import time
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

from ..backends import make_backend
from ..data import load, shift, subset
from ..data.transforms import RandomShift
from ..engine import make_optimizer
from ..engine.losses import evaluate_logits
from ..spec import NetworkSpec
from ..training import TrainConfig, Trainer

#: The lecture's claims are accuracies on whole percents; within this the verdict is "reproduced".
TOLERANCE = 0.01


@dataclass
class Scope:
    """What the whole reproduction runs on.

    ``quick`` trains on subsets for a few epochs (the tests, a first look);
    ``seeds`` is how many seeds (0, 1, ...) repeat each stochastic training.
    """

    data: str = "mnist"
    data_dir: str | None = None
    quick: bool = False
    seeds: int = 3

    @property
    def seed_list(self) -> list[int]:
        return list(range(self.seeds))

    @property
    def prefix(self) -> str:
        """Claim ids start with the data set's name: ``mnist_...``, ``fashion_mnist_...``."""
        return self.data.replace("-", "_")


@dataclass
class Record:
    """What an experiment measured: JSON-ready ``results``, ``arrays`` for its figures
    (not written to ``results.json``), the ``claims`` it settles and its ``recipe``."""

    name: str
    title: str
    lecture: str
    recipe: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)
    claims: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0
    skipped: str | None = None

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "arrays"}


def claim(id_, text, lecture, values, *, tolerance=TOLERANCE, note="", verdict=None,
          unit="fraction") -> dict:
    """One row of the claims table: the lecture's number beside our mean and spread.

    ``values`` holds one number per seed; the spread is their standard deviation
    (0 for one seed). Without an explicit ``verdict``, it is "reproduced" when
    ``|mean - lecture| <= tolerance``.
    """
    values = [float(v) for v in values]
    ours = float(np.mean(values)) if values else None
    spread = float(np.std(values)) if len(values) > 1 else 0.0
    if verdict is None:
        verdict = ("skipped" if ours is None else
                   "reproduced" if lecture is not None and abs(ours - lecture) <= tolerance
                   else "differs")
    return {"id": id_, "claim": text, "lecture": lecture, "ours": ours, "spread": spread,
            "seeds": len(values), "values": values, "tolerance": tolerance, "unit": unit,
            "verdict": verdict, "note": note}


# -- one training ------------------------------------------------------------------------

@dataclass(frozen=True)
class Task:
    """One training run, described by value so that it can travel to any worker.

    Data: ``data`` loaded with ``data_dir``; ``n_train`` / ``n_test`` keep a
    stratified subset (drawn with ``subset_seed``). Inputs are pixels scaled to
    [0, 1] as ``nnlearn.data`` loads them. Model: ``mlp`` (eq. 1) with widths
    ``hidden``, or ``resnet`` (eq. 6) of ``width`` and ``depth`` blocks.
    """

    data: str = "mnist"
    data_dir: str | None = None
    n_train: int | None = None
    n_test: int | None = None
    subset_seed: int = 0
    architecture: str = "mlp"
    hidden: tuple = (32,)
    width: int = 32
    depth: int = 2
    activation: str = "relu"
    optimizer: str = "adam"
    lr: float = 1e-3
    schedule: str = "constant"
    batch_size: int | None = 128
    epochs: int = 10
    augment_shift: int = 0
    seed: int = 0
    backend: str = "numpy"
    grad_norms: bool = False  # record |dL/dz_k| per layer at initialisation and after training
    keep_parameters: bool = False
    threads: int = 1  # BLAS (and torch) threads while this task runs

    def key(self, **changes) -> str:
        return repr(sorted({**asdict(self), **changes}.items()))


@functools.lru_cache(maxsize=3)
def load_data(name, data_dir, n_train, n_test, subset_seed):
    """The data set of a task, cached per process (a worker reuses it for its next task)."""
    data = load(name, data_dir=data_dir)
    if n_train is not None and n_train < len(data.y_train):
        data.X_train, data.y_train = subset(data.X_train, data.y_train, n_train, subset_seed)
    if n_test is not None and n_test < len(data.y_test):
        data.X_test, data.y_test = subset(data.X_test, data.y_test, n_test, subset_seed)
    return data


def network_spec(task: Task, n_in: int, n_out: int) -> NetworkSpec:
    """The network a task trains: an mlp of widths ``hidden`` or a resnet of
    ``width`` and ``depth`` blocks."""
    sizes = {"hidden": task.hidden} if task.architecture == "mlp" else {
        "width": task.width, "depth": task.depth}
    return NetworkSpec(n_in, n_out, architecture=task.architecture, activation=task.activation,
                       **sizes)


def _grad_norms(network, X, y) -> list[float]:
    """``|dL/dz_k|`` per weight layer on ``(X, y)``, Theorem 1's backward pass (mean loss)."""
    network.loss_and_gradients(X, y, train=False)
    return [float(v) for v in network.grad_norms()]


def train(task: Task) -> dict:
    """Run ``task``: build, train with the ``Trainer``, evaluate. Returns plain values."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(task.threads):
        if task.backend == "torch":
            import torch
            torch.set_num_threads(task.threads)
        data = load_data(task.data, task.data_dir, task.n_train, task.n_test, task.subset_seed)
        network = network_spec(task, data.n_features, data.n_classes).build(task.seed)
        out: dict = {"n_train": len(data.y_train), "n_test": len(data.y_test)}
        probe = slice(0, min(1000, len(data.y_train)))  # a fixed batch for gradient norms
        if task.grad_norms:
            out["grad_norms_init"] = _grad_norms(network, data.X_train[probe],
                                                 data.y_train[probe])
        backend = make_backend(task.backend, network, make_optimizer(task.optimizer),
                               device="cpu", seed=task.seed)
        trainer = Trainer(backend, TrainConfig(
            epochs=task.epochs, batch_size=task.batch_size, lr=task.lr, schedule=task.schedule,
            seed=task.seed, progress=False))
        transform = (RandomShift(task.augment_shift, image_shape=data.image_shape)
                     if task.augment_shift else None)
        t0 = time.perf_counter()
        # a warning (a deep plain sigmoid network that learns nothing is expected here) is
        # kept with the result instead of being printed by whichever worker ran the task
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            history = trainer.fit(data.X_train, data.y_train,
                                  validation_data=(data.X_test, data.y_test),
                                  transform=transform)
        out["seconds"] = time.perf_counter() - t0
        out["warnings"] = sorted({str(w.message) for w in caught})
        trained = backend.get_network()
        out["train_loss"], out["train_accuracy"] = evaluate_logits(
            trained.predict_logits(data.X_train), data.y_train)
        out["test_loss"], out["test_accuracy"] = evaluate_logits(
            trained.predict_logits(data.X_test), data.y_test)
        out["history"] = {k: [float(v) for v in history[k]]
                          for k in ("epoch", "train_loss", "train_accuracy", "val_loss",
                                    "val_accuracy")}
        if task.grad_norms:
            out["grad_norms_trained"] = _grad_norms(trained, data.X_train[probe],
                                                    data.y_train[probe])
        if task.keep_parameters:
            out["parameters"] = {k: np.array(v) for k, v in trained.parameters().items()}
            out["spec"] = trained.spec()
        return out


# -- evaluation on shifted images --------------------------------------------------------

DIRECTIONS = {"right": (1, 0), "left": (-1, 0), "down": (0, 1), "up": (0, -1),
              "down-right": (1, 1)}


def shifted_test_images(data, pixels: int, direction: str = "right"):
    """The test images moved ``pixels`` in ``direction`` (zero fill), as flat rows."""
    ux, uy = DIRECTIONS[direction]
    if pixels == 0:
        return data.X_test
    with warnings.catch_warnings():
        # the curve goes on to shifts that push small images (8x8 digits) half out of
        # frame on purpose: measuring that is the point, so no warning about it
        warnings.filterwarnings("ignore", message="a shift of .* out of its")
        return shift(data.X_test, ux * pixels, uy * pixels, image_shape=data.image_shape)


def confusion(y_true, y_pred, k: int) -> np.ndarray:
    """``C[i, j]``: how many images of class ``i`` were predicted as ``j``."""
    return np.bincount(np.asarray(y_true) * k + np.asarray(y_pred), minlength=k * k).reshape(k, k)


def mean_spread(values) -> dict:
    values = [float(v) for v in values]
    return {"mean": float(np.mean(values)), "spread": float(np.std(values)), "values": values}
