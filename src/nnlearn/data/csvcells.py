"""Reading the cells of a CSV file in one pass, within the caps of ``nnlearn.limits``.

The feature cells go straight into one float64 buffer, row after row (8 bytes
a cell: a cell's text and its delimiter take at least 2), and only the label
column is kept as text. So no cell is ever padded to the longest one: before,
``np.array(rows, dtype=str)`` gave every cell the width of the longest, and a
251 KB file asked for 29 GiB. The file's bytes, its rows and columns and the
length of every cell are checked against their caps as the reader goes, before
what they would cost is allocated.
"""

from __future__ import annotations

import array
import csv
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..limits import (MAX_CELL_CHARS, MAX_LABEL_CHARS, MAX_TABLE_BYTES, MAX_TABLE_COLUMNS,
                      MAX_TABLE_ROWS)


@dataclass
class Cells:
    """What one pass over a CSV file found.

    ``first`` is the first non-blank row (a header or data), its cells stripped;
    ``second`` the next one's text (for the header guess). Row ``i`` of ``X``
    holds the feature cells of data row ``i``, row 0 the first row's (NaN where
    a cell is not a number: a header's names). ``labels`` and ``lines`` cover the
    rows after the first. ``bad`` is the first feature cell after the first row
    that is not a finite number, as ``(line, column, text)``; ``first_bad`` the
    first row's.
    """

    first: list[str]
    first_line: int
    second: list[str] | None
    lines: list[int]
    X: np.ndarray
    labels: list[str] | None
    bad: tuple[int, int, str] | None
    first_bad: tuple[int, int, str] | None


def is_number(text: str) -> bool:
    """Whether ``text`` reads as a number (``float`` reads it: ``nan`` and ``inf`` too)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _too_long(path: Path, line: int, row: list[str], label: int | None) -> None:
    """Refuse a cell past its cap (the label column's is shorter: its cells become one array)."""
    for j, cell in enumerate(row):
        cap = MAX_LABEL_CHARS if j == label else MAX_CELL_CHARS
        if len(cell) > cap:
            what = "label" if j == label else "cell"
            raise DataError(f"{path}: line {line}, column {j + 1}: a {what} of {len(cell):,} "
                            f"characters; nnlearn reads {what}s of at most {cap:,} "
                            f"(nnlearn.limits)")


def _features(values: array.array, row: list[str], columns: list[int]):
    """Append the feature cells of ``row`` to ``values``; the first bad one's column and text."""
    cells = [row[j] for j in columns]
    try:
        converted = [float(c) for c in cells]
    except ValueError:
        converted = None
    if converted is not None and all(map(math.isfinite, converted)):
        values.extend(converted)
        return None
    numbers = [_number(c) for c in cells]
    values.extend(math.nan if v is None else v for v in numbers)
    k = next(i for i, v in enumerate(numbers) if v is None)
    return columns[k], cells[k]


def _open_rows(path: Path, delimiter: str):
    size = os.stat(path).st_size
    if size > MAX_TABLE_BYTES:
        raise DataError(f"{path}: {size:,} bytes; nnlearn reads CSV files of at most "
                        f"{MAX_TABLE_BYTES:,} bytes (nnlearn.limits.MAX_TABLE_BYTES)")
    # utf-8-sig drops the byte-order mark spreadsheet programs write
    return open(path, newline="", encoding="utf-8-sig")


def _rows(reader, path: Path):
    """The non-blank rows with their line numbers, cells stripped."""
    for row in reader:
        if len(row) > MAX_TABLE_COLUMNS:
            raise DataError(f"{path}: line {reader.line_num} has {len(row):,} columns; nnlearn "
                            f"reads at most {MAX_TABLE_COLUMNS:,} (nnlearn.limits)")
        row = [cell.strip() for cell in row]
        if any(row):
            yield reader.line_num, row


def read_cells(path, delimiter: str, label_of) -> Cells:
    """One pass over the CSV file ``path``: features as float64, the label column as text.

    ``label_of(first_row, first_line)`` is called with the first non-blank row and
    returns the label column's index (None: no label column). Every row must be
    as wide as the first (``DataError`` naming both lines otherwise).
    """
    path = Path(path)
    try:
        with _open_rows(path, delimiter) as f:
            return _scan(_rows(csv.reader(f, delimiter=delimiter), path), path, label_of)
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not a UTF-8 text file ({err.reason} at byte "
                        f"{err.start}); is it really a CSV file?") from None
    except csv.Error as err:
        raise DataError(f"{path}: not a valid CSV file: {err}") from None
    except OSError as err:
        raise DataError(f"{path}: cannot read: {err.strerror or err}") from None


def _scan(rows, path: Path, label_of) -> Cells:
    first_line, first = next(rows, (0, None))
    if first is None:
        raise DataError(f"{path}: the file is empty")
    width = len(first)
    label = label_of(first, first_line)
    _too_long(path, first_line, first, None)  # the first row may be names: cells, not labels
    columns = [j for j in range(width) if j != label]
    values = array.array("d")
    first_bad = _features(values, first, columns)
    first_bad = first_bad and (first_line, *first_bad)
    lines: list[int] = []
    labels: list[str] | None = [] if label is not None else None
    second, bad = None, None
    for line, row in rows:
        if len(row) != width:
            raise DataError(f"{path}: line {line} has {len(row)} columns, line {first_line} "
                            f"has {width}; every row needs the same columns")
        if len(lines) >= MAX_TABLE_ROWS:
            raise DataError(f"{path}: more than {MAX_TABLE_ROWS:,} rows; nnlearn reads at most "
                            f"that many (nnlearn.limits.MAX_TABLE_ROWS)")
        _too_long(path, line, row, label)
        second = row if second is None else second
        lines.append(line)
        if labels is not None:
            labels.append(row[label])
        found = _features(values, row, columns)
        if found is not None and bad is None:
            bad = (line, *found)
    X = np.frombuffer(values, dtype=np.float64).reshape(len(lines) + 1, len(columns))
    return Cells(first, first_line, second, lines, X, labels, bad, first_bad)
