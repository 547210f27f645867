"""NeuralNetClassifier with backend='torch': the same model as the NumPy backend,
and what is particular to a backend that lives on a device."""

import pickle

import numpy as np
import pytest

pytest.importorskip("torch")

from nnlearn import NeuralNetClassifier  # noqa: E402
from nnlearn.engine import Network  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

CUDA = pytest.mark.skipif(not __import__("torch").cuda.is_available(), reason="no GPU")



@pytest.mark.parametrize("params", [
    dict(epochs=40),
    dict(epochs=20, optimizer="nesterov", lr=0.05, weight_decay=1e-4),
    dict(early_stopping=True, patience=3, lr=1e-2),
    dict(architecture="resnet", width=16, depth=2, epochs=20, schedule="cosine"),
])
def test_numpy_and_torch_backends_agree(digits, params):
    X_train, X_test, y_train, _ = digits
    numpy_, torch_ = (NeuralNetClassifier(**params, backend=backend, device="cpu",
                                          random_state=0).fit(X_train, y_train)
                      for backend in ("numpy", "torch"))
    np.testing.assert_allclose(torch_.predict_proba(X_test), numpy_.predict_proba(X_test),
                               atol=1e-3)
    assert torch_.n_iter_ == numpy_.n_iter_ and torch_.t_ == numpy_.t_
    np.testing.assert_allclose(torch_.loss_curve_, numpy_.loss_curve_, rtol=1e-3)


def test_torch_fit_leaves_a_numpy_network(digits):
    X_train, X_test, y_train, y_test = digits
    clf = NeuralNetClassifier(epochs=20, backend="torch", device="cpu", random_state=0)
    clf.fit(X_train, y_train)
    assert isinstance(clf.network_, Network)
    np.testing.assert_array_equal(clf.predict(X_test),
                                  np.argmax(clf.network_.forward(X_test), axis=1))
    assert clf.score(X_test, y_test) > 0.85


def test_torch_partial_fit_with_early_stopping(digits):
    X_train, _, y_train, _ = digits
    clf = NeuralNetClassifier(backend="torch", device="cpu", early_stopping=True, patience=2,
                              lr=1e-2, random_state=0)
    chunks = np.array_split(np.arange(len(y_train)), 5)
    for i in range(100):
        rows = chunks[i % 5]
        clf.partial_fit(X_train[rows], y_train[rows], classes=np.arange(10))
        if clf.converged_:
            break
    assert clf.converged_ and len(clf.validation_scores_) == clf.n_iter_ == i + 1


def test_a_pickled_torch_model_predicts_and_trains_on(digits):
    X_train, X_test, y_train, _ = digits
    clf = NeuralNetClassifier(epochs=10, backend="torch", device="cpu", random_state=0)
    clf.fit(X_train, y_train)
    copy = pickle.loads(pickle.dumps(clf))
    assert copy._trainer is None  # the device-bound backend stays behind
    np.testing.assert_array_equal(copy.predict_proba(X_test), clf.predict_proba(X_test))
    copy.partial_fit(X_train, y_train)  # a fresh backend, from the pickled weights
    assert copy.n_iter_ == 11 and len(copy.history_) == 11


def test_save_and_load_a_torch_model(digits, tmp_path):
    X_train, X_test, y_train, _ = digits
    clf = NeuralNetClassifier(epochs=5, backend="torch", device="cpu", random_state=0)
    clf.fit(X_train, y_train.astype(str))
    loaded = NeuralNetClassifier.load(clf.save(tmp_path / "digits.safetensors"))
    np.testing.assert_array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))
    assert loaded.get_params()["backend"] == "torch"


@CUDA
def test_gpu_training_agrees_with_the_cpu(digits):
    X_train, X_test, y_train, _ = digits
    cpu, gpu = (NeuralNetClassifier(epochs=30, backend="torch", device=device,
                                    random_state=0).fit(X_train, y_train)
                for device in ("cpu", "cuda"))
    assert NeuralNetClassifier(backend="torch", device="cuda").__sklearn_tags__().non_deterministic
    np.testing.assert_allclose(gpu.predict_proba(X_test), cpu.predict_proba(X_test), atol=1e-3)
