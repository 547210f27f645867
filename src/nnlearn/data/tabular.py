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

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from .columns import Where, check_missing, default_names, encode_table
from .dataset import Dataset
from .npzfile import read_npz
from .sampling import train_val_split

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


def read_rows(path, delimiter=None) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a CSV file and their lines, cells stripped (as ``read_csv``)."""
    return _read_rows(Path(path), _delimiter(delimiter, Path(path)))


#: label cells that mean "no label" in a column of numbers (compared in lower case)
MISSING_MARKERS = frozenset({"", "nan", "na", "n/a", "null", "none", "?"})
#: ``delimiter=`` spellings of the tab, as a shell passes them
TAB_NAMES = ("\\t", "tab")


def _has_header(rows: list[list[str]], j_label: int) -> bool:
    """Whether the first of ``rows`` names the columns (the rule of ``read_csv``).

    1. A cell that is a word where the next row has a number: a header.
    2. The label column holds words (string labels), so rule 1 cannot see a
       header there: the first row is a header when its label cell occurs in
       no other row (``0,1,species`` above ``5.1,3.5,setosa``...): a class
       named after the column is far likelier than a class of one sample.
    """
    first, second = rows[0], rows[1] if len(rows) > 1 else None
    if any(not _is_number(a) and (second is None or _is_number(b))
           for a, b in zip(first, second or first)):
        return True
    if second is None or not 0 <= j_label < len(first):
        return False
    name = first[j_label]
    others = [row[j_label] for row in rows[1:] if len(row) == len(first)]
    return (not _is_number(name) and any(not _is_number(c) for c in others)
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


def _labels(cells: np.ndarray, lines: list[int], where) -> np.ndarray:
    """Label cells as int64 if all are integers, float64 if all are numbers, else strings.

    A column of numbers with gaps (``nan``, ``inf``, ``NA``, an empty cell...)
    is refused, naming the first gap: a missing label is not a class.
    """
    for dtype in (np.int64, np.float64):
        try:
            labels = cells.astype(dtype)
        except (ValueError, OverflowError):
            continue
        bad = np.flatnonzero(~np.isfinite(labels))
        if len(bad):
            raise DataError(f"{where(lines[bad[0]])}: {str(cells[bad[0]])!r} is a missing label; "
                            f"every sample needs a label (drop the rows without one)")
        return labels
    # words, or numbers with gaps written as words
    marked = np.isin(np.char.lower(cells), list(MISSING_MARKERS))
    if marked.any() and all(_is_number(c) for c in cells[~marked].tolist()):
        i = int(np.flatnonzero(marked)[0])
        raise DataError(f"{where(lines[i])}: {str(cells[i])!r} is a missing label; every sample "
                        f"needs a label (drop the rows without one)")
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


@dataclass
class Table:
    """A CSV file's cells as ``read_columns`` reads them."""

    features: np.ndarray  # (n, d) str: the feature columns' cells
    labels: np.ndarray  # as read_csv returns them
    feature_names: list[str] | None  # from the header; None without one
    label_name: str
    lines: list[int]  # each row's line in the file
    positions: list[int]  # each feature's column in the file (from 0)


def data_cells(rows, header: bool, path) -> tuple[np.ndarray, list[int]]:
    """The data rows (after the header row, when there is one) as an ``(n, width)`` array
    of text, and their line numbers; refuses a header alone and rows of another width."""
    first_line, first = rows[0]
    data = rows[1:] if header else rows
    if not data:
        raise DataError(f"{path}: there is a header row (line {first_line}) but no data rows")
    for line, row in data:
        if len(row) != len(first):
            raise DataError(f"{path}: line {line} has {len(row)} columns, line {first_line} "
                            f"has {len(first)}; every row needs the same columns")
    return np.array([row for _, row in data], dtype=str), [line for line, _ in data]


def read_columns(path, *, label=-1, header=None, delimiter=None) -> Table:
    """Read a CSV table's cells as text, and its label column (see ``read_csv``)."""
    path = Path(path)
    rows = _read_rows(path, _delimiter(delimiter, path))
    if not rows:
        raise DataError(f"{path}: the file is empty")
    first_line, first = rows[0]
    width = len(first)
    if header is None:
        by_name = isinstance(label, str) and not label.lstrip("-").isdigit()
        j = int(label) if not by_name else width  # out of range: rule 2 does not apply
        header = by_name or _has_header([row for _, row in rows], j % width if -width <= j < width
                                        else width)
    names = first if header else [f"x{j + 1}" for j in range(width)]
    j_label = _label_column(label, first if header else None, width, path, first_line)
    cells, lines = data_cells(rows, header, path)  # (n, width)
    if width < 2:
        raise DataError(f"{path}: only one column: need at least one feature and the label")
    label_cells = cells[:, j_label]

    def where(line):
        return f"{path}: line {line}, column {j_label + 1} ({names[j_label]!r})"

    empty = np.flatnonzero(label_cells == "")
    if len(empty):
        raise DataError(f"{where(lines[empty[0]])}: missing label; every sample needs a label "
                        f"(drop the rows without one)")
    columns = [j for j in range(width) if j != j_label]
    return Table(cells[:, columns], _labels(label_cells, lines, where),
                 [names[j] for j in columns] if header else None, names[j_label], lines, columns)


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
    table = read_columns(path, label=label, header=header, delimiter=delimiter)
    names = table.feature_names or [f"x{p + 1}" for p in table.positions]
    try:
        X = table.features.astype(np.float64)
    except ValueError:
        X = None
    if X is None or not np.isfinite(X).all():
        raise _bad_cell(table.features, table.lines, table.positions,
                        dict(zip(table.positions, names)), path)
    return X, table.labels, names, table.label_name


def _class_indices(*labels, path):
    """Classes (sorted, as in the file) and each label array as indices into them."""
    labels = [lab.astype(str) if lab.dtype.kind == "S" else lab for lab in labels]
    if len({lab.dtype.kind in "US" for lab in labels}) > 1:
        raise DataError(f"{path}: the training labels are strings and the test labels numbers, "
                        f"or the other way round")
    classes = np.unique(np.concatenate(labels))
    # whole-number float labels (1.0, 2.0) read as the integers they are
    if classes.dtype.kind == "f" and np.all(classes == np.round(classes)) \
            and float(np.abs(classes).max()) < 2.0 ** 53:
        classes = classes.astype(np.int64)
    return classes, [np.searchsorted(classes, lab.astype(classes.dtype)).astype(np.int64)
                     for lab in labels]


def _plain(value):
    """A NumPy scalar as the Python value it holds, for messages (``'barolo'``, not ``np.str_``)."""
    return value.item() if isinstance(value, np.generic) else value


def check_labels(classes, n: int, path, column: str, hint: str) -> None:
    """Refuse label columns that cannot be class labels.

    The rule (documented in ``docs/data.md``): fewer than 2 classes; fractional
    numbers (``2.35``: a measurement, not a class); or more distinct values
    than half the rows (fewer than 2 samples per class on average: nearly
    every row its own class, as when a CSV file has no label column and its
    last feature is taken for one). ``hint`` says how to name another column.
    """
    k = len(classes)
    if k < 2:
        raise DataError(f"{path}: all {n} samples have the label {_plain(classes[0])!r}; "
                        f"classification needs at least 2 classes")
    if classes.dtype.kind == "f":
        frac = _plain(classes[np.flatnonzero(classes != np.round(classes))[0]])
        raise DataError(f"{path}: the label column {column} holds fractional numbers (e.g. "
                        f"{frac!r}): they look like measurements, not class labels. {hint}")
    if 2 * k > n:
        raise DataError(f"{path}: the label column {column} has {k} distinct values in {n} rows: "
                        f"nearly every row would be its own class, so it is probably a feature, "
                        f"not the label. {hint}")


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
        check_missing(table.features, table.feature_names or default_names(len(table.positions)),
                      missing, source=str(path), where=Where(path, table.lines, table.positions))
        X, labels, test = np.arange(len(table.labels))[:, None], table.labels, None  # rows
        info.update(features=table.feature_names or default_names(len(table.positions)),
                    label=table.label_name)
        column, hint = repr(table.label_name), CSV_HINT
    else:
        raise DataError(f"{path}: unsupported file type {path.suffix!r}; nnlearn reads "
                        f"{', '.join(TABLE_SUFFIXES)} files")
    if test is None:
        classes, (y,) = _class_indices(labels, path=path)
        check_labels(classes, len(y), path, column, hint)
        try:
            X_train, X_test, y_train, y_test = train_val_split(X, y, test_size, seed)
        except ValueError as err:
            raise DataError(f"{path}: cannot draw the test part: {err}") from None
        if suffix != ".npz":  # X holds row numbers: encode the cells, learnt on the training rows
            X_train, X_test = encode_table(table, X_train[:, 0], X_test[:, 0], missing, info,
                                           path)
    else:
        classes, (y_train, y_test) = _class_indices(labels, test[1], path=path)
        check_labels(classes, len(y_train) + len(y_test), path, column, hint)
        X_train, X_test = X, test[0]
        info["test_size"] = "from the file (X_test, y_test)"
    return Dataset(path.name, X_train, y_train, X_test, y_test, classes=classes,
                   image_shape=image_shape, info=info)


def as_features(X: np.ndarray) -> np.ndarray:
    """Integer or boolean features as float64 (compute in floating point); floats as they are."""
    return X if X.dtype.kind == "f" else X.astype(np.float64)
