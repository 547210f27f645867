"""The web server: a Starlette app with one WebSocket per open page.

Each page that connects to ``/ws`` gets its own ``Session`` (and so its own
training thread). Messages from the page are handled one at a time in a worker
thread of a pool with a thread for every page, never on the event loop and never
behind another page's export (``exports.py``); frames from the training thread
reach the page through a one-frame slot, so a slow page skips frames instead of
piling them up. Everything sent is strict JSON (no ``NaN``/``Infinity``, which
``JSON.parse`` refuses). A token, sent to the page when it connects, names its
session in the export URLs.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import math
import secrets
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket

from ..data.toy import TOY
from ..engine.optim import DEFAULT_LR, OPTIMIZERS
from ..engine.schedules import SCHEDULES
from ..limits import MAX_MESSAGE
from .exports import Exports, model_file, regions_png
from .session import Session, error
from .settings import ARCHITECTURES, DEFAULTS, FIELDS, MAX_LAYERS, MAX_PARAMETERS, as_json, display

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
MAX_SESSIONS = 16  # open pages at once: each may keep a core busy
MAX_QUEUED = 64  # replies waiting for a page that does not read; more errors are dropped
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
TOO_LONG = "nnlearn_too_long"  # key of the event that stands for a message too long to keep


def _limits() -> dict:
    return {"fields": {name: {"lo": f.lo, "hi": f.hi, "choices": list(f.choices)}
                       for name, f in FIELDS.items()},
            "max_layers": MAX_LAYERS, "max_parameters": MAX_PARAMETERS,
            "default_lr": DEFAULT_LR, "optimizers": list(OPTIMIZERS),
            "schedules": list(SCHEDULES), "datasets": list(TOY),
            "architectures": list(ARCHITECTURES)}


def _origin_ok(websocket: WebSocket) -> bool:
    """A browser page from another site may open WebSockets to localhost: refuse it."""
    origin = websocket.headers.get("origin")
    if origin is None:  # not a browser (a test, a script)
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host")


class Pipe:
    """What goes to one page: replies in order, then the newest frame (older ones dropped)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.replies: collections.deque[dict] = collections.deque()
        self.frame: dict | None = None
        self.wake = asyncio.Event()

    def reply(self, message: dict) -> None:
        """Queue ``message``. A page that does not read cannot make the queue grow:
        over ``MAX_QUEUED`` replies, errors are dropped and a newer message of a
        kind replaces the older ones (only the latest settings, data... matter)."""
        kind = message.get("type")
        if kind == "frame":
            self.frame = message
        elif len(self.replies) < MAX_QUEUED:
            self.replies.append(message)
        elif kind != "error":
            self.replies = collections.deque(m for m in self.replies if m.get("type") != kind)
            self.replies.append(message)
        self.wake.set()

    def offer_frame(self, frame: dict) -> None:
        """Called from the training thread; a frame takes the slot, another message
        (a snapshot of the regions) queues as a reply."""
        try:
            self.loop.call_soon_threadsafe(self.reply, frame)
        except RuntimeError:  # the loop is closed: the page is gone
            pass

    async def send_forever(self, websocket: WebSocket) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.replies:
                await websocket.send_text(encode(self.replies.popleft()))
            if self.frame is not None:
                frame, self.frame = self.frame, None
                await websocket.send_text(encode(frame))


def _plain(value):
    """``value`` with every non-finite number as ``null`` and NumPy scalars as Python's."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    value = value.item() if hasattr(value, "item") and hasattr(value, "dtype") else value
    return None if isinstance(value, float) and not math.isfinite(value) else value


def encode(message: dict) -> str:
    """``message`` as strict JSON. Non-finite numbers never reach the page (uploads
    are checked, metrics made ``None``); if one did, it is sent as ``null`` and logged."""
    try:
        return json.dumps(message, allow_nan=False)
    except (ValueError, TypeError):
        log.error("playground: a %s message held a value JSON cannot carry",
                  message.get("type"), exc_info=True)
        return json.dumps(_plain(message), allow_nan=False, default=str)


def _too_long(size: int) -> dict:
    return error(f"message too long ({size:,} bytes; the limit is {MAX_MESSAGE:,})")


def _decode(message: Mapping[str, Any]):
    """The JSON object in a WebSocket message, or an error reply."""
    if message.get(TOO_LONG) is not None:  # dropped as it arrived (wsprotocol.py)
        return None, _too_long(message[TOO_LONG])
    text = message.get("text")
    if text is None:
        return None, error("binary messages are not understood; send JSON text")
    if len(text) > MAX_MESSAGE // 4 and len(text.encode("utf-8", "replace")) > MAX_MESSAGE:
        return None, _too_long(len(text.encode("utf-8", "replace")))
    try:
        return json.loads(text), None
    except (ValueError, RecursionError):
        return None, error("a message must be JSON text")


async def playground_socket(websocket: WebSocket) -> None:
    sessions: dict = websocket.app.state.sessions
    if not _origin_ok(websocket):
        await websocket.close(code=1008)
        return
    await websocket.accept()
    if len(sessions) >= websocket.app.state.max_sessions:
        await websocket.send_text(encode(error(
            f"too many open pages ({len(sessions)}); close one and reload")))
        await websocket.close(code=1013)
        return
    loop = asyncio.get_running_loop()
    pages = websocket.app.state.pages
    pipe = Pipe(loop)
    token = secrets.token_urlsafe(16)
    session = Session(pipe.offer_frame, token)
    sessions[token] = session
    sender = asyncio.create_task(pipe.send_forever(websocket))
    pipe.reply({"type": "hello", "token": token, "defaults": as_json(DEFAULTS),
                "defaults_url": {k: display(k, v) for k, v in DEFAULTS.items()},
                "limits": _limits()})
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            decoded, problem = _decode(message)
            if problem is None:
                try:
                    replies = await loop.run_in_executor(pages, session.handle, decoded)
                except Exception as err:  # a bug: say so, keep serving
                    log.exception("playground message failed")
                    replies = [error(f"internal error: {err}")]
            else:
                replies = [problem]
            for reply in replies:
                pipe.reply(reply)
            if sender.done():  # the page stopped listening
                break
    except Exception:  # the connection broke mid-receive
        log.debug("playground socket closed", exc_info=True)
    finally:
        sender.cancel()
        sessions.pop(token, None)
        await loop.run_in_executor(pages, session.close)


async def index(request):
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def health(request):
    return JSONResponse({"sessions": len(request.app.state.sessions)})


def create_app(*, allowed_hosts=LOOPBACK, max_sessions=MAX_SESSIONS) -> Starlette:
    """The playground as an ASGI app. ``allowed_hosts`` guards against DNS rebinding:
    a page is served only under those host names (``["*"]`` for any)."""
    hosts = sorted({h.strip("[]") for h in allowed_hosts} | set(allowed_hosts))
    app = Starlette(routes=[
        Route("/", index),
        Route("/api/health", health),
        Route("/api/model/{token}", model_file),
        Route("/api/regions/{token}", regions_png),
        WebSocketRoute("/ws", playground_socket),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ], middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)])
    app.state.sessions = {}
    app.state.max_sessions = max_sessions
    # a thread for every page (and one for each closing): a page never waits for another
    app.state.pages = ThreadPoolExecutor(2 * max_sessions, thread_name_prefix="nnlearn-page")
    app.state.exports = Exports()
    return app
