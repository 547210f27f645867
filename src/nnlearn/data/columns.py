"""Feature columns of a table as the network's inputs: numbers, categories, missing cells.

A CSV file (or a DataFrame) holds named columns of text. ``fit_encoding``
decides, on the training rows only, what each column is, and ``Encoding``
turns cells into the rows ``x_i`` of eq. (1):

- a **number** column (every cell that is not missing reads as a finite
  number) gives one input, its value;
- a **category** column (most cells are not numbers: ``red``, ``blue``) gives
  one input per category seen in training, one-hot: 1 for the row's category,
  0 for the others. A category never seen in training encodes as all zeros,
  and is counted in a warning;
- a **missing** cell (empty, ``NA``, ``NaN``, ``null``; any case) is an error,
  which counts them all and names the first few, unless the encoding was
  fitted with ``missing="impute"``: then it is filled with the column's median
  (numbers) or its most frequent value (categories), learnt on the training
  rows.

A model file stores the encoding as plain JSON (``Encoding.to_dict``, under
``"encoding"``) beside the column names in order (``"feature_names_in"``).
scikit-learn's ``OneHotEncoder`` and ``SimpleImputer`` do this work but keep
their state where only pickle stores it; this encoder's rule is JSON.
"""

from __future__ import annotations

from collections import Counter
from itertools import product
from dataclasses import dataclass, field

import numpy as np

from ..errors import DataError
from ..limits import MAX_CATEGORIES, MAX_ENCODED_VALUES

#: cells that mean "no value" (compared in lower case, stripped)
MISSING_CELLS = ("", "na", "nan", "null")
MISSING_POLICIES = ("error", "impute")  #: what a missing cell does: the ``missing`` setting
NUMBER, CATEGORY = "number", "category"
SHOWN = 5  #: the cells an error names before "..."
MISSING_HINT = ("fill them in or drop those rows, or pass --missing impute (missing=\"impute\") "
                "to fill them with each column's median (numbers) or most frequent value "
                "(words), learnt on the training rows")


def default_names(n: int) -> list[str]:
    """``x0, x1, ...``: the names of ``n`` columns that came without any."""
    return [f"x{j}" for j in range(n)]


def as_columns(cells) -> list[np.ndarray]:
    """A table's columns, each a 1-D array of float64 numbers or of text (as
    ``csvcells.data_columns`` and ``estimator.frames.frame_cells`` give them), from
    such a list or from a 2-D array of cells."""
    if isinstance(cells, np.ndarray):
        return [cells[:, j] for j in range(cells.shape[1])]
    return [np.asarray(c) for c in cells]


def _rows(columns: list[np.ndarray], rows) -> list[np.ndarray]:
    """The rows ``rows`` (indices) of each column."""
    return [c[rows] for c in columns]


# every spelling of the missing cells in any case ("NA", "Na", "NaN", "NULL", ...):
# np.isin on these is far faster than lower-casing every cell of a large file
_SPELLINGS = frozenset({"".join(chars) for word in MISSING_CELLS
                        for chars in product(*[(c.lower(), c.upper()) for c in word])})


def _missing(cells: np.ndarray) -> np.ndarray:
    if cells.dtype.kind == "f":  # numbers (a NaN is a gap a DataFrame gave)
        return np.isnan(cells)
    if cells.dtype.kind == "U":
        return np.isin(cells, sorted(_SPELLINGS))
    return np.fromiter((c in _SPELLINGS for c in cells.tolist()), dtype=bool, count=len(cells))


def _numbers(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each cell as a float (NaN where it is not a number) and a mask of the numbers."""
    if cells.dtype.kind == "f":
        return cells.astype(np.float64, copy=True), np.ones(len(cells), dtype=bool)
    try:
        return cells.astype(np.float64), np.ones(len(cells), dtype=bool)  # NumPy's fast path
    except ValueError:
        pass
    values = np.full(len(cells), np.nan)
    ok = np.zeros(len(cells), dtype=bool)
    for i, text in enumerate(cells.tolist()):
        try:
            values[i] = float(text)
            ok[i] = True
        except ValueError:
            pass
    return values, ok


@dataclass
class Column:
    """One feature column: its name, ``kind`` (number or category), the value that fills
    its missing cells, and its categories (sorted; a category column's inputs)."""

    name: str
    kind: str = NUMBER
    fill: float | str | None = None
    categories: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        """The inputs this column gives the network."""
        return 1 if self.kind == NUMBER else len(self.categories)

    def describe(self) -> str:
        if self.kind == NUMBER:
            return f"{self.name!r}: a number"
        shown = ", ".join(self.categories[:10]) + (" ..." if len(self.categories) > 10 else "")
        return f"{self.name!r}: {len(self.categories)} categories, one-hot ({shown})"


class Where:
    """Names a cell for a person: ``path: line 12, column 3 ('age')``."""

    def __init__(self, source, lines=None, positions=None):
        self.source, self.lines, self.positions = source, lines, positions

    def __call__(self, i: int, j: int, name: str) -> str:
        row = f"line {self.lines[i]}" if self.lines is not None else f"row {i}"
        col = self.positions[j] + 1 if self.positions is not None else j + 1
        return f"{row}, column {col} ({name!r})"


@dataclass
class Encoding:
    """How cells become inputs (see the module docstring): the columns in order and the
    ``missing`` policy, ``"error"`` or ``"impute"``."""

    columns: list[Column]
    missing: str = "error"

    @property
    def names(self) -> list[str]:
        """The columns' names, in order (``feature_names_in``)."""
        return [c.name for c in self.columns]

    @property
    def n_features(self) -> int:
        """The width of the encoded rows: the network's ``n_0``."""
        return sum(c.width for c in self.columns)

    @property
    def is_plain(self) -> bool:
        """Numbers only, nothing filled: the identity on numeric rows."""
        return self.missing == "error" and all(c.kind == NUMBER for c in self.columns)

    def feature_names_out(self) -> list[str]:
        """One name per input: a number column's name, ``name=category`` for one-hot inputs."""
        return [c.name if c.kind == NUMBER else f"{c.name}={v}"
                for c in self.columns for v in (c.categories if c.kind == CATEGORY else [0])]

    def check_size(self, m: int, source="the data") -> None:
        """Refuse ``m`` rows whose ``(m, n_features)`` encoding passes the cap, unmade."""
        if m * self.n_features > MAX_ENCODED_VALUES:
            raise DataError(f"{source}: {m:,} rows of {self.n_features:,} inputs (words one-hot "
                            f"encoded) are more than {MAX_ENCODED_VALUES:,} values "
                            f"(nnlearn.limits.MAX_ENCODED_VALUES)")

    def transform(self, cells, *, source="the data", where: Where | None = None):
        """Encode a table of text cells.

        Parameters
        ----------
        cells : list of 1-D arrays, or ndarray of str of shape (m, d)
            The columns in this encoding's order (``as_columns``).
        source : str
            Names the data in messages.
        where : Where, optional
            Names a cell (line and column of a file).

        Returns
        -------
        X : ndarray of shape (m, n_features), float64
        notes : list of str
            What a person should know: cells filled, unseen categories (zeros).

        Raises
        ------
        DataError
            Missing cells (policy ``"error"``), counted, the first few named;
            a word in a number column; a number that is not finite.
        """
        cells = as_columns(cells)
        m = len(cells[0]) if cells else 0
        self.check_size(m, source)
        where = where or Where(source)
        missing = np.stack([_missing(cells[j]) for j in range(len(self.columns))], axis=1) \
            if m else np.zeros((0, len(self.columns)), dtype=bool)
        if missing.any() and self.missing == "error":
            raise _missing_error(missing, self.names, source, where)
        notes: list[str] = []
        filled: Counter[str] = Counter()
        X = np.zeros((m, self.n_features))
        k = 0
        for j, col in enumerate(self.columns):
            gap = missing[:, j]
            filled[col.name] = int(gap.sum())
            if col.kind == NUMBER:
                values, ok = _numbers(cells[j])
                _check_numbers(values, ok | gap, gap, cells[j], col.name, j, source, where)
                values[gap] = col.fill if col.fill is not None else np.nan
                X[:, k] = values
            else:
                text = np.where(gap, str(col.fill),
                                cells[j].astype(str) if cells[j].dtype.kind == "f" else cells[j])
                index = {c: i for i, c in enumerate(col.categories)}
                hits = np.array([index.get(t, -1) for t in text.tolist()], dtype=np.int64)
                seen = hits >= 0
                X[np.flatnonzero(seen), k + hits[seen]] = 1.0
                if not seen.all():
                    unseen = sorted(set(text[~seen].tolist()))
                    shown = ", ".join(unseen[:SHOWN]) + (" ..." if len(unseen) > SHOWN else "")
                    notes.append(f"{source}: {int((~seen).sum())} cell(s) of column {col.name!r} "
                                 f"hold categories not seen in training ({shown}): encoded as "
                                 f"all zeros")
            k += col.width
        total = sum(filled.values())
        if total:
            parts = ", ".join(f"{n} {c.name!r} with {c.fill!r}" for c in self.columns
                              if (n := filled[c.name]))
            notes.insert(0, f"{source}: filled {total} missing cell(s): {parts}")
        return X, notes

    def to_dict(self) -> dict:
        """Plain JSON for a model file: ``{"missing": ..., "columns": [{"name", "kind",
        "fill", "categories"}, ...]}``."""
        return {"missing": self.missing,
                "columns": [{"name": c.name, "kind": c.kind, "fill": c.fill,
                             **({"categories": list(c.categories)} if c.kind == CATEGORY
                                else {})} for c in self.columns]}

    @classmethod
    def from_dict(cls, d) -> Encoding:
        """An ``Encoding`` from ``to_dict``'s output, checked (a model file is not trusted)."""
        def bad(what):
            return ValueError(f"the model file's encoding is malformed: {what}")
        if not isinstance(d, dict) or d.get("missing") not in MISSING_POLICIES \
                or not isinstance(d.get("columns"), list):
            raise bad("it needs 'missing' (error or impute) and a list of 'columns'")
        columns = []
        for c in d["columns"]:
            if not isinstance(c, dict) or not isinstance(c.get("name"), str) \
                    or c.get("kind") not in (NUMBER, CATEGORY):
                raise bad("each column needs a 'name' and a 'kind' (number or category)")
            fill = c.get("fill")
            if fill is None and d["missing"] == "impute":
                raise bad(f"column {c['name']!r}: impute needs its fill value")
            if c["kind"] == NUMBER:
                if fill is not None and not isinstance(fill, (int, float)):
                    raise bad(f"column {c['name']!r}: its fill must be a number")
                columns.append(Column(c["name"], NUMBER, None if fill is None else float(fill)))
                continue
            cats = c.get("categories")
            if not isinstance(cats, list) or not cats or \
                    not all(isinstance(v, str) for v in cats) or len(set(cats)) != len(cats):
                raise bad(f"column {c['name']!r}: its categories must be distinct strings")
            if fill is not None and not isinstance(fill, str):
                raise bad(f"column {c['name']!r}: its fill must be a string")
            columns.append(Column(c["name"], CATEGORY, fill, list(cats)))
        return cls(columns, d["missing"])

    @classmethod
    def numeric(cls, names) -> Encoding:
        """Numbers only, no filling: what a model without a stored encoding takes."""
        return cls([Column(str(n)) for n in names])


def _missing_error(missing: np.ndarray, names, source, where: Where) -> DataError:
    rows, cols = np.nonzero(missing)
    first = ", ".join(where(int(i), int(j), names[j])
                      for i, j in zip(rows[:SHOWN].tolist(), cols[:SHOWN].tolist()))
    more = " ..." if len(rows) > SHOWN else ""
    return DataError(f"{source}: {len(rows)} missing value(s) (empty, NA, NaN or null) at "
                     f"{first}{more}; {MISSING_HINT}")


def _check_numbers(values, ok, gap, cells, name, j, source, where: Where) -> None:
    """Refuse words in a column of numbers, and numbers that are not finite."""
    words = np.flatnonzero(~ok)
    if len(words):
        i = int(words[0])
        raise DataError(f"{source}: {where(i, j, name)}: {str(cells[i])!r} is not a number, "
                        f"and the column holds numbers ({len(words)} such cell(s))")
    infinite = np.flatnonzero(~gap & ~np.isfinite(values))
    if len(infinite):
        i = int(infinite[0])
        raise DataError(f"{source}: {where(i, j, name)}: {str(cells[i])!r} is not a finite "
                        f"number")


def fit_encoding(cells, names, *, missing="error", source="the data",
                 where: Where | None = None) -> tuple[Encoding, list[str]]:
    """Learn each column's kind, categories and fill value from training cells.

    Parameters
    ----------
    cells : list of 1-D arrays, or ndarray of str of shape (m, d)
        The columns (``as_columns``) of the training rows only: the fill values
        and categories are learnt here.
    names : list of str
        The columns' names (``default_names`` when the data had none).
    missing : {"error", "impute"}
    source : str
        Names the data in messages.
    where : Where, optional
        Names a cell (line and column of a file).

    Returns
    -------
    encoding : Encoding
    notes : list of str
        The category columns and their categories, for a person to read.

    Raises
    ------
    DataError
        A column whose cells are mostly numbers but some words (a typo, not a
        category); a column with no value at all; a bad ``missing``.
    """
    if missing not in MISSING_POLICIES:
        raise DataError(f"missing must be one of {', '.join(MISSING_POLICIES)}, got {missing!r}")
    cells = as_columns(cells)
    where = where or Where(source)
    columns, notes = [], []
    for j, name in enumerate(names):
        column = cells[j]
        present = column[~_missing(column)]
        if not len(present):
            raise DataError(f"{source}: column {j + 1} ({name!r}) has no value in the training "
                            f"rows; drop it")
        values, ok = _numbers(present)
        if 2 * ok.sum() > len(present):  # mostly numbers: a number column (words are typos)
            fill = float(np.median(values[ok & np.isfinite(values)])) \
                if np.isfinite(values[ok]).any() else 0.0
            columns.append(Column(str(name), NUMBER, fill))
            continue
        counts = Counter(present.tolist())
        if len(counts) > MAX_CATEGORIES:  # before one input a category is made for each row
            raise DataError(f"{source}: column {j + 1} ({name!r}) has {len(counts):,} distinct "
                            f"words in the training rows; nnlearn one-hot encodes at most "
                            f"{MAX_CATEGORIES:,} (nnlearn.limits.MAX_CATEGORIES): is it an "
                            f"identifier or free text? drop it")
        # the most frequent value; ties go to the first in sorted order (reproducible)
        fill = min(counts, key=lambda v: (-counts[v], v))
        columns.append(Column(str(name), CATEGORY, fill, sorted(counts)))
        notes.append(f"column {columns[-1].describe()}")
    return Encoding(columns, missing), notes


def check_missing(cells, names, missing, *, source="the data", where: Where | None = None):
    """Refuse missing cells anywhere in ``cells`` unless ``missing`` is ``"impute"``: the
    error counts them all (a file's, not only its training part's)."""
    cells = as_columns(cells)
    if (missing or "error") == "error" and cells and len(cells[0]):
        gaps = np.stack([_missing(c) for c in cells], axis=1)
        if gaps.any():
            raise _missing_error(gaps, list(names), source, where or Where(source))


def encode_table(table, train_rows, test_rows, missing, info: dict, source):
    """Encode a CSV ``Table``'s feature cells (``nnlearn.data.tabular.read_columns``):
    fitted on ``train_rows``, applied to both parts; ``info`` gets ``"encoding"`` (JSON)
    and ``"notes"`` (what a run prints). Returns ``(X_train, X_test)``."""
    names = table.feature_names or default_names(len(table.positions))
    source = str(source)

    def where(rows):
        return Where(source, [table.lines[i] for i in rows.tolist()], table.positions)

    encoding, notes = fit_encoding(_rows(table.columns, train_rows), names,
                                   missing=missing or "error", source=source,
                                   where=where(train_rows))
    encoding.check_size(len(train_rows) + len(test_rows), source)  # both parts are made
    parts = []
    for rows, part in ((train_rows, "training part"), (test_rows, "test part")):
        X, more = encoding.transform(_rows(table.columns, rows), source=f"{source} ({part})",
                                     where=where(rows))
        parts.append(X)
        notes += more
    info.update(encoding=encoding.to_dict(), notes=notes)
    return parts[0], parts[1]


def columns_of(data) -> dict:
    """What a model file keeps of a data set's columns: ``feature_names_in`` (the
    header's names, else ``x0, x1, ...``), and for a CSV file its ``encoding`` and the
    label column's name (``label_name``), so that ``predict`` matches columns by name."""
    info = data.info
    out: dict = {"feature_names_in": list(info.get("features") or default_names(data.n_features))}
    if "encoding" in info:
        out.update(encoding=info["encoding"], label_name=info.get("label"))
    return out
