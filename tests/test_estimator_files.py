"""NeuralNetClassifier and nnlearn's one model file format: its own files, and those
of ``nnlearn train`` and of ``save_model``, read both ways."""

import json
from pathlib import Path

import numpy as np
import pytest

from nnlearn import NeuralNetClassifier, mlp, resnet
from nnlearn.errors import ModelFileError
from nnlearn.training import class_labels, load_model, save_model

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning",
                                        "ignore::nnlearn.errors.TrainingWarning")



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


def test_save_needs_a_fitted_estimator(tmp_path):
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        NeuralNetClassifier().save(tmp_path / "m.npz")


def test_a_model_written_by_nnlearn_train_loads_with_its_labels(tmp_path):
    from nnlearn.run import RunConfig, run, write_outputs
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    names = np.array(["maybe", "no", "yes"])
    y = names[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
    csv = tmp_path / "answers.csv"
    csv.write_text("a,b,c,answer\n" + "".join(
        ",".join(f"{v:.6f}" for v in row) + f",{label}\n" for row, label in zip(X, y)))
    result = run(RunConfig(data=str(csv), hidden=(8,), iterations=30, progress=False))
    path = write_outputs(result, tmp_path / "run")["model"]

    clf = NeuralNetClassifier.load(path)
    assert clf.classes_.tolist() == ["maybe", "no", "yes"] and clf.classes_.dtype.kind == "U"
    assert clf.n_features_in_ == 3
    # the CSV header's names travel in the file (issue 28): a DataFrame is checked by them
    assert clf.feature_names_in_.tolist() == ["a", "b", "c"]
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(frame[["b", "a", "c"]])
    network = load_model(path)
    # A table's recipe scales its features: the estimator applies the recorded scaling
    # (folded into its first layer), as done here by hand from the metadata.
    scaling = network.metadata["spec"]["scaling"]
    X_scaled = ((X - scaling["mean"]) / scaling["scale"]).astype(np.float32)
    assert clf.predict(pd.DataFrame(X.astype(np.float32), columns=["a", "b", "c"])).tolist() \
        == names[network.predict(X_scaled)].tolist()
    assert class_labels(network).tolist() == ["maybe", "no", "yes"]
    # Its hyper-parameters are read off the network: it can train on.
    params = clf.get_params()
    assert (params["architecture"], params["hidden"], params["activation"]) == \
        ("mlp", (8,), "relu")
    clf.partial_fit(frame, y)
    assert clf.n_iter_ == 1
    # And the estimator writes it back in the same format, labels where every reader looks.
    back = load_model(clf.save(tmp_path / "again.safetensors"))
    assert back.metadata["classes"] == ["maybe", "no", "yes"]
    assert back.metadata["data"] == "answers.csv"  # what the file said is kept


@pytest.mark.parametrize("network, params", [
    (mlp(2, [5, 4], 3, ["tanh", "relu"], seed=0),
     dict(architecture="mlp", hidden=(5, 4), activation=("tanh", "relu"))),
    (mlp(2, [6], 3, "sigmoid", dropout=0.25, seed=0, dtype=np.float64),
     dict(architecture="mlp", hidden=(6,), activation="sigmoid", dropout=0.25,
          dtype="float64")),
    (resnet(2, 7, 3, 3, "tanh", seed=0),
     dict(architecture="resnet", width=7, depth=3, activation="tanh")),
])
def test_a_plain_network_file_loads_with_index_labels_and_trains_on(tmp_path, network, params):
    path = save_model(network, tmp_path / "plain.npz")  # no labels, no hyper-parameters
    clf = NeuralNetClassifier.load(path)
    assert clf.classes_.tolist() == [0, 1, 2]
    X = np.random.default_rng(1).normal(size=(30, 2))
    np.testing.assert_array_equal(clf.predict(X), network.predict(X))
    assert {k: clf.get_params()[k] for k in params} == params
    clf.partial_fit(X, np.arange(30) % 3)  # the parameters build the very same network
    assert clf.n_iter_ == 1


@pytest.mark.parametrize("network", [mlp(3, [5], 2, seed=0, dtype=np.float64),
                                     resnet(3, 4, 1, 2, seed=0, dtype=np.float64)])
def test_a_recorded_input_scaling_is_folded_into_the_first_layer(tmp_path, network):
    mean, scale = np.array([1.0, -2.0, 0.5]), np.array([2.0, 0.25, 3.0])
    network.metadata = {"classes": ["a", "b"],
                        "standardize": {"mean": mean.tolist(), "scale": scale.tolist()}}
    clf = NeuralNetClassifier.load(save_model(network, tmp_path / "scaled.npz"))
    X = np.random.default_rng(0).normal(size=(20, 3)) * 3
    np.testing.assert_allclose(clf.predict_proba(X), network.predict_proba((X - mean) / scale),
                               rtol=1e-10, atol=1e-12)
    assert "standardize" not in clf.network_.metadata  # saved again, it is not applied twice
    again = NeuralNetClassifier.load(clf.save(tmp_path / "again.npz"))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    network.metadata["standardize"]["scale"][1] = 0.0
    with pytest.raises(ModelFileError, match="positive scales"):
        NeuralNetClassifier.load(save_model(network, tmp_path / "bad.npz"))


def test_an_older_estimator_file_with_the_old_names_loads(blobs, tmp_path):
    X, X_test, y, _ = blobs
    clf = NeuralNetClassifier(hidden=(8,), epochs=3, lr=0.02, random_state=0).fit(X, y)
    network = clf.network_.copy()
    params = {k: v for k, v in clf.get_params().items() if k not in ("lr", "schedule")}
    meta = {"estimator": "NeuralNetClassifier", "classes": [0, 1, 2], "classes_dtype": "<i8",
            "params": {**json.loads(json.dumps({**params, "hidden": [8]})),
                       "learning_rate": 0.02, "lr_schedule": "step"}}
    path = save_model(network, tmp_path / "old.npz", metadata=meta)
    loaded = NeuralNetClassifier.load(path)
    assert loaded.get_params()["lr"] == 0.02 and loaded.get_params()["schedule"] == "step"
    np.testing.assert_array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))


@pytest.mark.parametrize("meta, message", [
    ({"classes": [0, 1]}, "one label per output"),
    ({"classes": ["a", "b", "a"]}, "must differ"),
    ({"classes": [0, 1, None]}, "strings, numbers or booleans"),
    ({"classes": [0, 1, 2], "params": {"hidden": [3], "colour": "red"}},
     r"unknown hyper-parameters \['colour'\]"),
    ({"classes": [0, 1, 2], "params": ["hidden"]}, "params is a list"),
    ({"classes": [0, 1, 2], "classes_dtype": "<U3"}, "cannot be of dtype"),
    ({"classes": [0, 1, 2], "classes_dtype": "no such type"}, "not a NeuralNetClassifier"),
    ({"classes": [0, 1, 2], "feature_names_in": ["x"]}, "feature_names_in must list 2"),
])
def test_inconsistent_metadata_is_a_model_file_error_naming_the_file(tmp_path, meta, message):
    path = tmp_path / "bad.npz"
    network = mlp(2, [3], 3)
    network.metadata = meta
    from nnlearn.training import modelio
    # save_model refuses bad labels itself: write the file as a buggy writer would.
    header = json.dumps({"format": modelio.FORMAT, "version": modelio.VERSION,
                         "network": network.layer_list(), "metadata": meta})
    with open(path, "wb") as fh:
        np.savez(fh, **network.parameters(), __nnlearn__=np.array(header))
    with pytest.raises(ModelFileError, match=message) as err:
        NeuralNetClassifier.load(path)
    assert str(path) in str(err.value)


def test_a_model_file_written_by_nnlearn_0_1_0_still_loads_and_predicts_the_same(tmp_path):
    """tests/data holds a ResNet on a table (scaled inputs) that nnlearn 0.1.0's
    ``nnlearn train`` wrote, its table, and 0.1.0's ``nnlearn predict`` output."""
    from nnlearn.spec import spec_of

    data = Path(__file__).parent / "data"
    path = data / "model-0.1.0-resnet-scaled.npz"
    network = load_model(path)
    assert "spec" not in network.metadata and "standardize" in network.metadata
    spec = spec_of(network)  # read off its layers and its recorded scaling
    assert (spec.architecture, spec.width, spec.depth, spec.n_in) == ("resnet", 6, 2, 3)
    assert spec.scaling is not None
    expected = np.loadtxt(data / "model-0.1.0-predictions.csv", delimiter=",", skiprows=1,
                          usecols=(1, 2))
    X = np.loadtxt(data / "model-0.1.0-table.csv", delimiter=",", skiprows=1, usecols=(0, 1, 2))
    clf = NeuralNetClassifier.load(path)
    assert clf.get_params()["architecture"] == "resnet" and clf.classes_.tolist() == ["no", "yes"]
    # 0.1.0 printed 6 decimals of float32 probabilities computed on scaled inputs
    np.testing.assert_allclose(clf.predict_proba(X), expected, atol=2e-6)
    from nnlearn.inference import predict  # what nnlearn predict runs
    np.testing.assert_allclose(predict(network, X)[1], expected, atol=2e-6)
    again = NeuralNetClassifier.load(clf.save(tmp_path / "again.npz"))  # now with its spec
    assert spec_of(load_model(tmp_path / "again.npz")).scaling is None  # folded, not twice
    np.testing.assert_allclose(again.predict_proba(X), expected, atol=2e-6)


@pytest.mark.parametrize("params, message", [
    ({"hidden": [1e9]}, r"hidden must be an integer >= 1 or a sequence of positive ints"),
    ({"callbacks": "os.system"}, r"callbacks must be None or a list of nnlearn.training.Callback"),
    ({"random_state": "os.system"}, "random_state must be"),
    ({"dropout": 7}, r"dropout must be a number in \[0, 1\)"),
    ({"device": "cuda"}, "needs backend='torch'"),
    ({"activation": ["tanh", "relu"]}, "one name per hidden layer"),
    # valid values, but not the network the weights are: partial_fit would build this one
    ({"hidden": [1_000_000_000]}, r"describe another network than its weights \(.*hidden=\(3,\)"),
    ({"architecture": "resnet", "width": 3, "depth": 0}, "describe another network"),
    ({"activation": "tanh"}, "describe another network"),
    ({"dtype": "float64"}, "describe another network"),
])
def test_hyper_parameters_in_a_file_are_checked_as_set_params_checks_them(tmp_path, params,
                                                                          message):
    """A crafted file loaded and predicted with ``hidden=[1e9]`` or
    ``callbacks="os.system"`` in its metadata; now it is refused by ``check_params``,
    the checks of ``set_params`` and ``fit``, and by the network its weights are."""
    network = mlp(2, [3], 3)
    path = save_model(network, tmp_path / "crafted.npz",
                      metadata={"classes": [0, 1, 2], "params": params})
    with pytest.raises(ModelFileError, match=message) as err:
        NeuralNetClassifier.load(path)
    assert str(err.value).startswith(f"{path}: not a NeuralNetClassifier model file")


@pytest.mark.parametrize("params", [{"activation": ["relu"]}, {"activation": "relu"},
                                    {"hidden": 3}, {}])
def test_hyper_parameters_that_describe_the_stored_network_load(tmp_path, params):
    path = save_model(mlp(2, [3], 3), tmp_path / "m.npz",
                      metadata={"classes": [0, 1, 2], "params": params})
    clf = NeuralNetClassifier.load(path)
    assert clf.predict(np.zeros((2, 2))).shape == (2,)
