"""Sparse input: the first layer's products against dense float64 references, the
estimator on every SciPy sparse container, and never a dense copy of ``X``."""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from nnlearn import NeuralNetClassifier
from nnlearn.engine import mlp, resnet
from nnlearn.engine.sparse import times_transpose, weight_gradient
from nnlearn.estimator.validation import row_hashes

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning",
                                        "ignore::nnlearn.errors.TrainingWarning")

CONTAINERS = [sp.csr_matrix, sp.csr_array, sp.csc_matrix, sp.csc_array, sp.coo_array]


def random_sparse(m, n, density, seed=0):
    """A CSR matrix with an empty row, an empty column and a duplicated entry."""
    X = sp.random(m, n, density=density, format="coo", random_state=seed)
    rows = np.r_[X.row, 3, 3]
    cols = np.r_[X.col, 5, 5]  # the same entry twice: a CSR may hold duplicates
    values = np.r_[X.data, 0.5, 0.25]
    keep = (rows != 0) & (cols != 1)  # row 0 and column 1 empty
    rows, cols, values = rows[keep], cols[keep], values[keep]
    order = np.lexsort((cols, rows))  # CSR arrays by hand: (row, value) pairs kept as they are
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=m))]
    return sp.csr_matrix((values[order], cols[order], indptr), shape=(m, n))


def test_the_first_layers_products_match_dense_ones():
    X = random_sparse(30, 50, 0.1)
    assert not X.has_canonical_format  # the duplicate is really there
    rng = np.random.default_rng(0)
    W, dZ = rng.standard_normal((7, 50)), rng.standard_normal((30, 7))
    D = X.toarray()
    np.testing.assert_allclose(times_transpose(X, W), D @ W.T, rtol=1e-12, atol=1e-14)
    out = np.full((7, 50), np.nan)
    weight_gradient(dZ, X, out)
    np.testing.assert_allclose(out, dZ.T @ D, rtol=1e-12, atol=1e-14)
    assert not out[:, 1].any()  # the empty column
    weight_gradient(dZ, sp.csr_matrix((30, 50)), out)  # an all-zero batch
    assert not out.any()


@pytest.mark.parametrize("container", CONTAINERS[:4])
@pytest.mark.parametrize("build", ["mlp", "resnet"])
def test_back_propagation_on_sparse_input_is_the_dense_one(container, build):
    X = random_sparse(40, 60, 0.08)
    y = np.arange(40) % 3
    net = (mlp(60, [9, 5], 3, seed=0, dtype=np.float64) if build == "mlp"
           else resnet(60, 6, 2, 3, seed=0, dtype=np.float64))
    twin = net.copy()
    loss, z = net.loss_and_gradients(container(X), y)
    loss_dense, z_dense = twin.loss_and_gradients(X.toarray(), y)
    assert loss == pytest.approx(loss_dense, rel=1e-12)
    for name, g in net.gradients().items():
        np.testing.assert_allclose(g, twin.gradients()[name], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(net.predict_logits(container(X)), z_dense, rtol=1e-12,
                               atol=1e-14)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


@pytest.mark.parametrize("container", CONTAINERS)
def test_the_estimator_on_sparse_input_is_the_estimator_on_dense(digits, container):
    # sklearn's test_sparse_matrices: the same fit, the same predictions.
    X, y = digits
    params = dict(hidden=15, epochs=5, dtype="float64", random_state=1)
    dense = NeuralNetClassifier(**params).fit(X, y)
    sparse = NeuralNetClassifier(**params).fit(container(X), y)
    np.testing.assert_allclose(sparse.predict_proba(container(X)), dense.predict_proba(X),
                               rtol=1e-9, atol=1e-12)
    assert np.array_equal(sparse.predict(X), sparse.predict(sp.csr_matrix(X)))
    np.testing.assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-10)


def test_sparse_input_is_never_made_dense(digits, monkeypatch):
    X, y = digits
    Xs = sp.csr_matrix(X)

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"densified a {self.shape} sparse matrix")

    for cls in (sp.csr_matrix, sp.csc_matrix, sp.coo_matrix):
        monkeypatch.setattr(cls, "toarray", refuse)
        monkeypatch.setattr(cls, "todense", refuse)
    clf = NeuralNetClassifier(hidden=8, epochs=3, early_stopping=True, random_state=0)
    clf.fit(Xs, y).partial_fit(Xs, y)
    clf.predict_proba(Xs)


def test_the_torch_backend_densifies_one_batch_at_a_time(digits, monkeypatch):
    pytest.importorskip("torch")
    X, y = digits
    shapes = []
    toarray = sp.csr_matrix.toarray

    def spy(self, *args, **kwargs):
        shapes.append(self.shape)
        return toarray(self, *args, **kwargs)

    monkeypatch.setattr(sp.csr_matrix, "toarray", spy)
    params = dict(hidden=8, epochs=2, batch_size=100, dtype="float64", random_state=0,
                  backend="torch", device="cpu")
    sparse = NeuralNetClassifier(**params).fit(sp.csr_matrix(X), y)
    assert shapes and max(rows for rows, _ in shapes) == 100
    dense = NeuralNetClassifier(**params).fit(X, y)
    np.testing.assert_allclose(sparse.predict_proba(X), dense.predict_proba(X), rtol=1e-9,
                               atol=1e-12)


def test_partial_fit_holds_out_the_same_sparse_rows_however_stored():
    X = random_sparse(60, 40, 0.2)
    y = np.arange(60) % 2
    canonical = X.copy()
    canonical.sum_duplicates()
    empty = np.flatnonzero(canonical[10].toarray()[0] == 0)[0]
    coo = canonical.tocoo()
    with_zero = sp.coo_matrix((np.r_[coo.data, 0.0], (np.r_[coo.row, 10],
                                                       np.r_[coo.col, empty])), shape=X.shape)
    with_zero = with_zero.tocsr()  # an explicit zero in row 10: the same row
    assert with_zero.nnz == canonical.nnz + 1
    hashes = row_hashes(X, y, key=3)
    for other in (canonical, sp.csc_array(X), with_zero):
        np.testing.assert_array_equal(row_hashes(other, y, key=3), hashes)


def test_a_wide_sparse_set_trains_in_a_fraction_of_its_dense_size():
    # 2000 x 200 000 in float32 is 1.6 GB dense; sparse, 1.2 MB. What training holds
    # is the network (200 000 x 8 weights, 6.4 MB) and Adam's state, some 40 MB.
    rng = np.random.default_rng(0)
    m, n, per_row = 2000, 200_000, 50
    cols = rng.integers(0, n, size=m * per_row)
    X = sp.csr_matrix((rng.random(m * per_row, dtype=np.float32),
                       (np.repeat(np.arange(m), per_row), cols)), shape=(m, n))
    y = (X[:, :n // 2].sum(axis=1).A1 > X[:, n // 2:].sum(axis=1).A1).astype(int)
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = NeuralNetClassifier(hidden=8, epochs=2, random_state=0).fit(X, y)
        clf.predict(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    dense = m * n * 4
    assert peak < dense / 16, f"peak {peak / 1e6:.0f} MB against {dense / 1e6:.0f} MB dense"
