"""Train a network on a named data set and write what a person wants to see.

This is the Python API behind ``nnlearn train``: ``run(RunConfig(...))`` loads
the data, fills every training option not given from the data set's recipe
(``nnlearn.recipes``), builds the network, trains it (keeping snapshots),
evaluates it, and ``write_outputs`` writes the model, the training state, the
history, the metrics and the figures. ``load_run(DIR)`` reads such a folder
back so that ``run`` can continue it. The command line only parses options.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from .backends import make_backend
from .data import image_shape_of, load, standardize
from .engine import make_optimizer, mlp, resnet
from .errors import ModelFileError
from .fileio import write_text
from .recipes import RECIPE_OPTIONS, resolve
from .training import History, Snapshots, TrainConfig, Trainer, load_model, save_model
from .training.state import load_training_state, save_training_state

STATE_FILE = "training_state.npz"
DEFAULT_HIDDEN = (32,)
DEFAULT_WIDTH, DEFAULT_DEPTH = 32, 2


@dataclass
class RunConfig:
    """Everything that defines a run. ``None`` means "not given": the recipe
    options (optimizer, lr, batch_size, epochs/iterations, schedule, standardize) then come
    from the data set's recipe, and the sizes from the defaults above.
    ``batch_size="full"`` trains on the whole set in every step (eq. 2)."""

    data: str = "rings"
    data_dir: str | None = None
    data_seed: int = 0
    n_train: int | None = None  # toy data: points drawn; else a stratified subset
    n_test: int | None = None
    architecture: str = "mlp"  # "mlp" (eq. 1) or "resnet" (eq. 6)
    hidden: tuple[int, ...] | None = None  # mlp only
    width: int | None = None  # resnet only
    depth: int | None = None
    activation: str | tuple[str, ...] = "relu"
    dropout: float = 0.0
    init: str | None = None
    dtype: str = "float32"
    optimizer: str | None = None
    lr: float | None = None
    momentum: float = 0.9
    weight_decay: float = 0.0
    schedule: str | None = None
    batch_size: int | str | None = None
    epochs: int | None = None
    iterations: int | None = None
    snapshots: tuple[int, ...] = ()
    record_iterations: bool = False
    augment_shift: int = 0  # image data: random shifts of up to this many pixels
    seed: int = 0
    backend: str = "numpy"
    device: str = "auto"
    progress: bool | None = None
    model_format: str = "npz"
    label: str | None = None  # CSV files: the label column, by name or index (default: last)
    delimiter: str | None = None  # CSV files: one character or "tab" (default: by suffix)
    header: bool | None = None  # CSV files: whether line 1 names the columns (default: detect)
    standardize: bool | None = None  # scale features by the training part's mean and std

    def check(self) -> None:
        """Refuse options that contradict each other, rather than drop one silently."""
        if self.epochs is not None and self.iterations is not None:
            raise ValueError("give epochs or iterations, not both")
        if self.architecture == "resnet" and self.hidden is not None:
            raise ValueError("--hidden sets the layers of an mlp; a resnet is sized by "
                             "--width and --depth")
        if self.architecture == "mlp" and (self.width is not None or self.depth is not None):
            raise ValueError("--width and --depth size a resnet; an mlp's layers are --hidden "
                             "(or give --architecture resnet)")
        if self.architecture not in ("mlp", "resnet"):
            raise ValueError(f"unknown architecture {self.architecture!r}; choose mlp or resnet")


@dataclass
class RunResult:
    config: RunConfig
    network: object
    history: object
    metrics: dict
    snapshots: dict = field(default_factory=dict)
    dataset: object = None
    trainer: object = None
    sources: dict = field(default_factory=dict)  # where each recipe option came from


@dataclass
class Resume:
    """A run read back by ``load_run``: what ``run`` needs to continue it."""

    network: object
    trainer_state: dict
    optimizer_state: dict
    history: History
    extend: bool = False  # True: a new plan of iterations; False: the rest of the old plan

    @property
    def done(self) -> int:
        return int(self.trainer_state["iteration"])


def build_network(cfg: RunConfig, n_in: int, n_out: int):
    """The network the configuration describes, with weights drawn from ``cfg.seed``."""
    common = dict(activation=cfg.activation, dropout=cfg.dropout, init=cfg.init,
                  seed=cfg.seed, dtype=np.dtype(cfg.dtype))
    if cfg.architecture == "mlp":
        return mlp(n_in, DEFAULT_HIDDEN if cfg.hidden is None else cfg.hidden, n_out, **common)
    return resnet(n_in, cfg.width or DEFAULT_WIDTH,
                  DEFAULT_DEPTH if cfg.depth is None else cfg.depth, n_out, **common)


def _data_options(cfg: RunConfig) -> dict:
    options = {"seed": cfg.data_seed}
    for name in ("data_dir", "n_train", "n_test",
                 "label", "delimiter", "header"):  # the last three: CSV files only
        if getattr(cfg, name) is not None:
            options[name] = getattr(cfg, name)
    return options


def _check_snapshots(cfg: RunConfig, data, last: int) -> None:
    if not cfg.snapshots:
        return
    if data.n_features != 2:
        raise ValueError(f"--snapshots draws decision regions, which need 2-D data; "
                         f"{data.name} has {data.n_features} features")
    if max(cfg.snapshots) > last:
        raise ValueError(f"snapshot at iteration {max(cfg.snapshots)} is past the last "
                         f"iteration ({last}) of this run")


def _augmentation(cfg: RunConfig, data):
    if not cfg.augment_shift:
        return None
    shape = image_shape_of(data.n_features, data.image_shape)  # flat squares are images
    if shape is None:
        raise ValueError(f"--augment-shift needs image data; {data.name} is not images")
    from .data.transforms import RandomShift
    return RandomShift(cfg.augment_shift, image_shape=shape)


def settle(cfg: RunConfig) -> tuple[RunConfig, dict]:
    """Check ``cfg`` and fill its recipe options; returns it and where each came from."""
    cfg.check()
    settings, sources = resolve({k: getattr(cfg, k) for k in RECIPE_OPTIONS}, cfg.data)
    return RunConfig(**{**asdict(cfg), **settings}), sources


def run(cfg: RunConfig, callbacks=(), *, resume: Resume | None = None,
        sources: dict | None = None) -> RunResult:
    """Load, build, train and evaluate as ``cfg`` says; nothing is written.

    ``callbacks`` are added to the training loop's (after the snapshots).
    With ``resume`` (from ``continue_run``) training continues that run: its
    network, optimiser state, random stream and history. ``sources`` comes with
    a ``cfg`` already ``settle``d; without it ``run`` settles ``cfg`` itself.
    """
    cfg, sources = settle(cfg) if sources is None else (cfg, sources)
    data = load(cfg.data, **_data_options(cfg))
    batch_size = None if cfg.batch_size == "full" else cfg.batch_size
    m = len(data.y_train)
    planned = cfg.iterations or cfg.epochs * math.ceil(m / min(batch_size or m, m))
    _check_snapshots(cfg, data, (resume.done if resume else 0) + planned)
    transform = _augmentation(cfg, data)
    if resume is None:
        network = build_network(cfg, data.n_features, data.n_classes)
    else:
        network = resume.network
        if (network.n_in, network.n_out) != (data.n_features, data.n_classes):
            raise ValueError(f"the saved network maps {network.n_in} inputs to {network.n_out} "
                             f"classes; {data.name} has {data.n_features} and {data.n_classes}")
    # How the data was loaded (not where: data_dir is this machine's), so that
    # nnlearn evaluate can find the same test part again.
    source = {"data": str(cfg.data), "options": {k: v for k, v in _data_options(cfg).items()
                                                 if k != "data_dir"}}
    network.metadata = {"classes": np.asarray(data.classes).tolist(), "data": data.name,
                        "source": source}
    if cfg.standardize:  # learnt on the training part; kept for predict as plain lists
        data, scaler = standardize(data)
        network.metadata["standardize"] = scaler.to_dict()
    optimizer = make_optimizer(cfg.optimizer, momentum=cfg.momentum,
                               weight_decay=cfg.weight_decay)
    backend = make_backend(cfg.backend, network, optimizer, device=cfg.device, seed=cfg.seed)
    snapshots = Snapshots(cfg.snapshots) if cfg.snapshots else None
    trainer = Trainer(backend, TrainConfig(
        epochs=cfg.epochs, iterations=cfg.iterations, batch_size=batch_size, lr=cfg.lr,
        schedule=cfg.schedule, seed=cfg.seed, record_iterations=cfg.record_iterations,
        progress=cfg.progress), callbacks=[*([snapshots] if snapshots else []), *callbacks])
    if resume is not None:
        backend.load_optimizer_state(resume.optimizer_state)
        trainer.load_state_dict(resume.trainer_state, history=resume.history)
    t0 = time.perf_counter()
    history = trainer.fit(data.X_train, data.y_train, validation_data=(data.X_test, data.y_test),
                          transform=transform,
                          continue_schedule=resume is not None and not resume.extend)
    seconds = time.perf_counter() - t0
    train_loss, train_accuracy = backend.evaluate(data.X_train, data.y_train)
    test_loss, test_accuracy = backend.evaluate(data.X_test, data.y_test)
    metrics = {"data": data.name, "n_train": m, "n_test": len(data.y_test),
               "n_classes": data.n_classes, "n_parameters": network.n_parameters(),
               "iterations": trainer.iteration, "epochs": trainer.epoch,
               "train_seconds": round(seconds, 3),
               "train_loss": train_loss, "train_accuracy": train_accuracy,
               "test_loss": test_loss, "test_accuracy": test_accuracy,
               "interrupted": trainer.interrupted, "warnings": list(trainer.warnings)}
    result_network = backend.get_network()
    result_network.metadata = network.metadata
    return RunResult(cfg, result_network, history, metrics,
                     snapshots=snapshots.snapshots if snapshots else {}, dataset=data,
                     trainer=trainer, sources=sources)


def _config_json(cfg: RunConfig) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(cfg).items()}


def write_outputs(result: RunResult, out) -> dict[str, Path]:
    """Write the model, training state, history (CSV, JSON), metrics and figures into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cfg = result.config
    paths = {"model": out / f"model.{cfg.model_format}",
             "history_csv": out / "history.csv", "history_json": out / "history.json",
             "metrics": out / "metrics.json"}
    save_model(result.network, paths["model"])
    if result.trainer is not None:
        paths["state"] = save_training_state(out / STATE_FILE, result.trainer,
                                              optimizer_name=cfg.optimizer)
    result.history.to_csv(paths["history_csv"])
    result.history.to_json(paths["history_json"])
    if cfg.record_iterations:
        paths["iterations_csv"] = out / "iterations.csv"
        result.history.to_csv(paths["iterations_csv"], table="iterations")
    settings = {k: {"value": getattr(cfg, k), "from": result.sources.get(k, "you")}
                for k in RECIPE_OPTIONS}
    write_text(paths["metrics"], json.dumps({**result.metrics, "settings": settings,
                                             "config": _config_json(cfg)}, indent=2))

    from . import plots
    data = result.dataset
    title = f"{data.name if data else cfg.data}: {describe(cfg)}"
    if data is not None and data.n_features == 2:
        networks = result.snapshots or {result.metrics["iterations"]: result.network}
        fig = plots.decision_regions(networks, data.X_train, data.y_train,
                                     classes=data.classes, points="training",
                                     feature_names=data.info.get("features"), title=title)
        paths["figure"] = out / "decision_regions.png"
        plots.save_figure(fig, paths["figure"])
    paths["curves"] = out / "learning_curves.png"
    plots.save_figure(plots.learning_curves(result.history, title=title), paths["curves"])
    if cfg.record_iterations and result.history.iterations["iteration"]:
        paths["iterations"] = out / "iterations.png"
        plots.save_figure(plots.iteration_curves(result.history, title=title),
                          paths["iterations"])
    return paths


def load_run(folder) -> tuple[RunConfig, Resume]:
    """Read a run folder written by ``write_outputs``: its configuration, and what
    ``run(cfg, resume=...)`` needs to continue it (model, training state, history)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelFileError(f"{folder}: no such run folder")
    try:
        saved = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))["config"]
    except FileNotFoundError:
        raise ModelFileError(f"{folder}: no metrics.json; is this a folder written by "
                             f"nnlearn train?") from None
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ModelFileError(f"{folder / 'metrics.json'}: not a run description "
                             f"({err!r})") from None
    known = {f.name for f in fields(RunConfig)}
    unknown = set(saved) - known
    if unknown:
        raise ModelFileError(f"{folder / 'metrics.json'}: unknown settings {sorted(unknown)}")
    for name in ("hidden", "snapshots", "activation"):
        if isinstance(saved.get(name), list):
            saved[name] = tuple(saved[name])
    cfg = RunConfig(**saved)
    network = load_model(folder / f"model.{cfg.model_format}")
    header, optimizer_state = load_training_state(folder / STATE_FILE)
    if header.get("optimizer") != cfg.optimizer:
        raise ModelFileError(f"{folder / STATE_FILE}: holds {header.get('optimizer')!r} state; "
                             f"the run used {cfg.optimizer!r}")
    try:
        history = History.from_json(folder / "history.json")
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ModelFileError(f"{folder / 'history.json'}: cannot be read ({err!r})") from None
    return cfg, Resume(network, header["trainer"], optimizer_state, history)


def continue_run(folder, *, epochs=None, iterations=None) -> tuple[RunConfig, Resume]:
    """What ``run`` needs to continue the run in ``folder``: the rest of its plan
    (after an interruption), or ``epochs``/``iterations`` more when given."""
    cfg, resume = load_run(folder)
    if epochs is not None or iterations is not None:
        resume.extend = True
    else:
        state = resume.trainer_state
        end = int(state["schedule_origin"]) + int(state["schedule_total"])
        epochs, iterations = None, end - resume.done
        if iterations <= 0:
            raise ValueError(f"the run in {folder} is complete ({resume.done} iterations); "
                             f"give --epochs or --iterations to train it further")
    snapshots = tuple(i for i in cfg.snapshots if i > resume.done)  # earlier ones are gone
    cfg = RunConfig(**{**asdict(cfg), "epochs": epochs, "iterations": iterations,
                       "snapshots": snapshots})
    return cfg, resume


def describe(cfg: RunConfig) -> str:
    """The architecture in the lecture's words ("2-layer, 100 hidden units") and the
    optimiser, e.g. for figure titles."""
    if cfg.architecture == "resnet":
        depth = DEFAULT_DEPTH if cfg.depth is None else cfg.depth
        arch = f"ResNet, width {cfg.width or DEFAULT_WIDTH}, depth {depth}"
    else:
        hidden = DEFAULT_HIDDEN if cfg.hidden is None else cfg.hidden
        arch = (f"{len(hidden) + 1}-layer, {','.join(str(h) for h in hidden)} hidden units"
                if hidden else "linear (1 layer, no hidden units)")
    if cfg.optimizer is None:
        return arch
    batch = "full batch" if cfg.batch_size in (None, "full") else f"batch {cfg.batch_size}"
    return f"{arch}; {cfg.optimizer}, lr {cfg.lr:g}, {batch}"
