"""NeuralNetClassifier: partial_fit, early stopping, weighted curves, warm starts and
interruptions (NumPy backend unless a test says otherwise)."""

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from nnlearn import NeuralNetClassifier
from nnlearn.training import Callback, LambdaCallback, NumpyBackend

from estimator_helpers import mlp_rule

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning",
                                        "ignore::nnlearn.errors.TrainingWarning")

FAST = dict(epochs=60, lr=1e-2, random_state=0)


def spy_on_backend(monkeypatch):
    """Record the rows every training step and every evaluation sees."""
    trained, scored = [], []
    train_step, evaluate = NumpyBackend.train_step, NumpyBackend.evaluate

    def spy_train(self, X, y, w, lr):
        trained.append(np.array(X, copy=True))
        return train_step(self, X, y, w, lr)

    def spy_evaluate(self, X, y, sample_weight=None):
        scored.append((np.array(X, copy=True), np.array(y, copy=True),
                       None if sample_weight is None else np.array(sample_weight, copy=True)))
        return evaluate(self, X, y, sample_weight)

    monkeypatch.setattr(NumpyBackend, "train_step", spy_train)
    monkeypatch.setattr(NumpyBackend, "evaluate", spy_evaluate)
    return trained, scored


def row_index(X, dtype=np.float32):
    """Where each row of X is, by its bytes in ``dtype`` (the rows must differ)."""
    X = np.ascontiguousarray(X, dtype=dtype)
    index = {row.tobytes(): i for i, row in enumerate(X)}
    assert len(index) == len(X)
    return lambda rows: [index[np.ascontiguousarray(r, dtype=dtype).tobytes()] for r in rows]


def snapshot_every_epoch(store):
    return LambdaCallback(on_epoch_end=lambda trainer: store.append(
        {k: v.copy() for k, v in trainer.backend.get_network().parameters().items()}))


def test_partial_fit_learns_from_a_stream(blobs):
    X_train, X_test, y_train, y_test = blobs
    clf = NeuralNetClassifier(lr=1e-2, batch_size=32, random_state=0)
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


def test_early_stopping_in_fit_keeps_the_best_epoch(digits):
    X_train, X_test, y_train, y_test = digits
    snapshots = []  # the parameters after every epoch
    keep = LambdaCallback(on_epoch_end=lambda trainer: snapshots.append(
        {k: v.copy() for k, v in trainer.backend.get_network().parameters().items()}))
    clf = NeuralNetClassifier(early_stopping=True, patience=5, lr=1e-2,
                              random_state=0, callbacks=[keep])
    clf.fit(X_train, y_train)
    assert clf.converged_ and clf.n_iter_ < clf.epochs
    scores = clf.validation_scores_
    assert len(scores) == len(clf.validation_loss_curve_) == len(clf.loss_curve_) == clf.n_iter_
    assert clf.best_validation_score_ == max(scores)
    stop, best = mlp_rule(scores, clf.patience, clf.tol, early_stopping=True)
    assert stop == clf.n_iter_ and best == scores.index(max(scores))
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
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        NeuralNetClassifier(epochs=3).fit(X, y)
    clf = NeuralNetClassifier(epochs=3000, lr=1e-2, random_state=0).fit(X, y)
    assert clf.converged_ and clf.n_iter_ < 3000  # the training loss stopped falling
    # patience=None runs every epoch, and warns as MLPClassifier(n_iter_no_change=np.inf).
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(40\)"):
        clf = NeuralNetClassifier(epochs=40, patience=None, lr=1e-2, tol=10.0).fit(X, y)
    assert clf.n_iter_ == 40 and not clf.converged_


def test_warm_start_continues_and_refuses_a_new_shape(blobs):
    X, _, y, _ = blobs
    clf = NeuralNetClassifier(epochs=5, patience=None, warm_start=True, random_state=0)
    clf.fit(X, y).fit(X, y)
    assert clf.n_iter_ == 5 and len(clf.history_) == 10  # n_iter_: the last fit's epochs
    clf.set_params(optimizer="momentum", lr=1e-3)  # a new optimiser, same network
    network = clf.network_
    clf.fit(X, y)
    assert clf.n_iter_ == 5 and len(clf.history_) == 15 and clf.network_ is network
    clf.set_params(hidden=(16,))
    with pytest.raises(ValueError, match="shape the network .* do not match network_"):
        clf.fit(X, y)
    clf.set_params(warm_start=False).fit(X, y)
    assert clf.n_iter_ == 5 and clf.network_.layers[0].n_out == 16


# -- partial_fit with early stopping -------------------------------------------------------

def test_partial_fit_never_trains_on_a_held_out_sample_even_when_a_stream_is_replayed(
        monkeypatch):
    X, y = make_classification(n_samples=1200, n_features=10, n_informative=5, random_state=0)
    trained, scored = spy_on_backend(monkeypatch)
    clf = NeuralNetClassifier(early_stopping=True, validation_fraction=0.2, patience=None,
                              lr=1e-2, random_state=0)
    chunks = np.array_split(np.arange(len(y)), 6)
    where = row_index(X)
    held_out = []  # per call, the rows scored
    for _ in range(3):  # the same stream three times
        for rows in chunks:
            before = len(scored)
            clf.partial_fit(X[rows], y[rows], classes=[0, 1])
            # per call: the rows it trained on, then the held-out rows, both scored
            # after the last step (at the same parameters); the held-out ones last
            assert len(scored) == before + 2
            assert set(where(scored[-2][0])) <= {i for b in trained for i in where(b)}
            held_out.append(set(where(scored[-1][0])))
    trained_rows = {i for batch in trained for i in where(batch)}
    scored_rows = set().union(*held_out)
    assert not trained_rows & scored_rows  # never trained on, in any pass
    assert trained_rows | scored_rows == set(range(len(y)))
    assert 0.15 < len(scored_rows) / len(y) < 0.25  # about validation_fraction
    assert held_out[:6] == held_out[6:12] == held_out[12:]  # the same rows in every pass
    for call, rows in enumerate(held_out[:6]):
        assert rows <= set(chunks[call].tolist())  # each call scores its own rows
    assert clf.t_ == 3 * len(trained_rows) and clf.n_iter_ == 18
    assert len(clf.validation_scores_) == 18 and np.all(np.isfinite(clf.validation_scores_))


def test_a_call_whose_rows_are_all_held_out_trains_nothing_and_leaves_a_usable_model(blobs):
    X, _, y, _ = blobs
    clf = NeuralNetClassifier(early_stopping=True, validation_fraction=0.999999, random_state=0)
    clf.partial_fit(X[:5], y[:5], classes=[0, 1, 2])
    assert clf.n_iter_ == 0 and clf.t_ == 0 and clf.loss_curve_ == [] and not clf.converged_
    assert clf.predict(X).shape == (len(X),)  # the initial network
    clf.set_params(validation_fraction=0.2).partial_fit(X, y)
    assert clf.n_iter_ == 1 and len(clf.validation_scores_) == 1


def test_calls_that_hold_out_nothing_have_no_score_and_do_not_count_against_patience(blobs):
    X, _, y, _ = blobs
    clf = NeuralNetClassifier(early_stopping=True, validation_fraction=1e-9, patience=1,
                              random_state=0)
    for _ in range(3):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    assert clf.n_iter_ == 3 and clf.t_ == 3 * len(y) and not clf.converged_
    assert np.all(np.isnan(clf.validation_scores_)) and clf.best_validation_score_ is None


def test_partial_fit_with_early_stopping_stops_and_keeps_the_best():
    X, y = make_classification(n_samples=3000, n_features=10, n_informative=5, flip_y=0.1,
                               random_state=0)
    snapshots = []
    clf = NeuralNetClassifier(early_stopping=True, validation_fraction=0.2, patience=4,
                              lr=1e-2, random_state=0, callbacks=[snapshot_every_epoch(snapshots)])
    chunks = np.array_split(np.arange(len(y)), 10)
    for calls in range(1, 200):
        rows = chunks[(calls - 1) % len(chunks)]
        clf.partial_fit(X[rows], y[rows], classes=[0, 1])
        if clf.converged_:
            break
    assert clf.converged_, "early stopping never stopped"
    scores = clf.validation_scores_
    assert len(scores) == clf.n_iter_ == len(snapshots) == calls
    stop, best = mlp_rule(scores, clf.patience, clf.tol, early_stopping=True)
    assert stop == calls and scores[best] == clf.best_validation_score_ == max(scores)
    for name, value in clf.network_.parameters().items():
        np.testing.assert_array_equal(value, snapshots[best][name])
    # Further calls leave everything alone.
    clf.partial_fit(X[:300], y[:300])
    assert clf.n_iter_ == calls and len(snapshots) == calls
    for name, value in clf.network_.parameters().items():
        np.testing.assert_array_equal(value, snapshots[best][name])
    # fit starts over (a new history), and partial_fit then trains again.
    clf.set_params(callbacks=None).fit(X[:600], y[:600])
    assert clf.n_iter_ == len(clf.history_) == len(clf.validation_scores_) <= clf.epochs
    kept = {k: v.copy() for k, v in clf.network_.parameters().items()}
    clf.partial_fit(X[:300], y[:300])
    assert clf.n_iter_ == len(clf.history_) and clf.history_["epoch"][-1] == clf.n_iter_
    assert any(not np.array_equal(v, kept[k]) for k, v in clf.network_.parameters().items())


def test_partial_fit_with_patience_none_predicts_with_the_best_parameters(blobs):
    X, X_test, y, _ = blobs
    snapshots = []
    clf = NeuralNetClassifier(early_stopping=True, validation_fraction=0.3, patience=None,
                              tol=0.0, optimizer="sgd", lr=0.5, batch_size=16, random_state=0,
                              callbacks=[snapshot_every_epoch(snapshots)])
    for _ in range(12):
        clf.partial_fit(X, y, classes=[0, 1, 2])
    scores = clf.validation_scores_
    best = int(np.argmax(scores))
    assert best < len(scores) - 1  # else the best and the latest could not be told apart
    assert not clf.converged_ and clf.best_validation_score_ == scores[best]
    for name, value in clf.network_.parameters().items():
        np.testing.assert_array_equal(value, snapshots[best][name])
    # Training goes on from the latest parameters, not from the best.
    latest = clf._trainer.backend.get_network().parameters()
    assert all(np.array_equal(v, snapshots[-1][k]) for k, v in latest.items())
    assert clf.predict(X_test).tolist() == \
        clf.classes_[clf.network_.predict(X_test)].tolist()


# -- weights in the curves, the stopping rule and validation -------------------------------

def weighted_data():
    X, y = make_classification(n_samples=400, n_features=6, n_classes=3, n_informative=4,
                               random_state=2)
    sample_weight = np.random.default_rng(0).uniform(0.1, 3.0, size=len(y))
    class_weight = {0: 4.0, 1: 1.0, 2: 0.25}
    w = sample_weight * np.array([4.0, 1.0, 0.25])[y]
    return X, y, sample_weight, class_weight, w


def test_loss_curve_is_the_weighted_mean_loss_with_mini_batches():
    X, y, sample_weight, class_weight, w = weighted_data()
    # A learning rate so small that the parameters do not move within the epoch: its mean
    # loss is then the loss of the one network on every sample, computed here in float64.
    clf = NeuralNetClassifier(hidden=(8,), optimizer="sgd", lr=1e-12, batch_size=32, epochs=1,
                              patience=None, dtype="float64", class_weight=class_weight,
                              random_state=0).fit(X, y, sample_weight=sample_weight)
    z = clf.network_.predict_logits(X)
    L = logsumexp(z, axis=1) - z[np.arange(len(y)), y]  # eq. (7) per sample
    weighted, unweighted = np.sum(w * L) / np.sum(w), np.mean(L)
    assert abs(weighted - unweighted) > 0.01 * unweighted  # the two can be told apart
    assert clf.loss_curve_[0] == pytest.approx(weighted, rel=1e-9)
    right = np.argmax(z, axis=1) == y
    assert clf.history_["train_accuracy"][0] == pytest.approx(np.sum(w * right) / np.sum(w),
                                                               rel=1e-9)


def test_the_default_stopping_rule_follows_the_weighted_loss_curve():
    X, y, sample_weight, class_weight, _ = weighted_data()
    clf = NeuralNetClassifier(hidden=(8,), batch_size=32, lr=1e-2, patience=3, tol=1e-3,
                              epochs=500, class_weight=class_weight, random_state=0)
    clf.fit(X, y, sample_weight=sample_weight)
    stopped_at, _ = mlp_rule(clf.loss_curve_, clf.patience, clf.tol, early_stopping=False)
    assert clf.converged_ and stopped_at == clf.n_iter_ == len(clf.loss_curve_) < 500


def test_validation_scores_are_weighted_like_the_training_loss(monkeypatch):
    X, y, sample_weight, class_weight, w = weighted_data()
    _, scored = spy_on_backend(monkeypatch)
    clf = NeuralNetClassifier(early_stopping=True, epochs=1, patience=None, dtype="float64",
                              class_weight=class_weight, random_state=0)
    clf.fit(X, y, sample_weight=sample_weight)
    X_val, y_val, w_val = scored[-1]
    rows = row_index(X, np.float64)(X_val)
    assert w_val is not None
    np.testing.assert_allclose(w_val, w[rows], rtol=1e-12)
    right = clf.network_.predict(X_val) == y_val  # one epoch: the best is the last
    assert clf.validation_scores_[0] == pytest.approx(np.sum(w[rows] * right) / np.sum(w[rows]),
                                                      rel=1e-12)


# -- interrupted ---------------------------------------------------------------------------

class InterruptAt(Callback):
    """Ctrl-C at an iteration, remembering the parameters at that moment."""

    def __init__(self, iteration):
        self.iteration, self.parameters = iteration, None

    def on_iteration_end(self, trainer):
        if trainer.iteration == self.iteration:
            self.parameters = {k: v.copy() for k, v in
                               trainer.backend.get_network().parameters().items()}
            raise KeyboardInterrupt


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_an_interrupted_fit_keeps_what_it_learned(blobs, backend):
    if backend == "torch":
        pytest.importorskip("torch")
    X, X_test, y, _ = blobs  # 180 samples: 4 steps of 50 per epoch
    stop = InterruptAt(10)  # the second step of the third epoch
    clf = NeuralNetClassifier(batch_size=50, epochs=20, backend=backend, device="cpu",
                              random_state=0, callbacks=[stop])
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    check_is_fitted(clf)
    assert clf.n_iter_ == 2 and len(clf.loss_curve_) == 2 and not clf.converged_
    assert clf.t_ == 2 * 180 + 2 * 50
    for name, value in clf.network_.parameters().items():
        np.testing.assert_array_equal(value, stop.parameters[name])
    assert clf.predict(X_test).shape == (len(X_test),)
    clf.set_params(callbacks=None).partial_fit(X, y)  # and it goes on from there
    assert clf.n_iter_ == 3
