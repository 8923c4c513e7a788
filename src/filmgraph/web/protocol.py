"""The SPARQL 1.1 Protocol's query operation at ``/sparql``, exactly.

- ``GET /sparql?query=...``, ``POST`` ``application/x-www-form-urlencoded`` (``query=`` in
  the body) and ``POST`` ``application/sparql-query`` (the query is the body), each with
  optional ``default-graph-uri`` / ``named-graph-uri`` (taking precedence over the query's
  FROM / FROM NAMED) and ``format=``.
- ``GET /sparql`` with no parameters at all: the Service Description, or the query page
  (:mod:`.query_page`) for a client that prefers HTML (a browser).
- Everything else is a 4xx with a plain message: no/empty/repeated ``query`` (400),
  a body that is not UTF-8 (400), a wrong or missing Content-Type (415), an update (403),
  a query longer than ``max_query_length`` (413, or 414 in a URL), a body longer than
  ``max_body`` (413), other methods (405).

What a query request means and what its answer says is framework-free here
(:class:`QueryRequest`, :func:`plan`, :func:`cached`, :func:`answered`,
:func:`answer_headers`), shared by the Flask view below (any WSGI server, the test client)
and the route ``filmgraph serve`` answers queries with on its event loop
(:mod:`.query_route`), so that both answer alike (tests/test_query_route.py).
"""

from __future__ import annotations

import copy
import hashlib
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, g, request

from ..core import (
    ForbiddenError,
    QueryError,
    Settings,
    TooLargeError,
    UnsupportedMediaTypeError,
    UriTooLongError,
)
from ..query import FAMILY, MEDIA_TYPES
from ..serve import Job, Reply, Stream
from . import description
from .app_state import State, current
from .negotiation import choices
from .query_page import render_query_page

blueprint = Blueprint("protocol", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
HOW = (
    "send the query as ?query=... (GET), as query=... in an "
    f"{FORM} body (POST), or as the body of a POST with Content-Type {DIRECT}"
)


@dataclass(frozen=True)
class QueryRequest:
    """A query operation as it came, whatever serves it: the Flask view below, or the
    server's own route (:mod:`.query_route`), which answers it without Flask."""

    method: str
    query_string: bytes
    #: The body's media type (lower case, no parameters; "" without Content-Type) and charset.
    mimetype: str
    charset: str
    content_length: int | None
    #: The body (read when the request's media type says there is a query in it).
    body: Callable[[], bytes]
    accept: str | None
    client: str


@dataclass(frozen=True)
class Planned:
    """What a query request asks: the job for a worker (its formats chosen) and the
    query's hash (the request log's, never the query itself)."""

    job: Job
    query_hash: str


def plan(asked: QueryRequest, settings: Settings) -> Planned:
    """The job ``asked`` stands for.

    Raises:
        FilmgraphError: the request is not a query operation filmgraph answers (400, 403,
            413, 414, 415, 406; the message says what was wrong).
    """
    params, in_url = _params(asked, settings.max_body)
    texts = params.get("query", [])
    if not texts:
        raise QueryError(f"no query: {HOW}")
    if len(texts) > 1:
        raise QueryError(f"the query parameter appears {len(texts)} times; send exactly one")
    text = texts[0]
    if not text.strip():
        raise QueryError(f"the query is empty: {HOW}")
    limit = settings.max_query_length
    if len(text) > limit:
        too_long = UriTooLongError if in_url else TooLargeError
        raise too_long(f"the query has {len(text)} characters; the limit is {limit}")
    formats = choices(asked.accept, _single(params, "format"))
    job = Job(
        text,
        _graphs(params, "default-graph-uri"),
        _graphs(params, "named-graph-uri"),
        formats,
        settings.base_iri,
    )
    return Planned(job, hashlib.sha256(text.encode("utf-8")).hexdigest()[:12])


def answer_headers(reply: Reply, settings: Settings) -> dict[str, str]:
    """The headers of a query's answer: its media type, ``Vary`` and the truncation."""
    family = FAMILY[reply.kind or "SELECT"]
    headers = {
        "Content-Type": f"{MEDIA_TYPES[family][reply.format or '']}; charset=utf-8",
        "Vary": "Accept",
    }
    if reply.truncated:
        headers["Filmgraph-Truncated"] = "true"
        headers["Filmgraph-Max-Rows"] = str(settings.max_rows)
    return headers


def cached(served: State, planned: Planned) -> tuple[Hashable, Reply | None]:
    """The result cache's key for ``planned`` and the answer it holds, if any."""
    key = planned.job.key
    return key, served.results.get(key)


def answered(
    served: State, key: Hashable, job: Job, reply: Reply, fresh: bool, started: float
) -> Reply:
    """``reply`` taken in: kept in the result cache when ``fresh`` from a worker and whole
    (and when the same query would get it again), its error raised, else counted in the
    metrics with the time since ``started`` (``time.perf_counter()``).

    Raises:
        FilmgraphError: the query's error.
    """
    if fresh and reply.status < 500 and reply.stream is None:  # failures differ next time
        said = reply.error.message if reply.error else ""
        served.results.put(key, reply, len(reply.body) + len(said) + len(job.query) + 256)
    if reply.error is not None:
        raise copy.copy(reply.error)  # a cached error is shared: each request raises its own
    served.metrics.query(time.perf_counter() - started, reply.truncated)
    return reply


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    if request.method == "GET" and not request.query_string:
        # A browser gets the query page. RDF comes first among the offers, so */* (curl)
        # still gets the Turtle Service Description.
        offers = ["text/turtle", "application/ld+json", "text/html"]
        if request.accept_mimetypes.best_match(offers) == "text/html":
            page = Response(render_query_page(), mimetype="text/html")
            page.headers["Vary"] = "Accept"
            return page
        return description.service_description_response()
    state = current()
    asked = QueryRequest(
        request.method,
        request.query_string,
        request.mimetype,
        request.mimetype_params.get("charset", "utf-8").lower(),
        request.content_length,
        lambda: request.get_data(cache=False),
        request.headers.get("Accept"),
        request.remote_addr or "unknown",
    )
    planned = plan(asked, state.settings)
    g.query_hash = planned.query_hash
    client = asked.client
    state.clients.take(client)  # 429 when it has as many queries in progress as it may
    try:
        started = time.perf_counter()
        key, reply = cached(state, planned)
        fresh = reply is None
        reply = reply or state.pool.run(planned.job)
        reply = answered(state, key, planned.job, reply, fresh, started)
    except BaseException:
        state.clients.give_back(client)
        raise
    if reply.stream is None:
        state.clients.give_back(client)
        response = Response(reply.body, status=200)
    else:  # sent as written (chunked); the worker and the client's slot are given back at its end
        response = Response(_Sent(reply.stream, lambda: state.clients.give_back(client)))
    response.headers.update(answer_headers(reply, state.settings))
    return response


class _Sent:
    """A streamed answer as a WSGI body: its chunks as the server sends them; closed (sent
    whole, or the client gone), the worker goes back to the pool and ``done`` is called."""

    def __init__(self, stream: Stream, done: Callable[[], None]) -> None:
        self.stream = stream
        self.done: Callable[[], None] | None = done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.stream)

    def close(self) -> None:
        try:
            self.stream.close()
        finally:
            done, self.done = self.done, None
            if done is not None:
                done()


def _params(asked: QueryRequest, max_body: int) -> tuple[dict[str, list[str]], bool]:
    """The protocol parameters of a request, and whether the query came in the URL."""
    params = _decode(asked.query_string, "the URL's query string")
    in_url = "query" in params
    if asked.method == "POST":
        mimetype = asked.mimetype
        if mimetype == UPDATE or "update" in params:
            raise _read_only()
        if asked.charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaTypeError(f"the request body must be UTF-8, not {asked.charset}")
        if asked.content_length is not None and asked.content_length > max_body:
            raise TooLargeError(
                f"the request body has {asked.content_length} bytes; the limit is {max_body}"
            )
        if mimetype == FORM:
            body = _decode(asked.body(), "the form body")
            if "update" in body:
                raise _read_only()
            for name, values in body.items():
                params.setdefault(name, []).extend(values)
        elif mimetype == DIRECT:
            params.setdefault("query", []).append(_utf8(asked.body(), "body"))
        elif not mimetype:
            raise UnsupportedMediaTypeError(f"a POST needs a Content-Type: {HOW}")
        else:
            raise UnsupportedMediaTypeError(f"cannot take a {mimetype} body: {HOW}")
    elif "update" in params:
        raise _read_only()
    return params, in_url


def _read_only() -> ForbiddenError:
    return ForbiddenError("this endpoint is read-only: SPARQL Update is not accepted")


def _decode(raw: bytes, where: str) -> dict[str, list[str]]:
    text = _utf8(raw, where)
    try:
        return parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise QueryError(f"{where} has percent-escapes that are not UTF-8: {exc.reason}") from exc


def _utf8(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryError(
            f"{where} is not valid UTF-8 (byte {exc.start}: {raw[exc.start : exc.start + 1]!r})"
        ) from exc


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise QueryError(f"the {name} parameter appears {len(values)} times; send one")
    return values[0] if values else None


def _graphs(params: dict[str, list[str]], name: str) -> tuple[str, ...] | None:
    values = params.get(name)
    if values is None:
        return None
    for value in values:
        parts = urlsplit(value)
        if not parts.scheme or any(c in value for c in '<>" {}|\\^`'):
            raise QueryError(f"{name} must be an absolute IRI, not {value!r}")
    return tuple(values)
