"""Train a network on a named data set and write what a person wants to see.

This is the Python API behind ``nnlearn train``: ``run(RunConfig(...))`` loads
the data, builds the network, trains it (keeping snapshots), evaluates it, and
``write_outputs`` writes the model, the history, the metrics and, for 2-D data,
the decision-region figure. The command line only parses options into a
``RunConfig``.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .data import load
from .engine import make_optimizer, mlp, resnet
from .fileio import write_text
from .backends import make_backend
from .training import Snapshots, TrainConfig, Trainer, save_model


@dataclass
class RunConfig:
    """Everything that defines a run; the defaults are the lecture's rings setting."""

    data: str = "rings"
    data_dir: str | None = None
    data_seed: int = 0
    n_train: int | None = None  # toy data only: points drawn for training / testing
    n_test: int | None = None
    architecture: str = "mlp"  # "mlp" (eq. 1) or "resnet" (eq. 6)
    hidden: tuple[int, ...] = (100,)
    width: int = 32  # resnet only
    depth: int = 2
    activation: str | tuple[str, ...] = "relu"
    dropout: float = 0.0
    init: str | None = None
    dtype: str = "float32"
    optimizer: str = "gd"
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 0.0
    schedule: str = "constant"
    batch_size: int | None = None
    epochs: int | None = None
    iterations: int | None = None
    snapshots: tuple[int, ...] = ()
    record_iterations: bool = False
    augment_shift: int = 0  # image data: random shifts of up to this many pixels
    seed: int = 0
    backend: str = "numpy"
    device: str = "cpu"
    progress: bool | None = None
    model_format: str = "npz"


@dataclass
class RunResult:
    config: RunConfig
    network: object
    history: object
    metrics: dict
    snapshots: dict = field(default_factory=dict)
    dataset: object = None


def build_network(cfg: RunConfig, n_in: int, n_out: int):
    """The network the configuration describes, with weights drawn from ``cfg.seed``."""
    common = dict(activation=cfg.activation, dropout=cfg.dropout, init=cfg.init,
                  seed=cfg.seed, dtype=np.dtype(cfg.dtype))
    if cfg.architecture == "mlp":
        return mlp(n_in, cfg.hidden, n_out, **common)
    if cfg.architecture == "resnet":
        return resnet(n_in, cfg.width, cfg.depth, n_out, **common)
    raise ValueError(f"unknown architecture {cfg.architecture!r}; choose mlp or resnet")


def _data_options(cfg: RunConfig) -> dict:
    options = {"seed": cfg.data_seed}
    if cfg.data_dir is not None:
        options["data_dir"] = cfg.data_dir
    if cfg.n_train is not None:
        options["n_train"] = cfg.n_train
    if cfg.n_test is not None:
        options["n_test"] = cfg.n_test
    return options


def run(cfg: RunConfig, callbacks=()) -> RunResult:
    """Load, build, train and evaluate as ``cfg`` says; nothing is written.

    ``callbacks`` are added to the training loop's (after the snapshots).
    """
    if cfg.snapshots and cfg.iterations and max(cfg.snapshots) > cfg.iterations:
        raise ValueError(f"snapshot at iteration {max(cfg.snapshots)} is past the last "
                         f"iteration ({cfg.iterations})")
    data = load(cfg.data, **_data_options(cfg))
    network = build_network(cfg, data.n_features, data.n_classes)
    network.metadata = {"classes": np.asarray(data.classes).tolist(), "data": data.name}
    optimizer = make_optimizer(cfg.optimizer, momentum=cfg.momentum,
                               weight_decay=cfg.weight_decay)
    backend = make_backend(cfg.backend, network, optimizer, device=cfg.device, seed=cfg.seed)
    snapshots = Snapshots(cfg.snapshots) if cfg.snapshots else None
    trainer = Trainer(backend, TrainConfig(
        epochs=cfg.epochs, iterations=cfg.iterations, batch_size=cfg.batch_size, lr=cfg.lr,
        schedule=cfg.schedule, seed=cfg.seed, record_iterations=cfg.record_iterations,
        progress=cfg.progress), callbacks=[*([snapshots] if snapshots else []), *callbacks])
    transform = None
    if cfg.augment_shift:
        if data.image_shape is None:
            raise ValueError(f"--augment-shift needs image data; {data.name} is not images")
        from .data.transforms import RandomShift
        transform = RandomShift(cfg.augment_shift, image_shape=data.image_shape)
    t0 = time.perf_counter()
    history = trainer.fit(data.X_train, data.y_train, validation_data=(data.X_test, data.y_test),
                          transform=transform)
    seconds = time.perf_counter() - t0
    train_loss, train_accuracy = backend.evaluate(data.X_train, data.y_train)
    test_loss, test_accuracy = backend.evaluate(data.X_test, data.y_test)
    metrics = {"data": data.name, "n_train": len(data.y_train), "n_test": len(data.y_test),
               "n_classes": data.n_classes, "n_parameters": network.n_parameters(),
               "iterations": trainer.iteration, "epochs": trainer.epoch,
               "train_seconds": round(seconds, 3),
               "train_loss": train_loss, "train_accuracy": train_accuracy,
               "test_loss": test_loss, "test_accuracy": test_accuracy}
    return RunResult(cfg, backend.get_network(), history, metrics,
                     snapshots=snapshots.snapshots if snapshots else {}, dataset=data)


def write_outputs(result: RunResult, out) -> dict[str, Path]:
    """Write the model, history (CSV, JSON), metrics and figures into folder ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"model": out / f"model.{result.config.model_format}",
             "history_csv": out / "history.csv", "history_json": out / "history.json",
             "metrics": out / "metrics.json"}
    save_model(result.network, paths["model"])
    result.history.to_csv(paths["history_csv"])
    result.history.to_json(paths["history_json"])
    if result.config.record_iterations:
        paths["iterations_csv"] = out / "iterations.csv"
        result.history.to_csv(paths["iterations_csv"], table="iterations")
    config = {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(result.config).items()}
    write_text(paths["metrics"], json.dumps({**result.metrics, "config": config}, indent=2))

    from . import plots
    data = result.dataset
    title = f"{data.name if data else 'training'}: {describe(result.config)}\n" \
        f"{describe_training(result.config)}"
    if data is not None and data.n_features == 2:
        networks = result.snapshots or {result.metrics["iterations"]: result.network}
        fig = plots.decision_regions(networks, data.X_train, data.y_train,
                                     classes=data.classes, points="training",
                                     feature_names=data.info.get("features"), title=title)
        paths["figure"] = out / "decision_regions.png"
        plots.save_figure(fig, paths["figure"])
    paths["curves"] = out / "learning_curves.png"
    plots.save_figure(plots.learning_curves(result.history, title=title), paths["curves"])
    if result.config.record_iterations:
        paths["iterations_figure"] = out / "iterations.png"
        plots.save_figure(plots.iteration_curves(result.history, title=title),
                          paths["iterations_figure"])
    return paths


def describe(cfg: RunConfig) -> str:
    """Short text of the architecture in the lecture's words ("2-layer, 100 hidden units")."""
    if cfg.architecture == "resnet":
        return f"ResNet, width {cfg.width}, depth {cfg.depth}"
    if not cfg.hidden:
        return "linear (1 layer, no hidden units)"
    widths = ",".join(str(h) for h in cfg.hidden)
    return f"{len(cfg.hidden) + 1}-layer, {widths} hidden units"


def describe_training(cfg: RunConfig) -> str:
    """Short text of the optimiser and its setting ("gd, lr 0.1, full batch")."""
    parts = [cfg.optimizer]
    if cfg.lr is not None:
        parts.append(f"lr {cfg.lr:g}")
    if cfg.schedule != "constant":
        parts.append(f"{cfg.schedule} schedule")
    parts.append(f"batch {cfg.batch_size}" if cfg.batch_size else "full batch")
    return ", ".join(parts)
