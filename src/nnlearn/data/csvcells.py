"""Reading the cells of a CSV file in one pass, within the caps of ``nnlearn.limits``.

The feature cells go straight into one float64 buffer, row after row (8 bytes
a cell: a cell's text and its delimiter take at least 2). Text is kept only
where a number cannot say it: the label column, and a feature column from its
first cell (after the first row) that is not a finite number on (a word, a
missing cell); its cells are Python strings, each as long as itself, and a
column's repeated words are one string. So no cell is ever padded to the
longest one: before, ``np.array(rows, dtype=str)`` gave every cell the width of
the longest, and a 251 KB file asked for 29 GiB. The file's bytes, its rows
and columns and the length of every cell are checked against their caps as the
reader goes, before what they would cost is allocated.

A column of words whose first rows are numbers, and a column a model reads as
words (``data_columns(text=...)``), need the text of those first rows too:
``complete_text`` reads them again, for those columns only.
"""

from __future__ import annotations

import array
import contextlib
import csv
import itertools
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..limits import (MAX_CELL_CHARS, MAX_LABEL_CHARS, MAX_TABLE_BYTES, MAX_TABLE_COLUMNS,
                      MAX_TABLE_ROWS)


#: ``delimiter=`` spellings of the tab, as a shell passes them
TAB_NAMES = ("\\t", "tab")


def delimiter_of(delimiter, path: Path) -> str:
    """The delimiter to use: by suffix when None (tab for ``*.tsv``), ``"tab"``/``"\\t"`` a tab."""
    if delimiter is None:
        return "\t" if path.suffix.lower() == ".tsv" else ","
    if delimiter in TAB_NAMES:
        return "\t"
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\r\n\"":
        raise DataError(f"{path}: the delimiter must be one character (or 'tab'), other than "
                        f"a quote or a line break; got {delimiter!r}")
    return delimiter


@dataclass
class Cells:
    """What one pass over a CSV file found.

    ``first`` is the first non-blank row (a header or data), its cells stripped;
    ``second`` the next one's text (for the header guess). ``label`` is the
    label column's position (None: the file has none); ``columns`` are the
    feature columns' positions in the file (every column but the label's). Row
    ``i`` of ``X`` holds the feature cells of data row ``i``, row 0 the first
    row's (NaN where a cell is not a number: a header's names). ``labels`` and
    ``lines`` cover the rows after the first. ``text[k]`` is feature column
    ``k``'s text in the rows after the first from row ``start[k]`` of them on
    (its first cell that is not a finite number), None while every one is a
    number. ``bad`` is the first feature cell after the first row that is not a
    finite number, as ``(line, column, text)``; ``first_bad`` the first row's.
    """

    first: list[str]
    first_line: int
    second: list[str] | None
    label: int | None
    columns: list[int]
    lines: list[int]
    X: np.ndarray
    labels: list[str] | None
    text: list[list[str] | None]
    start: list[int]
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


#: distinct words a column keeps as one string each (past them, each cell its own string)
_SHARED_WORDS = 4096


class _Text:
    """The text kept of the feature columns that are not all numbers (see ``Cells.text``)."""

    def __init__(self, n: int):
        self.text: list[list[str] | None] = [None] * n
        self.start = [0] * n
        self.kept: list[tuple[list[str], dict[str, str], int]] = []  # text, its words, column

    def begin(self, k: int, row: int) -> None:
        self.text[k], self.start[k] = [], row
        self.kept.append((self.text[k], {}, k))  # type: ignore[arg-type]

    def add(self, cells: list[str]) -> None:
        for text, words, k in self.kept:
            # a column's repeated words as one string: a category costs a pointer a row
            cell = words.get(cells[k])
            if cell is None:
                cell = cells[k]
                if len(words) < _SHARED_WORDS:
                    words[cell] = cell
            text.append(cell)


def _features(values: array.array, row: list[str], columns: list[int], text: _Text | None = None,
              i: int = 0):
    """Append the feature cells of ``row`` (data row ``i`` after the first) to ``values``,
    and to ``text`` the text it keeps; the first bad cell's column and text."""
    cells = [row[j] for j in columns]
    try:
        converted = [float(c) for c in cells]
    except ValueError:
        converted = None
    if converted is not None and all(map(math.isfinite, converted)):
        values.extend(converted)
        if text is not None and text.kept:
            text.add(cells)
        return None
    numbers = [_number(c) for c in cells]
    values.extend(math.nan if v is None else v for v in numbers)
    if text is not None:
        for k, v in enumerate(numbers):
            if v is None and text.text[k] is None:
                text.begin(k, i)
        text.add(cells)
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


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """What an ``OSError`` or a decoding error while reading ``path`` means, as a ``DataError``."""
    try:
        yield
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not a UTF-8 text file ({err.reason} at byte "
                        f"{err.start}); is it really a CSV file?") from None
    except csv.Error as err:
        raise DataError(f"{path}: not a valid CSV file: {err}") from None
    except OSError as err:
        raise DataError(f"{path}: cannot read: {err.strerror or err}") from None


def read_cells(path, delimiter: str, label_of) -> Cells:
    """One pass over the CSV file ``path``: features as float64, the label column as text.

    ``label_of(first_row, first_line, second_row)`` is called with the first two
    non-blank rows (the second None in a file of one) and returns the label
    column's index (None: no label column). Every row must be as wide as the
    first (``DataError`` naming both lines otherwise). The text of a column of words
    whose first rows are numbers is completed by ``data_columns``.
    """
    path = Path(path)
    with _reading(path), _open_rows(path, delimiter) as f:
        return _scan(_rows(csv.reader(f, delimiter=delimiter), path), path, label_of)


def _scan(rows, path: Path, label_of) -> Cells:
    first_line, first = next(rows, (0, None))
    if first is None:
        raise DataError(f"{path}: the file is empty")
    second_row = next(rows, None)
    width = len(first)
    label = label_of(first, first_line, None if second_row is None else second_row[1])
    _too_long(path, first_line, first, None)  # the first row may be names: cells, not labels
    columns = [j for j in range(width) if j != label]
    values = array.array("d")
    first_bad = _features(values, first, columns)
    first_bad = first_bad and (first_line, *first_bad)
    lines: list[int] = []
    labels: list[str] | None = [] if label is not None else None
    text = _Text(len(columns))
    second, bad = None, None
    for line, row in itertools.chain([second_row] if second_row else [], rows):
        if len(row) != width:
            raise DataError(f"{path}: line {line} has {len(row)} columns, line {first_line} "
                            f"has {width}; every row needs the same columns")
        if len(lines) >= MAX_TABLE_ROWS:
            raise DataError(f"{path}: more than {MAX_TABLE_ROWS:,} rows; nnlearn reads at most "
                            f"that many (nnlearn.limits.MAX_TABLE_ROWS)")
        _too_long(path, line, row, label)
        second = row if second is None else second
        if labels is not None:
            labels.append(row[label])
        found = _features(values, row, columns, text, len(lines))
        lines.append(line)
        if found is not None and bad is None:
            bad = (line, *found)
    X = np.frombuffer(values, dtype=np.float64).reshape(len(lines) + 1, len(columns))
    return Cells(first, first_line, second, label, columns, lines, X, labels, text.text, text.start,
                 bad, first_bad)


def complete_text(path, delimiter: str, cells: Cells, wanted) -> None:
    """Give the feature columns ``wanted`` (indices into ``cells.columns``) the text of every
    row after the first, reading again the rows before their text began (all numbers)."""
    upto = {k: cells.start[k] if cells.text[k] is not None else len(cells.lines) for k in wanted}
    upto = {k: n for k, n in upto.items() if n}
    if not upto:
        return
    early: dict[int, list[str]] = {k: [] for k in upto}
    path = Path(path)
    with _reading(path), _open_rows(path, delimiter) as f:
        rows = _rows(csv.reader(f, delimiter=delimiter), path)
        next(rows)  # the first row: its cells are cells.first
        for i, (line, row) in enumerate(itertools.islice(rows, max(upto.values()))):
            if len(row) != len(cells.first):
                raise DataError(f"{path}: the file changed while it was read")
            _too_long(path, line, row, cells.label)
            for k, n in upto.items():
                if i < n:
                    early[k].append(row[cells.columns[k]])
    for k, text in early.items():
        cells.text[k], cells.start[k] = text + (cells.text[k] or []), 0


def data_columns(path, delimiter: str, cells: Cells, header: bool, text=()) -> list[np.ndarray]:
    """The feature columns of the data rows (after the header row when ``header``): float64
    where every cell is a finite number, else (and for the columns ``text``, indices into
    ``cells.columns``, which a model reads as words) the cells' text, an object array."""
    first = [not header and _number(cells.first[j]) is None for j in cells.columns]
    wanted = [k for k in range(len(cells.columns))
              if cells.start[k] or (cells.text[k] is None and (first[k] or k in text))]
    complete_text(path, delimiter, cells, wanted)
    out = []
    for k, j in enumerate(cells.columns):
        text_k = cells.text[k]
        if text_k is None:
            out.append(cells.X[1:, k] if header else cells.X[:, k])
            continue
        column = np.empty(len(cells.lines) + (not header), dtype=object)
        column[:] = text_k if header else [cells.first[j], *text_k]
        out.append(column)
    return out


def data_lines(cells: Cells, header: bool, path) -> list[int]:
    """The data rows' lines (the first row's too when it is no header); refuses a header
    row alone."""
    if not header:
        return [cells.first_line, *cells.lines]
    if not cells.lines:
        raise DataError(f"{path}: there is a header row (line {cells.first_line}) but no data "
                        f"rows")
    return cells.lines


def data_labels(cells: Cells, header: bool, path) -> list[str]:
    """The label column's cells of the data rows, capped at ``MAX_LABEL_CHARS`` (the
    first row's too when it is data: the reader capped it as a cell, as a header's name)."""
    assert cells.labels is not None, "a table without a label column"
    if header:
        return cells.labels
    text = cells.first[cells.label]  # type: ignore[index]
    if len(text) > MAX_LABEL_CHARS:
        raise DataError(f"{path}: line {cells.first_line}: a label of {len(text):,} characters; "
                        f"nnlearn reads labels of at most {MAX_LABEL_CHARS:,} (nnlearn.limits)")
    return [text, *cells.labels]
