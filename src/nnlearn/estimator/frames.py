"""A DataFrame's columns of words and missing cells, as ``nnlearn train`` reads a CSV file.

``fit`` on a pandas DataFrame that holds a column that is not numeric, or a
missing value, encodes it with ``nnlearn.data.columns`` (the rule of the
command line): a column of words is one-hot encoded, a missing cell is an
error that counts them all unless ``missing="impute"`` (the column's median,
or its most frequent value, learnt in ``fit``). The encoding is ``encoding_``
and is saved in the model file as JSON; a model file from ``nnlearn train``
that encodes its columns loads with it. ``n_features_in_`` and
``feature_names_in_`` are the frame's columns, as scikit-learn's transformers
keep them; the network takes the encoded inputs. Numeric arrays and numeric
frames without gaps take scikit-learn's path, unchanged.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.utils.validation import check_array, check_X_y, validate_data

from ..data.columns import Encoding, default_names, fit_encoding


def _as_cells(values) -> np.ndarray:
    """Stripped text cells of a column (NaN and None become the empty cell), an object
    array: each cell as long as itself, none padded to the longest."""
    out = np.empty(len(values), dtype=object)
    out[:] = ["" if v is None or (isinstance(v, float) and v != v) else
              repr(float(v)) if isinstance(v, (float, np.floating)) else str(v).strip()
              for v in values]
    return out


def frame_cells(X) -> tuple[list[str], list[np.ndarray]]:
    """A table's column names and its columns' cells as text (``as_columns``): a pandas
    DataFrame (missing values, ``NaN``, ``None`` and ``pd.NA``, become empty cells) or a
    2-D array (names ``x0, x1, ...``)."""
    if hasattr(X, "columns") and hasattr(X, "isna"):
        gaps = X.isna().to_numpy()
        columns = [_as_cells(X.iloc[:, j].tolist()) for j in range(X.shape[1])]
        for j, column in enumerate(columns):
            column[gaps[:, j]] = ""
        return [str(c) for c in X.columns], columns
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"expected a 2-D table of cells, got shape {X.shape}")
    return default_names(X.shape[1]), [_as_cells(X[:, j].tolist()) for j in range(X.shape[1])]


def _needs_encoding(X) -> bool:
    """A DataFrame with a column that is not numbers, or a missing value."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(X, "columns"):
        return False
    numeric = all(getattr(d, "kind", "O") in "iuf" for d in dtypes)
    return not numeric or bool(X.isna().to_numpy().any())


def fit_input(est, X, y, *, reset: bool, dtype, missing: str):
    """``(X, y)`` for ``fit`` or ``partial_fit``: encoded when ``X`` needs it (see the
    module docstring), else scikit-learn's ``validate_data`` as before."""
    encoding = None if reset else getattr(est, "encoding_", None)
    if encoding is None and not (reset and _needs_encoding(X)):
        if reset and hasattr(est, "encoding_"):
            del est.encoding_
        return validate_data(est, X, y, reset=reset, dtype=dtype, accept_sparse="csr")
    validate_data(est, X, reset=reset, skip_check_array=True)  # names and n_features_in_
    names, cells = frame_cells(X)
    if encoding is None:
        encoding, _ = fit_encoding(cells, names, missing=missing, source="X")
        est.encoding_ = encoding
    X, notes = encoding.transform(cells, source="X")
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=4)
    return check_X_y(X, y, dtype=dtype)


def predict_input(est, X, dtype):
    """Rows for prediction: encoded as in ``fit`` (a category not seen there is all
    zeros, with a warning), or scikit-learn's ``validate_data``."""
    encoding: Encoding | None = getattr(est, "encoding_", None)
    if encoding is None:
        return validate_data(est, X, reset=False, dtype=dtype, accept_sparse="csr")
    validate_data(est, X, reset=False, skip_check_array=True)
    _, cells = frame_cells(X)
    X, notes = encoding.transform(cells, source="X")
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=4)
    return check_array(X, dtype=dtype)


__all__ = ["fit_input", "frame_cells", "predict_input"]
