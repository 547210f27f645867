"""Write a finished run: the model, the training state, the history, the metrics, figures.

``write_outputs(result, DIR)`` is what ``nnlearn train`` leaves in ``--out``;
``nnlearn.run.resume.load_run`` reads the same folder back.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from ..fileio import check_output, write_text
from ..training import save_model
from ..training.state import save_training_state
from .config import RunConfig, describe
from .recipes import RECIPE_OPTIONS
from .resume import STATE_FILE
from .train import RunResult


def _config_json(cfg: RunConfig) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(cfg).items()}


#: the files ``write_outputs`` may write in ``--out``
OUTPUT_NAMES = ("model.npz", "model.safetensors", STATE_FILE, "history.csv", "history.json",
                "iterations.csv", "metrics.json", "decision_regions.png", "learning_curves.png",
                "iterations.png")


def check_outputs(out, cfg: RunConfig) -> None:
    """Refuse, before training, an ``out`` whose files would replace the run's data file,
    or are links, devices or FIFOs (``nnlearn.fileio.check_output``)."""
    for name in OUTPUT_NAMES:
        check_output(Path(out) / name, inputs=(cfg.data,))


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
                                              optimizer_name=str(cfg.optimizer))
    result.history.to_csv(paths["history_csv"])
    result.history.to_json(paths["history_json"])
    if cfg.record_iterations:
        paths["iterations_csv"] = out / "iterations.csv"
        result.history.to_csv(paths["iterations_csv"], table="iterations")
    settings = {k: {"value": getattr(cfg, k), "from": result.sources.get(k, "you")}
                for k in RECIPE_OPTIONS}
    write_text(paths["metrics"], json.dumps({**result.metrics, "settings": settings,
                                             "config": _config_json(cfg)}, indent=2))

    from .. import plots
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
