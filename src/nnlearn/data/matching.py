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
from .columns import CATEGORY, Encoding, Where, default_names
from .csvcells import data_columns, data_labels, data_lines, delimiter_of, is_number, read_cells
from .labels import label_values


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


def _is_header(first: list[str], second: list[str] | None, model: ModelColumns) -> bool:
    """A model's column name in the first row, or a word above a number (read_csv's rule 1)."""
    if model.named and set(model.names) & set(first):
        return True
    return any(not is_number(a) and is_number(b) for a, b in zip(first, second or first))


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
    delimiter = delimiter_of(delimiter, path)
    notes: list[str] = []
    found: dict = {}

    def label_of(first, first_line, second):  # decides the header, and which column is which
        nonlocal header
        if header is None:
            header = _is_header(first, second, model)
        if header and model.named:
            found["positions"], j_label = _by_name(first, model, label, path, notes)
        else:
            found["positions"], j_label = _in_order(len(first), len(model.names), label, path)
            if model.named:
                notes.append(f"{path}: no header row, so its columns are taken in order as the "
                             f"model's: {', '.join(model.names)}; give a header to match them "
                             f"by name")
        return j_label

    cells = read_cells(path, delimiter, label_of)
    lines = data_lines(cells, bool(header), path)
    # the model's columns in its order: k indexes the reader's columns (all but the label)
    index = {p: k for k, p in enumerate(cells.columns)}
    ks = [index[p] for p in found["positions"]]
    words = {k for k, c in zip(ks, model.encoding.columns) if c.kind == CATEGORY}
    columns = data_columns(path, delimiter, cells, bool(header), text=words)
    X, more = model.encoding.transform([columns[k] for k in ks], source=str(path),
                                       where=Where(path, lines, found["positions"]))
    labels = None
    if cells.label is not None:
        j = cells.label
        column = f"{j + 1} ({cells.first[j]!r})" if header else str(j + 1)
        labels = _labels(data_labels(cells, bool(header), path), path, lines, column)
    return Matched(X, labels, notes + more)


def _labels(cells: list[str], path, lines, column: str) -> np.ndarray:
    """Label cells as ``read_csv`` reads them (``labels.label_values``); none empty."""
    empty = next((i for i, c in enumerate(cells) if c == ""), None)
    if empty is not None:
        raise DataError(f"{path}: line {lines[empty]}, column {column}: missing label")
    return label_values(cells, lines, lambda line: f"{path}: line {line}, column {column}")


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
