"""uvicorn's WebSocket protocol, except for messages over the size limit.

uvicorn (through ``websockets``) closes the connection with code 1009 when a
message exceeds ``ws_max_size``, so the page could not be told why, and a page
that sent one file too many lost its session. Here the frames of such a message
are read and forgotten as they arrive (never held: memory stays at one chunk),
and the app receives one event in its place, ``{"type": "websocket.receive",
TOO_LONG: size}``. The app answers it with an error; the connection stays open.

It follows the frame layout of RFC 6455 (section 5.2) as ``websockets``'
``Frame.parse`` reads it: two header bytes, an extended length, the mask, the
payload. Compression (permessage-deflate) is not offered: a dropped message would
break the compressor's shared context, and the page is on this machine anyway.
"""

from __future__ import annotations

import logging
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.server import ServerProtocol

from .server import TOO_LONG
_MARK = b"\x00nnlearn: dropped message of "  # the payload that ends one, then its size
_CHUNK = 1 << 16  # bytes read (and forgotten) at a time from a dropped message
_TEXT, _BINARY, _CONTINUATION = 1, 2, 0


def _masked(payload: bytes, mask: bytes | None) -> bytes:
    """``payload`` as the client sends it (``Frame.parse`` unmasks what it reads)."""
    if mask is None:
        return payload
    return bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class DroppingReader:
    """Stands in for the ``read_exact`` of a ``websockets`` stream reader: passes frames
    through, except the payload of a message past ``limit`` bytes, which it skips."""

    def __init__(self, reader, limit: int):
        self._read = reader.read_exact  # the reader's own method
        self.limit = limit
        self._next = "head"
        self.fin, self.opcode, self.masked, self.length = True, _TEXT, True, 0
        self.mask: bytes | None = None
        self.size, self.dropping = 0, False  # of the message being received

    def read_exact(self, n: int):
        """A generator, as ``websockets.streams.StreamReader.read_exact``."""
        if self._next == "payload":
            return (yield from self._payload(n))
        data = yield from self._read(n)
        if self._next == "head":
            self.fin, self.opcode = bool(data[0] & 0x80), data[0] & 0x0F
            self.masked, self.mask = bool(data[1] & 0x80), None
            code = data[1] & 0x7F
            self.length = code
            self._next = {126: "length", 127: "length"}.get(code, "mask")
        elif self._next == "length":
            self.length = int.from_bytes(data, "big")
            self._next = "mask"
        else:  # the mask
            self.mask = bytes(data)
            self._next = "payload"
        if self._next == "mask" and not self.masked:
            self._next = "payload"
        return data

    def _payload(self, n: int):
        self._next = "head"
        if self.opcode not in (_TEXT, _BINARY, _CONTINUATION):  # control frames: <= 125 bytes
            return (yield from self._read(n))
        if self.opcode != _CONTINUATION:  # a new message
            self.size, self.dropping = 0, False
        self.size += n
        if not self.dropping and self.size <= self.limit:
            return (yield from self._read(n))
        self.dropping = True
        left = n
        while left:
            step = min(left, _CHUNK)
            yield from self._read(step)
            left -= step
        return _masked(_MARK + str(self.size).encode() if self.fin else b"", self.mask)


class PlaygroundWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol with ``DroppingReader`` at
    ``config.ws_max_size`` bytes (give it to ``uvicorn.Config(ws=...)``)."""

    def __init__(self, config, server_state, app_state, _loop=None):
        super().__init__(config, server_state, app_state, _loop)
        self.conn = ServerProtocol(extensions=[], max_size=None,
                                   logger=logging.getLogger("uvicorn.error"))
        self.conn.reader.read_exact = DroppingReader(self.conn.reader,
                                                     config.ws_max_size).read_exact

    def send_receive_event_to_app(self) -> None:
        last = bytes(self.frames[-1][:len(_MARK)]) if self.frames else b""
        if last != _MARK:
            return super().send_receive_event_to_app()
        size = bytes(self.frames[-1][len(_MARK):])  # a page could forge the mark: no harm
        self.frames = []
        if self.close_sent:
            return
        # an event of uvicorn's own shape plus our key: its type stubs do not know that key
        event: Any = {"type": "websocket.receive", "text": None, "bytes": None,
                      TOO_LONG: int(size) if size.isdigit() else 0}
        self.queue.put_nowait(event)
        if not self.read_paused:  # as uvicorn does: one message at a time
            self.read_paused = True
            self.transport.pause_reading()
