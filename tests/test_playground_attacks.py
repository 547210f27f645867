"""The playground's server under the hardening review's attacks: exports that flood it,
hostile file names, huge values, foreign Host headers on every bind address,
messages over the size limit, and pausing the heaviest run it allows."""

import json
import threading
import time
from urllib.parse import unquote

import httpx
import numpy as np
import pytest

from nnlearn.errors import NNLearnError
from nnlearn.playground.session import Session
from nnlearn.playground.settings import MEMORY_BUDGET, step_memory

from playground_helpers import Page, app_of, serve_in_thread, server  # noqa: F401  (server: a fixture)


def _strict(text):
    """``JSON.parse``: no NaN, Infinity or -Infinity."""
    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")
    return json.loads(text, parse_constant=refuse)


def _messages(page, until, timeout=20):
    """Raw messages of ``page``, strictly parsed, up to the first for which ``until`` holds."""
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        m = _strict(page.ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        seen.append(m)
        if until(m):
            return seen


def _ring_csv(n=60, value=1.0):
    return "x,y,label\n" + "".join(f"{value * np.cos(t)},{value * np.sin(t)},{int(t > 3)}\n"
                                   for t in np.linspace(0, 6, n))


# -- exports ------------------------------------------------------------------------------

def test_exports_have_their_own_small_pool_and_a_bounded_queue(server, monkeypatch):  # noqa: F811
    srv, url = server
    exports = app_of(srv).state.exports
    release = threading.Event()

    def slow_export(self, suffix=".npz"):
        release.wait(30)
        return b"model"
    monkeypatch.setattr(Session, "model_bytes", slow_export)
    pages = [Page(url) for _ in range(exports.places + 2)]
    for p in pages:
        p.configure(hidden=[4])
    results = {}

    def download(p):
        r = httpx.get(f"{url}api/model/{p.token}", timeout=60)
        results[p.token] = r.status_code
    threads = [threading.Thread(target=download, args=(p,)) for p in pages]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while len(results) < 2:  # the exports past the queue's places are refused at once
            assert time.monotonic() < deadline, results
            time.sleep(0.02)
        assert list(results.values()) == [503, 503]
        busy = sorted(exports.busy)[0]
        again = httpx.get(f"{url}api/model/{busy}", timeout=10)
        assert again.status_code == 429 and "still being prepared" in again.json()["error"]
        assert again.headers["retry-after"]
        # meanwhile every page is answered at once: exports never hold a page's thread
        other = Page(url)
        t0 = time.monotonic()
        other.send(type="ping")
        other.expect("pong", timeout=5)
        pages[-1].send(type="settings", settings={"hidden": [5]})
        pages[-1].expect("network", timeout=10)
        assert time.monotonic() - t0 < 10
        other.close()
    finally:
        release.set()
        for t in threads:
            t.join(60)
    assert sorted(results.values()) == [200] * exports.places + [503, 503]
    assert not exports.busy
    for p in pages:
        p.close()


@pytest.mark.parametrize("filename, stem", [
    ("数据.csv", "数据"), ('a"b.csv', 'a"b'), ("x\r\ny.csv", "xy"), ("é\\ü;,.csv", "é\\ü;,"),
])
def test_downloads_are_named_after_any_upload(server, filename, stem):  # noqa: F811
    _, url = server
    p = Page(url)
    p.send(type="upload", name=filename, text=_ring_csv())
    p.expect("network")
    r = httpx.get(f"{url}api/model/{p.token}", timeout=30)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    header = r.headers["content-disposition"]
    assert header.isascii() and "\r" not in header and "\n" not in header
    plain, extended = header.split("; filename*=UTF-8''")
    assert plain.startswith('attachment; filename="') and plain.count('"') == 2
    assert unquote(extended) == f"nnlearn-{stem}.npz"
    p.close()


# -- numbers the page can parse ---------------------------------------------------------------

@pytest.mark.parametrize("value", ["1e306", "1.5e308", "-1.5e308"])
def test_values_that_would_overflow_are_refused_at_upload(server, value):  # noqa: F811
    _, url = server
    p = Page(url)
    text = _ring_csv(40).replace("\n", f"\n0,{value},1\n", 1)  # line 2
    p.send(type="upload", name="far.csv", text=text)
    error, = _messages(p, lambda m: m["type"] == "error")
    assert error["message"].startswith("far.csv: line 2, column 2") and "too large" in error[
        "message"]
    p.close()


def test_everything_sent_is_strict_json(server):  # noqa: F811
    _, url = server
    p = Page(url)
    p.send(type="upload", name="wide.csv", text=_ring_csv(40, value=9e29))
    p.send(type="start")
    seen = _messages(p, lambda m: m["type"] == "frame" and m["iteration"] > 5)
    assert {"settings", "data", "network", "frame"} <= {m["type"] for m in seen}
    p.close()
    from nnlearn.playground.server import encode
    text = encode({"type": "frame", "loss": float("nan"), "grid": [float("inf"), np.float32(2)]})
    assert _strict(text) == {"type": "frame", "loss": None, "grid": [None, 2.0]}


# -- DNS rebinding, whatever the address listened on -------------------------------------------

def _serving(host, **options):
    srv, thread, sock, _ = serve_in_thread(host, **options)
    return srv, thread, sock.getsockname()[1]


@pytest.mark.parametrize("host, options, good", [
    ("127.0.0.2", {}, ["127.0.0.2", "localhost", "127.0.0.1"]),
    ("0.0.0.0", {"allow_hosts": ["Box.Example"]}, ["box.example", "localhost", "0.0.0.0"]),
])
def test_a_foreign_host_header_is_refused_on_every_address(host, options, good):
    srv, thread, port = _serving(host, **options)
    address = "127.0.0.2" if host == "127.0.0.2" else "127.0.0.1"
    try:
        for name in good:
            r = httpx.get(f"http://{address}:{port}/", headers={"Host": f"{name}:{port}"},
                          timeout=10)
            assert r.status_code == 200, name
        for name in ("evil.example", "127.0.0.2.evil.example", "*"):
            r = httpx.get(f"http://{address}:{port}/", headers={"Host": name}, timeout=10)
            assert r.status_code == 400, name
            r = httpx.get(f"http://{address}:{port}/api/health", headers={"Host": name},
                          timeout=10)
            assert r.status_code == 400 and "sessions" not in r.text
    finally:
        srv.should_exit = True
        thread.join(15)


def test_an_address_others_reach_needs_allowed_host_names():
    from nnlearn.playground.serve import allowed_hosts
    for host in ("0.0.0.0", "::", "192.168.1.5", "box.example"):
        with pytest.raises(NNLearnError, match="--allow-host"):
            allowed_hosts(host)
    assert "*" not in allowed_hosts("0.0.0.0", ["box.example"])
    assert "box.example" in allowed_hosts("192.168.1.5", ["box.example"])
    with pytest.raises(NNLearnError, match="wildcards"):
        allowed_hosts("0.0.0.0", ["*"])
    assert set(allowed_hosts("127.0.0.2")) >= {"127.0.0.2", "127.0.0.1", "localhost", "::1"}


# -- messages over the size limit ---------------------------------------------------------------

def test_messages_over_the_limit_get_the_json_error_and_the_page_goes_on(server):  # noqa: F811
    from nnlearn.playground.server import MAX_MESSAGE
    _, url = server
    p = Page(url)
    for size in (MAX_MESSAGE + 1, 9_000_000, 30_000_000):
        p.ws.send('{"type": "upload", "text": "' + "x" * size + '"}')
        error = p.expect("error", timeout=60)
        assert "too long" in error["message"] and f"{MAX_MESSAGE:,}" in error["message"]
        p.send(type="ping")
        p.expect("pong")
    # a message in fragments: counted as a whole, each fragment under the limit
    p.ws.send(iter(["x" * (MAX_MESSAGE // 3)] * 4))
    assert "too long" in p.expect("error")["message"]
    p.ws.send(iter(['{"type": ', '"ping"}']))
    p.expect("pong")
    p.send(type="settings", settings={"hidden": [7]})
    assert p.expect("settings")["settings"]["hidden"] == [7]
    p.close()


# -- pausing the heaviest full-batch run the budget allows ----------------------------------------

def test_the_heaviest_full_batch_run_pauses_after_its_current_iteration(server):  # noqa: F811
    srv, url = server
    settings = {"points": 5000, "batch_size": "full", "hidden": [192] * 4, "iterations": 10_000}
    p = Page(url)
    replies = p.configure(**settings)
    assert replies["settings"]["messages"] == []
    session = app_of(srv).state.sessions[p.token]
    assert step_memory(session.settings, 2, 4000) > 0.9 * MEMORY_BUDGET
    p.send(type="start")
    p.expect("frame", lambda m: m["iteration"] >= 2)
    trainer = session.runner.trainer
    p.send(type="pause")
    assert p.expect("state")["state"] == "paused"  # at once
    paused = p.expect("frame", lambda m: m["state"] == "paused")  # after the iteration under way
    time.sleep(0.5)
    assert trainer.iteration == paused["iteration"]  # nothing ran after the pause
    p.close()


# -- the second review (issue 24): a server in its own process, its memory measured ---------

def _status(pid, key):
    """``VmRSS`` or ``VmHWM`` (the peak) of process ``pid``, in MB."""
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(key)) / 1024


@pytest.fixture(scope="module")
def served():
    """``(process, base URL)``: ``nnlearn playground`` in a process of its own, warmed up
    (one page has trained a few frames), so that what it grows by is the attack's."""
    import re
    import subprocess
    import sys
    env = {**__import__("os").environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "nnlearn", "playground", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env)
    try:
        url = re.search(r"http://[\d.]+:\d+/", proc.stdout.readline()).group(0)
        warm = Page(url)
        warm.configure(hidden=[8])
        warm.send(type="start")
        warm.expect("frame", lambda m: m["iteration"] >= 5)
        warm.close()
        yield proc, url
    finally:
        proc.terminate()
        proc.wait(20)


@pytest.fixture
def growth(served):
    """Call it after an attack: the server's peak growth (MB) since the test began, once
    it has answered a ping from a new page."""
    proc, url = served
    with open(f"/proc/{proc.pid}/clear_refs", "w") as fh:
        fh.write("5")  # reset the peak (VmHWM) to the current resident size
    base = _status(proc.pid, "VmRSS")

    def measure():
        p = Page(url)
        p.send(type="ping")
        p.expect("pong", timeout=30)
        p.close()
        return _status(proc.pid, "VmHWM") - base
    return measure


SERVER_BUDGET_MB = 300  #: what an attack may make the server grow by (issue 24)


def test_an_upload_with_one_long_cell_is_refused_without_padding(served, growth):
    # 132 KB: 5.7 GB before (every cell padded to the longest)
    _, url = served
    p = Page(url)
    text = "x,y,label\n" + "1,2,0\n3,4,1\n" * 2500 + "5," + "6" * 100_000 + ",1\n"
    p.send(type="upload", name="long.csv", text=text)
    error = p.expect("error", timeout=60)["message"]
    assert "line 5002, column 2" in error and "at most 1,000" in error
    p.close()
    assert growth() < SERVER_BUDGET_MB


def test_lbfgs_counts_its_memory_against_the_page_and_pauses_within_a_step(served, growth):
    # +718 MB to +1.2 GB before, and 4.6 s to pause
    _, url = served
    p = Page(url)
    replies = p.configure(optimizer="lbfgs", points=5000, hidden=[512, 512, 512],
                          iterations=10_000)
    message = " ".join(replies["settings"]["messages"])
    assert "L-BFGS's own" in message, replies["settings"]
    replies = p.configure(optimizer="lbfgs", points=5000, hidden=[160, 160], iterations=10_000)
    assert replies["settings"]["messages"] == [] and \
        replies["settings"]["settings"]["optimizer"] == "lbfgs"
    p.send(type="start")
    p.expect("frame", lambda m: m["iteration"] >= 1, timeout=60)
    t0 = time.monotonic()
    p.send(type="pause")
    p.expect("frame", lambda m: m["state"] == "paused", timeout=30)
    assert time.monotonic() - t0 < 2.0
    p.close()
    assert growth() < SERVER_BUDGET_MB


def test_a_flood_of_sample_requests_is_rate_limited(served, growth):
    # 3.5 GB before
    _, url = served
    p = Page(url)
    p.configure(points=5000, hidden=[256, 256], batch_size=0)
    p.send(type="start")
    for _ in range(300):
        p.send(type="sample")
    p.send(type="ping")
    p.expect("pong", timeout=120)
    skipped = [m for m in p.seen if m["type"] == "error" and "skipped" in m["message"]]
    assert skipped, [m["type"] for m in p.seen[-20:]]
    p.close()
    assert growth() < SERVER_BUDGET_MB


def test_slow_clients_are_cut_off_and_capped_per_address(monkeypatch):
    import socket
    from nnlearn.limits import MAX_CONNECTIONS_PER_CLIENT
    from nnlearn.playground.httpguard import GuardedH11Protocol
    monkeypatch.setattr(GuardedH11Protocol, "header_timeout_s", 1.0)
    srv, thread, _, url = serve_in_thread()
    host, port = url.split("//")[1].strip("/").split(":")
    try:
        slow = []
        for _ in range(3 * MAX_CONNECTIONS_PER_CLIENT):  # 1,020 were held before
            s = socket.create_connection((host, int(port)), timeout=5)
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the rest
            slow.append(s)
        time.sleep(0.5)
        assert len(app_of(srv).state.sessions) == 0
        held = sum(1 for c in srv.server_state.connections if c.client)
        assert held <= MAX_CONNECTIONS_PER_CLIENT
        time.sleep(1.5)  # past the header timeout: every slow one is closed
        assert not [c for c in srv.server_state.connections if c.client]
        for s in slow:
            s.settimeout(2)
            try:
                assert s.recv(100) == b""  # the server closed it ...
            except ConnectionResetError:
                pass  # ... with our unread headers still in its buffer
            s.close()
        p = Page(url)  # a page (an upgraded connection) may then stay idle past the timeout
        time.sleep(1.5)
        p.send(type="ping")
        p.expect("pong")
        ok = httpx.get(url + "api/health", timeout=10)  # and a plain request is answered
        assert ok.status_code == 200
        p.close()
    finally:
        srv.should_exit = True
        thread.join(15)
