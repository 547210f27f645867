"""Sparse inputs: the first layer's two products with a SciPy CSR batch, never densified.

Text features (TF-IDF, bag of words) are wide and almost empty: 200 000 columns
with 100 non-zeros a row are 16 GB dense for 20 000 rows and 16 MB sparse. Only
the first layer ever sees ``X``, in two products:

- forward, eq. (3): ``Z_1 = X W_1^T + b_1``, SciPy's sparse-times-dense product;
- backward, eq. (5): ``dL/dW_1 = dZ_1^T X``, which touches only the columns of
  the batch that hold a non-zero. In the batch's CSC form each such column
  ``j`` is a list of rows ``i`` and values ``x_ij``; column ``j`` of the gradient
  is ``sum_i x_ij dZ_1[i]``, one segment sum per column. (SciPy's own
  ``X^T dZ_1`` returns the transpose of the gradient's layout, whose copy costs
  more than the product.)

``dL/dX`` is never needed (the input is not trained), so nothing of the size
of ``X`` dense is ever made. SciPy is imported by whoever made the sparse
matrix: ``issparse`` looks for it without importing it, so that the engine
stays NumPy-only for dense data.
"""

from __future__ import annotations

import sys

import numpy as np


def issparse(X) -> bool:
    """Whether ``X`` is a SciPy sparse matrix or array (SciPy not imported for the answer)."""
    sp = sys.modules.get("scipy.sparse")
    return sp is not None and sp.issparse(X)


def as_csr(X, dtype):
    """``X`` as a CSR matrix or array of ``dtype`` (rows are then cheap to take);
    no copy when it already is one."""
    if X.format != "csr":
        X = X.tocsr()
    return X if X.dtype == dtype else X.astype(dtype)


def times_transpose(X, W: np.ndarray) -> np.ndarray:
    """``X W^T`` for a CSR ``X`` (m, n) and a dense ``W`` (k, n): a dense (m, k) array."""
    return np.asarray(X @ W.T)


def weight_gradient(dZ: np.ndarray, X, out: np.ndarray) -> None:
    """``out[...] = dZ^T X`` for a CSR ``X`` (m, n) and a dense ``dZ`` (m, k), eq. (5).

    Only the columns of ``X`` with a non-zero are computed; the others are 0.
    """
    # O(nnz + n): the batch's columns as lists of (row, value); a repeated entry
    # is one more term of its column's sum, so duplicates need no merging.
    Xc = X.tocsc()
    out.fill(0)
    columns = np.flatnonzero(np.diff(Xc.indptr))
    if len(columns) == 0:
        return
    # Column j of the gradient is sum_i x_ij dZ[i]: the terms in column order, then
    # one segment sum per non-empty column.
    terms = dZ[Xc.indices].T  # (k, nnz)
    terms *= Xc.data.astype(dZ.dtype, copy=False)
    out[:, columns] = np.add.reduceat(terms, Xc.indptr[columns], axis=1)
