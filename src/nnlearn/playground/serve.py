"""``serve``: run the playground with uvicorn on one socket, print its address."""

from __future__ import annotations

import socket
import threading
import webbrowser

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


def make_server(host="127.0.0.1", port=8765):
    """``(uvicorn.Server, socket, url)``, not yet running."""
    import uvicorn
    sock = open_socket(host, port)
    port = sock.getsockname()[1]
    allowed = LOOPBACK if host in LOOPBACK else ("*",)
    config = uvicorn.Config(create_app(allowed_hosts=allowed), log_level="warning",
                            ws_max_size=4 * MAX_MESSAGE, lifespan="off")
    return uvicorn.Server(config), sock, url_of(host, port)


def serve(host="127.0.0.1", port=8765, *, open_browser=False, echo=print) -> None:
    """Serve until interrupted. The networks are small: one BLAS thread each is fastest
    and leaves the other cores to other pages."""
    from threadpoolctl import threadpool_limits  # comes with scikit-learn
    server, sock, url = make_server(host, port)
    echo(f"nnlearn playground: {url}  (Ctrl-C stops it)")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, [url]).start()
    with threadpool_limits(1):
        server.run(sockets=[sock])
