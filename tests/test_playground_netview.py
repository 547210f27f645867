"""The network view's messages (issue 25), without a browser: input features, unit maps
and weights per drawn layer, live changes, the pace, snapshots and the view's windows."""

import base64

import httpx
import numpy as np
import pytest

from nnlearn.engine.features import feature_map
from nnlearn.training import load_model
from nnlearn.playground.frames import frame
from nnlearn.playground.model import build
from nnlearn.playground.settings import validate
from nnlearn.playground.data import toy_sample
from playground_helpers import Page, server  # noqa: F401  (a fixture)


def test_features_are_the_formulas_of_the_coordinates():
    U = np.array([[0.5, -2.0], [1.5, 0.25]])
    F = feature_map(U, ("x1", "x2", "x1sq", "x2sq", "x1x2", "sin_x1", "sin_x2"))
    x1, x2 = U[:, 0], U[:, 1]
    np.testing.assert_array_equal(F, np.column_stack([x1, x2, x1**2, x2**2, x1 * x2,
                                                      np.sin(x1), np.sin(x2)]))
    with pytest.raises(ValueError, match="unknown feature 'x3'"):
        feature_map(U, ("x3",))


def test_the_features_setting_is_a_set_in_the_tables_order():
    s, messages = validate({"features": "sin_x2,x1,x1"})
    assert s["features"] == ("x1", "sin_x2") and messages == []
    s, messages = validate({"features": "x1,cos_x1"})
    assert s["features"] == ("x1", "x2") and "unknown value 'cos_x1'" in messages[0]
    s, _ = validate({"regularization": "l1", "regularization_rate": 5})
    assert s["regularization"] == "l1" and s["regularization_rate"] == 1.0  # the page's cap


def test_a_frame_carries_every_drawn_layer_its_weights_and_the_confusion_counts():
    s, _ = validate({"hidden": "20,3", "features": "x1,x2,x1x2", "data": "blobs", "classes": 3})
    data = toy_sample(s)
    net = build(s, data.n_classes)
    f = frame(net, data, iteration=0, epoch=0, lr=0.1, state="ready", offsets=[0, 4])
    layers = f["units"]["layers"]
    assert [(v["layer"], v["offset"], v["count"], v["of"]) for v in layers] == [
        (0, 0, 3, 3), (1, 4, 16, 20), (2, 0, 3, 3), (3, 0, 3, 3)]
    m = f["units"]["m"]
    assert all(len(base64.b64decode(v["data"])) == v["count"] * m * m for v in layers)
    # the weights between the drawn windows, W[k, i]: to unit k of layer j from unit i
    e = f["edges"][1]
    W = np.frombuffer(base64.b64decode(e["data"]), dtype=np.float32).reshape(e["rows"], e["cols"])
    assert net.layers[0].names == ("x1", "x2", "x1x2")  # the features: a first layer
    np.testing.assert_array_equal(W, net.layers[2].W[:, 4:20])
    # the output maps are probabilities on a fixed scale: at each cell they sum to 1
    out = np.frombuffer(base64.b64decode(layers[3]["data"]), dtype=np.int8).reshape(3, -1)
    p = (out / 127 + 1) / 2
    np.testing.assert_allclose(p.sum(axis=0), 1, atol=0.03)
    counts = np.array(f["confusion"])
    assert counts.shape == (3, 3) and counts.sum() == len(data.y_test)
    assert np.trace(counts) / counts.sum() == pytest.approx(f["test_accuracy"])
    weights = [p for name, p in net.parameters().items() if name.endswith("W")]
    assert f["weight_norm"] == pytest.approx(np.sqrt(sum(np.sum(w.astype(float) ** 2)
                                                         for w in weights)))


def test_live_changes_go_on_counting_and_the_pace_stops_and_snapshots(server):  # noqa: F811
    _, url = server
    p = Page(url)
    first = p.configure(hidden=[8], optimizer="sgd", lr=0.1, iterations=100000)
    run = first["network"]["run"]
    p.send(type="pace", steps_per_frame=0, stop_at=0, snapshots=[5, 20])
    assert p.expect("pace")["snapshots"] == [5, 20]
    p.send(type="start")
    assert [p.expect("snapshot")["iteration"] for _ in range(2)] == [5, 20]
    seen = p.expect("frame", lambda m: m["iteration"] > 50)["iteration"]
    start = len(p.seen)
    p.send(type="settings", settings={"lr": 0.02, "batch_size": 30, "noise": 0.2,
                                      "regularization": "l2", "regularization_rate": 0.01})
    later = p.expect("frame", lambda m: m["lr"] == 0.02 and m["iteration"] > seen + 100)
    assert later["run"] == run and "network" not in [m["type"] for m in p.seen[start:]]
    assert "data" in [m["type"] for m in p.seen[start:]]  # the new sample, drawn live
    p.send(type="pause")
    paused = p.expect("frame", lambda m: m["state"] == "paused")["iteration"]
    p.send(type="pace", steps_per_frame=1, stop_at=paused + 30, snapshots=[])
    p.expect("pace")
    p.send(type="start")
    stopped = p.expect("frame", lambda m: m["state"] == "paused", timeout=30)
    assert stopped["iteration"] == paused + 30
    assert "stopped at iteration" in stopped["note"]
    p.send(type="pace", steps_per_frame=-1)
    assert "pace" in p.expect("error")["message"]
    p.send(type="settings", settings={"hidden": [9]})  # not a live setting: a new run
    assert p.expect("network")["run"] != run
    p.close()


def test_the_view_window_and_the_exports_with_features(server, tmp_path):  # noqa: F811
    _, url = server
    p = Page(url)
    data = p.configure(hidden=[40], features=["x1", "x2", "x1sq", "x2sq"])["data"]
    p.send(type="view", offsets=[0, 30])
    shown = p.expect("frame", lambda m: m["units"]["layers"][1]["offset"] == 24)
    assert shown["units"]["layers"][0]["count"] == 4  # 40 - 16: the last window
    model = httpx.get(f"{url}api/model/{p.token}", timeout=30)
    assert model.status_code == 200
    path = tmp_path / "model.npz"
    path.write_bytes(model.content)
    net = load_model(path)  # a Features layer first: it takes the raw coordinates
    assert net.layer_list()["layers"][0]["names"] == ["x1", "x2", "x1sq", "x2sq"]
    test = np.array(data["points"]["test"])
    accuracy = np.mean(net.predict(test[:, :2]) == test[:, 2])
    assert accuracy == pytest.approx(shown["test_accuracy"], abs=0.02)
    png = httpx.get(f"{url}api/regions/{p.token}", timeout=60)
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    p.send(type="view", offsets="all")
    assert "offsets" in p.expect("error")["message"]
    p.close()


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_a_live_regularization_change_reaches_either_backends_optimiser(backend):
    if backend == "torch":
        pytest.importorskip("torch")
    from nnlearn.playground.session import Session
    session = Session(lambda frame: None)
    session.handle({"type": "settings", "settings": {"backend": backend, "optimizer": "adam"}})
    run = session.runner.id
    session.handle({"type": "settings", "settings": {"regularization": "l1",
                                                     "regularization_rate": 0.02}})
    inner = session.runner.backend.backend
    assert session.runner.id == run  # taken live: the same run
    if backend == "numpy":
        assert (inner.optimizer.l1, inner.optimizer.weight_decay) == (0.02, 0.0)
    else:  # torch.optim has L2 as its weight_decay; the twin adds L1 itself
        assert inner.l1 == 0.02
        assert all(g["weight_decay"] == 0.0 for g in inner.optimizer.param_groups)
    session.handle({"type": "settings", "settings": {"regularization": "l2"}})
    if backend == "numpy":
        assert (inner.optimizer.l1, inner.optimizer.weight_decay) == (0.0, 0.02)
    else:
        assert inner.l1 == 0.0
        assert all(g["weight_decay"] == 0.02 for g in inner.optimizer.param_groups)
    session.close()
