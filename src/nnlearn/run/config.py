"""What defines a run of ``nnlearn train``: ``RunConfig``, and the settings it resolves to.

``RunConfig`` holds every option; ``None`` means "not given". Its defaults are
the settings table's (``nnlearn.settings``); the options the table marks
``recipe`` come, when not given, from the data set's recipe
(``nnlearn.run.recipes``), and ``resolve_settings`` fills them in and says
where each came from. ``network_spec`` is the network the run trains.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..errors import ModelFileError
from ..settings import ARCHITECTURES, SETTINGS, default
from ..settings.constraints import Boolean, InstanceOf, Integer, NoneValue, check
from ..spec import InputScaling, NetworkSpec
from .recipes import RECIPE_OPTIONS, resolve


@dataclass
class RunConfig:
    """Everything that defines a run. ``None`` means "not given": the recipe
    options (optimizer, lr, batch_size, epochs/iterations, schedule, standardize)
    then come from the data set's recipe, and the network's sizes from the
    settings table. ``batch_size="full"`` trains on the whole set in every step (eq. 2)."""

    data: str = "rings"
    data_dir: str | None = None
    data_seed: int = 0
    n_train: int | None = None  # toy data: points drawn; else a stratified subset
    n_test: int | None = None
    architecture: str = default("architecture")
    hidden: tuple[int, ...] | None = None  # mlp only
    width: int | None = None  # resnet only
    depth: int | None = None
    activation: str | tuple[str, ...] = default("activation")
    dropout: float = default("dropout")
    init: str | None = default("init")
    dtype: str = default("dtype")
    optimizer: str | None = None
    lr: float | None = None
    momentum: float = default("momentum")
    weight_decay: float = default("weight_decay")
    regularization: str = default("regularization")
    regularization_rate: float = default("regularization_rate")
    features: str | tuple[str, ...] | None = default("features")  # 2-D data: input features
    schedule: str | None = None
    batch_size: int | str | None = None
    epochs: int | None = None
    iterations: int | None = None
    snapshots: tuple[int, ...] = ()
    record_iterations: bool = False
    augment_shift: int = 0  # image data: random shifts of up to this many pixels
    seed: int = default("seed")
    backend: str = default("backend")
    device: str = default("device")
    progress: bool | None = None
    model_format: str = "npz"
    label: str | None = None  # CSV files: the label column, by name or index (default: last)
    delimiter: str | None = None  # CSV files: one character or "tab" (default: by suffix)
    header: bool | None = None  # CSV files: whether line 1 names the columns (default: detect)
    standardize: bool | None = None  # scale features by the training part's mean and std
    missing: str | None = None  # CSV files: "error" (the table's default) or "impute"
    class_weight: str | None = default("class_weight")  # "balanced": run/holdout.py
    early_stopping: bool = default("early_stopping")
    validation_fraction: float = default("validation_fraction")
    patience: int = default("patience")

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
        if self.optimizer == "lbfgs" and (self.backend != "numpy" or self.dropout
                                          or self.augment_shift):
            raise ValueError("--optimizer lbfgs minimises one fixed loss on the numpy backend: "
                             "it takes no --dropout, --augment-shift or --backend torch")
        if self.early_stopping and self.optimizer == "lbfgs":
            raise ValueError("--early-stopping counts epochs; --optimizer lbfgs stops by its "
                             "own tolerance")
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"unknown architecture {self.architecture!r}; choose "
                             f"{' or '.join(ARCHITECTURES)}")


def resolve_settings(cfg: RunConfig) -> tuple[RunConfig, dict]:
    """Check ``cfg`` and fill its recipe options; returns it and where each came from."""
    cfg.check()
    settings, sources = resolve({k: getattr(cfg, k) for k in RECIPE_OPTIONS}, cfg.data)
    if settings["optimizer"] == "lbfgs":  # a full-batch method: it has no batches
        settings["batch_size"], sources["batch_size"] = "full", "lbfgs: the whole set"
    return RunConfig(**{**asdict(cfg), **settings}), sources


def network_spec(cfg: RunConfig, n_in: int, n_out: int,
                 scaling: InputScaling | None = None) -> NetworkSpec:
    """The network ``cfg`` describes for ``n_in`` features and ``n_out`` classes."""
    sizes: dict[str, Any] = ({"hidden": cfg.hidden} if cfg.architecture == "mlp" else
                             {"width": cfg.width, "depth": cfg.depth})
    given = {k: v for k, v in sizes.items() if v is not None}  # else the table's default
    return NetworkSpec(n_in, n_out, architecture=cfg.architecture, activation=cfg.activation,
                       dropout=cfg.dropout, init=cfg.init, dtype=cfg.dtype, scaling=scaling,
                       features=cfg.features, **given)


def describe(cfg: RunConfig) -> str:
    """The architecture in the lecture's words ("2-layer, 100 hidden units") and the
    optimiser, e.g. for figure titles."""
    arch = network_spec(cfg, 2 if cfg.features else 1, 1).describe()
    if cfg.optimizer is None:
        return arch
    if cfg.optimizer == "lbfgs":
        return f"{arch}; lbfgs, full batch"
    batch = "full batch" if cfg.batch_size in (None, "full") else f"batch {cfg.batch_size}"
    return f"{arch}; {cfg.optimizer}, lr {cfg.lr:g}, {batch}"


def data_options(cfg: RunConfig) -> dict:
    """The keyword arguments of ``nnlearn.data.load`` that ``cfg`` gives."""
    options = {"seed": cfg.data_seed}
    for name in ("data_dir", "n_train", "n_test",
                 "label", "delimiter", "header", "missing"):  # the last four: CSV files only
        if getattr(cfg, name) is not None:
            options[name] = getattr(cfg, name)
    return options


def data_source(cfg: RunConfig) -> dict:
    """How the run's data was loaded (not where: ``data_dir`` is this machine's), kept
    in the model file so that ``nnlearn evaluate`` can split the same test part again."""
    return {"data": str(cfg.data),
            "options": {k: v for k, v in data_options(cfg).items() if k != "data_dir"}}


#: what a model file's ``source.options`` may hold, each checked as the training run's
#: option was (the seed by the settings table's row): nothing stored reaches a loader unchecked
SOURCE_OPTIONS = {
    "seed": SETTINGS["seed"].accepts,
    "n_train": (Integer(1),), "n_test": (Integer(1),),
    "label": (Integer(-2**31, 2**31), InstanceOf(str, "a column name")),
    "delimiter": (NoneValue(), InstanceOf(str, "a string")),
    "header": (NoneValue(), Boolean()),
    "missing": SETTINGS["missing"].accepts,
}


def training_source(network) -> dict | None:
    """``data_source`` as the model file keeps it; None for models that do not say.

    Raises
    ------
    ModelFileError
        When the recorded options are not what ``SOURCE_OPTIONS`` accepts
        (``n_train: 1e12``, an unknown key...).
    """
    source = (network.metadata or {}).get("source")
    if not (isinstance(source, dict) and isinstance(source.get("data"), str)):
        return None
    options = source.get("options", {})
    try:
        if not isinstance(options, dict):
            raise ValueError(f"options must be an object, got {options!r:.80}")
        for name, value in options.items():
            if name not in SOURCE_OPTIONS:
                raise ValueError(f"unknown option {name!r:.80}")
            check(name, SOURCE_OPTIONS[name], value)
    except ValueError as err:
        raise ModelFileError(f"the model file's metadata.source is not valid: {err}") from None
    return source
