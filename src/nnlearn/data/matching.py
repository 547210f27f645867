"""A CSV file's columns matched to a trained model's, by name: what ``predict`` and
``evaluate`` read.

A model file keeps its feature columns' names in order (``feature_names_in``),
how they are encoded (``encoding``, see ``nnlearn.data.columns``) and the
label column's name (``label_name``). A file with a header row is matched by
those names, in any order: a column the model takes that the file lacks is an
error naming it; columns it does not take are ignored, with a warning. A file
without a header row is taken in order, with a warning (nothing can be
checked). A model that knows no names (``x0, x1, ...``) takes columns in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DataError
from .columns import Encoding, Where, default_names
from .tabular import data_cells, read_rows


@dataclass
class ModelColumns:
    """What a model file says of its input columns."""

    names: list[str]
    encoding: Encoding
    label_name: str | None = None
    named: bool = True  # False: the names are x0, x1, ... (the model knows none)

    @classmethod
    def of(cls, network) -> ModelColumns:
        """From ``network.metadata``; refuses an encoding that does not fit the network."""
        meta = network.metadata or {}
        names = meta.get("feature_names_in")
        if "encoding" in meta:
            try:
                encoding = Encoding.from_dict(meta["encoding"])
            except ValueError as err:
                raise DataError(str(err)) from None
        else:
            ok = isinstance(names, list) and len(names) == network.n_in and \
                all(isinstance(n, str) for n in names)
            encoding = Encoding.numeric(names if ok else default_names(network.n_in))
        if encoding.n_features != network.n_in:
            raise DataError(f"the model file's encoding gives {encoding.n_features} inputs; its "
                            f"network takes {network.n_in}")
        label = meta.get("label_name")
        return cls(encoding.names, encoding, label if isinstance(label, str) else None,
                   encoding.names != default_names(len(encoding.names)))


@dataclass
class Matched:
    """Rows read for a model: inputs ``X``, labels (or None) and warnings for a person."""

    X: np.ndarray
    labels: np.ndarray | None
    warnings: list[str] = field(default_factory=list)


def _label_values(cells: np.ndarray, path, lines, column: str) -> np.ndarray:
    """Label cells as int64, float64 or strings, whichever they all are; none empty."""
    empty = np.flatnonzero(cells == "")
    if len(empty):
        raise DataError(f"{path}: line {lines[empty[0]]}, column {column}: missing label")
    for dtype in (np.int64, np.float64):
        try:
            return cells.astype(dtype)
        except (ValueError, OverflowError):
            continue
    return cells


def _is_header(first: list[str], second: list[str] | None, model: ModelColumns) -> bool:
    """A model's column name in the first row, or a word above a number (read_csv's rule 1)."""
    if model.named and set(model.names) & set(first):
        return True
    for a, b in zip(first, second or first):
        try:
            float(a)
        except ValueError:
            try:
                float(b)
                return True
            except ValueError:
                pass
    return False


def read_matched(path, model: ModelColumns, *, label=None, header=None,
                 delimiter=None) -> Matched:
    """Read a CSV file's rows for a model, its columns matched by name (module docstring).

    Parameters
    ----------
    path : str or Path
    model : ModelColumns
    label : str or int, optional
        The label column (name or index); default: the model's label column by
        name, or in a file without a header the column after the features.
    header : bool, optional
        Whether the first row names the columns; default: detected.
    delimiter : str, optional
        As ``read_csv``.

    Returns
    -------
    Matched
    """
    path = Path(path)
    rows = read_rows(path, delimiter)
    if not rows:
        raise DataError(f"{path}: the file is empty")
    first = rows[0][1]
    width, d = len(first), len(model.names)
    if header is None:
        header = _is_header(first, rows[1][1] if len(rows) > 1 else None, model)
    cells, lines = data_cells(rows, header, path)
    notes: list[str] = []
    if header and model.named:
        positions, j_label = _by_name(first, model, label, path, notes)
    else:
        positions, j_label = _in_order(width, d, label, path)
        if model.named:
            notes.append(f"{path}: no header row, so its columns are taken in order as the "
                         f"model's: {', '.join(model.names)}; give a header to match them by "
                         f"name")
    X, more = model.encoding.transform(cells[:, positions], source=str(path),
                                       where=Where(path, lines, positions))
    labels = None
    if j_label is not None:
        column = f"{j_label + 1} ({first[j_label]!r})" if header else str(j_label + 1)
        labels = _label_values(cells[:, j_label], path, lines, column)
    return Matched(X, labels, notes + more)


def _by_name(first, model: ModelColumns, label, path, notes) -> tuple[list[int], int | None]:
    """The file's positions of the model's columns, and of the label column (or None)."""
    if len(set(first)) != len(first):
        twice = sorted({n for n in first if first.count(n) > 1})
        raise DataError(f"{path}: the header names column(s) {', '.join(map(repr, twice))} "
                        f"twice; columns are matched by name")
    absent = [n for n in model.names if n not in first]
    if absent:
        raise DataError(f"{path}: no column named {absent[0]!r}, which the model takes"
                        f"{f' (nor {len(absent) - 1} more)' if len(absent) > 1 else ''}; it "
                        f"takes: {', '.join(model.names)}")
    positions = [first.index(n) for n in model.names]
    if label is None:
        j_label = first.index(model.label_name) if model.label_name in first else None
    elif isinstance(label, str) and not label.lstrip("-").isdigit():
        if label not in first:
            raise DataError(f"{path}: no label column named {label!r}; the columns are: "
                            f"{', '.join(first)}")
        j_label = first.index(label)
    else:
        j_label = int(label) % len(first) if -len(first) <= int(label) < len(first) else None
        if j_label is None or j_label in positions:
            raise DataError(f"{path}: label column {label} is not a column besides the "
                            f"model's features")
    extra = [n for j, n in enumerate(first) if j not in positions and j != j_label]
    if extra:
        notes.append(f"{path}: ignoring column(s) the model does not take: "
                     f"{', '.join(map(repr, extra))}")
    return positions, j_label


def _in_order(width: int, d: int, label, path) -> tuple[list[int], int | None]:
    """Positions of ``d`` features taken in order, around a label column when there is one."""
    if width == d:
        return list(range(d)), None
    if width != d + 1:
        raise DataError(f"{path}: has {width} columns; the model takes {d} features "
                        f"(give {d} columns, or {d + 1} with a label column)")
    if isinstance(label, str) and not label.lstrip("-").isdigit():
        raise DataError(f"{path}: the label column {label!r} is given by name, but the file "
                        f"has no header row")
    j = -1 if label is None else int(label)
    if not -width <= j < width:
        raise DataError(f"{path}: label column {j} does not exist: the rows have {width} "
                        f"columns")
    j %= width
    return [p for p in range(width) if p != j], j
