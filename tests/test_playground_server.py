"""The playground's server: its API, validation, limits, and pages kept apart."""

import base64
import gc
import json
import socket
import threading
import time
import weakref

import httpx
import numpy as np
import pytest

from nnlearn.spec import NetworkSpec

from nnlearn.training.modelio import load_model

from playground_helpers import Page, app_of, cells, server  # noqa: F401  (server: a fixture)

def _wait(condition, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _training_threads():
    return [t for t in threading.enumerate() if t.name.startswith("nnlearn-playground-")]


def test_the_page_and_its_assets_come_from_the_package(server):  # noqa: F811
    _, url = server
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200 and '<canvas id="regions"' in page.text
    for asset in ("playground.js", "draw.js", "playground.css"):
        r = httpx.get(url + "static/" + asset, timeout=10)
        assert r.status_code == 200 and len(r.text) > 500, asset
        # works offline: nothing is fetched from elsewhere
        assert "https://" not in r.text and "http://" not in r.text, asset
    assert "https://" not in page.text and "http://" not in page.text


def test_settings_build_data_network_and_a_first_frame(server):  # noqa: F811
    _, url = server
    p = Page(url)
    assert set(p.hello["limits"]["optimizers"]) >= {"gd", "adam"}
    replies = p.configure(hidden=[100], points=500)
    assert replies["settings"]["messages"] == []
    assert replies["settings"]["url"]["hidden"] == "100"
    data = replies["data"]
    assert len(data["points"]["train"]) == 400 and len(data["points"]["test"]) == 100
    network = replies["network"]
    assert [(layer["n_in"], layer["n_out"]) for layer in network["layers"]] == [(2, 100), (100, 2)]
    assert network["parameters"] == 502
    frame = replies["frame"]
    assert frame["iteration"] == 0 and frame["state"] == "ready"
    n = frame["grid"]["n"]
    assert len(cells(frame)) == n * n and set(cells(frame)) <= {0, 1}
    # the network view: inputs, a window of 16 of the 100 hidden units, the 2 outputs
    units = frame["units"]
    assert [(v["layer"], v["count"], v["of"]) for v in units["layers"]] == [
        (0, 2, 2), (1, 16, 100), (2, 2, 2)]
    first = units["layers"][1]
    assert len(base64.b64decode(first["data"])) == 16 * units["m"] ** 2
    assert [(e["rows"], e["cols"]) for e in frame["edges"]] == [(16, 2), (2, 16)]
    assert sum(map(sum, frame["confusion"])) == 100
    assert len(frame["grad_norms"]) == 2 and all(g > 0 for g in frame["grad_norms"])
    p.close()


def test_start_pause_and_step(server):  # noqa: F811
    _, url = server
    p = Page(url)
    p.configure(hidden=[100], optimizer="adam", lr=0.01)
    p.send(type="start")
    learnt = p.expect("frame", lambda m: m["test_accuracy"] > 0.9 and m["iteration"] > 0)
    assert learnt["state"] == "running"
    p.send(type="pause")
    paused = p.expect("frame", lambda m: m["state"] == "paused")
    p.send(type="step")
    stepped = p.expect("frame", lambda m: m["state"] == "paused"
                       and m["iteration"] != paused["iteration"])
    assert stepped["iteration"] == paused["iteration"] + 1
    p.send(type="reset")
    fresh = p.expect("frame", lambda m: m["iteration"] == 0)
    assert fresh["state"] == "ready" and fresh["run"] != stepped["run"]
    p.close()


def test_bad_values_are_capped_or_refused_with_messages(server):  # noqa: F811
    _, url = server
    p = Page(url)
    p.send(type="settings", settings={"points": 10**9, "optimizer": "rmsprop",
                                      "hidden": [512] * 32, "junk": 1})
    reply = p.expect("settings")
    s, messages = reply["settings"], reply["messages"]
    assert s["points"] == 5000 and s["optimizer"] == "adam" and s["hidden"] == [16, 16]
    assert any("points: 1,000,000,000 is above the limit, 5,000" in m for m in messages)
    assert any("rmsprop" in m for m in messages)
    assert any("too large" in m for m in messages)
    assert any("junk" in m for m in messages)
    p.close()


def test_two_pages_train_independently(server):  # noqa: F811
    srv, url = server
    a, b = Page(url), Page(url)
    assert a.token != b.token
    a.configure(hidden=[32])
    b_replies = b.configure(data="blobs", classes=3, hidden=[4])
    assert b_replies["data"]["classes"] == [0, 1, 2]
    a.send(type="start")
    a.expect("frame", lambda m: m["iteration"] > 50)
    b.send(type="ping")
    b.expect("pong")
    # b never started: its network is untouched, and it has its own three classes
    b_frames = [m for m in b.seen if m["type"] == "frame"]
    assert all(m["iteration"] == 0 for m in b_frames)
    assert set(cells(b_frames[-1])) <= {0, 1, 2}
    assert b_frames[-1]["run"] == b_replies["network"]["run"] != a.seen[-1]["run"]
    sessions = app_of(srv).state.sessions
    assert sessions[a.token].settings["hidden"] == (32,)
    assert sessions[b.token].settings["hidden"] == (4,)
    b.send(type="start")
    b.expect("frame", lambda m: m["iteration"] > 0)
    b.send(type="pause")
    b.expect("frame", lambda m: m["state"] == "paused")
    last = a.expect("frame")  # pausing b does not pause a
    assert last["state"] == "running"
    a.close()
    b.close()


def test_a_flood_of_malformed_messages_never_stops_the_server(server):  # noqa: F811
    _, url = server
    p = Page(url)
    junk = ["", "not json", "[]", "null", "42", '{"type": 5}', '{"type": "nope"}',
            '{"type": "settings", "settings": "points=3"}',
            '{"type": "settings", "settings": {"hidden": [[1, 2]], "points": {"$gt": 1}}}',
            '{"type": "upload", "name": null, "text": 5}',
            '{"type": "upload", "name": "../../x.csv", "text": "\\u0000\\u0001"}',
            '{"type": "settings", "settings": {"data": "upload"}}',
            '{"type": "start", "extra": ' + "[" * 5000 + "]" * 5000 + "}",
            "[" * 100_000 + "]" * 100_000,  # deeper than the JSON decoder's recursion limit
            "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
            "x" * 2_100_000]
    for _ in range(30):
        for text in junk:
            p.ws.send(text)
        p.ws.send(b"\x00\xff binary")
    p.send(type="ping")
    p.expect("pong", timeout=60)
    errors = [m for m in p.seen if m["type"] == "error"]
    assert len(errors) >= 30
    assert any("too long" in m["message"] for m in errors)
    assert any("binary" in m["message"] for m in errors)
    # the server still serves this page and new ones
    p.send(type="settings", settings={"hidden": [8]})
    assert p.expect("settings")["settings"]["hidden"] == [8]
    other = Page(url)
    other.send(type="ping")
    other.expect("pong")
    p.close()
    other.close()


@pytest.mark.parametrize("how", ["vanish", "close_while_paused"])
def test_a_page_that_goes_away_stops_training_and_frees_its_memory(server, how):  # noqa: F811
    srv, url = server
    sessions = app_of(srv).state.sessions
    p = Page(url)
    p.configure(hidden=[64])
    p.send(type="start")
    p.expect("frame", lambda m: m["iteration"] > 20)
    runner = sessions[p.token].runner
    network = weakref.ref(runner.network)
    thread_name = runner._thread.name
    del runner
    assert thread_name in [t.name for t in _training_threads()]
    if how == "vanish":  # the TCP connection drops, no closing handshake
        p.ws.socket.shutdown(socket.SHUT_RDWR)
        p.ws.socket.close()
    else:
        p.send(type="pause")
        p.expect("frame", lambda m: m["state"] == "paused")
        p.close()
    _wait(lambda: p.token not in sessions, what="the session to close")
    _wait(lambda: thread_name not in [t.name for t in _training_threads()],
          what="the training thread to end")
    _wait(lambda: gc.collect() is not None and network() is None, what="the network to be freed")


def test_the_exported_model_is_a_model_file_as_nnlearn_train_writes(server, tmp_path):  # noqa: F811
    _, url = server
    p = Page(url)
    replies = p.configure(hidden=[50], lr=0.01)
    p.send(type="start")
    p.expect("frame", lambda m: m["test_accuracy"] > 0.9)
    p.send(type="pause")
    paused = p.expect("frame", lambda m: m["state"] == "paused")
    for fmt in ("npz", "safetensors"):
        r = httpx.get(f"{url}api/model/{p.token}", params={"format": fmt}, timeout=30)
        assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
        path = tmp_path / f"model.{fmt}"
        path.write_bytes(r.content)
        net = load_model(path)
        spec = net.metadata.pop("spec")  # the page's network, described as every file does
        confusion = net.metadata.pop("confusion_test")  # the test split's counts, rows: true
        assert net.metadata == {"classes": [0, 1], "data": "rings"}
        assert NetworkSpec.from_dict(spec).build().layer_list() == net.layer_list()
        assert np.array(confusion).shape == (2, 2) and np.sum(confusion) == 100
        # the file predicts on the page's own coordinates as the page showed
        test = np.array(replies["data"]["points"]["test"])
        accuracy = np.mean(net.predict(test[:, :2]) == test[:, 2])
        assert accuracy == pytest.approx(paused["test_accuracy"], abs=0.02)
    png = httpx.get(f"{url}api/regions/{p.token}", timeout=60)
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.headers["content-type"] == "image/png"
    bad = httpx.get(f"{url}api/model/{p.token}", params={"format": "pickle"}, timeout=10)
    assert bad.status_code == 400
    p.close()
    gone = httpx.get(f"{url}api/model/{p.token}", timeout=10)
    assert gone.status_code == 404 and "reload" in gone.json()["error"]
    assert httpx.get(f"{url}api/model/not-a-token", timeout=10).status_code == 404


def test_uploaded_csv_files_train_and_bad_ones_get_a_message(server):  # noqa: F811
    _, url = server
    p = Page(url)
    p.send(type="upload", name="bad.csv", text="x,y,label\n1,2,a\n3,oops,b\n")
    error = p.expect("error")
    assert error["message"].startswith("bad.csv: line 3, column 2") and "oops" in error["message"]
    rows = "".join(f"{np.cos(t):.4f},{np.sin(t):.4f},{'north' if np.sin(t) > 0 else 'south'}\n"
                   for t in np.linspace(0, 6.2, 100))
    p.send(type="upload", name="mine.csv", text="x,y,side\n" + rows)
    data = p.expect("data")
    assert data["name"] == "mine.csv" and data["classes"] == ["north", "south"]
    s = [m for m in p.seen if m["type"] == "settings"][-1]["settings"]
    assert s["data"] == "upload"
    p.send(type="sample")  # a new split of the same file
    again = p.expect("data")
    assert again["name"] == "mine.csv" and again["points"] != data["points"]
    p.close()


def test_pages_from_other_sites_and_other_host_names_are_refused(server):  # noqa: F811
    _, url = server
    from websockets.exceptions import InvalidStatus
    with pytest.raises((InvalidStatus, ConnectionError, OSError)):
        Page(url, origin="http://evil.example")
    r = httpx.get(url, headers={"Host": "evil.example"}, timeout=10)
    assert r.status_code == 400
    same = Page(url, origin=url.rstrip("/"))  # the page's own origin is fine
    same.close()


def test_the_number_of_open_pages_is_capped(server):  # noqa: F811
    srv, url = server
    state = app_of(srv).state
    first = Page(url)
    limit, state.max_sessions = state.max_sessions, len(state.sessions)
    try:
        from websockets.exceptions import ConnectionClosed
        from websockets.sync.client import connect
        with connect(url.replace("http://", "ws://") + "ws", proxy=None) as second:
            message = json.loads(second.recv(timeout=10))  # an error and a close, no session
            assert message["type"] == "error" and "too many open pages" in message["message"]
            with pytest.raises(ConnectionClosed):
                second.recv(timeout=10)
        first.send(type="ping")
        first.expect("pong")
    finally:
        state.max_sessions = limit
    first.close()


@pytest.mark.filterwarnings("ignore::UserWarning")  # 3 iterations: at chance level, it says
def test_a_finished_run_says_how_to_go_on(server):  # noqa: F811
    _, url = server
    p = Page(url)
    p.configure(hidden="", iterations=3)
    p.send(type="start")
    done = p.expect("frame", lambda m: m["state"] == "done")
    assert done["iteration"] == 3 and [v["layer"] for v in done["units"]["layers"]] == [0, 1]
    p.send(type="start")
    assert "press Reset" in p.expect("error")["message"]
    p.close()


def test_a_page_that_never_reads_cannot_grow_its_queue():
    import asyncio

    from nnlearn.playground.server import MAX_QUEUED, Pipe
    from nnlearn.playground.session import error

    async def flood():
        pipe = Pipe(asyncio.get_running_loop())
        for i in range(5 * MAX_QUEUED):
            for kind in ("settings", "data", "network", "frame"):
                pipe.reply({"type": kind, "n": i})
            pipe.reply(error(f"bad message {i}"))
        return pipe

    pipe = asyncio.run(flood())
    assert len(pipe.replies) <= MAX_QUEUED + 3
    last = {m["type"]: m.get("n") for m in pipe.replies}
    assert last["settings"] == last["data"] == last["network"] == 5 * MAX_QUEUED - 1
    assert pipe.frame["n"] == 5 * MAX_QUEUED - 1  # frames: only the newest waits


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_diverging_run_says_so_on_the_page(server):  # noqa: F811
    _, url = server
    p = Page(url)
    p.configure(hidden="64,64", optimizer="gd", lr=10, iterations=200)
    p.send(type="start")
    failed = p.expect("frame", lambda m: m["state"] in ("done", "failed"))
    assert failed["state"] == "failed" and "diverged" in failed["message"]
    assert "smaller learning rate" in failed["message"]
    p.send(type="ping")
    p.expect("pong")  # the page and the server go on
    p.close()
