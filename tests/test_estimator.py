"""NeuralNetClassifier with the NumPy backend: labels, weights, partial_fit and
early stopping, scikit-learn tools, model files, errors. (The torch backend:
test_estimator_torch.py; scikit-learn's check suite: test_estimator_checks.py.)"""

import pickle
import sys
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, make_blobs, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from nnlearn import NeuralNetClassifier, mlp
from nnlearn.errors import ModelFileError
from nnlearn.training import Callback, LambdaCallback, save_model

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(epochs=60, learning_rate=1e-2, random_state=0)


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=240, centers=3, n_features=4, cluster_std=2.0, random_state=0)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)


def full_batch(**params):
    """Plain gradient descent on the whole set in float64: the setting in which
    weights and repeated rows give the same gradient up to rounding."""
    return NeuralNetClassifier(**{**dict(hidden=(8,), batch_size=None, epochs=100,
                                         learning_rate=1e-2, patience=None, dtype="float64",
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


# -- partial_fit and early stopping ---------------------------------------------------------

def test_partial_fit_learns_from_a_stream(blobs):
    X_train, X_test, y_train, y_test = blobs
    clf = NeuralNetClassifier(learning_rate=1e-2, batch_size=32, random_state=0)
    chunks = np.array_split(np.arange(len(y_train)), 6)
    for _ in range(10):
        for rows in chunks:
            clf.partial_fit(X_train[rows], y_train[rows], classes=[0, 1, 2])
    assert clf.n_iter_ == 60 and len(clf.loss_curve_) == 60
    assert clf.t_ == 10 * len(y_train)
    assert clf.validation_scores_ is None and not clf.converged_
    assert clf.score(X_test, y_test) > 0.85


def test_partial_fit_checks_its_classes(blobs):
    X, _, y, _ = blobs
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        NeuralNetClassifier().partial_fit(X, y)
    clf = NeuralNetClassifier(epochs=1).partial_fit(X, y, classes=[0, 1, 2, 3])
    assert clf.classes_.tolist() == [0, 1, 2, 3]  # a class yet unseen is allowed
    with pytest.raises(ValueError, match=r"not in classes_ \[0, 1, 2, 3\]: \[9\]"):
        clf.partial_fit(X[:3], [0, 9, 1])
    with pytest.raises(ValueError, match="differs from the classes of the previous calls"):
        clf.partial_fit(X, y, classes=[0, 1, 2])


def test_partial_fit_continues_a_fit(blobs):
    X, _, y, _ = blobs
    clf = NeuralNetClassifier(**{**FAST, "patience": None}).fit(X, y)
    before = {k: v.copy() for k, v in clf.network_.parameters().items()}
    clf.partial_fit(X, y)
    assert clf.n_iter_ == 61 and len(clf.history_) == 61
    assert any(not np.array_equal(before[k], v) for k, v in clf.network_.parameters().items())


def test_partial_fit_with_early_stopping_holds_out_part_of_each_batch():
    X, y = make_classification(n_samples=3000, n_features=10, n_informative=5, flip_y=0.1,
                               random_state=0)
    clf = NeuralNetClassifier(early_stopping=True, validation_fraction=0.2, patience=4,
                              learning_rate=1e-2, random_state=0)
    chunks = np.array_split(np.arange(len(y)), 10)
    for calls in range(1, 200):
        rows = chunks[(calls - 1) % len(chunks)]
        clf.partial_fit(X[rows], y[rows], classes=[0, 1])
        if clf.converged_:
            break
    assert clf.converged_, "early stopping never stopped"
    # One score per call, each on the fifth of its batch that was held out.
    assert len(clf.validation_scores_) == clf.n_iter_ == calls
    assert clf.t_ == sum(len(chunks[i % 10]) - int(np.ceil(0.2 * len(chunks[i % 10])))
                         for i in range(calls))  # what was left after holding out
    best = clf.best_validation_score_
    assert best == max(clf.validation_scores_[:-4])  # the last `patience` did not improve
    # The best parameters are back, and further calls leave them alone.
    kept = {k: v.copy() for k, v in clf.network_.parameters().items()}
    clf.partial_fit(X[:300], y[:300])
    assert clf.n_iter_ == calls
    for name, value in clf.network_.parameters().items():
        np.testing.assert_array_equal(value, kept[name])
    # fit starts over, and partial_fit may then train again.
    clf.fit(X[:600], y[:600])
    assert not clf.converged_ or clf.n_iter_ < clf.epochs
    clf.partial_fit(X[:300], y[:300])


def test_early_stopping_in_fit_keeps_the_best_epoch(digits):
    X_train, X_test, y_train, y_test = digits
    snapshots = []  # the parameters after every epoch
    keep = LambdaCallback(on_epoch_end=lambda trainer: snapshots.append(
        {k: v.copy() for k, v in trainer.backend.get_network().parameters().items()}))
    clf = NeuralNetClassifier(early_stopping=True, patience=5, learning_rate=1e-2,
                              random_state=0, callbacks=[keep])
    clf.fit(X_train, y_train)
    assert clf.converged_ and clf.n_iter_ < clf.epochs
    scores = clf.validation_scores_
    assert len(scores) == len(clf.validation_loss_curve_) == len(clf.loss_curve_) == clf.n_iter_
    assert clf.best_validation_score_ == max(scores)
    best = scores.index(max(scores))
    assert best == clf.n_iter_ - 6  # five epochs of patience after it
    # The kept parameters are those of the best epoch, not of the last one.
    for name, value in clf.network_.parameters().items():
        np.testing.assert_array_equal(value, snapshots[best][name])
    n_train = len(y_train) - int(np.ceil(0.1 * len(y_train)))
    assert clf.t_ == clf.n_iter_ * n_train
    assert clf.score(X_test, y_test) > 0.93


def test_early_stopping_needs_enough_samples():
    with pytest.raises(ValueError, match="cannot hold out a stratified validation_fraction=0.1"):
        NeuralNetClassifier(early_stopping=True).fit(np.eye(4), [0, 1, 2, 3])


def test_convergence_and_patience_none(blobs):
    X, _, y, _ = blobs
    with pytest.warns(ConvergenceWarning, match="3 epochs done"):
        NeuralNetClassifier(epochs=3).fit(X, y)
    clf = NeuralNetClassifier(epochs=3000, learning_rate=1e-2, random_state=0).fit(X, y)
    assert clf.converged_ and clf.n_iter_ < 3000  # the training loss stopped falling
    clf = NeuralNetClassifier(epochs=40, patience=None, learning_rate=1e-2, tol=10.0).fit(X, y)
    assert clf.n_iter_ == 40 and not clf.converged_  # patience=None: every epoch, no warning


def test_warm_start_continues_and_refuses_a_new_shape(blobs):
    X, _, y, _ = blobs
    clf = NeuralNetClassifier(epochs=5, patience=None, warm_start=True, random_state=0)
    clf.fit(X, y).fit(X, y)
    assert clf.n_iter_ == 10 and len(clf.history_) == 10
    clf.set_params(optimizer="momentum", learning_rate=1e-3)  # a new optimiser, same network
    network = clf.network_
    clf.fit(X, y)
    assert clf.n_iter_ == 15 and clf.network_ is network
    clf.set_params(hidden=(16,))
    with pytest.raises(ValueError, match="shape the network .* do not match network_"):
        clf.fit(X, y)
    clf.set_params(warm_start=False).fit(X, y)
    assert clf.n_iter_ == 5 and clf.network_.layers[0].n_out == 16


# -- hyper-parameters -----------------------------------------------------------------------

def test_architectures_activations_dropout_schedules(blobs):
    X_train, X_test, y_train, y_test = blobs
    for params in [dict(architecture="resnet", width=16, depth=3),
                   dict(hidden=(16, 8), activation=("tanh", "relu"), dropout=0.2),
                   dict(hidden=(), optimizer="nesterov"),  # multinomial logistic regression
                   dict(hidden=12, lr_schedule="cosine", optimizer="sgd", learning_rate=0.1,
                        weight_decay=1e-4, batch_size="full")]:
        clf = NeuralNetClassifier(**{**FAST, **params}).fit(X_train, y_train)
        assert clf.score(X_test, y_test) > 0.8, params
    lr = clf.history_["lr"]
    assert lr[0] > lr[-1] and np.all(np.diff(lr) <= 0)  # cosine
    assert [layer.n_out for layer in clf.network_.layers] == [12, 3]


def test_a_schedule_advances_once_per_partial_fit_call(blobs):
    X, _, y, _ = blobs
    clf = NeuralNetClassifier(lr_schedule="step", epochs=6, learning_rate=0.1)
    for _ in range(9):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    np.testing.assert_allclose(clf.history_["lr"], [0.1, 0.1, 0.01, 0.01, 1e-3, 1e-3, 1e-3,
                                                    1e-3, 1e-3])


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


def test_verbose_shows_a_progress_bar(blobs, capsys):
    X, _, y, _ = blobs
    NeuralNetClassifier(epochs=3, verbose=True).fit(X, y)
    assert "it/s" in capsys.readouterr().err  # tqdm's rate
    NeuralNetClassifier(epochs=3).fit(X, y)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("params, message", [
    (dict(hidden=(0,)), r"hidden must be a positive int or a sequence of .* got \(0,\)"),
    (dict(hidden="wide"), "hidden must be .* got 'wide'"),
    (dict(architecture="cnn"), "architecture must be one of 'mlp', 'resnet', got 'cnn'"),
    (dict(architecture="resnet", width=0), "width must be an integer >= 1, got 0"),
    (dict(architecture="resnet", depth=-1), "depth must be an integer >= 0, got -1"),
    (dict(activation="swish"), "activation must be one of .*'relu'.* got 'swish'"),
    (dict(hidden=(4, 4), activation=["relu"]), r"one name per hidden layer \(2\), got \['relu'\]"),
    (dict(dropout=1.0), r"dropout must be a number in \[0, 1\), got 1.0"),
    (dict(optimizer="rmsprop"), "optimizer must be one of 'sgd', .* got 'rmsprop'"),
    (dict(learning_rate=0.0), r"learning_rate must be a number in \(0, inf\], got 0.0"),
    (dict(learning_rate=float("nan")), "learning_rate must be a number .* got nan"),
    (dict(momentum=1.0), r"momentum must be a number in \[0, 1\), got 1.0"),
    (dict(lr_schedule="linear"), "lr_schedule must be one of 'constant', .* got 'linear'"),
    (dict(batch_size=0), "batch_size must be an integer >= 1, None or 'full', got 0"),
    (dict(batch_size="auto"), "batch_size must be .* got 'auto'"),
    (dict(epochs=2.5), "epochs must be an integer >= 1, got 2.5"),
    (dict(epochs=True), "epochs must be an integer >= 1, got True"),
    (dict(weight_decay=-1e-4), r"weight_decay must be a number in \[0, inf\], got -0.0001"),
    (dict(validation_fraction=1.0), r"validation_fraction must be a number in \(0, 1\), got 1.0"),
    (dict(patience=0), "patience must be an integer >= 1 or None, got 0"),
    (dict(tol=-1), r"tol must be a number in \[0, inf\], got -1"),
    (dict(random_state="seed"), "'seed' cannot be used to seed"),
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
    # The optimiser state travels with the NumPy backend: both continue alike.
    clf.partial_fit(X, y)
    copy.partial_fit(X, y)
    np.testing.assert_array_equal(copy.predict_proba(X_test), clf.predict_proba(X_test))
    fresh = clone(clf)
    assert fresh.get_params() == clf.get_params() and not hasattr(fresh, "network_")


# -- model files ----------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
@pytest.mark.parametrize("labels", [np.array(["cat", "dog", "emu"]), np.array([-1, 5, 9]),
                                    np.array([1.0, 2.0, 5.0]),
                                    np.array(["a", "bb", "c"], dtype=object)])
def test_save_and_load_round_trip(blobs, tmp_path, suffix, labels):
    X, X_test, y, _ = blobs
    clf = NeuralNetClassifier(hidden=(8, 8), activation="tanh", epochs=5,
                              class_weight={labels.tolist()[0]: 2.0}, random_state=0)
    clf.fit(X, labels[y])
    path = clf.save(tmp_path / f"model{suffix}")
    loaded = NeuralNetClassifier.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))
    assert loaded.classes_.dtype == labels.dtype
    assert loaded.predict(X_test).tolist() == clf.predict(X_test).tolist()
    assert type(loaded.predict(X_test)[0]) is type(clf.predict(X_test)[0])
    params = loaded.get_params()
    assert params["hidden"] == (8, 8) and params["activation"] == "tanh"
    # Only what JSON holds exactly is saved: string keys yes, numbers (made strings) no.
    assert params["class_weight"] == (clf.class_weight if labels.dtype.kind in "UO" else None)
    loaded.set_params(warm_start=True).fit(X, labels[y])  # continues from the saved weights
    assert loaded.n_iter_ == 5


def test_a_loaded_model_continues_only_with_its_own_shape(blobs, tmp_path):
    X, _, y, _ = blobs
    path = NeuralNetClassifier(hidden=(8,), epochs=3).fit(X, y).save(tmp_path / "m.npz")
    loaded = NeuralNetClassifier.load(path).set_params(warm_start=True, hidden=(4,))
    with pytest.raises(ValueError, match="do not match network_"):
        loaded.fit(X, y)
    loaded.set_params(hidden=(8,)).partial_fit(X, y)
    assert loaded.n_iter_ == 1


def test_load_refuses_a_plain_network_file(tmp_path):
    path = save_model(mlp(2, [3], 2), tmp_path / "plain.npz")  # no class labels
    with pytest.raises(ModelFileError, match="not a NeuralNetClassifier model file"):
        NeuralNetClassifier.load(path)


def test_save_needs_a_fitted_estimator(tmp_path):
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        NeuralNetClassifier().save(tmp_path / "m.npz")
