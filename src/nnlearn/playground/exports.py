"""The downloads of a page: its model file and its decision-regions picture.

An export of a big network takes seconds: a regions picture evaluates the network
on 200 x 200 points and holds pyplot's lock (pyplot is not thread-safe). So
exports run on ``EXPORT_WORKERS`` threads of their own, never on the threads
that answer the pages' messages, and at most ``EXPORT_WAITING`` more may wait.
Past that the server answers at once: 503 when every place is taken, 429 when
the same page asks again before its previous export is ready. A busy server
never stalls a tab.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from starlette.responses import JSONResponse, Response

EXPORT_WORKERS = 2  #: exports computed at once
EXPORT_WAITING = 4  #: exports that may wait for a worker; more are refused (503)
_ATTR_CHARS = "!#$&+-.^_`|~"  # RFC 5987 attr-char, besides letters and digits


class Exports:
    """The export pool and the pages whose export is in flight (used on the event loop only)."""

    def __init__(self, workers: int = EXPORT_WORKERS, waiting: int = EXPORT_WAITING):
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="nnlearn-export")
        self.places = workers + waiting
        self.busy: set[str] = set()  # tokens of the pages with an export queued or running
        self.pyplot_lock = threading.Lock()

    async def run(self, token: str, work):
        """``work()`` on the pool, or a 429/503 response at once when that cannot be soon."""
        if token in self.busy:
            return _refused(429, "this page's previous export is still being prepared; "
                                 "try again when it has arrived")
        if len(self.busy) >= self.places:
            return _refused(503, f"the server is busy with {len(self.busy)} other exports; "
                                 f"try again in a few seconds")
        self.busy.add(token)
        future = asyncio.get_running_loop().run_in_executor(self.pool, work)
        # The place is freed when the work ends, not when a client gives up waiting:
        # a thread that is still drawing still takes its place.
        future.add_done_callback(lambda _: self.busy.discard(token))
        return await asyncio.shield(future)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def _refused(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers={"Retry-After": "2"})


def content_disposition(filename: str) -> str:
    """``attachment`` naming ``filename`` twice: as ASCII (other characters, quotes and
    backslashes as ``_``) for old clients, and exactly, as RFC 5987 ``filename*``
    (UTF-8, percent-encoded). Control characters are dropped: a CR or LF in a
    header would end it."""
    name = "".join(c for c in filename if c.isprintable()) or "download"
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in name)
    return (f'attachment; filename="{fallback}"; '
            f"filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}")


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": content_disposition(filename),
                             "Cache-Control": "no-store"})


def _session(request):
    session = request.app.state.sessions.get(request.path_params["token"])
    if session is None:
        return None, JSONResponse({"error": "no such page: it was closed or the server "
                                            "restarted; reload it"}, status_code=404)
    return session, None


async def model_file(request):
    """``GET /api/model/{token}?format=npz|safetensors``: the page's model file."""
    session, missing = _session(request)
    if missing:
        return missing
    suffix = request.query_params.get("format", "npz")
    if suffix not in ("npz", "safetensors"):
        return JSONResponse({"error": "format must be npz or safetensors"}, status_code=400)
    exports: Exports = request.app.state.exports
    try:
        content = await exports.run(session.token,
                                    functools.partial(session.model_bytes, "." + suffix))
    except ValueError as err:
        return JSONResponse({"error": str(err)}, status_code=409)
    if isinstance(content, Response):
        return content
    data = session.data
    stem = Path(data.name).stem[:40] if data is not None else ""
    return _download(content, "application/octet-stream", f"nnlearn-{stem or 'model'}.{suffix}")


async def regions_png(request):
    """``GET /api/regions/{token}``: the page's decision regions as a PNG picture."""
    session, missing = _session(request)
    if missing:
        return missing
    exports: Exports = request.app.state.exports

    def draw():
        with exports.pyplot_lock:
            return session.regions_png()
    try:
        content = await exports.run(session.token, draw)
    except ValueError as err:
        return JSONResponse({"error": str(err)}, status_code=409)
    if isinstance(content, Response):
        return content
    return _download(content, "image/png", "nnlearn-regions.png")
