"""Recommended training recipes: what ``nnlearn train`` uses for every option not given.

The lecture gives no recipe beyond the rings' full-batch gradient descent, so
each kind of data set carries one that was measured to work here:

- **toy** 2-D sets (rings, moons, spirals, xor, blobs): the lecture's full-batch
  gradient descent on eq. (2), learning rate 0.1, 3000 iterations (its training
  figure's last snapshot);
- **images** (digits, MNIST, Fashion-MNIST): mini-batch Adam at its own rate
  1e-3, 64 samples a batch, 10 epochs; on MNIST a 784-32-10 network reaches
  96% test accuracy after 5 of them (measured: 96.1% and 96.2% for two seeds);
- **tables** (the user's CSV/NPZ files): features scaled to mean 0 and
  standard deviation 1 (learnt on the training part: a table's columns come in
  any units, and sklearn's wine table trains to 75% unscaled against 97%
  scaled), then mini-batch Adam, 32 samples a batch, 100 epochs (small tables
  have few samples per epoch).

A learning rate not given is the chosen optimiser's own (``DEFAULT_LR``): the
recipe's rate belongs to the recipe's optimiser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..data.registry import EMBEDDED
from ..data.sources import SOURCES
from ..data.toy import TOY
from ..engine.optim import DEFAULT_LR
from ..settings import FULL, default


@dataclass(frozen=True)
class Recipe:
    """How to train on one kind of data when the user does not say: a named override
    of the settings table. ``overrides`` are the options it sets; every other option
    keeps the table's default, and the learning rate is the recipe's optimiser's own."""

    kind: str
    overrides: Mapping[str, Any]

    def value(self, option: str):
        """The recipe's value of ``option``: its override, else the table's default."""
        if option == "lr":
            return DEFAULT_LR[self.value("optimizer")]
        return self.overrides[option] if option in self.overrides else default(option)

    def source(self, option: str) -> str:
        """Where ``value(option)`` comes from, for the run's report."""
        return f"recipe ({self.kind})" if option in self.overrides or option == "lr" \
            else "default"


DEFAULT_RECIPES = {
    "toy": Recipe("toy", {"optimizer": "gd", "batch_size": FULL, "epochs": None,
                          "iterations": 3000, "standardize": False}),
    "images": Recipe("images", {"optimizer": "adam", "batch_size": 64, "epochs": 10,
                                "standardize": False}),
    "table": Recipe("table", {"optimizer": "adam", "batch_size": 32, "epochs": 100,
                              "standardize": True}),
}

#: the options a recipe fills in, in the order they are reported
RECIPE_OPTIONS = ("optimizer", "lr", "batch_size", "epochs", "iterations", "schedule",
                  "standardize")


def data_kind(name) -> str:
    """``"toy"``, ``"images"`` or ``"table"`` for a data set name or file path."""
    key = str(name)
    if key in TOY:
        return "toy"
    if key in SOURCES or key in EMBEDDED:
        return "images"
    return "table"  # a file; an unknown name fails later, in load(), with the list of names


def default_recipe(name) -> Recipe:
    """The recommended recipe for data set ``name`` (a name or a file path)."""
    return DEFAULT_RECIPES[data_kind(name)]


def resolve(given: dict, name) -> tuple[dict, dict]:
    """Fill the recipe options missing from ``given`` (None values) for data ``name``.

    Returns the completed options and, for each recipe option, where its value
    came from: ``"you"``, ``"recipe (KIND)"`` or ``"OPTIMIZER's default"``.
    ``epochs`` and ``iterations`` are one choice: giving either keeps the
    recipe's length out.
    """
    recipe = default_recipe(name)
    values, sources = dict(given), {}
    length_given = given.get("epochs") is not None or given.get("iterations") is not None
    for option in RECIPE_OPTIONS:
        if given.get(option) is not None:
            sources[option] = "you"
        elif option in ("epochs", "iterations") and length_given:
            other = "iterations" if option == "epochs" else "epochs"
            sources[option] = f"not used: you gave {other}"
        elif option == "lr" and given.get("optimizer") is not None:
            values["lr"] = DEFAULT_LR[values["optimizer"]]
            sources["lr"] = f"{values['optimizer']}'s default"
        else:
            values[option] = recipe.value(option)
            sources[option] = recipe.source(option)
    return values, sources
