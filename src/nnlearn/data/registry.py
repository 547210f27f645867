"""``load(name)``: one entry point for every data set nnlearn knows."""

from __future__ import annotations

import numpy as np

from .dataset import Dataset
from .toy import TOY


def load_toy(name: str, *, n_train=1000, n_test=1000, seed=0, **shape) -> Dataset:
    """A toy set with a held-out test sample drawn from the same law with its own seed."""
    make = TOY[name]
    train_seed, test_seed = np.random.SeedSequence(seed).spawn(2)
    X_train, y_train = make(n_train, seed=np.random.default_rng(train_seed), **shape)
    X_test, y_test = make(n_test, seed=np.random.default_rng(test_seed), **shape)
    k = int(max(y_train.max(), y_test.max())) + 1
    return Dataset(name, X_train, y_train, X_test, y_test, classes=np.arange(k),
                   info={"seed": seed, **shape})


def names() -> list[str]:
    """The names ``load`` accepts (files are accepted by path as well)."""
    return list(TOY)


def load(name: str, *, seed=0, **options) -> Dataset:
    """Load a data set by name.

    Toy sets (``rings``, ``moons``, ``spirals``, ``xor``, ``blobs``) take
    ``n_train``, ``n_test``, ``seed`` and their shape options.
    """
    if name in TOY:
        return load_toy(name, seed=seed, **options)
    raise ValueError(f"unknown data set {name!r}; choose one of: {', '.join(names())}")
