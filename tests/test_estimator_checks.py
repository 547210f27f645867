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
