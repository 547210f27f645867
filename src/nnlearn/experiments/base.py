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
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from ..assembly import Seeds, assemble
from ..data import Standardizer, load, shift, subset, train_val_split
from ..data.transforms import RandomShift
from ..engine.losses import evaluate_logits
from ..engine.scaling import fold_input_scaling
from ..errors import TrainingDiverged
from ..spec import NetworkSpec

#: The ratio the gradient and depth experiments measure, in TeX as the report writes it
#: (between dollars, ``nnlearn.report.maths``; absolute values without ``|``, which would
#: split a Markdown table's cell): Theorem 1's product from the last layer to the first.
GRADIENT_RATIO = (r"\lvert \partial\mathcal{L}/\partial z_1 \rvert"
                  r" / \lvert \partial\mathcal{L}/\partial z_L \rvert")


@dataclass
class Scope:
    """What the whole reproduction runs on.

    ``quick`` trains on subsets for a few epochs (the tests, a first look);
    ``seeds`` is how many seeds (0, 1, ...) repeat each stochastic training:
    at least 5 for a reproduction whose accuracy claims get a t-interval.
    """

    data: str = "mnist"
    data_dir: str | None = None
    quick: bool = False
    seeds: int = 5

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
    (not written to ``results.json``), the lecture's ``claims`` it settles, our own
    ``checks``, its ``recipe``, its ``choices`` (each ``{"what", "why"}``, fixed in code
    before it runs) and ``notes`` (paragraphs for the report). ``shared_explanation`` is
    what the explanations of its measurements have in common, which the report prints
    once, before them, rather than in each."""

    name: str
    title: str
    lecture: str
    recipe: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)
    arrays: dict = field(default_factory=dict)
    claims: list = field(default_factory=list)
    checks: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    choices: list = field(default_factory=list)
    seconds: float = 0.0
    skipped: str | None = None
    shared_explanation: str | None = None

    def to_json(self) -> dict:
        """The record as ``results.json`` keeps it under ``experiments.<name>``: its fields
        (not ``arrays``) with what it measured at the top level, so that a measure reads
        as ``experiments.hidden.rare_pixel_share``."""
        fields = {k: v for k, v in asdict(self).items() if k not in ("arrays", "results")}
        clash = sorted(set(fields) & set(self.results))
        if clash:
            raise ValueError(f"{self.name}: results may not be named {clash} (record fields)")
        return {**fields, **self.results}


# -- one training ------------------------------------------------------------------------

#: How a task's network sees the pixels: the value is the input scaling ``(mean, scale)``
#: as a function of the training rows, ``u = (x - mean) / scale`` (x in [0, 1] as loaded).
SCALINGS = {
    "unit": "pixels / 255, in [0, 1] (as loaded)",
    "standardize": "each pixel standardized with the training part's mean and standard "
                   "deviation (nnlearn.data.Standardizer; a constant pixel keeps scale 1)",
    "raw": "raw pixel values 0-255",
}
#: Training images held out for choosing recipes and epochs (stratified, seed 0).
VALIDATION_SEED = 0


@dataclass(frozen=True)
class Task:
    """One training run, described by value so that it can travel to any worker.

    Data: ``data`` loaded with ``data_dir``; ``n_train`` keeps a stratified
    training subset drawn with ``subset_seed`` (each seed its own), ``n_test``
    a stratified test subset drawn with seed 0 (one test set for every seed).
    ``validation > 0`` holds that many training images out (stratified, seed
    ``VALIDATION_SEED``): the task then trains on the rest, is measured on them
    after every epoch and never sees the test set. ``monitor_test`` measures the
    test set after every epoch, for a figure; nothing is chosen by it.
    ``input_scaling`` is a key of ``SCALINGS``; the network kept is folded to take
    [0, 1] pixels whatever it was trained on. Model: ``mlp`` (eq. 1) with widths
    ``hidden``, or ``resnet`` (eq. 6) of ``width`` and ``depth`` blocks.
    """

    data: str = "mnist"
    data_dir: str | None = None
    n_train: int | None = None
    n_test: int | None = None
    subset_seed: int = 0
    validation: int = 0
    monitor_test: bool = False
    input_scaling: str = "unit"
    architecture: str = "mlp"
    hidden: tuple = (32,)
    width: int = 32
    depth: int = 2
    activation: str = "relu"
    optimizer: str = "adam"
    lr: float = 1e-3
    weight_decay: float = 0.0
    schedule: str = "constant"
    batch_size: int | str = 128  # or "full"
    epochs: int = 10
    augment_shift: int = 0
    first_layer_gain: float = 1.0  # W_1 at initialisation times this (raw 0-255 inputs: 1/255)
    seed: int = 0
    backend: str = "numpy"
    grad_norms: bool = False  # record |dL/dz_k| per layer at initialisation and after training
    keep_parameters: bool = False
    threads: int = 1  # BLAS (and torch) threads while this task runs

    def key(self, **changes) -> str:
        return repr(sorted({**asdict(self), **changes}.items()))


@functools.lru_cache(maxsize=3)
def load_data(name, data_dir, n_train, n_test, subset_seed, validation=0):
    """The data set of a task, cached per process (a worker reuses it for its next task).

    With ``validation > 0`` the held-out training images take the place of the
    test set (``X_test``, ``y_test``), so that a search cannot see the real one.
    """
    data = load(name, data_dir=data_dir)
    if n_train is not None and n_train < len(data.y_train):
        data.X_train, data.y_train = subset(data.X_train, data.y_train, n_train, subset_seed)
    if n_test is not None and n_test < len(data.y_test):
        data.X_test, data.y_test = subset(data.X_test, data.y_test, n_test, 0)
    if validation:
        data.X_train, data.X_test, data.y_train, data.y_test = train_val_split(
            data.X_train, data.y_train, validation, seed=VALIDATION_SEED)
    return data


def input_scaling(kind: str, X_train) -> tuple[np.ndarray, np.ndarray] | None:
    """``(mean, scale)`` of ``u = (x - mean) / scale`` for ``SCALINGS[kind]``; None for [0, 1]."""
    if kind not in SCALINGS:
        raise ValueError(f"unknown input scaling {kind!r}; choose one of {', '.join(SCALINGS)}")
    if kind == "unit":
        return None
    if kind == "raw":
        n = X_train.shape[1]
        return np.zeros(n), np.full(n, 1 / 255)
    scaler = Standardizer().fit(X_train)
    return scaler.mean_, scaler.scale_


def network_spec(task: Task, n_in: int, n_out: int) -> NetworkSpec:
    """The network a task trains: an mlp of widths ``hidden`` or a resnet of
    ``width`` and ``depth`` blocks."""
    sizes = {"hidden": task.hidden} if task.architecture == "mlp" else {
        "width": task.width, "depth": task.depth}
    return NetworkSpec(n_in, n_out, architecture=task.architecture, activation=task.activation,
                       **sizes)


def task_settings(task: Task) -> dict:
    """The settings table's options of a task's training (``nnlearn.assembly``)."""
    return {"optimizer": task.optimizer, "lr": task.lr, "weight_decay": task.weight_decay,
            "schedule": task.schedule, "epochs": task.epochs, "backend": task.backend,
            "device": "cpu", "batch_size": task.batch_size}


def grad_norms(network, X, y) -> list[float]:
    """``|dL/dz_k|`` per weight layer on ``(X, y)`` (mean loss), Theorem 1's backward pass
    computed in float64: in float32 the deep sigmoid networks' ``dL/dz_1`` (about 1e-20)
    squares to below the smallest float32 and its norm would read 0."""
    net = network.astype(np.float64)
    net.loss_and_gradients(np.asarray(X, dtype=np.float64), y, train=False)
    return [float(v) for v in net.grad_norms()]


def train(task: Task) -> dict:
    """Run ``task``: build, train with the ``Trainer``, evaluate. Returns plain values."""
    from threadpoolctl import threadpool_limits

    cpu0 = time.process_time()  # this process's CPU time: what the task costs, whatever the load
    with threadpool_limits(task.threads):
        if task.backend == "torch":
            import torch
            torch.set_num_threads(task.threads)
        data = load_data(task.data, task.data_dir, task.n_train, task.n_test,
                         task.subset_seed, task.validation)
        scaling = input_scaling(task.input_scaling, data.X_train)

        def scaled(X):
            return X if scaling is None else ((X - scaling[0]) / scaling[1]).astype(np.float32)

        X_train, X_eval = scaled(data.X_train), scaled(data.X_test)
        network = network_spec(task, data.n_features, data.n_classes).build(task.seed)
        if task.first_layer_gain != 1.0:
            network.layers[0].params["W"] *= task.first_layer_gain
        evaluated = "validation" if task.validation else "test"
        out: dict = {"n_train": len(data.y_train), f"n_{evaluated}": len(data.y_test),
                     "evaluated": evaluated}
        probe = slice(0, min(1000, len(data.y_train)))  # a fixed batch for gradient norms
        if task.grad_norms:
            out["grad_norms_init"] = grad_norms(network, X_train[probe], data.y_train[probe])
        run = assemble(None, task_settings(task), seeds=Seeds.same(task.seed), network=network)
        backend, trainer = run.backend, run.trainer
        transform = (RandomShift(task.augment_shift, image_shape=data.image_shape)
                     if task.augment_shift else None)
        monitored = task.validation or task.monitor_test
        t0 = time.perf_counter()
        # a warning (a deep plain sigmoid network that learns nothing is expected here) is
        # kept with the result instead of being printed by whichever worker ran the task
        out["diverged"] = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                trainer.fit(X_train, data.y_train,
                            validation_data=(X_eval, data.y_test) if monitored else None,
                            transform=transform)
            except TrainingDiverged as err:  # an ablation's variant may: that is its result
                out["diverged"] = str(err)
        history = trainer.history
        out["seconds"] = time.perf_counter() - t0
        out["warnings"] = sorted({str(w.message) for w in caught})
        trained = backend.get_network()
        out["train_loss"], out["train_accuracy"] = evaluate_logits(
            trained.predict_logits(X_train), data.y_train)
        out[f"{evaluated}_loss"], out[f"{evaluated}_accuracy"] = evaluate_logits(
            trained.predict_logits(X_eval), data.y_test)
        # "val_*": the set measured after every epoch, the validation part or the test set
        out["history"] = {k: [float(v) for v in history[k]]
                          for k in ("epoch", "train_loss", "train_accuracy", "val_loss",
                                    "val_accuracy")}
        if task.grad_norms:
            out["grad_norms_trained"] = grad_norms(trained, X_train[probe], data.y_train[probe])
        if task.keep_parameters:
            kept = (trained if scaling is None else
                    fold_input_scaling(trained, scaling[0].tolist(), scaling[1].tolist()))
            out["parameters"] = {k: np.array(v) for k, v in kept.parameters().items()}
            out["spec"] = kept.layer_list()
        out["cpu_seconds"] = time.process_time() - cpu0
        return out


# -- evaluation on shifted images --------------------------------------------------------

DIRECTIONS = {"right": (1, 0), "left": (-1, 0), "down": (0, 1), "up": (0, -1),
              "down-right": (1, 1)}


def shifted_test_images(data, pixels: int, direction: str = "right", mode: str = "zero"):
    """The test images moved ``pixels`` in ``direction``, as flat rows: the vacated
    pixels set to 0 (``mode="zero"``, the frame padded) or the image wrapped around
    (``"roll"``)."""
    ux, uy = DIRECTIONS[direction]
    if pixels == 0:
        return data.X_test
    with warnings.catch_warnings():
        # the curve goes on to shifts that push small images (8x8 digits) half out of
        # frame on purpose: measuring that is the point, so no warning about it
        warnings.filterwarnings("ignore", message="a shift of .* out of its")
        return shift(data.X_test, ux * pixels, uy * pixels, mode=mode,
                     image_shape=data.image_shape)


def confusion(y_true, y_pred, k: int) -> np.ndarray:
    """``C[i, j]``: how many images of class ``i`` were predicted as ``j``."""
    return np.bincount(np.asarray(y_true) * k + np.asarray(y_pred), minlength=k * k).reshape(k, k)


def mean_sd(values) -> dict:
    """``{"mean", "sd", "per_seed"}`` of one number per seed; ``sd`` with ``ddof=1``
    (None for one seed)."""
    values = [float(v) for v in values]
    sd = float(np.std(values, ddof=1)) if len(values) > 1 else None
    return {"mean": float(np.mean(values)), "sd": sd, "per_seed": values}


def scope_notes(scope: Scope) -> list[str]:
    """What a reader must know about a number measured off the lecture's setting."""
    notes = []
    if scope.data != "mnist":
        notes.append(f"the lecture's claim about MNIST, tried on {scope.data}")
    if scope.quick:
        # no ";" inside a note: a row's notes are joined with "; "
        notes.append("--quick: a small subset, few epochs, not comparable")
    return notes


def judged(scope: Scope, numeric: bool) -> bool:
    """Whether a measurement gets a verdict: the lecture's numbers are MNIST's, so on other
    data a number is shown beside them without one; qualitative statements are judged."""
    return scope.data == "mnist" or not numeric


def other_data(scope: Scope) -> str:
    """The first sentence of every explanation off MNIST: the number is the lecture's
    claim tried on other data, so it is not expected to match."""
    if scope.data == "mnist":
        return ""
    return (f"The lecture's number is for MNIST; this is its claim tried on {scope.data}, "
            f"a different data set, so a different number is no failure to reproduce. ")


RECORD_FIELDS = tuple(f.name for f in fields(Record) if f.name not in ("arrays", "results"))


def measures(entry: dict) -> dict:
    """What an experiment measured, from its ``results.json`` entry (``Record.to_json``)."""
    return {k: v for k, v in entry.items() if k not in (*RECORD_FIELDS, "figures")}
