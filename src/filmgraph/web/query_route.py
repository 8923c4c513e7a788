"""``/sparql``'s query operation answered on the server's event loop: no thread, no Flask.

Every query request (``GET /sparql?...``, ``POST /sparql``) is the busiest route, and what a
request costs there is what bounds the endpoint's throughput: handed to a thread and
through Flask's request handling, each query cost the one Python web process about twice
the CPU it costs here, and sixteen threads contending for one interpreter lock on two cores
made it slower still (benchmarks/RESULTS.md, "The query route on the event loop"). Here
the request is read, planned, handed to a query worker and answered by the event loop
itself, which watches the worker's pipe (:meth:`~filmgraph.serve.WorkerPool.arun`); only a
long answer's chunks are read from the worker on a thread (their reads block).

What the request means and what the answer says is :mod:`.protocol`'s, shared with the
Flask view that answers the same requests under any other server (and the test client):
:func:`~.protocol.plan`, the result cache, :func:`~.protocol.answer_headers`, the CORS and
security headers, the error bodies and the request log are one code for both. Every other
request goes on to ``rest`` (the Flask app).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from typing import Any

from a2wsgi.asgi_typing import ASGIApp, Receive, Scope, Send
from flask import Flask
from werkzeug.http import parse_options_header

from ..core import FilmgraphError
from ..serve import Stream
from .app_state import State, state
from .connections import ClientGone, client_gone
from .errors import UNEXPECTED, error_text, retry_after
from .headers import security_headers
from .ops import cors_headers, record
from .protocol import QueryRequest, answer_headers, answered, cached, plan

log = logging.getLogger("filmgraph.web")

ROUTE = "/sparql"
_TEXT = {"Content-Type": "text/plain; charset=utf-8"}


class QueryRoute:
    """An ASGI app: query requests to ``/sparql`` answered here, the rest by ``rest``;
    a long answer's chunks read from its worker on ``executor``'s threads."""

    def __init__(self, app: Flask, rest: ASGIApp, executor: Executor) -> None:
        self.served: State = state(app)
        self.rest = rest
        self.executor = executor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_query(scope):
            await self.rest(scope, receive, send)
            return
        exchange = _Exchange(self, scope, receive, send)
        await exchange.run()


def _is_query(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["path"] != ROUTE:
        return False
    method = scope["method"]
    return method == "POST" or (method == "GET" and bool(scope["query_string"]))


class _Exchange:
    """One query request and its answer."""

    def __init__(self, route: QueryRoute, scope: Any, receive: Receive, send: Send) -> None:
        self.route = route
        self.served = route.served
        self.scope = scope
        self.receive = receive
        self.send = send
        self.started = time.perf_counter()
        self.status = 500
        self.query_hash = "-"
        self.response_started = False

    async def run(self) -> None:
        served, scope = self.served, self.scope
        try:
            await self._answer()
        except ClientGone:
            self.status = 499  # logged as nginx does: the client closed the connection
        except FilmgraphError as exc:
            await self._fail(exc.status, exc.message, retry_after(exc))
        except Exception:
            log.exception("unexpected error")
            await self._fail(500, UNEXPECTED, {})
        finally:
            record(
                served,
                scope["method"],
                scope["path"],
                ROUTE,
                self.status,
                self.started,
                self.query_hash,
            )

    async def _answer(self) -> None:
        served, scope = self.served, self.scope
        headers = _headers(scope)
        body = await self._body() if scope["method"] == "POST" else b""
        mimetype, options = parse_options_header(headers.get("content-type", ""))
        client = scope["client"][0] if scope.get("client") else "unknown"
        asked = QueryRequest(
            scope["method"],
            scope["query_string"],
            mimetype.lower(),
            options.get("charset", "utf-8").lower(),
            _length(headers.get("content-length")),
            lambda: body,
            headers.get("accept"),
            client,
        )
        planned = plan(asked, served.settings)
        self.query_hash = planned.query_hash
        served.clients.take(client)  # 429 when it has as many queries in progress as it may
        try:
            started = time.perf_counter()
            key, reply = cached(served, planned)
            fresh = reply is None
            reply = reply or await served.pool.arun(planned.job)
            reply = answered(served, key, planned.job, reply, fresh, started)
            head = {
                **answer_headers(reply, served.settings),
                **self._common(html=False),
            }
            self.status = 200
            if reply.stream is None:
                await self._respond(200, head, reply.body)
            else:
                await self._stream(head, reply.stream)
        finally:
            served.clients.give_back(client)

    async def _body(self) -> bytes:
        """The request's body (its size bounded by the server's connection, which also
        closes it when it comes too slowly)."""
        parts: list[bytes] = []
        while True:
            message: Any = await self.receive()
            if message["type"] == "http.disconnect":
                raise ClientGone("the client closed the connection")
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(parts)

    def _common(self, html: bool) -> dict[str, str]:
        return {**cors_headers(self.scope["method"]), **security_headers(html)}

    async def _fail(self, status: int, message: str, extra: dict[str, str]) -> None:
        self.status = status
        if self.response_started:  # the answer was cut short: its connection is closed
            raise _Cut(message)
        body = error_text(message).encode("utf-8")
        await self._respond(status, {**_TEXT, **extra, **self._common(html=False)}, body)

    async def _start(self, status: int, headers: dict[str, str], length: int | None) -> None:
        encoded = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        if length is not None:
            encoded.append((b"content-length", str(length).encode("ascii")))
        self.response_started = True
        await self.send({"type": "http.response.start", "status": status, "headers": encoded})

    async def _respond(self, status: int, headers: dict[str, str], body: bytes) -> None:
        await self._start(status, headers, len(body))
        await self.send({"type": "http.response.body", "body": body, "more_body": False})

    async def _stream(self, headers: dict[str, str], stream: Stream) -> None:
        """A long answer, sent chunked as its worker writes it (each chunk read on a
        thread: the pipe's reads block); its worker given back at the end, or once the
        client is gone (the rest of the answer read and dropped)."""
        loop = asyncio.get_running_loop()
        executor = self.route.executor
        chunks: Iterator[bytes] = iter(stream)
        try:
            await self._start(200, headers, None)
            while True:
                chunk = await loop.run_in_executor(executor, next, chunks, None)
                if chunk is None:
                    break
                if client_gone(self.scope):
                    raise ClientGone("the client closed the connection")
                await self.send({"type": "http.response.body", "body": chunk, "more_body": True})
            await self.send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await loop.run_in_executor(executor, stream.close)


class _Cut(Exception):
    """An answer failed after its first bytes were sent: the server closes the connection
    (the client sees a chunked body without its last chunk)."""


def _headers(scope: Any) -> dict[str, str]:
    """The request's headers by lower-case name (repeated ones joined with ", ")."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _length(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None
