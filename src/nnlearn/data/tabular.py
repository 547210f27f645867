"""The user's own data: a CSV table or an ``.npz`` file of ``X`` and ``y``.

A CSV file holds one sample per line: numeric features and one label column
(chosen by name or index, by default the last). Labels may be numbers or
strings. A header row is detected (or set with ``header=``, see
``read_csv``). An ``.npz``
file holds the arrays ``X`` ``(n, n_features)`` (or ``(n, h, w)`` images)
and ``y`` ``(n,)``; it is read with ``allow_pickle=False``, so it never runs code.

Such a file holds one table, so ``load_table`` draws the test part itself,
stratified and seeded. Every defect (an empty file, a missing or non-numeric
value, a row of the wrong length, an absent label column) raises a
``DataError`` that names the file, the line (counted from 1, as an editor
does) and the column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DataError
from ..limits import MAX_LABEL_CHARS
from .csvcells import is_number, read_cells
from .labels import check_labels, class_indices, label_values
from .dataset import Dataset
from .npzfile import read_npz
from .sampling import train_val_split

#: the suffixes ``load`` recognises as a table file
TABLE_SUFFIXES = (".csv", ".tsv", ".npz")


#: ``delimiter=`` spellings of the tab, as a shell passes them
TAB_NAMES = ("\\t", "tab")


def _has_header(first: list[str], second: list[str] | None, j_label: int | None,
                others: list[str] | None) -> bool:
    """Whether the row ``first`` names the columns (the rule of ``read_csv``).

    1. A cell that is a word where the next row (``second``) has a number: a header.
    2. The label column (``j_label``; ``others`` its cells in the later rows) holds
       words (string labels), so rule 1 cannot see a header there: the first row
       is a header when its label cell occurs in no other row (``0,1,species``
       above ``5.1,3.5,setosa``...): a class named after the column is far
       likelier than a class of one sample.
    """
    if any(not is_number(a) and (second is None or is_number(b))
           for a, b in zip(first, second or first)):
        return True
    if second is None or j_label is None or not others:
        return False
    name = first[j_label]
    return (not is_number(name) and any(not is_number(c) for c in others)
            and name not in others)


def _delimiter(delimiter, path: Path) -> str:
    """The delimiter to use: by suffix when None (tab for ``*.tsv``), ``"tab"``/``"\\t"`` a tab."""
    if delimiter is None:
        return "\t" if path.suffix.lower() == ".tsv" else ","
    if delimiter in TAB_NAMES:
        return "\t"
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\r\n\"":
        raise DataError(f"{path}: the delimiter must be one character (or 'tab'), other than "
                        f"a quote or a line break; got {delimiter!r}")
    return delimiter


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


def _first_label(path: Path, line: int, text: str) -> None:
    """The first row's label cell, once the first row is known to be data (capped as labels)."""
    if len(text) > MAX_LABEL_CHARS:
        raise DataError(f"{path}: line {line}: a label of {len(text):,} characters; nnlearn "
                        f"reads labels of at most {MAX_LABEL_CHARS:,} (nnlearn.limits)")


def _bad_cell(bad: tuple[int, int, str], names, path: Path) -> DataError:
    """The first cell that is not a finite number, ``(line, column, text)``, described."""
    line, j, text = bad
    where = f"{path}: line {line}, column {j + 1} ({names[j]!r})"
    if text == "":
        return DataError(f"{where}: missing value; every feature must be a number")
    if not is_number(text):
        return DataError(f"{where}: {text!r} is not a number")
    return DataError(f"{where}: {text!r} is not a finite number; fill in or drop "
                     f"missing values first")


def read_csv(path, *, label=-1, header=None, delimiter=None):
    """Read a CSV table of numeric features and one label column.

    Parameters
    ----------
    path : str or Path
    label : int or str
        The label column: an index (negative counts from the end; default -1,
        the last column) or a name from the header row.
    header : bool, optional
        Whether the first row names the columns. ``None`` (default) detects
        it: the first row is a header when one of its cells is a word where
        the next row has a number, or, for a label column of words, when its
        label cell occurs in no other row (``0,1,species`` above
        ``5.1,3.5,setosa``). A label given by name implies a header. Set it
        when the guess can be wrong (all cells numbers, or a class of one
        sample in the first row).
    delimiter : str, optional
        One character; ``"tab"`` or ``"\\t"`` (as typed in a shell) for a tab.
        Default: a tab for ``*.tsv`` (any case), else ``","``.

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
    by_name = isinstance(label, str) and not label.lstrip("-").isdigit()
    if header is None and by_name:
        header = True  # a label given by name implies a header

    def label_of(first, first_line):
        return _label_column(label, first if header else None, len(first), path, first_line)

    cells = read_cells(path, _delimiter(delimiter, path), label_of)
    first, first_line, width = cells.first, cells.first_line, len(cells.first)
    j_label = label_of(first, first_line)
    if header is None:
        header = _has_header(first, cells.second, j_label, cells.labels)
    names = first if header else [f"x{j + 1}" for j in range(width)]
    if not header:
        _first_label(path, first_line, first[j_label])
    if not cells.lines and header:
        raise DataError(f"{path}: there is a header row (line {first_line}) but no data rows")
    if width < 2:
        raise DataError(f"{path}: only one column: need at least one feature and the label")
    lines = cells.lines if header else [first_line, *cells.lines]
    label_cells = cells.labels if header else [first[j_label], *cells.labels]

    def where(line):
        return f"{path}: line {line}, column {j_label + 1} ({names[j_label]!r})"

    empty = next((i for i, c in enumerate(label_cells) if c == ""), None)
    if empty is not None:
        raise DataError(f"{where(lines[empty])}: missing label; every sample needs a label "
                        f"(drop the rows without one)")
    columns = [j for j in range(width) if j != j_label]
    X, bad = (cells.X[1:], cells.bad) if header else (cells.X, cells.first_bad or cells.bad)
    if bad is not None:
        raise _bad_cell(bad, names, path)
    return X, label_values(label_cells, lines, where), [names[j] for j in columns], names[j_label]


CSV_HINT = ("Name the label column with label=NAME or label=INDEX (--label on the command "
            "line), e.g. label=0 for the first column.")


def load_table(path, *, seed=0, test_size=0.2, label=None, header=None,
               delimiter=None) -> Dataset:
    """Load a CSV or ``.npz`` file as a ``Dataset``, drawing a stratified test part.

    Parameters
    ----------
    path : str or Path
        ``*.csv``, ``*.tsv`` or ``*.npz`` (suffixes in any case).
    seed : int
        Seed of the test split.
    test_size : float or int
        Share (default 0.2) or number of samples held out for testing; an
        ``.npz`` with ``X_test`` and ``y_test`` uses those instead.
    label, header, delimiter
        For CSV files, see ``read_csv`` (``label=None`` is the last column).
        An error for ``.npz`` files, whose labels are the array ``y``.

    Returns
    -------
    Dataset
        ``y_*`` are indices into ``classes``, the sorted original labels
        (strings stay strings). ``image_shape`` is set for ``(n, h, w)`` arrays.

    Raises
    ------
    DataError
        Everything ``read_csv`` and ``read_npz`` refuse, and label columns
        that cannot be class labels (``check_labels``).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    image_shape = None
    info = {"path": str(path), "seed": seed, "test_size": test_size}
    if suffix == ".npz":
        given = [k for k, v in (("label", label), ("header", header), ("delimiter", delimiter))
                 if v is not None]
        if given:
            raise DataError(f"{path}: {', '.join(given)} apply to CSV files; an .npz file holds "
                            f"its labels in the array y")
        arrays = read_npz(path)
        X, labels = as_features(arrays["X"]), arrays["y"]
        if X.ndim == 3:
            image_shape = X.shape[1:]
        X = X.reshape(len(X), -1)
        test = None
        if "X_test" in arrays:
            test = (as_features(arrays["X_test"]).reshape(len(arrays["X_test"]), -1),
                    arrays["y_test"])
            if test[0].shape[1] != X.shape[1]:
                raise DataError(f"{path}: X has {X.shape[1]} features per sample, X_test "
                                f"{test[0].shape[1]}")
        column, hint = "y", "Save the class of each sample as y."
    elif suffix in (".csv", ".tsv"):
        X, labels, features, label_name = read_csv(path, label=-1 if label is None else label,
                                                   header=header, delimiter=delimiter)
        test = None
        info.update(features=features, label=label_name)
        column, hint = repr(label_name), CSV_HINT
    else:
        raise DataError(f"{path}: unsupported file type {path.suffix!r}; nnlearn reads "
                        f"{', '.join(TABLE_SUFFIXES)} files")
    if test is None:
        classes, (y,) = class_indices(labels, path=path)
        check_labels(classes, len(y), path, column, hint)
        try:
            X_train, X_test, y_train, y_test = train_val_split(X, y, test_size, seed)
        except ValueError as err:
            raise DataError(f"{path}: cannot draw the test part: {err}") from None
    else:
        classes, (y_train, y_test) = class_indices(labels, test[1], path=path)
        check_labels(classes, len(y_train) + len(y_test), path, column, hint)
        X_train, X_test = X, test[0]
        info["test_size"] = "from the file (X_test, y_test)"
    return Dataset(path.name, X_train, y_train, X_test, y_test, classes=classes,
                   image_shape=image_shape, info=info)


def as_features(X: np.ndarray) -> np.ndarray:
    """Integer or boolean features as float64 (compute in floating point); floats as they are."""
    return X if X.dtype.kind == "f" else X.astype(np.float64)


def read_features(path, n_features: int, *, label=-1, header=None, delimiter=None):
    """Read the features of a CSV table for a model that takes ``n_features`` inputs.

    A table of ``n_features + 1`` columns has a label column (``label``, as in
    ``read_csv``); one of ``n_features`` columns holds features only. Returns
    ``(X, labels)`` with ``labels`` None when the table has no label column.
    """
    path = Path(path)
    delimiter = _delimiter(delimiter, path)

    def no_label(first, first_line):
        width = len(first)
        if width == n_features + 1:
            raise _HasLabel
        if width != n_features:
            raise DataError(f"{path}: has {width} columns; the model takes {n_features} "
                            f"features (give {n_features} columns, or {n_features + 1} with a "
                            f"label column)")
        return None

    try:
        cells = read_cells(path, delimiter, no_label)
    except _HasLabel:
        X, labels, _, _ = read_csv(path, label=label, header=header, delimiter=delimiter)
        return X, labels
    if header is None:  # no label column: rule 1 only
        header = _has_header(cells.first, cells.second, None, None)
    names = cells.first if header else [f"x{j + 1}" for j in range(n_features)]
    if header and not cells.lines:
        raise DataError(f"{path}: there is a header row but no data rows")
    X, bad = (cells.X[1:], cells.bad) if header else (cells.X, cells.first_bad or cells.bad)
    if bad is not None:
        raise _bad_cell(bad, names, path)
    return X, None


class _HasLabel(Exception):
    """The table has a label column: ``read_features`` hands it to ``read_csv``."""
