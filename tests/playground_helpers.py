"""A real playground server on a free loopback port, and a page-like WebSocket client."""

import base64
import json
import threading
import time

import pytest

websockets_sync = pytest.importorskip("websockets.sync.client",
                                      reason="the playground extra: pip install -e '.[playground]'")
pytest.importorskip("uvicorn", reason="the playground extra: pip install -e '.[playground]'")


def serve_in_thread(host="127.0.0.1", **options):
    """``(uvicorn.Server, thread, socket, base URL)``: uvicorn on ``host`` at a free port,
    in a thread of this process, once it has started."""
    from nnlearn.playground.serve import make_server
    srv, sock, url = make_server(host, 0, **options)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    return srv, thread, sock, url


@pytest.fixture(scope="module")
def server():
    """``(uvicorn.Server, base URL)``: uvicorn on 127.0.0.1 in a thread of this process."""
    srv, thread, _, url = serve_in_thread()
    yield srv, url
    srv.should_exit = True
    thread.join(15)


def app_of(srv):
    return srv.config.app


class Page:
    """What a browser tab does: connect, send JSON messages, read replies with a deadline."""

    def __init__(self, url, **connect):
        self._connection = websockets_sync.connect(url.replace("http://", "ws://") + "ws",
                                                   proxy=None, max_size=2**25, open_timeout=10,
                                                   **connect)
        self.ws = self._connection.__enter__()
        self.seen = []
        self.hello = self.expect("hello")
        self.token = self.hello["token"]

    def send(self, **message):
        self.ws.send(json.dumps(message))

    def expect(self, kind, where=lambda m: True, timeout=20):
        """The next message of type ``kind`` for which ``where`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {kind!r} message in {timeout} s; last seen: "
                                     f"{[m['type'] for m in self.seen[-10:]]}")
            try:
                m = json.loads(self.ws.recv(timeout=left))
            except TimeoutError:
                continue
            self.seen.append(m)
            if m["type"] == kind and where(m):
                return m

    def configure(self, **settings):
        """Send settings; return the replies up to the first frame of the new network."""
        start = len(self.seen)
        self.send(type="settings", settings=settings)
        network = self.expect("network")
        self.expect("frame", lambda m: m["run"] == network["run"])
        return {m["type"]: m for m in self.seen[start:]}

    def close(self):
        self._connection.__exit__(None, None, None)


def cells(frame):
    """The frame's grid as bytes: class of each cell."""
    return base64.b64decode(frame["grid"]["cls"])
