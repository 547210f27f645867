"""NeuralNetClassifier with the NumPy backend: labels, weights, partial_fit and
early stopping, scikit-learn tools, model files, errors. (The torch backend:
test_estimator_torch.py; scikit-learn's check suite: test_estimator_checks.py.)"""

import pickle
import re
import sys
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from nnlearn import NeuralNetClassifier
from nnlearn.training import Callback, LambdaCallback

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(epochs=60, lr=1e-2, random_state=0)




def full_batch(**params):
    """Plain gradient descent on the whole set in float64: the setting in which
    weights and repeated rows give the same gradient up to rounding."""
    return NeuralNetClassifier(**{**dict(hidden=(8,), batch_size="full", epochs=100,
                                         lr=1e-2, patience=None, dtype="float64",
                                         random_state=0), **params})


# -- labels ---------------------------------------------------------------------------------

def test_string_labels(blobs):
    X_train, X_test, y_train, y_test = blobs
    names = np.array(["setosa", "versicolor", "virginica"])
    clf = NeuralNetClassifier(**FAST).fit(X_train, names[y_train])
    assert clf.classes_.tolist() == names.tolist()
    predicted = clf.predict(X_test)
    assert predicted.dtype == names.dtype and set(predicted) <= set(names)
    assert clf.score(X_test, names[y_test]) > 0.85
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert (names[np.argmax(proba, axis=1)] == predicted).all()


def test_non_contiguous_integer_labels_give_the_same_model(blobs):
    X_train, X_test, y_train, _ = blobs
    labels = np.array([-7, 3, 100])
    plain = NeuralNetClassifier(**FAST).fit(X_train, y_train)
    mapped = NeuralNetClassifier(**FAST).fit(X_train, labels[y_train])
    assert mapped.classes_.tolist() == [-7, 3, 100]
    assert (mapped.predict(X_test) == labels[plain.predict(X_test)]).all()
    np.testing.assert_array_equal(mapped.predict_proba(X_test), plain.predict_proba(X_test))


def test_a_single_class_is_predicted_with_certainty():
    X = np.random.default_rng(0).normal(size=(10, 3))
    clf = NeuralNetClassifier(epochs=2).fit(X, ["only"] * 10)
    assert clf.predict(X).tolist() == ["only"] * 10
    np.testing.assert_array_equal(clf.predict_proba(X), 1.0)


def test_predict_log_proba_stays_finite_where_proba_underflows(blobs):
    X_train, X_test, y_train, _ = blobs
    clf = NeuralNetClassifier(**FAST).fit(X_train, y_train)
    log_p = clf.predict_log_proba(X_test * 1e4)  # huge logits: some p underflow to 0
    assert np.all(np.isfinite(log_p))
    assert (clf.predict_proba(X_test * 1e4) == 0).any()


# -- weights --------------------------------------------------------------------------------

def test_weight_two_equals_a_duplicated_row(blobs):
    X, _, y, _ = blobs
    w = np.ones(len(y))
    w[:10] = 2.0
    duplicated = full_batch().fit(np.vstack([X, X[:10]]), np.concatenate([y, y[:10]]))
    weighted = full_batch().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(weighted.predict_proba(X), duplicated.predict_proba(X),
                               rtol=1e-6, atol=1e-9)


def test_weight_zero_equals_a_removed_row(blobs):
    X, _, y, _ = blobs
    w = np.ones(len(y))
    w[::3] = 0.0
    removed = full_batch().fit(X[w > 0], y[w > 0])
    weighted = full_batch().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(weighted.predict_proba(X), removed.predict_proba(X),
                               rtol=1e-6, atol=1e-9)
    assert weighted.t_ == removed.t_  # zero-weight rows never enter a batch


def test_class_weight_balanced_is_sample_weight_balanced_and_helps_the_minority():
    X, y = make_classification(n_samples=400, n_features=6, weights=[0.9, 0.1], class_sep=0.5,
                               random_state=1)
    balanced = full_batch(class_weight="balanced").fit(X, y)
    by_hand = full_batch().fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    np.testing.assert_allclose(balanced.predict_proba(X), by_hand.predict_proba(X), rtol=1e-10)
    unweighted = full_batch().fit(X, y)
    recall = [np.mean(clf.predict(X)[y == 1] == 1) for clf in (unweighted, balanced)]
    assert recall[1] > recall[0] + 0.1


def test_class_weight_dict_multiplies_sample_weight(blobs):
    X, _, y, _ = blobs
    sw = np.random.default_rng(0).uniform(0.5, 2.0, size=len(y))
    by_dict = full_batch(class_weight={0: 3.0, 2: 0.5}).fit(X, y, sample_weight=sw)
    combined = full_batch().fit(X, y, sample_weight=sw * np.array([3.0, 1.0, 0.5])[y])
    np.testing.assert_allclose(by_dict.predict_proba(X), combined.predict_proba(X), rtol=1e-10)


def test_weights_are_checked(blobs):
    X, _, y, _ = blobs
    clf = NeuralNetClassifier(epochs=1)
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        clf.fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="all samples with positive weight belong to one class"):
        clf.fit(X, y, sample_weight=(y == 1).astype(float))
    with pytest.raises(ValueError, match="every sample has weight 0"):
        NeuralNetClassifier(epochs=1, class_weight={0: 0, 1: 0, 2: 0}).fit(X, y)
    with pytest.raises(ValueError, match="not supported by partial_fit"):
        NeuralNetClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


# -- hyper-parameters -----------------------------------------------------------------------

def test_architectures_activations_dropout_schedules(blobs):
    X_train, X_test, y_train, y_test = blobs
    for params in [dict(architecture="resnet", width=16, depth=3),
                   dict(hidden=(16, 8), activation=("tanh", "relu"), dropout=0.2),
                   dict(hidden=(), optimizer="nesterov"),  # multinomial logistic regression
                   dict(hidden=12, schedule="cosine", optimizer="sgd", lr=0.1,
                        weight_decay=1e-4, batch_size="full")]:
        clf = NeuralNetClassifier(**{**FAST, **params}).fit(X_train, y_train)
        assert clf.score(X_test, y_test) > 0.8, params
    lr = clf.history_["lr"]
    assert lr[0] > lr[-1] and np.all(np.diff(lr) <= 0)  # cosine
    assert [layer.n_out for layer in clf.network_.layers] == [12, 3]


def test_a_schedule_advances_once_per_partial_fit_call(blobs):
    X, _, y, _ = blobs
    clf = NeuralNetClassifier(schedule="step", epochs=6, lr=0.1)
    for _ in range(9):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    np.testing.assert_allclose(clf.history_["lr"], [0.1, 0.1, 0.01, 0.01, 1e-3, 1e-3, 1e-3,
                                                    1e-3, 1e-3])


def test_defaults_and_lr_none_is_the_optimizers_own(blobs):
    X, _, y, _ = blobs
    params = NeuralNetClassifier().get_params()
    assert {k: params[k] for k in ("lr", "schedule", "optimizer", "device", "width", "hidden")} \
        == dict(lr=None, schedule="constant", optimizer="adam", device="auto", width=32,
                hidden=(32,))
    for optimizer, expected in [("adam", 1e-3), ("gd", 0.1), ("sgd", 0.1), ("momentum", 0.01),
                                ("nesterov", 0.01)]:
        clf = NeuralNetClassifier(optimizer=optimizer, epochs=2, random_state=0).fit(X, y)
        np.testing.assert_array_equal(clf.history_["lr"], expected)
    clf = NeuralNetClassifier(optimizer="sgd", lr=0.5, epochs=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.history_["lr"], 0.5)
    gd, sgd = (NeuralNetClassifier(optimizer=name, epochs=5, patience=None, random_state=0)
               .fit(X, y) for name in ("gd", "sgd"))
    np.testing.assert_array_equal(gd.predict_proba(X), sgd.predict_proba(X))


def test_messages_print_labels_as_plain_values(blobs):
    X, _, y, _ = blobs
    names = np.array(["a", "b", "c"])
    clf = NeuralNetClassifier(epochs=1).partial_fit(X, names[y], classes=names)
    with pytest.raises(ValueError) as err:
        clf.partial_fit(X[:2], np.array(["a", "z"]))
    assert str(err.value) == "y contains labels that are not in classes_ ['a', 'b', 'c']: ['z']"
    with pytest.raises(ValueError) as err:
        clf.partial_fit(X, names[y], classes=names[:2])
    assert str(err.value) == ("classes=['a', 'b'] differs from the classes of the previous "
                              "calls, ['a', 'b', 'c']")
    with pytest.raises(ValueError) as err:
        NeuralNetClassifier(class_weight={"z": 2.0, "a": 1.0}, epochs=1).fit(X, names[y])
    assert str(err.value) == ("class_weight has labels that are not among the classes "
                              "['a', 'b', 'c']: ['z']")
    numbers = np.array([10, 20, 30], dtype=np.int64)
    clf = NeuralNetClassifier(epochs=1).partial_fit(X, numbers[y], classes=numbers)
    with pytest.raises(ValueError, match=r"^classes=\[10, 20\] differs .*, \[10, 20, 30\]$"):
        clf.partial_fit(X, numbers[y], classes=numbers[:2])


def test_dtype_chooses_the_arithmetic(blobs):
    X, _, y, _ = blobs
    for dtype in ("float32", "float64"):
        clf = NeuralNetClassifier(epochs=2, dtype=dtype).fit(X.astype(np.float32), y)
        assert clf.network_.dtype == dtype and clf.predict_proba(X).dtype == dtype


def test_callbacks_are_called_and_keep_their_records(blobs):
    X, _, y, _ = blobs

    class Epochs(Callback):
        def __init__(self):
            self.seen = []

        def on_epoch_end(self, trainer):
            self.seen.append(trainer.epoch)

    epochs = Epochs()
    stop = LambdaCallback(on_epoch_end=lambda t: setattr(t, "stop_training", t.epoch >= 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # stopped by a callback: no warning
        clf = NeuralNetClassifier(epochs=50, callbacks=[epochs, stop]).fit(X, y)
    assert epochs.seen == [1, 2, 3, 4] and clf.n_iter_ == 4 and not clf.converged_
    assert clone(clf).callbacks[0] is not epochs  # clones get their own


def test_progress_bar_shows_a_progress_bar(blobs, capsys):
    X, _, y, _ = blobs
    NeuralNetClassifier(epochs=3, progress_bar=True).fit(X, y)
    out = capsys.readouterr()
    assert "it/s" in out.err and out.out == ""  # tqdm's rate; verbose is off
    NeuralNetClassifier(epochs=3, verbose=True).fit(X, y)
    assert capsys.readouterr().err == ""


def test_verbose_prints_as_mlpclassifier(blobs, capsys):
    # sklearn's test_verbose_sgd, and its format.
    X, _, y, _ = blobs
    clf = NeuralNetClassifier(epochs=3, verbose=10, patience=None).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"Iteration {i}, loss = {loss:.8f}"
                     for i, loss in enumerate(clf.loss_curve_, start=1)]
    assert re.fullmatch(r"Iteration 1, loss = \d+\.\d{8}", lines[0])
    clf.partial_fit(X, y)
    assert capsys.readouterr().out.startswith("Iteration 4, loss = ")
    clf = NeuralNetClassifier(epochs=2, verbose=True, early_stopping=True).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1::2] == [f"Validation score: {s:f}" for s in clf.validation_scores_]


@pytest.mark.parametrize("params, message", [
    (dict(hidden=(0,)), r"hidden must be an integer >= 1 or a sequence of positive ints, "
                        r"got \(0,\)"),
    (dict(hidden="wide"), "hidden must be .* got 'wide'"),
    (dict(architecture="cnn"), "architecture must be one of 'mlp', 'resnet', got 'cnn'"),
    (dict(architecture="resnet", width=0), "width must be an integer >= 1, got 0"),
    (dict(architecture="resnet", depth=-1), "depth must be an integer >= 0, got -1"),
    (dict(activation="swish"), "activation must be one of .*'relu'.* got 'swish'"),
    (dict(hidden=(4, 4), activation=["relu"]), r"one name per hidden layer \(2\), got \['relu'\]"),
    (dict(dropout=1.0), r"dropout must be a number in \[0, 1\), got 1.0"),
    (dict(optimizer="rmsprop"), "optimizer must be one of 'gd', 'sgd', 'momentum', 'nesterov', "
                                "'adam', 'lbfgs', got 'rmsprop'"),
    (dict(lr=0.0), r"lr must be None or a number in \(0, inf\), got 0.0"),
    (dict(lr=float("nan")), "lr must be None or a number .* got nan"),
    (dict(lr=float("inf")), "lr must be None or a number .* got inf"),
    (dict(momentum=1.0), r"momentum must be a number in \[0, 1\), got 1.0"),
    (dict(schedule="linear"), "schedule must be one of 'constant', .* got 'linear'"),
    (dict(batch_size=0), "batch_size must be an integer >= 1 or 'full', got 0"),
    (dict(batch_size="auto"), "batch_size must be .* got 'auto'"),
    (dict(epochs=2.5), "epochs must be an integer >= 1, got 2.5"),
    (dict(epochs=True), "epochs must be an integer >= 1, got True"),
    (dict(weight_decay=-1e-4), r"weight_decay must be a number in \[0, inf\), got -0.0001"),
    (dict(validation_fraction=1.0), r"validation_fraction must be a number in \(0, 1\), got 1.0"),
    (dict(patience=0), "patience must be an integer >= 1 or None, got 0"),
    (dict(tol=-1), r"tol must be a number in \[0, inf\), got -1"),
    (dict(random_state="seed"), "random_state must be None, an int or a numpy RandomState, "
                                "got 'seed'"),
    (dict(architecture="resnet", activation=("relu", "tanh")), "a resnet takes one activation"),
    (dict(backend="jax"), "backend must be one of 'numpy', 'torch', got 'jax'"),
    (dict(device="tpu"), "device must be 'cpu', 'cuda', 'cuda:N' or 'auto', got 'tpu'"),
    (dict(device="cuda"), "device='cuda' needs backend='torch'"),
    (dict(dtype="float16"), "dtype must be one of 'float32', 'float64', got 'float16'"),
    (dict(callbacks=[print]), "callbacks must be None or a list of nnlearn.training.Callback"),
    (dict(class_weight="auto"), "class_weight must be None, 'balanced' or a dict, got 'auto'"),
    (dict(early_stopping="yes"), "early_stopping must be True or False, got 'yes'"),
])
def test_bad_hyper_parameters_are_named_in_fit(blobs, params, message):
    X, _, y, _ = blobs
    clf = NeuralNetClassifier(**params)  # __init__ and set_params accept anything
    with pytest.raises(ValueError, match=message):
        clf.fit(X, y)
    assert not hasattr(clf, "network_")


def test_torch_backend_missing_is_a_clear_import_error(blobs, monkeypatch):
    X, _, y, _ = blobs
    monkeypatch.setitem(sys.modules, "nnlearn.torch", None)  # as if it were not installed
    with pytest.raises(ImportError, match="torch backend needs PyTorch"):
        NeuralNetClassifier(backend="torch").fit(X, y)
    for name in [m for m in sys.modules if m == "torch" or m.startswith("nnlearn.torch")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "torch", None)  # as if PyTorch were not installed
    with pytest.raises(ImportError, match="torch backend needs PyTorch.*pip install"):
        NeuralNetClassifier(backend="torch").fit(X, y)


# -- scikit-learn tools ---------------------------------------------------------------------

def test_pipeline_grid_search_and_cross_validation(blobs):
    X, _, y, _ = blobs
    pipe = make_pipeline(StandardScaler(), NeuralNetClassifier(**FAST))
    assert cross_val_score(pipe, X, y, cv=3).mean() > 0.85
    search = GridSearchCV(pipe, {"neuralnetclassifier__hidden": [(4,), (16,)],
                                 "neuralnetclassifier__optimizer": ["adam", "momentum"]}, cv=3)
    search.fit(X, y)
    assert search.best_score_ > 0.85 and len(search.cv_results_["params"]) == 4
    assert search.predict(X).shape == y.shape


def test_digits_accuracy_matches_mlpclassifier(digits):
    X_train, X_test, y_train, y_test = digits
    ours = NeuralNetClassifier(hidden=(32,), random_state=0).fit(X_train, y_train)
    theirs = MLPClassifier(hidden_layer_sizes=(32,), random_state=0).fit(X_train, y_train)
    assert ours.score(X_test, y_test) > 0.95
    assert abs(ours.score(X_test, y_test) - theirs.score(X_test, y_test)) < 0.03


def test_pickle_and_clone(blobs):
    X, X_test, y, _ = blobs
    clf = NeuralNetClassifier(**FAST).fit(X, y)
    copy = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(copy.predict_proba(X_test), clf.predict_proba(X_test))
    # A pickle is the model, not the trainer: the copy trains on from its weights
    # and history, with a fresh optimiser state (protocol.py says why).
    copy.partial_fit(X, y)
    assert len(copy.history_) == len(clf.history_) + 1
    assert not np.array_equal(copy.predict_proba(X_test), clf.predict_proba(X_test))
    fresh = clone(clf)
    assert fresh.get_params() == clf.get_params() and not hasattr(fresh, "network_")


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_pickled_estimator_holds_no_training_row(early_stopping):
    """Issue 28: the forward caches held the last batch, found verbatim in the pickle."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(301, 6))  # 301: the last batch is a single row
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    clf = NeuralNetClassifier(hidden=(16,), epochs=5, batch_size=50, random_state=0,
                              early_stopping=early_stopping)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    data = pickle.dumps(clf)
    for row in X:
        for dtype in (np.float32, np.float64):
            assert row.astype(dtype).tobytes() not in data
    # nor does the fitted network itself keep the last batch
    assert all(getattr(layer, "f_prev", None) is None for layer in clf.network_.layers)
    params = sum(p.nbytes for p in clf.network_.parameters().values())
    metadata = len(pickle.dumps((clf.get_params(), clf.classes_, clf.history_,
                                 clf.loss_curve_)))
    assert len(data) <= 2 * (params + metadata)
    copy = pickle.loads(data)
    np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
