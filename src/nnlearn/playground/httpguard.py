"""uvicorn's HTTP/1.1 protocol with two guards against slow or greedy clients.

uvicorn arms no timer on a new connection, so a client that sends its request
headers one byte at a time (or never) holds the connection for ever: a review
held 1,020 connections to the playground that way. Here:

- a connection must deliver a complete request (line and headers) within
  ``HEADER_TIMEOUT_S`` seconds of opening, and again within that time after
  each response (the idle timeout), else it is closed; a WebSocket, once
  upgraded, is a page and may stay idle;
- one client address holds at most ``MAX_CONNECTIONS_PER_CLIENT`` connections
  (HTTP and WebSocket together); a connection past it is closed at once.

Both caps live in ``nnlearn.limits``.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol

from ..limits import HEADER_TIMEOUT_S, MAX_CONNECTIONS_PER_CLIENT


class GuardedH11Protocol(H11Protocol):
    """``H11Protocol`` with a deadline for each request's headers and a cap per client."""

    _deadline: asyncio.TimerHandle | None = None
    header_timeout_s: float = HEADER_TIMEOUT_S
    per_client: int = MAX_CONNECTIONS_PER_CLIENT

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = self.client[0] if self.client else None
        held = 0
        for connection in self.connections:  # HTTP and WebSocket protocols alike
            client = getattr(connection, "client", None) or (None,)
            held += client[0] == address
        if address is not None and held > self.per_client:
            transport.close()  # connection_lost follows, and forgets it
            return
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.header_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _busy(self) -> bool:
        """A request whose headers arrived is being answered, or the connection became a
        WebSocket (another protocol now reads it)."""
        upgraded = self.transport.get_protocol() is not self
        return upgraded or (self.cycle is not None and not self.cycle.response_complete)

    def handle_events(self) -> None:
        super().handle_events()
        if self._busy():
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request's headers get the same time: an idle timeout

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _too_slow(self) -> None:
        self._deadline = None
        if not self._busy() and not self.transport.is_closing():
            self.transport.close()
