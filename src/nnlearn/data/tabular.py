"""The user's own data: a CSV table or an ``.npz`` file of ``X`` and ``y``.

A CSV file holds one sample per line: numeric features and one label column
(chosen by name or index, by default the last). Labels may be numbers or
strings. A header row is detected (or set with ``header=``). An ``.npz``
file holds the arrays ``X`` ``(n, n_features)`` (or ``(n, h, w)`` images)
and ``y`` ``(n,)``; it is read with ``allow_pickle=False``, so it never runs code.

Such a file holds one table, so ``load_table`` draws the test part itself,
stratified and seeded. Every defect (an empty file, a missing or non-numeric
value, a row of the wrong length, an absent label column) raises a
``DataError`` that names the file, the line (counted from 1, as an editor
does) and the column.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import numpy as np

from ..errors import DataError
from .dataset import Dataset
from .transforms import train_val_split

#: the suffixes ``load`` recognises as a table file
TABLE_SUFFIXES = (".csv", ".tsv", ".npz")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_rows(path: Path, delimiter: str) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a CSV file with their line numbers, cells stripped."""
    try:
        # utf-8-sig drops the byte-order mark spreadsheet programs write
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, delimiter=delimiter)
            rows = [(reader.line_num, [cell.strip() for cell in row]) for row in reader]
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not a UTF-8 text file ({err.reason} at byte "
                        f"{err.start}); is it really a CSV file?") from None
    except csv.Error as err:
        raise DataError(f"{path}: not a valid CSV file: {err}") from None
    except OSError as err:
        raise DataError(f"{path}: cannot read: {err.strerror or err}") from None
    return [(line, row) for line, row in rows if any(row)]


def _has_header(first: list[str], second: list[str] | None) -> bool:
    """A first row with a word where the next row has a number is a header.

    A column of words in both rows (string labels) says nothing either way.
    """
    return any(not _is_number(a) and (second is None or _is_number(b))
               for a, b in zip(first, second or first))


def _label_column(label, names: list[str] | None, width: int, path: Path, line: int) -> int:
    if isinstance(label, str) and not label.lstrip("-").isdigit():
        if names is None:
            raise DataError(f"{path}: the label column {label!r} is given by name, but the file "
                            f"has no header row (pass header=True if line {line} is one)")
        if label not in names:
            raise DataError(f"{path}: no label column named {label!r}; the columns are: "
                            f"{', '.join(names)}")
        return names.index(label)
    j = int(label)
    if not -width <= j < width:
        raise DataError(f"{path}: label column {j} does not exist: line {line} has "
                        f"{width} columns")
    return j % width


def _labels(cells: np.ndarray) -> np.ndarray:
    """Label cells as int64 if all are integers, float64 if all are numbers, else strings."""
    for dtype in (np.int64, np.float64):
        try:
            return cells.astype(dtype)
        except (ValueError, OverflowError):
            continue
    return cells


def _bad_cell(values: np.ndarray, rows, columns, names, path: Path) -> DataError:
    """The first cell that is not a finite number, described for a person."""
    for i, row in enumerate(values.tolist()):  # only to describe an error: the fast path is astype
        for j, text in enumerate(row):
            where = f"{path}: line {rows[i]}, column {columns[j] + 1} ({names[columns[j]]!r})"
            if text == "":
                return DataError(f"{where}: missing value; every feature must be a number")
            if not _is_number(text):
                return DataError(f"{where}: {text!r} is not a number")
            if not np.isfinite(float(text)):
                return DataError(f"{where}: {text!r} is not a finite number; fill in or drop "
                                 f"missing values first")
    return DataError(f"{path}: the features are not all finite numbers")


def read_csv(path, *, label=-1, header=None, delimiter=None):
    """Read a CSV table of numeric features and one label column.

    Parameters
    ----------
    path : str or Path
    label : int or str
        The label column: an index (negative counts from the end; default -1,
        the last column) or a name from the header row.
    header : bool, optional
        Whether the first row names the columns; detected when None (a header
        has a word where the next row has a number).
    delimiter : str, optional
        Default ``"\\t"`` for ``*.tsv``, else ``","``.

    Returns
    -------
    X : ndarray of shape ``(n, n_features)``, float64
    labels : ndarray of shape ``(n,)``
        int64, float64 or str, as the column holds.
    feature_names : list of str
        From the header, else ``x1, x2, ...``.
    label_name : str
    """
    path = Path(path)
    delimiter = delimiter or ("\t" if path.suffix == ".tsv" else ",")
    rows = _read_rows(path, delimiter)
    if not rows:
        raise DataError(f"{path}: the file is empty")
    first_line, first = rows[0]
    if header is None:
        header = (isinstance(label, str) and not label.lstrip("-").isdigit()) or \
            _has_header(first, rows[1][1] if len(rows) > 1 else None)
    width = len(first)
    names = first if header else [f"x{j + 1}" for j in range(width)]
    j_label = _label_column(label, first if header else None, width, path, first_line)
    data = rows[1:] if header else rows
    if not data:
        raise DataError(f"{path}: there is a header row (line {first_line}) but no data rows")
    for line, row in data:
        if len(row) != width:
            raise DataError(f"{path}: line {line} has {len(row)} columns, line {first_line} "
                            f"has {width}; every row needs the same columns")
    if width < 2:
        raise DataError(f"{path}: only one column: need at least one feature and the label")
    cells = np.array([row for _, row in data], dtype=str)  # (n, width)
    lines = [line for line, _ in data]
    label_cells = cells[:, j_label]
    empty = np.flatnonzero(label_cells == "")
    if len(empty):
        raise DataError(f"{path}: line {lines[empty[0]]}, column {j_label + 1} "
                        f"({names[j_label]!r}): missing label")
    columns = [j for j in range(width) if j != j_label]
    feature_cells = cells[:, columns]
    try:
        X = feature_cells.astype(np.float64)
    except ValueError:
        X = None
    if X is None or not np.isfinite(X).all():
        raise _bad_cell(feature_cells, lines, columns, names, path)
    return X, _labels(label_cells), [names[j] for j in columns], names[j_label]


def read_npz(path):
    """Read ``X`` and ``y`` (and, if present, ``X_test`` and ``y_test``) from an ``.npz`` file.

    Returns
    -------
    dict
        ``"X"`` ``(n, ...)`` numeric and ``"y"`` ``(n,)``, numbers or strings,
        plus ``"X_test"``, ``"y_test"`` when the file has them.
    """
    path = Path(path)
    if path.is_file() and not zipfile.is_zipfile(path):
        # np.load would take it for a pickle, and refuse it as one: say what it really is
        raise DataError(f"{path}: not a valid .npz file (not a zip archive); save one with "
                        f"numpy.savez(path, X=X, y=y)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            keys = set(npz.files)
            if not {"X", "y"} <= keys:
                raise DataError(f"{path}: an .npz data file needs arrays named 'X' and 'y'; "
                                f"it has: {', '.join(sorted(keys)) or 'none'}")
            wanted = ["X", "y"] + (["X_test", "y_test"] if {"X_test", "y_test"} <= keys else [])
            arrays = {key: npz[key] for key in wanted}
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except (zipfile.BadZipFile, EOFError) as err:
        raise DataError(f"{path}: not a valid .npz file ({err})") from None
    except ValueError as err:
        if isinstance(err, DataError):
            raise
        if "allow_pickle" in str(err) or "Object arrays" in str(err):
            raise DataError(f"{path}: holds Python objects (pickled), which nnlearn does not load "
                            f"because unpickling can run code; save labels as a string array "
                            f"(e.g. y.astype(str)) and features as numbers") from None
        raise DataError(f"{path}: not a valid .npz file ({err})") from None
    except OSError as err:
        raise DataError(f"{path}: cannot read: {err.strerror or err}") from None
    for part in ("", "_test"):
        if "X" + part in arrays:
            _check_npz_pair(arrays["X" + part], arrays["y" + part], path, part)
    return arrays


def _check_npz_pair(X, y, path, part):
    X_name, y_name = "X" + part, "y" + part
    if X.ndim < 2 or len(X) == 0:
        raise DataError(f"{path}: {X_name} must have one sample per row, shape (n, n_features), "
                        f"got {X.shape}")
    if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
        raise DataError(f"{path}: {X_name} holds {X.dtype} values; features must be numbers")
    bad = np.argwhere(~np.isfinite(X)) if np.issubdtype(X.dtype, np.inexact) else []
    if len(bad):
        index = ", ".join(map(str, bad[0]))
        raise DataError(f"{path}: {X_name}[{index}] is {X[tuple(bad[0])]}; missing or infinite "
                        f"values are not allowed")
    if y.ndim != 1 or len(y) != len(X):
        raise DataError(f"{path}: {y_name} must hold one label per row of {X_name} "
                        f"({len(X)}), got shape {y.shape}")
    if y.dtype.kind not in "iubfUS":
        raise DataError(f"{path}: {y_name} holds {y.dtype} values; labels must be numbers "
                        f"or strings")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        i = int(np.flatnonzero(~np.isfinite(y))[0])
        raise DataError(f"{path}: {y_name}[{i}] is {y[i]}; every sample needs a label")


def _class_indices(*labels):
    """Classes (sorted, as in the file) and each label array as indices into them."""
    labels = [lab.astype(str) if lab.dtype.kind == "S" else lab for lab in labels]
    if len({lab.dtype.kind in "US" for lab in labels}) > 1:
        raise DataError("the training labels are strings and the test labels numbers, or the "
                        "other way round")
    classes = np.unique(np.concatenate(labels))
    # whole-number float labels (1.0, 2.0) read as the integers they are
    if classes.dtype.kind == "f" and np.all(classes == np.round(classes)):
        classes = classes.astype(np.int64)
    return classes, [np.searchsorted(classes, lab.astype(classes.dtype)).astype(np.int64)
                     for lab in labels]


def load_table(path, *, seed=0, test_size=0.2, label=-1, header=None, delimiter=None) -> Dataset:
    """Load a CSV or ``.npz`` file as a ``Dataset``, drawing a stratified test part.

    Parameters
    ----------
    path : str or Path
        ``*.csv``, ``*.tsv`` or ``*.npz``.
    seed : int
        Seed of the test split.
    test_size : float or int
        Share (default 0.2) or number of samples held out for testing; an
        ``.npz`` with ``X_test`` and ``y_test`` uses those instead.
    label, header, delimiter
        For CSV files, see ``read_csv``.

    Returns
    -------
    Dataset
        ``y_*`` are indices into ``classes``, the sorted original labels
        (strings stay strings). ``image_shape`` is set for ``(n, h, w)`` arrays.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    image_shape = None
    info = {"path": str(path), "seed": seed, "test_size": test_size}
    if suffix == ".npz":
        arrays = read_npz(path)
        X, labels = arrays["X"], arrays["y"]
        if X.dtype.kind != "f":  # integer or boolean features: compute in floating point
            X = X.astype(np.float64)
        if X.ndim == 3:
            image_shape = X.shape[1:]
        X = X.reshape(len(X), -1)
        test = (arrays["X_test"].reshape(len(arrays["X_test"]), -1), arrays["y_test"]) \
            if "X_test" in arrays else None
        if test is not None and test[0].shape[1] != X.shape[1]:
            raise DataError(f"{path}: X has {X.shape[1]} features per sample, X_test "
                            f"{test[0].shape[1]}")
    elif suffix in (".csv", ".tsv"):
        X, labels, features, label_name = read_csv(path, label=label, header=header,
                                                   delimiter=delimiter)
        test = None
        info.update(features=features, label=label_name)
    else:
        raise DataError(f"{path}: unsupported file type {path.suffix!r}; nnlearn reads "
                        f"{', '.join(TABLE_SUFFIXES)} files")
    if test is None:
        classes, (y,) = _class_indices(labels)
        if len(classes) < 2:
            raise DataError(f"{path}: all {len(y)} samples have the label {classes[0]!r}; "
                            f"classification needs at least 2 classes")
        try:
            X_train, X_test, y_train, y_test = train_val_split(X, y, test_size, seed)
        except ValueError as err:
            raise DataError(f"{path}: cannot draw the test part: {err}") from None
    else:
        classes, (y_train, y_test) = _class_indices(labels, test[1])
        X_train, X_test = X, test[0]
        info["test_size"] = "from the file (X_test, y_test)"
    return Dataset(path.name, X_train, y_train, X_test, y_test, classes=classes,
                   image_shape=image_shape, info=info)


def read_features(path, n_features: int, *, label=-1, header=None, delimiter=None):
    """Read the features of a CSV table for a model that takes ``n_features`` inputs.

    A table of ``n_features + 1`` columns has a label column (``label``, as in
    ``read_csv``); one of ``n_features`` columns holds features only. Returns
    ``(X, labels)`` with ``labels`` None when the table has no label column.
    """
    path = Path(path)
    delimiter = delimiter or ("\t" if path.suffix.lower() == ".tsv" else ",")
    rows = _read_rows(path, delimiter)
    if not rows:
        raise DataError(f"{path}: the file is empty")
    width = len(rows[0][1])
    if width == n_features + 1:
        X, labels, _, _ = read_csv(path, label=label, header=header, delimiter=delimiter)
        return X, labels
    if width != n_features:
        raise DataError(f"{path}: has {width} columns; the model takes {n_features} features "
                        f"(give {n_features} columns, or {n_features + 1} with a label column)")
    if header is None:
        header = _has_header(rows[0][1], rows[1][1] if len(rows) > 1 else None)
    names = rows[0][1] if header else [f"x{j + 1}" for j in range(width)]
    data = rows[1:] if header else rows
    if not data:
        raise DataError(f"{path}: there is a header row but no data rows")
    for line, row in data:
        if len(row) != width:
            raise DataError(f"{path}: line {line} has {len(row)} columns, not {width}")
    cells = np.array([row for _, row in data], dtype=str)
    try:
        X = cells.astype(np.float64)
    except ValueError:
        X = None
    if X is None or not np.isfinite(X).all():
        raise _bad_cell(cells, [line for line, _ in data], list(range(width)), names, path)
    return X, None
