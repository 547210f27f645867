"""optimizer="lbfgs": SciPy's L-BFGS-B on the flat parameter buffer. Its gradient
against finite differences (SciPy's own check), the loop's bookkeeping, and
scikit-learn's lbfgs tests ported to the estimator, the CLI and the playground."""

import re
import threading
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import approx_fprime, check_grad
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler

from nnlearn import NeuralNetClassifier
from nnlearn.engine import make_optimizer, mlp, resnet
from nnlearn.playground.data import toy_sample
from nnlearn.playground.model import build
from nnlearn.playground.runner import PageTrainer
from nnlearn.playground.settings import DEFAULTS, validate
from nnlearn.training import LambdaCallback, NumpyBackend, TrainConfig, Trainer
from nnlearn.training.lbfgs import Objective

pytestmark = pytest.mark.filterwarnings("ignore::nnlearn.errors.TrainingWarning")

X_iris, y_iris = load_iris(return_X_y=True)
_X, _y = load_digits(n_class=3, return_X_y=True)
X_multi, y_multi = MinMaxScaler().fit_transform(_X[:200]), _y[:200]
_X, _y = load_digits(n_class=2, return_X_y=True)
X_binary, y_binary = MinMaxScaler().fit_transform(_X[:200]), _y[:200]
ACTIVATIONS = ["identity", "sigmoid", "tanh", "relu"]  # sklearn's four ("logistic" = sigmoid)


# -- the objective and its gradient ------------------------------------------------------

@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_the_gradient_is_the_objectives_by_finite_differences(n_classes, activation):
    # sklearn's test_gradient: back propagation against central differences, here
    # through scipy.optimize.check_grad, with weights and the L2 penalty.
    rng = np.random.default_rng(42)
    X, y = rng.random((5, 10)), np.arange(5) % n_classes
    w = rng.uniform(0.5, 2.0, size=5)
    net = mlp(10, [6], n_classes, activation, seed=1, dtype=np.float64)
    objective = Objective(NumpyBackend(net, make_optimizer("lbfgs")), X, y, w, weight_decay=1e-2)
    named = np.zeros(objective.start.size, dtype=bool)  # the parameters; the rest is padding
    for offset, size, _ in net.flat_layout().slots.values():
        named[offset:offset + size] = True
    assert not named.all()
    theta = objective.start + named * rng.normal(scale=0.1, size=objective.start.shape)

    def f(t):
        return objective(t)[0]

    def g(t):
        return objective(t)[1]

    error = check_grad(f, g, theta, epsilon=1e-6)
    assert error < 1e-6 * max(1.0, np.linalg.norm(g(theta)))
    # The padding between parameters starts at 0 with gradient 0: it never moves. And
    # f holds the penalty on every parameter, biases included.
    assert not theta[~named].any() and not g(theta)[~named].any()
    loss, _ = net.loss_and_gradients(X, y, sample_weight=w, train=False)
    assert f(theta) == pytest.approx(loss + 0.5e-2 * theta @ theta, rel=1e-12)


def test_the_gradient_of_a_resnet_on_sparse_input():
    rng = np.random.default_rng(0)
    X = sp.random(8, 12, density=0.3, format="csr", random_state=0)
    y = np.arange(8) % 3
    net = resnet(12, 5, 2, 3, "tanh", seed=0, dtype=np.float64)
    objective = Objective(NumpyBackend(net, make_optimizer("lbfgs")), X, y, None,
                          weight_decay=0.0)
    theta = objective.start + rng.normal(scale=0.1, size=objective.start.shape)
    numeric = approx_fprime(theta, lambda t: objective(t)[0], 1e-7)
    np.testing.assert_allclose(objective(theta)[1], numeric, rtol=1e-5, atol=1e-7)


def test_dropout_and_augmentation_are_refused():
    net = mlp(4, [3], 2, dropout=0.5, seed=0)
    with pytest.raises(ValueError, match="dropout makes it random"):
        Objective(NumpyBackend(net, make_optimizer("lbfgs")), np.zeros((2, 4)),
                  np.array([0, 1]), None, 0.0)
    trainer = Trainer(NumpyBackend(mlp(4, [3], 2, seed=0), make_optimizer("lbfgs")),
                      TrainConfig(iterations=3, progress=False))
    with pytest.raises(ValueError, match="no data augmentation"):
        trainer.fit(np.eye(4), [0, 1, 0, 1], transform=lambda X, rng: X)
    with pytest.raises(TypeError, match="not step by step"):
        make_optimizer("lbfgs").step(mlp(4, [3], 2), 0.1)


# -- the loop ----------------------------------------------------------------------------

def test_each_iteration_is_one_epoch_of_the_history():
    X, y = X_multi, y_multi
    net = mlp(64, [8], 3, seed=0, dtype=np.float64)
    seen = []
    snapshot = LambdaCallback(on_iteration_end=lambda t: seen.append(
        t.backend.network.flat_layout().params.copy()))
    trainer = Trainer(NumpyBackend(net, make_optimizer("lbfgs")),
                      TrainConfig(epochs=15, progress=False, record_iterations=True),
                      callbacks=[snapshot])
    history = trainer.fit(X, y, validation_data=(X[:50], y[:50]))
    result = trainer.solver_result
    assert result.nit == trainer.iteration == trainer.epoch == len(history) == len(seen) == 15
    assert result.status == 1 and len(history.iterations["loss"]) == 15
    # Each row is the loss at the accepted point the callbacks saw (no penalty here).
    check = mlp(64, [8], 3, seed=0, dtype=np.float64)
    for row, theta in ((0, seen[0]), (14, seen[14])):
        check.flat_layout().params[...] = theta
        assert history["train_loss"][row] == pytest.approx(
            check.loss_and_gradients(X, y, train=False)[0], rel=1e-12)
    np.testing.assert_array_equal(net.flat_layout().params, result.x)  # the last point
    assert np.all(np.diff(history["train_loss"]) < 0)  # a line search only accepts descent
    assert np.isnan(history["lr"]).all()  # no learning rate


def test_a_callback_stops_it():
    stop = LambdaCallback(on_epoch_end=lambda t: setattr(t, "stop_training", t.epoch >= 4))
    trainer = Trainer(NumpyBackend(mlp(64, [8], 3, seed=0), make_optimizer("lbfgs")),
                      TrainConfig(epochs=100, progress=False), callbacks=[stop])
    trainer.fit(X_multi, y_multi)
    assert trainer.epoch == 4 and trainer.solver_result.status == 99


# -- the estimator (scikit-learn's lbfgs tests) --------------------------------------------

def test_lbfgs_reaches_95_percent_on_digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25,
                                                        random_state=0, stratify=y)
    clf = NeuralNetClassifier(optimizer="lbfgs", random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.95
    assert clf.converged_ and clf.n_iter_ == len(clf.loss_curve_) < clf.epochs


@pytest.mark.parametrize("X, y", [(X_multi, y_multi), (X_binary, y_binary)],
                         ids=["multi", "binary"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_lbfgs_classification(X, y, activation):
    # sklearn's test_lbfgs_classification.
    clf = NeuralNetClassifier(optimizer="lbfgs", hidden=50, epochs=150, random_state=1,
                              activation=activation)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X[:150], y[:150])
    assert clf.score(X[:150], y[:150]) > 0.95
    assert clf.predict(X[150:]).shape == (50,)


def test_max_fun_bounds_the_evaluations():
    # sklearn's test_lbfgs_classification_maxfun.
    clf = NeuralNetClassifier(optimizer="lbfgs", hidden=50, epochs=150, max_fun=10,
                              random_state=1)
    with pytest.warns(ConvergenceWarning, match=r"status=1\): STOP: TOTAL NO\. OF F,G"):
        clf.fit(X_multi, y_multi)
    assert clf.n_iter_ <= 10 and clf._trainer.solver_result.nfev <= 10 + 20  # + a line search


def test_a_warm_start_runs_its_iterations_and_warns():
    # sklearn's test_mlp_warm_start_no_convergence for lbfgs.
    clf = NeuralNetClassifier(optimizer="lbfgs", warm_start=True, epochs=10, random_state=0)
    message = re.escape("lbfgs failed to converge after 10 iteration(s) (status=1)")
    with pytest.warns(ConvergenceWarning, match=message):
        clf.fit(X_iris, y_iris)
    assert clf.n_iter_ == 10
    clf.set_params(epochs=20)
    with pytest.warns(ConvergenceWarning, match="after 20 iteration"):
        clf.fit(X_iris, y_iris)
    assert clf.n_iter_ == 20 and len(clf.loss_curve_) == 30


def test_tol_is_the_gradient_tolerance():
    loose = NeuralNetClassifier(optimizer="lbfgs", tol=1e-2, random_state=0).fit(X_iris, y_iris)
    tight = NeuralNetClassifier(optimizer="lbfgs", tol=1e-5, epochs=2000,
                                random_state=0).fit(X_iris, y_iris)
    assert loose.converged_ and tight.converged_ and loose.n_iter_ < tight.n_iter_
    assert tight.best_loss_ < loose.best_loss_


def test_early_stopping_with_lbfgs_keeps_the_best_iteration():
    clf = NeuralNetClassifier(optimizer="lbfgs", early_stopping=True, patience=3,
                              random_state=0).fit(X_multi, y_multi)
    scores = clf.validation_scores_
    assert clf.converged_ and len(scores) == clf.n_iter_
    assert clf.best_validation_score_ == max(scores)


def test_lbfgs_has_no_partial_fit_and_refuses_what_it_cannot_do():
    # sklearn's test_partial_fit_regression: no partial_fit for lbfgs.
    assert not hasattr(NeuralNetClassifier(optimizer="lbfgs"), "partial_fit")
    assert hasattr(NeuralNetClassifier(), "partial_fit")
    with pytest.raises(ValueError, match="runs on backend='numpy'"):
        NeuralNetClassifier(optimizer="lbfgs", backend="torch").fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="use dropout=0 with lbfgs"):
        NeuralNetClassifier(optimizer="lbfgs", dropout=0.2).fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="max_fun must be an integer >= 1"):
        NeuralNetClassifier(optimizer="lbfgs", max_fun=0).fit(X_iris, y_iris)


def test_lbfgs_on_sparse_input_is_lbfgs_on_dense():
    # sklearn's test_sparse_matrices.
    X, y = X_binary[:50], y_binary[:50]
    params = dict(optimizer="lbfgs", hidden=15, dtype="float64", random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = NeuralNetClassifier(**params).fit(X, y)
        sparse = NeuralNetClassifier(**params).fit(sp.csr_matrix(X), y)
    assert np.array_equal(dense.predict(X), sparse.predict(sp.csr_matrix(X)))
    np.testing.assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-8)


def test_weight_decay_enters_the_objective():
    # sklearn's test_alpha for lbfgs: a larger penalty, smaller weights.
    sums = [np.abs(NeuralNetClassifier(optimizer="lbfgs", hidden=10, weight_decay=wd,
                                       random_state=1).fit(X_binary, y_binary).coefs_[0]).sum()
            for wd in (0.0, 0.01)]
    assert sums[0] > sums[1]


# -- the other faces ---------------------------------------------------------------------

def test_the_command_line_trains_with_lbfgs(tmp_path):
    from click.testing import CliRunner

    from nnlearn.cli import cli
    result = CliRunner().invoke(cli, ["train", "--data", "moons", "--optimizer", "lbfgs",
                                      "--iterations", "40", "--no-progress-bar",
                                      "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "lbfgs, full batch" in result.output and "batch_size full (lbfgs" in result.output
    result = CliRunner().invoke(cli, ["train", "--data", "moons", "--optimizer", "lbfgs",
                                      "--dropout", "0.5", "--quiet", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "takes no --dropout" in str(result.exception)


def test_the_playground_offers_lbfgs_and_trains_with_it():
    settings, messages = validate({"optimizer": "lbfgs", "dropout": 0.3, "iterations": 30})
    assert settings["optimizer"] == "lbfgs" and settings["dropout"] == 0.0
    assert any("lbfgs" in m for m in messages)
    data = toy_sample(settings)
    network = build(settings, data.n_classes)
    done = threading.Event()
    frames = []

    def publish(frame):
        frames.append(frame)
        if frame["state"] in ("done", "failed"):
            done.set()

    runner = PageTrainer(network, data, settings, publish)
    runner.start()
    assert done.wait(30) and runner.join(10)
    assert frames[-1]["state"] == "done", frames[-1].get("message")
    assert 0 < runner.trainer.iteration <= 30 and DEFAULTS["optimizer"] != "lbfgs"
