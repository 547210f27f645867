"""scikit-learn's own estimator checks, for both backends and both dtypes.

The checks fit on tiny data sets (at most 300 samples, so one or two steps per
epoch). The defaults (200 epochs at learning rate 1e-3, as MLPClassifier) are
meant for real data; here 50 epochs at 1e-2 reach the accuracy the checks ask
for in a fraction of the time.
"""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from nnlearn import NeuralNetClassifier

FAST = dict(epochs=50, lr=1e-2)

ESTIMATORS = [NeuralNetClassifier(**FAST, backend=backend, device="cpu", dtype=dtype)
              for backend in ("numpy", "torch") for dtype in ("float32", "float64")]


def expected_failed_checks(estimator):
    if estimator.dtype == "float32":
        why = ("float32 rounding: fitting with integer weights and with repeated rows "
               "sums the same terms in another order, and the predicted probabilities "
               "agree to a few float32 ulps (about 2e-7), not to the check's float64 "
               "rtol=1e-7; the float64 instances pass it")
        return {"check_sample_weight_equivalence_on_dense_data": why,
                "check_sample_weight_equivalence_on_sparse_data": why}
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_estimator_checks(estimator, check):
    if estimator.backend == "torch":
        pytest.importorskip("torch")
    with warnings.catch_warnings():
        # 50 epochs rarely meet tol; the checks are not about convergence.
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        check(estimator)


@pytest.mark.parametrize("sparse", [False, True])
def test_the_float32_expected_failures_reason_holds(sparse):
    """The reason given above is checked, not only stated: on the check's own data, the
    weighted and the repeated fits agree to a few float32 ulps in float32 (and to the
    check's rtol=1e-7 in float64, as the float64 instances show by passing)."""
    import numpy as np
    from scipy import sparse as sp

    rng = np.random.RandomState(42)  # the check's data (sklearn's estimator_checks)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15)
    sw = rng.randint(0, 5, size=15)
    X_rep, y_rep = X.repeat(sw, axis=0), y.repeat(sw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        fits = [NeuralNetClassifier(**FAST, random_state=0).fit(
            sp.csr_array(A) if sparse else A, b, sample_weight=w)
            for A, b, w in ((X, y, sw), (X_rep, y_rep, None))]
    p_weighted, p_repeated = (clf.predict_proba(X) for clf in fits)
    ulp = np.spacing(np.float32(1.0))  # 1.2e-7, the float32 step at 1
    assert 0 < np.abs(p_weighted - p_repeated).max() <= 4 * ulp
