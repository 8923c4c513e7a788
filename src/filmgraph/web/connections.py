"""The server's connections, bounded so that slow or silent clients cannot take it.

:class:`Connection` is uvicorn's HTTP/1.1 protocol (httptools, llhttp's parser in C) with
what it lacks for serving in the open (docs/guide/production.md, "Connections"):

- **Framing** (RFC 9112): a request with both Content-Length and Transfer-Encoding (§6.1)
  or with more than one Host (§3.2) is answered ``400`` and the connection closed, so that
  whatever followed on it (a request smuggled in the body) is never read.
- **Sizes**: request headers past :data:`MAX_HEADER_BYTES` are answered ``431``, a URL
  past :data:`MAX_URL_BYTES` (the most httptools' URL parser reads) ``414``, a body past
  ``max_body`` (its Content-Length, or the chunks as they come) ``413``, each closed.
- **Deadlines**, checked every second by :meth:`Connections.maintain`: a connection is
  closed whose request headers are not complete ``header_timeout`` seconds after their
  first byte (a slowloris client sending a header line every few seconds is never idle),
  whose body is not complete ``body_timeout`` seconds after its headers, that has sent
  nothing (since it opened, or since its last answer) for ``idle_timeout`` seconds, or
  that has read none of the answer waiting for it for as long: an answer waits in memory
  up to :data:`WRITE_BUFFER_HIGH` bytes, then its sender waits for the client, so a
  client that stops reading holds a query worker for ``idle_timeout`` seconds at most.
- **The connection limit**: past ``connection_limit`` open connections each new one makes
  room by closing the one that has kept the server waiting longest, idle or still sending
  its headers (rather than stop accepting, which would queue every new client behind a
  flood in the listen backlog).
"""

from __future__ import annotations

import asyncio
import heapq
import time
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..core import Settings

#: Bytes of request headers taken (256 KiB, as waitress and Tomcat take).
MAX_HEADER_BYTES = 256 * 1024
#: Bytes of an answer kept for a client that has not read them yet.
WRITE_BUFFER_HIGH = 1024 * 1024


class Connections:
    """Every open :class:`Connection` of a server, its limit and its deadlines."""

    def __init__(self, limits: Settings) -> None:
        self.limits = limits
        self.open: set[Connection] = set()

    def add(self, connection: Connection) -> None:
        """Take ``connection``, closing those that give way first past the limit."""
        self.open.add(connection)
        excess = len(self.open) - self.limits.connection_limit
        if excess > 0:
            givers = (c for c in self.open if c is not connection and c.evictable())
            for giver in heapq.nsmallest(excess, givers, key=Connection.waiting_since):
                giver.close()

    def maintain(self, now: float) -> None:
        """Close every connection past a deadline (called every second)."""
        for connection in list(self.open):
            if connection.stalled(now) or connection.overdue(now):
                connection.close()


class Connection(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 connection, knowing when its request in progress started, when
    its headers were complete and when its client last took any of its answer."""

    def __init__(self, config: Any, server_state: Any, **kw: Any) -> None:
        super().__init__(config, server_state, **kw)
        self.registry: Connections = config.connections  # the server's own set (bounds)
        self.limits: Settings = config.connections.limits
        now = time.monotonic()
        self.last_activity = now  # a byte received, or the last answer sent
        self.request_started: float | None = None  # the first byte of a request not yet whole
        self.headers_done: float | None = None  # its headers complete, its body not
        self.header_bytes = 0
        self.body_bytes = 0
        self.unread = 0  # bytes of its answer the client had not taken at the last look
        self.read_since = now  # when it last took some of its answer

    # asyncio's protocol

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # a TCP transport, as uvicorn takes it
        super().connection_made(transport)
        transport.set_write_buffer_limits(high=WRITE_BUFFER_HIGH)
        self.registry.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.registry.open.discard(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        self.last_activity = now
        if self.request_started is None:
            self.request_started = now
        if self.headers_done is None:
            self.header_bytes += len(data)
        super().data_received(data)
        if self.headers_done is None and self.header_bytes > MAX_HEADER_BYTES:
            self.refuse(431, f"the request headers pass {MAX_HEADER_BYTES} bytes")

    # httptools' callbacks

    def on_headers_complete(self) -> None:
        self.headers_done = time.monotonic()
        self.body_bytes = 0
        why = (
            _framing_error(self.headers)
            or _large_head(self.url, self.headers)
            or _long_url(self.url)
            or self._too_long()
        )
        if why:
            status, message = why
            self.refuse(status, message)
            raise _Refused  # stops the parser: nothing after this request is read
        super().on_headers_complete()
        # the request's cycle: whether its client is gone (client_gone)
        cast(dict[str, Any], self.scope)[_CYCLE] = self.cycle
        cast(Any, self.cycle).transport = _Corked(self.transport, self.loop)  # one send

    def on_body(self, body: bytes) -> None:
        self.body_bytes += len(body)
        if self.body_bytes > self.limits.max_body:
            self.refuse(413, f"the request body passes {self.limits.max_body} bytes")
            raise _Refused
        super().on_body(body)

    def on_message_complete(self) -> None:
        self.request_started = self.headers_done = None
        self.header_bytes = 0
        super().on_message_complete()

    def on_response_complete(self) -> None:
        self.last_activity = time.monotonic()
        super().on_response_complete()

    # the limits

    def _too_long(self) -> tuple[int, str] | None:
        for name, value in self.headers:
            if name == b"content-length" and value.isdigit() and int(value) > self.limits.max_body:
                return 413, (
                    f"the request body has {int(value)} bytes; the limit is {self.limits.max_body}"
                )
        return None

    def send_400_response(self, msg: str) -> None:
        # uvicorn's answer to a parser error, also raised by a request refused here
        if not self.transport.is_closing():
            super().send_400_response(msg)

    def refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with ``message`` and close the connection."""
        if self.transport.is_closing():
            return
        body = f"{status} {_REASONS[status]}: {message}\n".encode()
        head = (
            f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode("ascii")
        self.transport.write(head + body)
        self.transport.close()

    def answering(self) -> bool:
        """Whether a request is being answered (its answer not all handed to the socket)."""
        cycle: Any = self.cycle  # None before the first request (uvicorn types it as set)
        return cycle is not None and not cycle.response_complete

    def stalled(self, now: float) -> bool:
        """Whether the client has taken none of the answer waiting for it for
        ``idle_timeout`` seconds (the answer's sender waits for it meanwhile)."""
        if self.transport.is_closing():
            return False
        unread = self.transport.get_write_buffer_size()
        if not unread or unread < self.unread:
            self.read_since = now
        self.unread = unread
        return bool(unread) and now - self.read_since > self.limits.idle_timeout

    def overdue(self, now: float) -> bool:
        """Whether the connection is past a deadline (never while a request is answered)."""
        if self.answering():
            return False
        if self.headers_done is not None:
            return now - self.headers_done > self.limits.body_timeout
        if self.request_started is not None:
            return now - self.request_started > self.limits.header_timeout
        return now - self.last_activity > self.limits.idle_timeout and not self.unread

    def waiting_since(self) -> float:
        """Since when the connection has kept the server waiting: the first byte of its
        request in progress, else its last activity. At the connection limit the longest
        waiting give way first (a new connection has kept no one waiting yet)."""
        return self.request_started or self.last_activity

    def evictable(self) -> bool:
        """Whether it may give way: never with a body under way, a request being answered
        or an answer being sent."""
        return not (self.answering() or self.headers_done or self.unread)

    def close(self) -> None:
        """Close the connection now (an answer in progress is cut)."""
        if not self.transport.is_closing():
            self.transport.close()


class ClientGone(ConnectionError):
    """The client closed its connection before its answer was sent."""


#: Where a request's scope holds its cycle (uvicorn's request and response state).
_CYCLE = "filmgraph.cycle"


def client_gone(scope: Any) -> bool:
    """Whether the client of the request ``scope`` stands for has closed its connection
    (never, for a request this server's :class:`Connection` did not read)."""
    cycle = scope.get(_CYCLE)
    return cycle is not None and bool(cycle.disconnected)


class _Corked:
    """A connection's transport as its response is written to it: what is written in one
    turn of the event loop leaves in one send, so a short answer's head and body go
    together (one system call, one packet) rather than the head first."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(data)

    def flush(self) -> None:
        """Hand what is held to the transport."""
        if self._held:
            data = b"".join(self._held)
            self._held.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def close(self) -> None:
        self.flush()
        self._transport.close()


class _Refused(Exception):
    """Raised from a parser callback: the request was refused and the connection closed."""


_REASONS = {
    400: "Bad Request",
    413: "Content Too Large",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
}
#: Bytes of a request's target (its path and query string) the parser reads.
MAX_URL_BYTES = 65_535


def _large_head(url: bytes, headers: list[tuple[bytes, bytes]]) -> tuple[int, str] | None:
    """431 for a request whose headers came whole in one read but pass the limit (one that
    trickles in is refused as its bytes pass it: :meth:`Connection.data_received`)."""
    size = len(url) + sum(len(name) + len(value) + 4 for name, value in headers)
    if size <= MAX_HEADER_BYTES:
        return None
    return 431, f"the request headers pass {MAX_HEADER_BYTES} bytes"


def _long_url(url: bytes) -> tuple[int, str] | None:
    if len(url) <= MAX_URL_BYTES:
        return None
    return 414, (
        f"the URL has {len(url)} bytes; the limit is {MAX_URL_BYTES}: send a long query in"
        " the body of a POST"
    )


def _framing_error(headers: list[tuple[bytes, bytes]]) -> tuple[int, str] | None:
    names = [name for name, _ in headers]
    if b"content-length" in names and b"transfer-encoding" in names:
        return 400, "both Content-Length and Transfer-Encoding (RFC 9112, 6.1)"
    hosts = [value for name, value in headers if name == b"host"]
    if len(hosts) > 1 or b"," in b"".join(hosts):  # two Hosts, or one naming a list
        return 400, "more than one Host (RFC 9112, 3.2)"
    return None
