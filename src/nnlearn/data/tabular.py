"""The user's own data: a CSV table or an ``.npz`` file of ``X`` and ``y``.

A CSV file holds one sample per line: feature columns and one label column
(chosen by name or index, by default the last). Labels may be numbers or
strings. A header row is detected (or set with ``header=``, see
``read_csv``). ``read_csv`` reads numeric features; ``read_columns`` keeps the
text of a column that is not all numbers (words, missing cells), which
``load_table`` encodes (``nnlearn.data.columns``: one-hot, missing cells
counted or imputed). Both read the file once, bounded (``data.csvcells``). An
``.npz`` file holds the arrays ``X`` ``(n, n_features)`` (or ``(n, h, w)``
images) and ``y`` ``(n,)``; it is read with ``allow_pickle=False``, so it
never runs code.

Such a file holds one table, so ``load_table`` draws the test part itself,
stratified and seeded. Every defect (an empty file, a missing value where
none may be, a row of the wrong length, an absent label column) raises a
``DataError`` that names the file, the line (counted from 1, as an editor
does) and the column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from .columns import Where, check_missing, default_names, encode_table
from .csvcells import (Cells, data_columns, data_labels, data_lines, delimiter_of, is_number,
                       read_cells)
from .dataset import Dataset
from .labels import check_labels, class_indices, label_values
from .npzfile import read_npz
from .sampling import train_val_split

#: the suffixes ``load`` recognises as a table file
TABLE_SUFFIXES = (".csv", ".tsv", ".npz")


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


@dataclass
class _Read:
    """A CSV file's cells (``csvcells.Cells``) and what ``read_csv``'s rules make of them."""

    cells: Cells
    delimiter: str
    header: bool
    names: list[str]  # every column's: the header's, else x1, x2, ...
    j_label: int
    lines: list[int]  # each data row's line in the file
    label_cells: list[str]
    where: Callable[[int], str]  # names a line's label cell

    def labels(self) -> np.ndarray:
        """The label column as ``read_csv`` returns it (``labels.label_values``)."""
        return label_values(self.label_cells, self.lines, self.where)


def _read(path: Path, label, header, delimiter) -> _Read:
    """One pass over the file, the header row decided, the label column read and checked."""
    delimiter = delimiter_of(delimiter, path)
    by_name = isinstance(label, str) and not label.lstrip("-").isdigit()
    if header is None and by_name:
        header = True  # a label given by name implies a header

    def label_of(first, first_line, _second=None):
        return _label_column(label, first if header else None, len(first), path, first_line)

    cells = read_cells(path, delimiter, label_of)
    first, first_line, width = cells.first, cells.first_line, len(cells.first)
    j_label = label_of(first, first_line)
    if header is None:
        header = _has_header(first, cells.second, j_label, cells.labels)
    names = first if header else default_names(width)
    label_cells = data_labels(cells, header, path)
    lines = data_lines(cells, header, path)
    if width < 2:
        raise DataError(f"{path}: only one column: need at least one feature and the label")

    def where(line):
        return f"{path}: line {line}, column {j_label + 1} ({names[j_label]!r})"

    empty = next((i for i, c in enumerate(label_cells) if c == ""), None)
    if empty is not None:
        raise DataError(f"{where(lines[empty])}: missing label; every sample needs a label "
                        f"(drop the rows without one)")
    return _Read(cells, delimiter, header, names, j_label, lines, label_cells, where)


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

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = open(f"{folder}/iris.csv", "w").write(
    ...         "sepal,petal,species\\n5.1,1.4,setosa\\n7.0,4.7,versicolor\\n")
    ...     X, labels, names, label = read_csv(f"{folder}/iris.csv")
    >>> X.tolist(), labels.tolist(), names, label
    ([[5.1, 1.4], [7.0, 4.7]], ['setosa', 'versicolor'], ['sepal', 'petal'], 'species')
    """
    path = Path(path)
    read = _read(path, label, header, delimiter)
    cells, names = read.cells, read.names
    X, bad = (cells.X[1:], cells.bad) if read.header else (cells.X, cells.first_bad or cells.bad)
    if bad is not None:
        raise _bad_cell(bad, names, path)
    return X, read.labels(), [names[j] for j in cells.columns], names[read.j_label]


@dataclass
class Table:
    """A CSV file's cells as ``read_columns`` reads them."""

    columns: list[np.ndarray]  # each feature column: float64 numbers, or its text (object)
    labels: np.ndarray  # as read_csv returns them
    feature_names: list[str] | None  # from the header; None without one
    label_name: str
    lines: list[int]  # each row's line in the file
    positions: list[int]  # each feature's column in the file (from 0)


def read_columns(path, *, label=-1, header=None, delimiter=None) -> Table:
    """Read a CSV table's feature columns (numbers as float64, a column that is not all
    numbers as its text) and its label column; the arguments as ``read_csv``'s."""
    path = Path(path)
    read = _read(path, label, header, delimiter)
    cells = read.cells
    columns = data_columns(path, read.delimiter, cells, read.header)
    return Table(columns, read.labels(),
                 [read.names[j] for j in cells.columns] if read.header else None,
                 read.names[read.j_label], read.lines, cells.columns)


CSV_HINT = ("Name the label column with label=NAME or label=INDEX (--label on the command "
            "line), e.g. label=0 for the first column.")


def load_table(path, *, seed=0, test_size=0.2, label=None, header=None,
               delimiter=None, missing=None) -> Dataset:
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
    missing : {"error", "impute"}, optional
        For CSV files: what a missing cell does (``nnlearn.data.columns``);
        ``None`` is ``"error"``. Word columns are one-hot encoded; the
        encoding, learnt on the training part, is ``info["encoding"]``.

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

    Examples
    --------
    Ten rows, a column of words (one-hot encoded) and the label first:

    >>> import tempfile
    >>> rows = [f"{c},{x},{colour}" for c, x, colour in zip(
    ...     "ab" * 5, range(10), ["red", "blue"] * 5)]
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = open(f"{folder}/t.csv", "w").write("cls,x,colour\\n" + "\\n".join(rows))
    ...     data = load_table(f"{folder}/t.csv", label="cls", test_size=4, seed=0)
    >>> data.X_train.shape, data.X_test.shape, data.classes.tolist()
    ((6, 3), (4, 3), ['a', 'b'])
    >>> data.info["features"], data.info["label"]
    (['x', 'colour'], 'cls')
    """
    path = Path(path)
    suffix = path.suffix.lower()
    image_shape = None
    info = {"path": str(path), "seed": seed, "test_size": test_size}
    if suffix == ".npz":
        given = [k for k, v in (("label", label), ("header", header), ("delimiter", delimiter),
                                ("missing", missing)) if v is not None]
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
        table = read_columns(path, label=-1 if label is None else label, header=header,
                             delimiter=delimiter)
        check_missing(table.columns, table.feature_names or default_names(len(table.positions)),
                      missing, source=str(path), where=Where(path, table.lines, table.positions))
        X, labels, test = np.arange(len(table.labels))[:, None], table.labels, None  # rows
        info.update(features=table.feature_names or default_names(len(table.positions)),
                    label=table.label_name)
        column, hint = repr(table.label_name), CSV_HINT
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
        if suffix != ".npz":  # X holds row numbers: encode the cells, learnt on the training rows
            X_train, X_test = encode_table(table, X_train[:, 0], X_test[:, 0], missing, info,
                                           path)
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
