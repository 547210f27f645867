"""Class labels as a file holds them: read from text exactly, checked, and numbered.

A label keeps its identity whatever its size or type: integers that int64
holds become int64, numbers float64, and anything else (words, integers past
int64, whole numbers past 2**53 written as floating point) keeps its text, so
two different labels are never merged by a cast.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError
from .csvcells import is_number

#: label cells that mean "no label" in a column of numbers (compared in lower case)
MISSING_MARKERS = frozenset({"", "nan", "na", "n/a", "null", "none", "?"})


def _exact_numbers(cells: list[str]) -> np.ndarray | None:
    """The label cells as int64 if all are integers int64 holds, float64 if all are numbers
    float64 tells apart, else None (keep the text: it is the label's identity).

    Integers past int64 (``2**63``) or whole numbers of 2**53 or more written as
    floating point would be merged or corrupted by a cast, so they stay text.
    """
    try:
        ints = [int(c) for c in cells]
    except ValueError:
        ints = None
    if ints is not None:
        if all(-2**63 <= i < 2**63 for i in ints):
            return np.array(ints, dtype=np.int64)
        return None
    try:
        floats = np.array([float(c) for c in cells], dtype=np.float64)
    except ValueError:
        return None
    whole = floats == np.round(floats)
    if np.any(whole & (np.abs(floats) >= 2.0**53) & np.isfinite(floats)):
        return None
    return floats


def label_values(cells: list[str], lines: list[int], where) -> np.ndarray:
    """Label cells as int64 if all are integers, float64 if all are numbers, else strings.

    Numbers that int64 or float64 cannot hold exactly keep their text, so two
    labels never merge. A column of numbers with gaps (``nan``, ``inf``, ``NA``,
    an empty cell...) is refused, naming the first gap: a missing label is not a class.
    """
    labels = _exact_numbers(cells)
    if labels is not None:
        bad = np.flatnonzero(~np.isfinite(labels))
        if len(bad):
            raise DataError(f"{where(lines[bad[0]])}: {cells[bad[0]]!r} is a missing label; "
                            f"every sample needs a label (drop the rows without one)")
        return labels
    # words, or numbers with gaps written as words
    marked = [c.lower() in MISSING_MARKERS for c in cells]
    if any(marked) and all(is_number(c) for c, m in zip(cells, marked) if not m):
        i = marked.index(True)
        raise DataError(f"{where(lines[i])}: {cells[i]!r} is a missing label; every sample "
                        f"needs a label (drop the rows without one)")
    return np.array(cells, dtype=str)  # each label at most MAX_LABEL_CHARS: a bounded padding


def class_indices(*labels, path):
    """Classes (sorted, as in the file) and each label array as indices into them."""
    labels = [lab.astype(str) if lab.dtype.kind == "S" else lab for lab in labels]
    integers = all(lab.dtype.kind in "iu" for lab in labels)
    if integers and (len({lab.dtype for lab in labels}) > 1
                     or any(lab.dtype == np.uint64 for lab in labels)):
        labels = _common_integers(labels)
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


def _common_integers(labels):
    """Integer label arrays of several types (int64 and uint64) in one type that holds them
    all exactly: int64 when it can, else Python integers (concatenating int64 with uint64
    would give float64, which merges labels of 2**53 or more)."""
    if all(int(lab.min(initial=0)) >= -2**63 and int(lab.max(initial=0)) < 2**63
           for lab in labels):
        return [lab.astype(np.int64) for lab in labels]
    out = []
    for lab in labels:
        exact = np.empty(len(lab), dtype=object)
        exact[:] = lab.tolist()  # Python integers: any size, compared exactly
        out.append(exact)
    return out


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
    fractional = np.flatnonzero(classes != np.round(classes)) if classes.dtype.kind == "f" \
        else np.empty(0, dtype=np.intp)
    if len(fractional):  # (whole numbers of 2**53 or more stay floats: exact, and not fractional)
        frac = _plain(classes[fractional[0]])
        raise DataError(f"{path}: the label column {column} holds fractional numbers (e.g. "
                        f"{frac!r}): they look like measurements, not class labels. {hint}")
    if 2 * k > n:
        raise DataError(f"{path}: the label column {column} has {k} distinct values in {n} rows: "
                        f"nearly every row would be its own class, so it is probably a feature, "
                        f"not the label. {hint}")
