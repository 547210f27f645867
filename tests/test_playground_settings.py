"""The playground's settings table, its data and its networks, without a server."""

import numpy as np
import pytest

from nnlearn.errors import DataError
from nnlearn.playground import data as playdata
from nnlearn.playground.model import build, describe, export_network
from nnlearn.assembly import train_config
from nnlearn.playground.settings import (
    DEFAULTS,
    FIELDS,
    network_spec,
    MAX_LAYERS,
    MAX_PARAMETERS,
    MAX_POINTS,
    MAX_WIDTH,
    parameter_count,
    validate,
)
from nnlearn.training.modelio import load_model, save_model


def test_defaults_validate_to_themselves():
    s, messages = validate({})
    assert s == DEFAULTS and messages == []


def test_values_from_the_url_are_strings_and_are_converted():
    s, messages = validate({"points": "300", "noise": "0.25", "hidden": "8,4",
                            "activation": "tanh,sigmoid", "lr": "0.03", "batch_size": "full"})
    assert messages == []
    assert s["points"] == 300 and s["noise"] == 0.25 and s["hidden"] == (8, 4)
    assert s["activation"] == ("tanh", "sigmoid") and s["lr"] == 0.03 and s["batch_size"] == "full"


@pytest.mark.parametrize("name, value, capped", [
    ("points", 10**9, MAX_POINTS), ("points", 1, 20), ("noise", 7, 1.0),
    ("hidden", [100000], (MAX_WIDTH,)), ("iterations", 10**12, 1_000_000),
    ("classes", 99, 8), ("dropout", 0.99, 0.9), ("lr", 1e9, 10.0),
])
def test_numbers_outside_their_range_are_capped_with_a_message(name, value, capped):
    s, messages = validate({name: value})
    assert s[name] == capped
    assert len(messages) == 1 and name in messages[0] and "using" in messages[0]


@pytest.mark.parametrize("name, value", [
    ("data", "mnist"), ("optimizer", "rmsprop"), ("activation", ["relu", "swish", "tanh"]),
    ("points", "many"), ("points", 12.5), ("noise", float("nan")), ("noise", "inf"),
    ("hidden", "8,x"), ("hidden", {"a": 1}), ("hidden", [8] * (MAX_LAYERS + 1)),
    ("points", True), ("schedule", None), ("architecture", ["mlp"]), ("seed", []),
])
def test_bad_values_are_refused_and_the_old_value_kept(name, value):
    s, messages = validate({name: value})
    assert s[name] == DEFAULTS[name]
    assert len(messages) == 1 and messages[0].startswith(f"{name}:") and "kept" in messages[0]


def test_unknown_settings_and_non_objects_are_reported():
    s, messages = validate({"evil": "<script>"})
    assert s == DEFAULTS and messages == ["unknown setting 'evil' ignored"]
    s, messages = validate(["points", 3])
    assert s == DEFAULTS and "must be an object" in messages[0]


def test_a_network_over_the_parameter_limit_is_refused():
    s, messages = validate({"hidden": [MAX_WIDTH] * MAX_LAYERS})
    assert parameter_count({**DEFAULTS, "hidden": [MAX_WIDTH] * MAX_LAYERS}) > MAX_PARAMETERS
    assert s["hidden"] == DEFAULTS["hidden"] and "too large" in messages[-1]
    # deep and wide within the limit: tens of layers of a few hundred units
    s, messages = validate({"hidden": [256] * 30})
    assert messages == [] and len(s["hidden"]) == 30


def test_fixed_class_counts_and_one_activation_per_layer():
    s, messages = validate({"data": "moons", "classes": 5})
    assert s["classes"] == 2 and messages == ["moons has exactly 2 classes"]
    s, _ = validate({"hidden": "4,4,4", "activation": "tanh"})
    assert s["activation"] == ("tanh", "tanh", "tanh")
    s, _ = validate({"hidden": "4", "activation": "tanh,relu"})
    assert s["activation"] == ("tanh",)


def test_no_hidden_layer_is_a_linear_classifier():
    s, messages = validate({"hidden": ""})
    assert messages == [] and s["hidden"] == () and s["activation"] == ("relu",)
    net = build(s, 2)
    assert [layer["kind"] for layer in describe(net)] == ["dense"]
    assert net.n_parameters() == parameter_count(s) == 6


def test_learning_rate_defaults_to_the_optimisers_own():
    s, _ = validate({"optimizer": "gd"})
    assert train_config(s).lr == 0.1
    s, _ = validate({"optimizer": "gd", "lr": 0.5})
    assert train_config(s).lr == 0.5


def test_full_batch_has_one_spelling():
    """The page writes a whole-set batch as the table does, "full"; 0 is no batch size."""
    s, messages = validate({"batch_size": "full"})
    assert s["batch_size"] == "full" and messages == []
    s, messages = validate({"batch_size": 0})
    assert s["batch_size"] == 1 and "below the smallest allowed value" in messages[0]
    s, messages = validate({"batch_size": "whole"})
    assert s["batch_size"] == 10 and "not a number" in messages[0]


@pytest.mark.parametrize("architecture", ["mlp", "resnet"])
def test_parameter_count_matches_the_built_network(architecture):
    s, _ = validate({"architecture": architecture, "hidden": "7,5,3", "width": 6, "depth": 2,
                     "activation": "relu,tanh,sigmoid", "classes": 3, "dropout": 0.2})
    net = build(s, 3)
    assert net.n_parameters() == parameter_count(s)
    kinds = [layer["kind"] for layer in describe(net)]
    assert kinds.count("dropout") == 3
    if architecture == "resnet":  # width and depth, as the settings table has them
        assert kinds.count("residual") == 2
        assert [(layer["n_out"], layer.get("inner"), layer.get("activation"))
                for layer in describe(net) if layer["kind"] == "residual"] \
            == [(6, 6, "tanh"), (6, 6, "sigmoid")]
    else:
        assert [layer.get("activation") for layer in describe(net) if layer["kind"] == "dense"] \
            == ["relu", "tanh", "sigmoid", "identity"]


@pytest.mark.parametrize("name", ["rings", "moons", "spirals", "xor", "blobs"])
def test_toy_samples_follow_the_settings(name):
    s, _ = validate({"data": name, "points": 300, "classes": 3, "test_fraction": 0.3})
    d = playdata.toy_sample(s)
    assert len(d.X_train) + len(d.X_test) == 300 and len(d.X_test) == 90
    assert d.n_classes == s["classes"]
    assert len(d.classes) == s["classes"]
    x0, x1, y0, y1 = d.domain
    assert x1 - x0 == pytest.approx(y1 - y0)  # a square, so rings look round
    X = np.concatenate([d.X_train, d.X_test])
    assert X[:, 0].min() > x0 and X[:, 0].max() < x1 and X[:, 1].min() > y0
    assert np.allclose(d.standardize(d.X_train).mean(axis=0), 0, atol=1e-12)


def test_the_exported_network_takes_the_original_coordinates(tmp_path):
    s, _ = validate({"hidden": "6", "seed": 3})
    text = "x,y,label\n" + "".join(f"{100 + 40 * np.cos(t):.6f},{-5 + 0.01 * np.sin(t):.6f},"
                                   f"{'inside' if k % 2 else 'outside'}\n"
                                   for k, t in enumerate(np.linspace(0, 6, 60)))
    name, X, y, classes = playdata.read_upload("mine.csv", text)
    d = playdata.split(name, X, y, classes, s)
    x0, x1, y0, y1 = d.domain  # 80 units wide, 0.02 high: each axis gets its own scale
    assert x1 - x0 > 80 and 0.02 < y1 - y0 < 0.03
    net = build(s, d.n_classes, seed=1)
    # a reference in float64: the playground's network on standardized points
    expected = net.astype(np.float64).predict_logits((X - d.mean) / d.scale)
    exported = export_network(net, d, network_spec(s, d.n_classes))
    path = save_model(exported, tmp_path / "model.npz")
    loaded = load_model(path)
    assert loaded.metadata == {"classes": ["inside", "outside"], "data": "mine.csv",
                               "spec": network_spec(s, 2).to_dict()}
    np.testing.assert_allclose(loaded.predict_logits(X), expected, rtol=1e-4, atol=1e-4)
    assert net.metadata == {}  # the live network is untouched


@pytest.mark.parametrize("text, expected", [
    ("", "empty"),
    ("1,2,3,a\n4,5,6,b\n", "3 feature columns"),
    ("1,a\n2,b\n", "1 feature columns"),
    ("1,2,a\n3,oops,b\n" + "1,2,a\n" * 20, "line 2, column 2"),
    ("1,2,a\n3,,b\n" + "1,2,b\n" * 20, "missing value"),
    ("1,2,a\n3,4\n", "line 2 has 2 columns"),
    ("1,2,a\n" * 30, "at least 2 classes"),
    ("1,2,a\n3,4,b\n5,6,a\n", "only 3 rows"),
])
def test_bad_uploads_get_one_clear_line_naming_the_file(text, expected):
    with pytest.raises(DataError) as err:
        playdata.read_upload("../../etc/mine.csv", text)
    message = str(err.value)
    assert expected in message and message.startswith("mine.csv")
    assert "\n" not in message and "nnlearn-upload" not in message  # no temporary path


def test_uploads_too_large_are_refused_before_parsing():
    with pytest.raises(DataError, match="larger than"):
        playdata.read_upload("big.csv", "1,2,a\n" * 200_000)
    with pytest.raises(DataError, match="sent as text"):
        playdata.read_upload("x.csv", b"1,2,3")


def test_the_page_trains_with_the_torch_backend_through_the_protocol():
    """backend=torch in the page: the same loop drives the twin (``Backend`` protocol
    only), the frames show the twin's weights as they train, and the export is the
    trained network."""
    pytest.importorskip("torch")
    import time

    from nnlearn.playground.session import Session
    frames = []
    session = Session(frames.append)
    replies = session.handle({"type": "settings", "settings": {"backend": "torch",
                                                               "iterations": 60}})
    assert replies[0]["settings"]["backend"] == "torch" and replies[0]["messages"] == []
    runner = session.runner
    before = runner.network.parameters()["layers.0.W"].copy()
    runner.start()
    deadline = time.monotonic() + 60
    while runner.state not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert runner.state == "done", runner.message
    runner.join(30)  # the state is set before the last frame is published: wait for it
    assert type(runner.backend.backend).__name__ == "TorchBackend"
    after = runner.network.parameters()["layers.0.W"]
    assert not np.array_equal(before, after)  # the frames read the trained twin
    assert frames[-1]["iteration"] == 60 and frames[-1]["state"] == "done"
    exported, iteration = session.export_network()
    np.testing.assert_array_equal(exported.predict(session.data.X_test),
                                  runner.network.predict(session.data.standardize(
                                      session.data.X_test)))
    session.handle({"type": "reset"})


def test_lbfgs_in_the_page_runs_on_the_numpy_backend():
    s, messages = validate({"backend": "torch", "optimizer": "lbfgs"})
    assert s["backend"] == "numpy" and any("lbfgs runs on the numpy backend" in m
                                           for m in messages)


def test_a_live_noise_change_draws_new_points_and_the_run_goes_on():
    """Noise is a live setting: the session draws a new sample (a ``data`` reply with
    other points) and the running run takes it without new weights."""
    import time

    from nnlearn.playground.session import Session
    session = Session(lambda frame: None)
    session.handle({"type": "settings", "settings": {"hidden": "8", "iterations": 10**6,
                                                     "optimizer": "sgd"}})
    session.handle({"type": "start"})
    runner = session.runner
    time.sleep(0.3)
    before = session.data.points()["train"][:5]
    replies = session.handle({"type": "settings", "settings": {"noise": "0.3"}})
    data = [m for m in replies if m["type"] == "data"]
    assert len(data) == 1 and data[0]["points"]["train"][:5] != before
    assert session.runner is runner and runner.state == "running"
    seen = runner.trainer.iteration
    deadline = time.monotonic() + 30
    while runner.trainer.iteration <= seen + 50 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert runner.trainer.iteration > seen + 50  # it goes on, on the new points
    session.handle({"type": "reset"})


def test_a_resnet_is_the_tables_width_and_depth():
    """architecture=resnet reads ``width`` and ``depth``, with the table's defaults and
    bounds (an mlp reads ``hidden``; each keeps its own), and only the architecture's own
    sizes go in the address bar."""
    from nnlearn.playground.session import Session
    from nnlearn.settings import SETTINGS
    assert (DEFAULTS["width"], DEFAULTS["depth"]) == (SETTINGS["width"].default,
                                                      SETTINGS["depth"].default)
    s, messages = validate({"architecture": "resnet", "width": "16", "depth": "5",
                            "activation": "sigmoid"})
    assert messages == []
    spec = network_spec(s, 2)
    assert (spec.architecture, spec.width, spec.depth, spec.inner) == ("resnet", 16, 5, None)
    assert s["activation"] == ("sigmoid",) * 6  # the input map and five blocks
    assert s["hidden"] == DEFAULTS["hidden"]  # the mlp's, kept for a switch back
    assert network_spec(validate({"architecture": "mlp"}, s)[0], 2).hidden == DEFAULTS["hidden"]
    capped, messages = validate({"width": 10**5, "depth": 99}, s)
    assert (FIELDS["width"].hi, FIELDS["depth"].hi) == (MAX_WIDTH, MAX_LAYERS - 1)
    assert "width: 100,000 is above the limit, 512; using 512" in messages
    assert "depth: 99 is above the limit, 31; using 31" in messages
    # 31 blocks of 512 are over the parameter cap: the previous size is kept, and named
    assert (capped["architecture"], capped["width"], capped["depth"]) == ("resnet", 16, 5)
    assert any("too large" in m and "kept width 16, depth 5" in m for m in messages), messages

    session = Session(lambda frame: None)
    url = session.handle({"type": "settings", "settings": {"architecture": "resnet",
                                                           "width": 16, "depth": 5}})[0]["url"]
    assert (url["width"], url["depth"]) == ("16", "5") and "hidden" not in url
    url = session.handle({"type": "settings", "settings": {"architecture": "mlp"}})[0]["url"]
    assert url["hidden"] == "16,16" and "width" not in url and "depth" not in url
    session.close()


def test_a_capped_count_reads_as_a_count_and_a_rate_as_a_number():
    _, messages = validate({"iterations": 10**7, "lr": 50, "noise": -1})
    hi = FIELDS["iterations"].hi
    assert f"iterations: 10,000,000 is above the limit, {int(hi):,}; using {int(hi):,}" in messages
    assert "lr: 50 is above the limit, 10; using 10" in messages
    assert not any("e+" in m for m in messages), messages
