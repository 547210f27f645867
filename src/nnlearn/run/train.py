"""Train a network on a named data set: the Python API behind ``nnlearn train``.

``run(RunConfig(...))`` loads the data, fills every training option not given
from the data set's recipe (``resolve_settings``), builds the network its
``NetworkSpec`` describes, trains it (keeping snapshots) and evaluates it;
nothing is written (``nnlearn.run.outputs`` writes, ``nnlearn.run.resume``
reads a run back). The command line only parses options.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np

from ..assembly import Seeds, assemble, planned_iterations
from ..data import image_shape_of, load, standardize
from ..data.columns import columns_of
from ..data.dataset import Dataset
from ..engine import Network
from ..spec import InputScaling
from ..training import History, Snapshots, Trainer
from .config import RunConfig, data_options, data_source, network_spec, resolve_settings
from .holdout import fit_data
from .resume import Resume
from .scores import classification_report


@dataclass
class RunResult:
    config: RunConfig
    network: Network
    history: History
    metrics: dict
    snapshots: dict = field(default_factory=dict)
    dataset: Dataset | None = None
    trainer: Trainer | None = None
    sources: dict = field(default_factory=dict)  # where each recipe option came from


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
    from ..data.transforms import RandomShift
    return RandomShift(cfg.augment_shift, image_shape=shape)


def run(cfg: RunConfig, callbacks=(), *, resume: Resume | None = None,
        sources: dict | None = None) -> RunResult:
    """Load, build, train and evaluate as ``cfg`` says; nothing is written.

    ``callbacks`` are added to the training loop's (after the snapshots).
    With ``resume`` (from ``continue_run``) training continues that run: its
    network, optimiser state, random stream and history. ``sources`` comes with
    a ``cfg`` already resolved (``resolve_settings``); without it ``run`` resolves
    ``cfg`` itself.
    """
    cfg, sources = resolve_settings(cfg) if sources is None else (cfg, sources)
    data = load(cfg.data, **data_options(cfg))
    settings = asdict(cfg)  # resolve_settings has filled every recipe option
    m = len(data.y_train)
    _check_snapshots(cfg, data, (resume.done if resume else 0) + planned_iterations(settings, m))
    transform = _augmentation(cfg, data)
    scaling = None
    if cfg.standardize:  # learnt on the training part; kept in the network's description
        data, scaler = standardize(data)
        scaling = InputScaling.from_dict(scaler.to_dict())
    spec = network_spec(cfg, data.n_features, data.n_classes, scaling)
    if resume is not None:
        network = resume.network
        if (network.n_in, network.n_out) != (data.n_features, data.n_classes):
            raise ValueError(f"the saved network maps {network.n_in} inputs to {network.n_out} "
                             f"classes; {data.name} has {data.n_features} and {data.n_classes}")
    snapshots = Snapshots(cfg.snapshots) if cfg.snapshots else None
    fit = fit_data(cfg, data)  # class weights; early stopping's held-out part
    assembled = assemble(spec, settings, seeds=Seeds.same(cfg.seed),
                         network=resume.network if resume is not None else None,
                         callbacks=[*([snapshots] if snapshots else []), *callbacks,
                                    *([fit.stopper] if fit.stopper else [])],
                         progress=cfg.progress, record_iterations=cfg.record_iterations)
    network, backend, trainer = assembled.network, assembled.backend, assembled.trainer
    network.metadata = {"classes": np.asarray(data.classes).tolist(), "data": data.name,
                        "source": data_source(cfg), "spec": spec.to_dict(), **columns_of(data)}
    if resume is not None:
        backend.load_optimizer_state(resume.optimizer_state)
        trainer.load_state_dict(resume.trainer_state, history=resume.history)
    t0 = time.perf_counter()
    history = trainer.fit(fit.X, fit.y, sample_weight=fit.w, validation_data=fit.validation,
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
    metrics["classification_report"] = classification_report(  # the test part's
        data.y_test, np.argmax(backend.predict_logits(data.X_test), axis=1), data.classes)[0]
    if fit.stopper is not None:  # the epoch whose parameters were kept
        metrics["best_epoch"] = fit.stopper.best_epoch
    result_network = backend.get_network()
    result_network.metadata = network.metadata
    return RunResult(cfg, result_network, history, metrics,
                     snapshots=snapshots.snapshots if snapshots else {}, dataset=data,
                     trainer=trainer, sources=sources)
