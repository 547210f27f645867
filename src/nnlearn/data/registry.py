"""``load(name)``: one entry point for every data set nnlearn knows, and for the user's files."""

from __future__ import annotations

import difflib
import inspect
from pathlib import Path

import numpy as np

from ..errors import DataError, OptionError
from ..limits import MAX_TOY_POINTS
from .dataset import Dataset
from .images import load_digits, load_image_set
from .catalogue import SOURCES
from .tabular import TABLE_SUFFIXES, load_table
from .toy import TOY
from .sampling import subset

#: data sets that ship with nnlearn's dependencies (nothing to download)
EMBEDDED = ("digits",)


def load_toy(name: str, *, n_train=1000, n_test=1000, seed=0, **shape) -> Dataset:
    """A toy set with a held-out test sample drawn from the same law with its own seed."""
    make = TOY[name]
    for part, n in (("n_train", n_train), ("n_test", n_test)):
        if n > MAX_TOY_POINTS:
            raise DataError(f"{name}: {part}={n:,} points; a toy set has at most "
                            f"{MAX_TOY_POINTS:,} (nnlearn.limits.MAX_TOY_POINTS)")
    train_seed, test_seed = np.random.SeedSequence(seed).spawn(2)
    X_train, y_train = make(n_train, seed=np.random.default_rng(train_seed), **shape)
    X_test, y_test = make(n_test, seed=np.random.default_rng(test_seed), **shape)
    k = int(max(y_train.max(), y_test.max())) + 1
    return Dataset(name, X_train, y_train, X_test, y_test, classes=np.arange(k),
                   info={"seed": seed, **shape})


def names() -> list[str]:
    """The names ``load`` accepts (files are accepted by path as well).

    Returns
    -------
    list of str
        The toy sets, the embedded ``digits``, then the image sets of ``SOURCES``.

    Examples
    --------
    >>> "mnist" in names() and "rings" in names()
    True
    """
    return [*TOY, *EMBEDDED, *SOURCES]


def is_path(name) -> bool:
    """Whether ``load`` reads ``name`` as a file: a table suffix, or an existing file."""
    path = Path(name)
    return path.suffix.lower() in TABLE_SUFFIXES or path.is_file()


def _subsets(data: Dataset, n_train, n_test, seed) -> Dataset:
    """Keep stratified subsets of ``n_train`` training and ``n_test`` test samples."""
    for part, n in (("train", n_train), ("test", n_test)):
        if n is not None:
            X, y = getattr(data, f"X_{part}"), getattr(data, f"y_{part}")
            try:
                X, y = subset(X, y, n, seed)
            except ValueError as err:
                raise DataError(f"{data.name}: n_{part}={n}: {err}") from None
            setattr(data, f"X_{part}", X)
            setattr(data, f"y_{part}", y)
    data.info.update(n_train=n_train, n_test=n_test)
    return data


def _options_of(function, taken) -> list[str]:
    """The keyword options ``function`` accepts, less those ``load`` fills in itself."""
    return [p for p in inspect.signature(function).parameters if p not in taken]


def _check_options(key: str, options: dict, accepted: list[str]) -> None:
    """An ``OptionError`` naming the first unknown option and those that ``load(key)`` takes."""
    unknown = [k for k in options if k not in accepted]
    if not unknown:
        return
    bad = unknown[0]
    close = difflib.get_close_matches(bad, [*LOAD_OPTIONS, *accepted], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise OptionError(f"load({key!r}) got an unknown option {bad!r}{hint}; it accepts "
                      f"{', '.join([*LOAD_OPTIONS, *accepted])}")


#: the options ``load`` takes for every data set
LOAD_OPTIONS = ("seed", "data_dir", "n_train", "n_test")


def load(name, *, seed=0, data_dir=None, n_train=None, n_test=None, **options) -> Dataset:
    """Load a data set by name, or a data file by path.

    Parameters
    ----------
    name : str or Path
        A toy set (``rings``, ``moons``, ``spirals``, ``xor``, ``blobs``),
        ``digits``, ``mnist``, ``fashion-mnist``, or the path of a ``.csv``,
        ``.tsv`` or ``.npz`` file (a path is recognised by its suffix or by
        existing on disk).
    seed : int
        Seed of everything random: toy points, the test split of digits and
        of files, the stratified subsets.
    data_dir : str or Path, optional
        Folder holding MNIST or Fashion-MNIST (ignored by the other sets).
        When given it must hold the files; see ``nnlearn.data.sources``.
    n_train, n_test : int, optional
        Toy sets: how many points to draw. Other sets: keep a stratified
        subset of this many training / test samples.
    **options
        Toy sets: their shape options (``noise``, ``n_classes``, ...).
        MNIST and Fashion-MNIST: ``flatten``, ``dtype``, ``download``, ``fetch``.
        digits: ``test_size``, ``flatten``. Files: ``test_size``, ``label``,
        ``header``, ``delimiter``.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        An unknown name, a missing or corrupt file, bad contents.
    OptionError
        An option that this data set does not take (a ``DataError`` and a
        ``TypeError``): the message names it and the accepted ones.

    Examples
    --------
    A toy set, and the digits embedded in scikit-learn (nothing downloaded):

    >>> data = load("moons", n_train=300, n_test=100, seed=1)
    >>> len(data.y_train), len(data.y_test)
    (300, 100)
    >>> digits = load("digits", seed=0)
    >>> digits.image_shape, digits.n_classes
    ((8, 8), 10)
    """
    key = str(name)
    if key in TOY:
        _check_options(key, options, _options_of(TOY[key], ("n", "seed")))
        sizes = {k: v for k, v in (("n_train", n_train), ("n_test", n_test)) if v is not None}
        return load_toy(key, seed=seed, **sizes, **options)
    if key in SOURCES:
        _check_options(key, options, _options_of(load_image_set, ("name", "data_dir")))
        data = load_image_set(key, data_dir=data_dir, **options)
    elif key == "digits":
        _check_options(key, options, _options_of(load_digits, ("seed",)))
        data = load_digits(seed=seed, **options)
    elif is_path(name):
        _check_options(key, options, _options_of(load_table, ("path", "seed")))
        data = load_table(name, seed=seed, **options)
    else:
        raise DataError(f"unknown data set {key!r}; choose one of: {', '.join(names())}, "
                        f"or give the path of a {'/'.join(TABLE_SUFFIXES)} file")
    return _subsets(data, n_train, n_test, seed)
