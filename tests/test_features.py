"""Input features (issue 25): the engine's ``Features`` layer, its torch twin, the model
file, the network description, the command line and the estimator."""

import subprocess
import sys

import numpy as np
import pytest
import torch

from nnlearn import NeuralNetClassifier
from nnlearn.engine import Features, Network, feature_map, mlp
from nnlearn.engine.scaling import fold_input_scaling
from nnlearn.spec import NetworkSpec
from nnlearn.torch import to_torch
from nnlearn.training import load_model, save_model

ALL = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sin_x1", "sin_x2")


def _points(m=50, seed=0):
    return np.random.default_rng(seed).normal(size=(m, 2))


def test_a_network_with_features_is_the_network_on_the_feature_columns():
    spec = NetworkSpec(2, 3, hidden=(6,), activation="tanh", dtype="float64", features=ALL)
    net = spec.build(4)
    assert isinstance(net.layers[0], Features) and net.layers[1].n_in == 7
    plain = mlp(7, (6,), 3, "tanh", seed=4, dtype=np.float64)
    plain.set_parameters({name.replace("layers.1", "layers.0").replace("layers.2", "layers.1"): p
                          for name, p in net.parameters().items()})
    X = _points()
    np.testing.assert_array_equal(net.predict_logits(X), plain.predict_logits(feature_map(X, ALL)))
    assert spec.n_parameters() == net.n_parameters() == 8 * 6 + 7 * 3
    # training needs no gradient below the features: the first weight layer's is exact
    loss, _ = net.loss_and_gradients(X, np.arange(50) % 3)
    assert np.isfinite(loss) and net.gradients()["layers.1.W"].shape == (6, 7)


def test_the_torch_twin_computes_the_same_features():
    net = NetworkSpec(2, 2, hidden=(5,), dtype="float64", features=ALL).build(1)
    net = fold_input_scaling(net, [0.5, -1.0], [2.0, 3.0])
    X = _points(seed=2) * 3
    twin = to_torch(net)
    out = twin(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(out, net.predict_logits(X), rtol=1e-12, atol=1e-12)


def test_the_model_file_keeps_the_features_and_their_scaling(tmp_path):
    net = NetworkSpec(2, 2, hidden=(4,), features=("x1sq", "x2sq")).build(0)
    raw = fold_input_scaling(net, [1.0, 2.0], [0.5, 4.0])
    X = _points(seed=3)
    U = (X - [1.0, 2.0]) / [0.5, 4.0]
    np.testing.assert_allclose(raw.predict_logits(X), net.predict_logits(U), rtol=1e-5)
    loaded = load_model(save_model(raw, tmp_path / "model.npz"))
    assert loaded.layer_list() == raw.layer_list()
    np.testing.assert_array_equal(loaded.predict_logits(X), raw.predict_logits(X))
    with pytest.raises(ValueError, match="already scale"):
        fold_input_scaling(raw, [0, 0], [1, 1])


def test_features_are_refused_where_they_cannot_be():
    with pytest.raises(ValueError, match="unknown feature 'x3'"):
        Features(("x1", "x3"))
    with pytest.raises(ValueError, match="2-D points; these inputs have 5 columns"):
        NetworkSpec(5, 2, features=("x1",))
    with pytest.raises(ValueError, match="only be a network's first layer"):
        Network([Features(("x1", "x2")), Features(("x1", "x2"))])
    assert NetworkSpec(2, 2, features="x1sq").features == ("x1sq",)


def test_the_description_round_trips_with_features():
    spec = NetworkSpec(2, 2, hidden=(3,), features=("x1", "x1x2"))
    assert NetworkSpec.from_dict(spec.to_dict()) == spec
    assert NetworkSpec.from_layers(spec.build().layer_list()) == spec


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_estimator_takes_features_from_the_table():
    from nnlearn.data import load
    rings = load("rings", seed=0, n_train=300, n_test=300)
    clf = NeuralNetClassifier(hidden=(2,), features=("x1sq", "x2sq"), optimizer="adam",
                              lr=0.05, epochs=60, random_state=0)
    clf.fit(rings.X_train, rings.y_train)
    # two units on x1^2 and x2^2 draw the circle that separates the rings
    assert clf.score(rings.X_test, rings.y_test) > 0.95
    with pytest.raises(ValueError, match="2-D points"):
        NeuralNetClassifier(features="x1", epochs=1).fit(np.zeros((10, 3)), np.arange(10) % 2)


def test_the_command_line_trains_on_features_and_predicts_from_the_coordinates(tmp_path):
    out = tmp_path / "run"
    r = _nnlearn("train", "--data", "rings", "--features", "x1sq,x2sq", "--hidden", "2",
                 "--iterations", "300", "--quiet", "--regularization", "l2",
                 "--regularization-rate", "0.001", "--out", str(out))
    assert r.returncode == 0, r.stderr
    net = load_model(out / "model.npz")
    assert net.layer_list()["layers"][0] == {"type": "features", "names": ["x1sq", "x2sq"]}
    from nnlearn.data import load
    rings = load("rings", seed=0)
    assert np.mean(net.predict(rings.X_test) == rings.y_test) > 0.9
    bad = _nnlearn("train", "--data", "digits", "--features", "x1", "--epochs", "1",
                   "--out", str(tmp_path / "bad"))
    assert bad.returncode != 0 and "2-D points" in bad.stderr and "Traceback" not in bad.stderr


def _nnlearn(*args):
    return subprocess.run([sys.executable, "-m", "nnlearn", *args], capture_output=True,
                          text=True, timeout=300)
