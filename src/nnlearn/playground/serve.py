"""``serve``: run the playground with uvicorn on one socket, print its address.

DNS rebinding: a page from another site can make the browser send requests to
this server under the other site's name. So a request must name, in its ``Host``
header, the address the server listens on, a loopback name, or a name given with
``allow_hosts`` (``--allow-host``); whatever the address it listens on. Listening
on an address other machines can reach (``0.0.0.0``, a network card's address)
needs at least one such name: the server cannot know under which name it is
reached from elsewhere, and does not guess.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import webbrowser

from ..errors import NNLearnError
from .server import LOOPBACK, MAX_MESSAGE, create_app


def open_socket(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: any free port); ``OSError`` names the problem."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as err:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    sock.listen(64)
    return sock


def url_of(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
    return f"http://{shown}:{port}/"


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) reaches this machine only."""
    if host.strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a name: it may resolve to anything
        return False


def allowed_hosts(host: str, allow_hosts=()) -> tuple[str, ...]:
    """The names a request's ``Host`` may carry: loopback names, the address listened
    on, and ``allow_hosts``. Raises ``NNLearnError`` for an address other machines
    can reach without ``allow_hosts``, and for a wildcard."""
    extra = tuple(name.strip().lower() for name in allow_hosts)
    bad = [name for name in extra if not name or "*" in name or "/" in name]
    if bad:
        raise NNLearnError(f"--allow-host takes a host name or address, without wildcards; "
                           f"got {bad[0]!r}")
    if not is_loopback(host) and not extra:
        raise NNLearnError(f"listening on {host} lets other machines in: name the host "
                           f"name or address they will use with --allow-host NAME (only "
                           f"requests for it, {host} or this machine's loopback names are "
                           f"answered)")
    return tuple(dict.fromkeys((*LOOPBACK, host.lower(), *extra)))


def make_server(host="127.0.0.1", port=8765, *, allow_hosts=()):
    """``(uvicorn.Server, socket, url)``, not yet running (see ``allowed_hosts``)."""
    import uvicorn
    try:
        from .wsprotocol import PlaygroundWebSocketProtocol
    except ImportError as err:  # uvicorn before 0.35 has no sans-I/O WebSocket protocol
        raise NNLearnError(f"the playground needs uvicorn >= 0.35 and websockets >= 13 "
                           f"({err}): pip install -U \"nnlearn[playground]\"") from None
    hosts = allowed_hosts(host, allow_hosts)
    sock = open_socket(host, port)
    port = sock.getsockname()[1]
    from .httpguard import GuardedH11Protocol
    config = uvicorn.Config(create_app(allowed_hosts=hosts), log_level="warning",
                            http=GuardedH11Protocol, ws=PlaygroundWebSocketProtocol,
                            ws_max_size=MAX_MESSAGE, lifespan="off")
    return uvicorn.Server(config), sock, url_of(host, port)


def serve(host="127.0.0.1", port=8765, *, allow_hosts=(), open_browser=False,
          echo=print) -> None:
    """Serve until interrupted. The networks are small: one BLAS thread each is fastest
    and leaves the other cores to other pages."""
    from threadpoolctl import threadpool_limits  # comes with scikit-learn

    from .memory import map_large_arrays
    map_large_arrays()  # a page's arrays go back to the system when freed
    server, sock, url = make_server(host, port, allow_hosts=allow_hosts)
    echo(f"nnlearn playground: {url}  (Ctrl-C stops it)")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    with threadpool_limits(1):
        server.run(sockets=[sock])
