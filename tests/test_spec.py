"""``NetworkSpec``: one description of a network that every face builds from."""

import numpy as np
import pytest

from nnlearn import NeuralNetClassifier
from nnlearn.engine import mlp, resnet
from nnlearn.engine.scaling import fold_input_scaling
from nnlearn.spec import InputScaling, NetworkSpec, raw_input_network, spec_of

SPECS = [
    NetworkSpec(5, 3, hidden=(7, 4), activation=("relu", "tanh"), dropout=0.2),
    NetworkSpec(5, 3, hidden=()),
    NetworkSpec(5, 3, architecture="resnet", width=6, depth=2, inner=(4, 3),
                activation=("relu", "tanh", "sigmoid"), dtype="float64"),
    NetworkSpec(5, 2, architecture="resnet", width=6, depth=1, init="glorot_normal",
                scaling=InputScaling((1.0,) * 5, (2.0,) * 5)),
]


@pytest.mark.parametrize("spec", SPECS)
def test_a_spec_round_trips_and_counts_its_parameters(spec):
    net = spec.build(3)
    assert net.n_parameters() == spec.n_parameters()
    assert NetworkSpec.from_dict(spec.to_dict()) == spec
    # the layer list of a file without a description gives the same description back
    assert NetworkSpec.from_layers(net.layer_list(), scaling=spec.scaling and
                                   spec.scaling.to_dict()) == spec


def test_a_resnet_without_blocks_reads_back_as_the_same_layers():
    net = NetworkSpec(5, 2, architecture="resnet", width=6, depth=0).build(0)
    read = NetworkSpec.from_layers(net.layer_list())  # an mlp of one hidden layer: the same network
    assert (read.architecture, read.hidden) == ("mlp", (6,))
    assert read.build(0).layer_list() == net.layer_list()


def test_build_is_the_engines_builders_with_the_same_draws():
    a = NetworkSpec(4, 3, hidden=(6,), activation="tanh").build(7)
    b = mlp(4, [6], 3, "tanh", seed=7)
    c = NetworkSpec(4, 3, architecture="resnet", width=5, depth=2).build(7)
    d = resnet(4, 5, 2, 3, seed=7)
    for x, y in ((a, b), (c, d)):
        for name, p in x.parameters().items():
            np.testing.assert_array_equal(p, y.parameters()[name])


def test_malformed_descriptions_are_refused():
    with pytest.raises(ValueError, match="unknown architecture"):
        NetworkSpec(2, 2, architecture="plain")
    with pytest.raises(ValueError, match="unknown network description keys"):
        NetworkSpec.from_dict({"n_in": 2, "n_out": 2, "os": "system"})
    with pytest.raises(ValueError, match="inner gives 1 widths for 2 blocks"):
        NetworkSpec(2, 2, architecture="resnet", depth=2, inner=(3,))
    net = NetworkSpec(3, 2, hidden=(4,)).build()
    net.metadata = {"spec": NetworkSpec(3, 2, hidden=(5,)).to_dict()}
    with pytest.raises(ValueError, match="does not match"):
        spec_of(net)


def test_fold_input_scaling_is_exact_in_float64():
    rng = np.random.default_rng(0)
    mean, scale = rng.normal(size=4), rng.uniform(0.5, 3, size=4)
    net = NetworkSpec(4, 3, hidden=(6,), dtype="float64").build(1)
    X = rng.normal(size=(10, 4)) * 5
    folded = fold_input_scaling(net, mean, scale)
    np.testing.assert_allclose(folded.predict_logits(X), net.predict_logits((X - mean) / scale),
                               rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="positive scales"):
        fold_input_scaling(net, mean, -scale)


def test_raw_input_network_folds_once():
    spec = NetworkSpec(2, 2, hidden=(3,), dtype="float64",
                       scaling=InputScaling((1.0, -1.0), (2.0, 4.0)))
    net = spec.build(0)
    net.metadata = {"spec": spec.to_dict()}
    raw = raw_input_network(net)
    assert spec_of(raw).scaling is None and raw_input_network(raw) is raw
    X = np.array([[3.0, 7.0]])
    np.testing.assert_allclose(raw.predict_logits(X), net.predict_logits([[1.0, 2.0]]))


def test_the_torch_twin_builds_from_the_same_spec():
    pytest.importorskip("torch")
    spec = SPECS[2]
    twin, net = spec.build_torch(5), spec.build(5)
    X = np.random.default_rng(0).normal(size=(8, 5))
    import torch
    with torch.no_grad():
        twin.eval()
        out = twin(torch.as_tensor(X)).numpy()
    np.testing.assert_allclose(out, net.predict_logits(X), rtol=1e-12, atol=1e-12)


def test_a_resnet_trained_by_nnlearn_train_loads_in_the_estimator(tmp_path):
    from nnlearn.run import RunConfig, run, write_outputs
    result = run(RunConfig(data="blobs", architecture="resnet", width=8, depth=2,
                           iterations=30, progress=False))
    paths = write_outputs(result, tmp_path)
    clf = NeuralNetClassifier.load(paths["model"])
    assert (clf.architecture, clf.width, clf.depth) == ("resnet", 8, 2)
    data = result.dataset
    assert clf.score(data.X_test, np.asarray(data.classes)[data.y_test]) == \
        pytest.approx(result.metrics["test_accuracy"])
