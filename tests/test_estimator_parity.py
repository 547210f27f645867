"""NeuralNetClassifier where it follows MLPClassifier: the stopping rule, ``n_iter_``,
warm starts, errors and warnings, ported from scikit-learn's own tests
(``sklearn/neural_network/tests/test_mlp.py``) where they apply."""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import MinMaxScaler

from nnlearn import NeuralNetClassifier
from nnlearn.training import LambdaCallback

from estimator_helpers import mlp_rule

pytestmark = pytest.mark.filterwarnings(
    "ignore::nnlearn.errors.TrainingWarning",
    "ignore:.*Maximum iterations:sklearn.exceptions.ConvergenceWarning")

X_iris, y_iris = load_iris(return_X_y=True)
_X, _y = load_digits(n_class=2, return_X_y=True)
X_binary, y_binary = MinMaxScaler().fit_transform(_X[:200])[:100], _y[:100]


def snapshots_of(store):
    return LambdaCallback(on_epoch_end=lambda trainer: store.append(
        {k: v.copy() for k, v in trainer.backend.get_network().parameters().items()}))


# -- the stopping rule -------------------------------------------------------------------

def test_an_improvement_smaller_than_tol_is_still_the_best_epoch():
    # The case: with tol=0.2 the scores go 0.7, 0.9, 1.0; the 1.0 beats 0.9
    # by less than tol, and it is the model kept (once, 0.9 was).
    snapshots = []
    clf = NeuralNetClassifier(tol=0.2, epochs=3000, early_stopping=True, random_state=0,
                              callbacks=[snapshots_of(snapshots)]).fit(X_binary, y_binary)
    scores = clf.validation_scores_
    best = scores.index(max(scores))
    first_better = [s for s in scores[:best] if s > scores[0]]
    assert first_better and 0 < max(scores) - max(first_better) < clf.tol  # the case above
    assert clf.best_validation_score_ == max(scores) == clf.score(*_validation_of(clf))
    for name, value in clf.network_.parameters().items():
        np.testing.assert_array_equal(value, snapshots[best][name])


def _validation_of(clf):
    """The held-out rows of the last fit (the same stratified split fit made)."""
    from nnlearn.estimator.validation import split_stratified
    y_index = np.searchsorted(clf.classes_, y_binary)
    _, (X_val, y_val, _) = split_stratified(X_binary, y_index, None, clf.validation_fraction,
                                            clf._seeds["split"], labels=clf.classes_)
    return X_val, clf.classes_[y_val]


@pytest.mark.parametrize("patience", [2, 5, 10])
def test_the_stopping_rule_is_mlpclassifiers(patience):
    # sklearn's test_n_iter_no_change, checked against its own counting code.
    clf = NeuralNetClassifier(optimizer="sgd", tol=0.01, patience=patience, epochs=3000,
                              random_state=0).fit(X_binary, y_binary)
    stop, _ = mlp_rule(clf.loss_curve_, patience, clf.tol, early_stopping=False)
    assert stop == clf.n_iter_ < 3000 and clf.converged_
    assert clf.best_loss_ == min(clf.loss_curve_)


def test_patience_none_runs_every_epoch():
    # sklearn's test_n_iter_no_change_inf: a huge tol never counts as an improvement.
    with pytest.warns(ConvergenceWarning):
        clf = NeuralNetClassifier(optimizer="sgd", tol=1e9, patience=None, epochs=50,
                                  random_state=0).fit(X_binary, y_binary)
    assert clf.n_iter_ == 50 and not clf.converged_


def test_tol_makes_training_stop():
    # sklearn's test_tolerance and test_early_stopping.
    clf = NeuralNetClassifier(tol=0.5, epochs=3000, optimizer="sgd").fit([[3, 2], [1, 6]],
                                                                         [1, 0])
    assert clf.n_iter_ < clf.epochs
    clf = NeuralNetClassifier(tol=0.2, epochs=3000, optimizer="sgd", early_stopping=True,
                              random_state=0).fit(X_binary, y_binary)
    scores = clf.validation_scores_
    assert clf.n_iter_ < clf.epochs and clf.best_loss_ is None
    assert max(scores) == clf.best_validation_score_
    assert clf.best_validation_score_ + clf.tol > scores[-2]
    assert clf.best_validation_score_ + clf.tol > scores[-1]
    clf.set_params(early_stopping=False).fit(X_binary, y_binary)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert clf.best_loss_ is not None


# -- n_iter_ and warm starts --------------------------------------------------------------

def test_n_iter_is_the_last_fits_epochs():
    # sklearn's test_warm_start_full_iteration (its issue 16812).
    clf = NeuralNetClassifier(hidden=2, optimizer="sgd", warm_start=True, epochs=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_iris, y_iris)
        assert clf.n_iter_ == 3
        clf.fit(X_iris, y_iris)
        assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 6
    clf.partial_fit(X_iris, y_iris)  # partial_fit counts on
    clf.partial_fit(X_iris, y_iris)
    assert clf.n_iter_ == 5 and len(clf.loss_curve_) == 8


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_warm_start_runs_its_epochs_and_warns(optimizer):
    # sklearn's test_mlp_warm_start_no_convergence.
    clf = NeuralNetClassifier(optimizer=optimizer, warm_start=True, epochs=10, patience=None,
                              random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_iris, y_iris)
    assert clf.n_iter_ == 10
    clf.set_params(epochs=20)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X_iris, y_iris)
    assert clf.n_iter_ == 20


def test_no_convergence_warning_when_the_rule_stops_training():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = NeuralNetClassifier(optimizer="sgd", tol=0.01, patience=2, epochs=3000,
                                  random_state=0).fit(X_binary, y_binary)
        assert clf.converged_
        clf.partial_fit(X_binary, y_binary)  # partial_fit never warns (one epoch a call)


def test_a_warm_start_with_early_stopping_adds_validation_scores():
    # sklearn's test_mlp_warm_start_with_early_stopping.
    clf = NeuralNetClassifier(epochs=10, random_state=0, warm_start=True, early_stopping=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_iris, y_iris)
        n_scores = len(clf.validation_scores_)
        clf.set_params(epochs=20).fit(X_iris, y_iris)
    assert len(clf.validation_scores_) > n_scores


@pytest.mark.parametrize("y_other", [
    np.array([0] * 75 + [1] * 75),
    np.array([0] * 50 + [1] * 50 + [3] * 50),
    np.array([0] * 37 + [1] * 37 + [2] * 38 + [3] * 38),
])
def test_a_warm_start_refuses_other_classes(y_other):
    # sklearn's test_warm_start, with its message.
    clf = NeuralNetClassifier(hidden=2, warm_start=True, epochs=5, random_state=42)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X_iris, y_iris)
        clf.fit(X_iris, y_iris)  # the same classes: no error
        clf.fit(X_iris, np.array([0] * 40 + [1] * 40 + [2] * 70))
    message = ("warm_start can only be used where `y` has the same classes as in the "
               f"previous call to fit. Previously got [0 1 2], `y` has {np.unique(y_other)}")
    with pytest.raises(ValueError, match=re.escape(message)):
        clf.fit(X_iris, y_other)
    clf.set_params(warm_start=False).fit(X_iris, y_other)  # a cold fit takes new classes
    assert clf.classes_.tolist() == np.unique(y_other).tolist()


def test_the_stratification_error_names_the_labels():
    # sklearn's test_early_stopping_stratified, with string labels.
    clf = NeuralNetClassifier(early_stopping=True)
    with pytest.raises(ValueError, match=r"Classes with too few members are: \['b'\]"):
        clf.fit([[1, 2], [2, 3], [3, 4], [4, 5]], ["a", "a", "a", "b"])


# -- the fitted attributes in scikit-learn's layout --------------------------------------

def _relu(z):
    return np.maximum(z, 0)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_coefs_have_mlpclassifiers_shapes_and_are_read_only_views():
    X, y = X_iris, y_iris
    clf = NeuralNetClassifier(hidden=(5, 4), epochs=5, dtype="float64",
                              random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = MLPClassifier(hidden_layer_sizes=(5, 4), max_iter=5).fit(X, y)
    assert [c.shape for c in clf.coefs_] == [c.shape for c in ref.coefs_] == [(4, 5), (5, 4),
                                                                               (4, 3)]
    assert [b.shape for b in clf.intercepts_] == [b.shape for b in ref.intercepts_]
    assert (clf.n_layers_, clf.n_outputs_, clf.out_activation_) == (ref.n_layers_,
                                                                     ref.n_outputs_, "softmax")
    W = clf.network_.layers[0].params["W"]
    assert np.shares_memory(clf.coefs_[0], W) and np.shares_memory(clf.intercepts_[0],
                                                                   clf.network_.layers[0].b)
    with pytest.raises(ValueError, match="read-only"):
        clf.coefs_[0][0, 0] = 1.0
    with pytest.raises(AttributeError):
        clf.coefs_ = []
    # The network, recomputed from coefs_ and intercepts_ in float64.
    f = X
    for k, (C, b) in enumerate(zip(clf.coefs_, clf.intercepts_)):
        f = f @ C + b
        f = f if k == len(clf.coefs_) - 1 else _relu(f)
    np.testing.assert_allclose(_softmax(f), clf.predict_proba(X), rtol=1e-12, atol=1e-14)


def test_a_binary_problem_has_two_softmax_outputs():
    clf = NeuralNetClassifier(hidden=3, epochs=2).fit(X_binary, y_binary)
    assert clf.n_outputs_ == 2 and clf.coefs_[-1].shape == (3, 2)  # MLPClassifier: (3, 1)


def test_coefs_of_a_resnet_list_its_matrices_in_forward_order():
    clf = NeuralNetClassifier(architecture="resnet", width=6, depth=2, epochs=3,
                              dtype="float64", random_state=0).fit(X_iris, y_iris)
    C, B = clf.coefs_, clf.intercepts_
    assert [c.shape for c in C] == [(4, 6), (6, 6), (6, 6), (6, 6), (6, 6), (6, 3)]
    assert clf.n_layers_ == 7 and not B[2].any() and not B[4].any()  # W_{k,1} has no bias
    f = _relu(X_iris @ C[0] + B[0])
    for k in (1, 3):  # eq. (6): f + sigma(f W_{k,2}^T + b_k) W_{k,1}^T
        f = f + _relu(f @ C[k] + B[k]) @ C[k + 1]
    np.testing.assert_allclose(_softmax(f @ C[5] + B[5]), clf.predict_proba(X_iris),
                               rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_coefs_have_the_networks_dtype(dtype):
    # sklearn's test_mlp_param_dtypes.
    clf = NeuralNetClassifier(hidden=(5, 3), epochs=3, dtype=dtype).fit(X_binary, y_binary)
    assert all(c.dtype == dtype for c in clf.coefs_ + clf.intercepts_)


def test_no_fitted_attribute_before_fit():
    clf = NeuralNetClassifier()
    for name in ("coefs_", "intercepts_", "n_layers_", "n_outputs_", "out_activation_",
                 "best_loss_", "validation_scores_", "best_validation_score_"):
        assert not hasattr(clf, name), name


def test_weight_decay_shrinks_the_weights():
    # sklearn's test_alpha, with weight_decay in place of alpha.
    sums = []
    for weight_decay in (0.0, 0.1):
        clf = NeuralNetClassifier(hidden=10, weight_decay=weight_decay, epochs=50,
                                  random_state=1).fit(X_binary, y_binary)
        sums.append([np.abs(c).sum() for c in clf.coefs_])
    assert sums[0][0] > sums[1][0] and sums[0][1] > sums[1][1]


# -- docs/estimator.md's table: every MLPClassifier parameter and attribute ----------------

def _mapping_table():
    """``{MLPClassifier name: NeuralNetClassifier cell}`` from docs/estimator.md."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "estimator.md").read_text()
    section = text.split("## From `MLPClassifier`", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].startswith("`") and cells[1] != "`NeuralNetClassifier`":
            for name in re.findall(r"`(\w+)`", cells[0]):
                rows[name] = cells[1]
    return rows


def test_the_docs_table_names_every_parameter_and_attribute_of_mlpclassifier():
    rows = _mapping_table()
    assert set(MLPClassifier().get_params()) <= set(rows), \
        sorted(set(MLPClassifier().get_params()) - set(rows))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = MLPClassifier(max_iter=2).fit(X_iris, y_iris)
    fitted = {k for k in vars(ref) if k.endswith("_") and not k.startswith("_")}
    assert fitted | {"feature_names_in_"} <= set(rows), sorted(fitted - set(rows))
    # Each name the table calls "same" is ours too, with that name.
    clf = NeuralNetClassifier(epochs=2).fit(X_iris, y_iris)
    params = clf.get_params()
    for name, ours in rows.items():
        if ours == "same" and name != "feature_names_in_":  # set only for named columns
            assert name in params or hasattr(clf, name), name
        elif ours.startswith("`") and "=" not in ours:
            assert ours.strip("`") in params, (name, ours)
