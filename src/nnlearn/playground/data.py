"""The playground's data: a toy sample drawn from the settings, or the user's own 2-D file.

The network sees standardized inputs ``(x - mean) / scale`` (the training
part's statistics), whatever the scale of an uploaded file; the page draws
points and regions in the original coordinates, and an exported model folds the
standardization into its first layer (``model.export_network``).
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.scaling import Standardizer
from ..data.tabular import read_csv
from ..data.toy import TOY
from ..data.transforms import train_val_split
from ..errors import DataError
from ..limits import MAX_UPLOAD_BYTES, MAX_UPLOAD_ROWS
#: the largest coordinate an upload may hold. The network and the exported model compute in
#: float32 (up to 3.4e38), and the model takes raw coordinates: ``W x`` and ``W / scale`` must
#: stay normal float32 numbers. (Near 1e306, rounding the points for the page overflowed.)
MAX_COORDINATE = 1e30


@dataclass
class PlayData:
    """Train and test points ``(m, 2)`` with class indices, and what the page needs to draw them."""

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: list  # the original labels, JSON types
    mean: np.ndarray  # (2,)
    scale: np.ndarray  # (2,)
    domain: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def standardize(self, X):
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.scale

    def points(self) -> dict:
        """The points for the page: ``[x, y, class]`` rows, rounded (they are only drawn)."""
        def rows(X, y):
            return np.column_stack([np.round(X, 4), y]).tolist()
        return {"train": rows(self.X_train, self.y_train), "test": rows(self.X_test, self.y_test)}


def _domain(X, margin=0.1, stretch=3.0):
    """The plane drawn: the points' box with a margin, square (one scale for both
    axes, so rings look round) unless one side is over ``stretch`` times the other,
    as for a file whose columns have different units."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    centre, half = (lo + hi) / 2, np.maximum((hi - lo) / 2, 1e-6)
    if half.max() <= stretch * half.min():
        half = np.full(2, half.max())
    half = half * (1 + margin)
    return (float(centre[0] - half[0]), float(centre[0] + half[0]),
            float(centre[1] - half[1]), float(centre[1] + half[1]))


def split(name, X, y, classes, settings) -> PlayData:
    """Hold out ``settings["test_fraction"]`` of the points (stratified, seeded)."""
    try:
        X_train, X_test, y_train, y_test = train_val_split(X, y, settings["test_fraction"],
                                                           settings["seed"])
    except ValueError as err:
        raise DataError(f"{name}: cannot draw the test part: {err}") from None
    # the one standardization of every face: a constant coordinate keeps scale 1
    scaler = Standardizer().fit(X_train)
    return PlayData(name, X_train, y_train.astype(np.int64), X_test, y_test.astype(np.int64),
                    list(classes), scaler.mean_, scaler.scale_, _domain(X))


def toy_sample(settings) -> PlayData:
    """``settings["points"]`` points of the toy set ``settings["data"]``."""
    name = settings["data"]
    options = {"seed": settings["seed"]}
    if name == "blobs":
        options["spread"] = settings["noise"]
    else:
        options["noise"] = settings["noise"]
    if name in ("rings", "spirals", "blobs"):
        options["n_classes"] = settings["classes"]
    X, y = TOY[name](settings["points"], **options)
    return split(name, X, y, range(int(y.max()) + 1), settings)


def _row_lines(text: str, limit: int) -> list[int]:
    """The line number of each non-blank row, as ``read_csv`` counts rows: its CSV reader
    ends a line at ``\\n``, ``\\r\\n`` or a bare ``\\r``, and a quoted cell may hold line breaks.
    Stops after ``limit`` rows; a file the reader refuses is left to ``read_csv`` to describe."""
    lines: list[int] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                lines.append(reader.line_num)
                if len(lines) >= limit:
                    break
    except csv.Error:
        pass
    return lines


def _upload_name(filename) -> str:
    """The file's own name, without folders or control characters (it is shown and sent back)."""
    name = "".join(c for c in Path(str(filename or "")).name if c.isprintable())
    return name[:80] or "upload.csv"


def read_upload(filename, text):
    """Parse an uploaded CSV text: two numeric columns and a label column.

    Returns ``(name, X, y, classes)``; raises ``DataError`` with a one-line
    message that names the line and column of the first bad cell. Rows are
    counted as the CSV reader parses them, so every line-end convention counts.
    """
    name = _upload_name(filename)
    if not isinstance(text, str):
        raise DataError("the uploaded file must be sent as text")
    if len(text.encode("utf-8", "replace")) > MAX_UPLOAD_BYTES:
        raise DataError(f"{name}: the file is larger than {MAX_UPLOAD_BYTES // 1000} kB")
    lines = _row_lines(text, MAX_UPLOAD_ROWS + 2)  # a header row, and one row too many
    if len(lines) > MAX_UPLOAD_ROWS + 1:
        raise DataError(f"{name}: more than {MAX_UPLOAD_ROWS:,} rows")
    with tempfile.TemporaryDirectory(prefix="nnlearn-upload-") as tmp:
        path = Path(tmp) / "upload.csv"
        path.write_text(text, encoding="utf-8", newline="")
        try:
            X, labels, features, _ = read_csv(path)
        except DataError as err:
            raise DataError(str(err).replace(str(path), name)) from None
    if X.shape[1] != 2:
        raise DataError(f"{name}: {X.shape[1]} feature columns; the playground needs exactly 2 "
                        f"(x1, x2) and a label column (the last)")
    if len(X) > MAX_UPLOAD_ROWS:
        raise DataError(f"{name}: {len(X):,} rows; the playground takes at most "
                        f"{MAX_UPLOAD_ROWS:,}")
    if len(X) < 10:
        raise DataError(f"{name}: only {len(X)} rows; the playground needs at least 10")
    huge = np.argwhere(np.abs(X) > MAX_COORDINATE)
    if len(huge):
        i, j = huge[0]
        raise DataError(f"{name}: line {lines[len(lines) - len(X) + i]}, column {j + 1} "
                        f"({features[j]!r}): {X[i, j]:g} is too large; coordinates must lie "
                        f"within ±{MAX_COORDINATE:g} (rescale the column)")
    classes, y = np.unique(labels, return_inverse=True)
    if classes.dtype.kind == "f" and np.all(classes == np.round(classes)):
        classes = classes.astype(np.int64)  # 1.0, 2.0 are the labels 1, 2
    classes = classes.tolist()
    if len(classes) < 2:
        raise DataError(f"{name}: every row has the label {classes[0]!r}; classification "
                        f"needs at least 2 classes")
    if len(classes) > 10:
        raise DataError(f"{name}: {len(classes)} different labels; the playground shows at "
                        f"most 10 classes")
    return name, X, y.astype(np.int64), classes
