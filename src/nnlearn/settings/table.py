"""One table of settings: every option's name, what it accepts, its default and its help.

Each face reads this table and nothing else for those facts:

- the estimator checks its hyper-parameters against ``accepts``
  (``nnlearn.estimator.params``), and its ``__init__`` defaults are ``default``;
- ``nnlearn train`` makes its click options from it (``nnlearn.cli.options``):
  type, range, ``[default: ...]`` and help; an option marked ``recipe`` that is
  not given comes from the data set's recipe (``nnlearn.run.recipes``);
- the playground takes the rows marked for it, with its own default and a
  lower cap where a browser tab must stay small (the ``play`` column);
- ``docs/estimator.md`` prints the estimator's rows (``markdown_table``; a test
  keeps the page and the table equal).

A default, a range or a help line is written here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..data.columns import MISSING_POLICIES
from ..data.toy import TOY
from ..engine.activations import ACTIVATIONS
from ..engine.init import INITIALISERS
from ..engine.features import FEATURES
from ..engine.optim import MAX_FUN, OPTIMIZERS, PENALTIES
from ..engine.schedules import SCHEDULES
from .constraints import (DTYPES, Boolean, Device, DType, HasMethods, InstanceOf, Integer,
                          NoneValue, Options, RandomState, Real, SequenceOf, describe)

ESTIMATOR, TRAIN, PLAYGROUND = "estimator", "train", "playground"  #: the faces
ARCHITECTURES = ("mlp", "resnet")  #: eq. (1), eq. (6)
#: the NumPy engine, its PyTorch twin (built by ``nnlearn.assembly.make_backend``)
BACKENDS = ("numpy", "torch")
FULL = "full"  #: ``batch_size``: every step takes the whole training set (eq. 2)
#: What the training loop calls on a callback (``nnlearn.training.Callback``'s hooks).
CALLBACK_HOOKS = ("on_train_begin", "on_iteration_end", "on_epoch_end", "on_train_end")
UPLOAD = "upload"  #: the playground's ``data`` value for the user's own file
SAME = object()  #: ``Play.default``: the playground uses the table's default


@dataclass(frozen=True)
class Play:
    """The playground's column: its default, and the bounds a browser tab is kept within.

    Parameters
    ----------
    default : object
        The playground's default; ``SAME``: the table's.
    low, high : float, optional
        Bounds of a number (and of each width of a list).
    items : int, optional
        The most entries of a list.
    choices : tuple, optional
        The subset of a choice the playground offers.

    Examples
    --------
    >>> play = SETTINGS["hidden"].play
    >>> play.default, play.high, play.items  # two layers of 16; widths <= 512, <= 32 layers
    ((16, 16), 512, 32)
    >>> SETTINGS["dropout"].play.default is SAME, SETTINGS["dropout"].play_default
    (True, 0.0)
    """

    default: Any = SAME
    low: float | None = None
    high: float | None = None
    items: int | None = None
    choices: tuple | None = None


@dataclass(frozen=True)
class Setting:
    """One option: what it accepts, its default and one line of help, and the faces
    that offer it.

    Parameters
    ----------
    name : str
        The same on every face (``--name`` on the command line).
    accepts : tuple of constraints
        A value is valid when any of them accepts it (``settings.constraints``).
    default : object
    help : str
        One line.
    faces : frozenset of {"estimator", "train", "playground"}
    recipe : bool
        ``nnlearn train`` fills it, when not given, from the data set's recipe.
    play : Play, optional
        The playground's own default and bounds.

    Examples
    --------
    >>> dropout = SETTINGS["dropout"]
    >>> dropout.default, sorted(dropout.faces)
    (0.0, ['estimator', 'playground', 'train'])
    >>> dropout.check(0.2)  # valid: nothing happens
    >>> dropout.check(1.5)
    Traceback (most recent call last):
    ValueError: dropout must be a number in [0, 1), got 1.5
    """

    name: str
    accepts: tuple
    default: Any
    help: str
    faces: frozenset = field(default_factory=lambda: frozenset((ESTIMATOR, TRAIN)))
    recipe: bool = False
    play: Play | None = None

    def check(self, value) -> None:
        """Check a value against ``accepts``.

        Parameters
        ----------
        value : object

        Raises
        ------
        ValueError
            Naming the setting, what it accepts and the value:
            "dropout must be a number in [0, 1), got 1.5".
        """
        if not any(c.accepts(value) for c in self.accepts):
            raise ValueError(f"{self.name} must be {describe(self.accepts)}, got {value!r}")

    @property
    def play_default(self):
        """The playground's default: ``play.default``, or the table's."""
        return self.default if self.play is None or self.play.default is SAME \
            else self.play.default


POSITIVE = Integer(1)
ACTIVATION = Options(tuple(ACTIVATIONS))
ALL = frozenset((ESTIMATOR, TRAIN, PLAYGROUND))
FEATURE = Options(tuple(FEATURES))
MAX_POINTS = 5000  # the playground's largest toy set: its batch size is bounded by it too
PLAY_WIDTH = 512  # units per hidden layer (or ResNet width) in the playground: "a few hundred"
PLAY_LAYERS = 32  # hidden layers in the playground ("tens of layers"); a ResNet's input map counts

_ROWS = [
    # -- the network (a NetworkSpec) -----------------------------------------------------------
    Setting("architecture", (Options(ARCHITECTURES),), "mlp",
            "Fully connected (mlp, eq. 1) or residual (resnet, eq. 6).", ALL),
    Setting("hidden", (POSITIVE, SequenceOf(POSITIVE, "a sequence of positive ints", empty=True)),
            (32,), "mlp: the hidden layers' widths; one width is the lecture's 2-layer network, "
            "none a linear model.", ALL,
            play=Play(default=(16, 16), low=1, high=PLAY_WIDTH, items=PLAY_LAYERS)),
    Setting("width", (POSITIVE,), 32, "resnet: the width of the residual blocks.", ALL,
            play=Play(high=PLAY_WIDTH)),
    Setting("depth", (Integer(0),), 2, "resnet: the number of residual blocks.", ALL,
            play=Play(high=PLAY_LAYERS - 1)),
    Setting("activation", (ACTIVATION, SequenceOf(ACTIVATION, "one name per hidden layer")),
            "relu", "sigma of the hidden layers: one name, or one per hidden layer.", ALL,
            play=Play(default=("relu", "relu"), items=PLAY_LAYERS,
                      choices=tuple(n for n in ACTIVATIONS if n != "identity"))),
    Setting("dropout", (Real(0, 1, closed="left"),), 0.0,
            "Probability of zeroing each hidden unit in training.", ALL, play=Play(high=0.9)),
    Setting("init", (NoneValue(), Options(INITIALISERS)), None,
            "Weight initialisation; not given: He for relu, Glorot otherwise.",
            frozenset((TRAIN,))),
    Setting("dtype", (DType(),), "float32",
            "Floating point type of the weights and of the data given to them."),
    # -- the optimiser and the run ---------------------------------------------------------------
    Setting("optimizer", (Options(tuple(OPTIMIZERS)),), "adam",
            "gd/sgd (plain gradient descent), momentum, nesterov, adam, or lbfgs (full-batch "
            "L-BFGS: no learning rate, schedule or batches).", ALL, recipe=True),
    Setting("lr", (NoneValue(), Real(0, float("inf"), closed="neither")), None,
            "Learning rate; not given: the optimizer's own (gd/sgd 0.1, momentum/nesterov "
            "0.01, adam 0.001).", ALL, recipe=True, play=Play(low=1e-6, high=10.0)),
    Setting("momentum", (Real(0, 1, closed="left"),), 0.9,
            "Momentum of the momentum and nesterov optimizers."),
    Setting("weight_decay", (Real(0, float("inf")),), 0.0,
            "L2 penalty: weight_decay * W is added to every parameter's gradient (torch's "
            "name: the same as regularization=l2 at regularization_rate=weight_decay)."),
    Setting("regularization", (Options(PENALTIES),), "none",
            "Penalty on the parameters added to the loss: l1 (rate * |W|_1) or l2 "
            "(rate / 2 * |W|^2, as weight_decay).", ALL),
    Setting("regularization_rate", (Real(0, float("inf")),), 0.0,
            "The penalty's rate lambda (0: none).", ALL, play=Play(high=1.0)),
    Setting("schedule", (Options(SCHEDULES),), "constant",
            "Learning-rate schedule: constant, tenfold step decay, or cosine.", ALL, recipe=True),
    Setting("batch_size", (POSITIVE, Options((FULL,))), 200,
            "Samples per step; 'full' takes the whole training set in every step (eq. 2).", ALL,
            recipe=True, play=Play(default=10, low=1, high=MAX_POINTS)),
    Setting("epochs", (POSITIVE,), 200, "Passes over the training set.", recipe=True),
    Setting("iterations", (NoneValue(), POSITIVE), None,
            "Optimiser steps, instead of epochs.", frozenset((TRAIN, PLAYGROUND)), recipe=True,
            play=Play(default=10_000, low=1, high=1_000_000)),
    Setting("standardize", (NoneValue(), Boolean()), None,
            "Scale each feature to mean 0 and standard deviation 1 (learnt on the training "
            "part, kept in the model file).", frozenset((TRAIN,)), recipe=True),
    Setting("backend", (Options(BACKENDS),), "numpy", "The NumPy engine or its PyTorch twin.",
            ALL),
    Setting("device", (Device(),), "auto",
            "torch backend: cpu, cuda, cuda:N, or auto (a GPU when there is one)."),
    Setting("seed", (Integer(0, 2**31 - 1),), 0,
            "Seed of the initial weights, the batch order and dropout.",
            frozenset((TRAIN, PLAYGROUND))),
    Setting("missing", (Options(MISSING_POLICIES),), "error",
            "Missing cells (empty, NA, NaN, null): an error that counts them, or impute: "
            "fill with the column's median (numbers) or most frequent value (words), learnt "
            "on the training rows and kept in the model file (the estimator: for a DataFrame "
            "with a column of words or a missing value).", frozenset((ESTIMATOR, TRAIN))),
    # -- the estimator's own (scikit-learn's conventions) ----------------------------------------
    Setting("early_stopping", (Boolean(),), False,
            "Hold out validation_fraction of the training data and keep the best epoch.",
            frozenset((ESTIMATOR, TRAIN))),
    Setting("validation_fraction", (Real(0, 1, closed="neither"),), 0.1,
            "Share of the training data held out for early stopping.",
            frozenset((ESTIMATOR, TRAIN))),
    Setting("patience", (POSITIVE, NoneValue()), 10,
            "MLPClassifier's n_iter_no_change: training stops once more than patience epochs in "
            "a row fail to beat the best score so far by tol; None never stops early.",
            frozenset((ESTIMATOR, TRAIN))),
    Setting("tol", (Real(0, float("inf")),), 1e-4, "The improvement that resets the "
            "patience count; lbfgs: stop when no gradient entry exceeds it.",
            frozenset((ESTIMATOR,))),
    Setting("max_fun", (POSITIVE,), MAX_FUN, "lbfgs: most evaluations of the loss in one fit "
            "(epochs bounds its iterations).", frozenset((ESTIMATOR,))),
    Setting("random_state", (RandomState(),), None,
            "Seeds the weights, the batch order, dropout and the validation split.",
            frozenset((ESTIMATOR,))),
    Setting("verbose", (Boolean(), Integer(0)), False,
            "Print 'Iteration k, loss = ...' on stdout after every epoch, as MLPClassifier.",
            frozenset((ESTIMATOR,))),
    Setting("progress_bar", (Boolean(),), False, "Show a progress bar while training (nnlearn "
            "train shows one unless --no-progress-bar or --quiet).",
            frozenset((ESTIMATOR,))),
    Setting("callbacks", (NoneValue(), SequenceOf(HasMethods(CALLBACK_HOOKS, "Callback"),
                                                   "a list of nnlearn.training.Callback",
                                                   empty=True)), None,
            "Callbacks added to the Trainer's own.", frozenset((ESTIMATOR,))),
    Setting("class_weight", (NoneValue(), Options(("balanced",)), InstanceOf(dict, "a dict")),
            None, "Weight of each class, multiplied into sample_weight; balanced: n / (k n_c), "
            "every class weighs the same.", frozenset((ESTIMATOR, TRAIN))),
    Setting("warm_start", (Boolean(),), False,
            "fit continues from the current network, optimizer state and history.",
            frozenset((ESTIMATOR,))),
    # -- the playground's data -------------------------------------------------------------------
    Setting("data", (Options((*TOY, UPLOAD)),), "rings",
            "The toy data set, or the user's upload.", frozenset((PLAYGROUND,))),
    Setting("classes", (Integer(2, 8),), 2, "Classes of a toy set that has a choice.",
            frozenset((PLAYGROUND,))),
    Setting("points", (Integer(20, MAX_POINTS),), 500, "Points drawn for a toy set.",
            frozenset((PLAYGROUND,))),
    Setting("noise", (Real(0.0, 1.0),), 0.1, "Noise of a toy set.", frozenset((PLAYGROUND,))),
    Setting("test_fraction", (Real(0.1, 0.9),), 0.2, "Share of the points kept for testing.",
            frozenset((PLAYGROUND,))),
    Setting("features", (NoneValue(), FEATURE, SequenceOf(FEATURE, "names of input features")),
            None, "2-D data: the inputs the network sees, computed from (x1, x2): any of "
            f"{', '.join(FEATURES)}; not given: the columns as they are.", ALL,
            play=Play(default=("x1", "x2"), items=len(FEATURES))),
]

SETTINGS: dict[str, Setting] = {row.name: row for row in _ROWS}
"""Every ``Setting`` by name, in the table's order."""


def for_face(face: str) -> dict[str, Setting]:
    """The settings one face offers, in the table's order.

    Parameters
    ----------
    face : {"estimator", "train", "playground"}

    Returns
    -------
    dict of str to Setting

    Examples
    --------
    >>> list(for_face("playground"))[:4]
    ['architecture', 'hidden', 'width', 'depth']
    >>> "batch_size" in for_face("estimator"), "data" in for_face("estimator")
    (True, False)
    """
    return {name: s for name, s in SETTINGS.items() if face in s.faces}


def default(name: str):
    """The table's default of a setting.

    Parameters
    ----------
    name : str
        A key of ``SETTINGS`` (``KeyError`` otherwise).

    Returns
    -------
    object

    Examples
    --------
    >>> default("hidden"), default("batch_size")
    ((32,), 200)
    """
    return SETTINGS[name].default


def markdown_table(face: str = ESTIMATOR) -> str:
    """The settings of a face as a Markdown table: name, default, accepts, help.

    Parameters
    ----------
    face : {"estimator", "train", "playground"}

    Returns
    -------
    str
        The table's lines (``docs/estimator.md`` prints the estimator's).

    Examples
    --------
    >>> table = markdown_table("estimator").splitlines()
    >>> print("\\n".join(table[:2]))
    | setting | default | accepts | what it does |
    | --- | --- | --- | --- |
    >>> table[2][:51]
    "| `architecture` | `'mlp'` | one of 'mlp', 'resnet'"
    """
    lines = ["| setting | default | accepts | what it does |", "| --- | --- | --- | --- |"]
    for s in for_face(face).values():
        accepts = describe(s.accepts).replace("|", "\\|")
        lines.append(f"| `{s.name}` | `{s.default!r}` | {accepts} | {s.help} |")
    return "\n".join(lines)


__all__ = ["ARCHITECTURES", "BACKENDS", "CALLBACK_HOOKS", "DTYPES", "ESTIMATOR", "FULL",
           "PLAYGROUND", "SETTINGS", "TRAIN", "Play", "Setting", "default", "for_face",
           "markdown_table"]
