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
"""

from __future__ import annotations

import copy
import hashlib
import time
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, g, request

from ..core import (
    ForbiddenError,
    QueryError,
    TooLargeError,
    UnsupportedMediaTypeError,
    UriTooLongError,
)
from ..query import FAMILY, MEDIA_TYPES
from ..serve import Job, Reply, Stream
from . import description
from .app_state import current
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
    params, in_url = _params()
    texts = params.get("query", [])
    if not texts:
        raise QueryError(f"no query: {HOW}")
    if len(texts) > 1:
        raise QueryError(f"the query parameter appears {len(texts)} times; send exactly one")
    text = texts[0]
    if not text.strip():
        raise QueryError(f"the query is empty: {HOW}")
    state = current()
    limit = state.settings.max_query_length
    if len(text) > limit:
        too_long = UriTooLongError if in_url else TooLargeError
        raise too_long(f"the query has {len(text)} characters; the limit is {limit}")
    g.query_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    formats = choices(request.headers.get("Accept"), _single(params, "format"))
    job = Job(
        text,
        _graphs(params, "default-graph-uri"),
        _graphs(params, "named-graph-uri"),
        formats,
        state.settings.base_iri,
    )
    client = request.remote_addr or "unknown"
    state.clients.take(client)  # 429 when it has as many queries in progress as it may
    try:
        reply = _reply(job, formats)
    except BaseException:
        state.clients.give_back(client)
        raise
    family = FAMILY[reply.kind or "SELECT"]
    if reply.stream is None:
        state.clients.give_back(client)
        response = Response(reply.body, status=200)
    else:  # sent as written (chunked); the worker and the client's slot are given back at its end
        response = Response(_Sent(reply.stream, lambda: state.clients.give_back(client)))
    response.headers["Content-Type"] = f"{MEDIA_TYPES[family][reply.format or '']}; charset=utf-8"
    response.headers["Vary"] = "Accept"
    if reply.truncated:
        response.headers["Filmgraph-Truncated"] = "true"
        response.headers["Filmgraph-Max-Rows"] = str(state.settings.max_rows)
    return response


def _reply(job: Job, formats: dict[str, str | None]) -> Reply:
    """The answer to ``job``: from the result cache, or from a worker (kept in the cache
    when whole, and when the same query would get it again)."""
    state = current()
    started = time.perf_counter()
    key = (job.query, job.default_graphs, job.named_graphs, tuple(sorted(formats.items())))
    reply = state.results.get(key)
    if reply is None:
        reply = state.pool.run(job)
        if reply.status < 500 and reply.stream is None:  # failures differ next time
            said = reply.error.message if reply.error else ""
            state.results.put(key, reply, len(reply.body) + len(said) + len(job.query) + 256)
    if reply.error is not None:
        raise copy.copy(reply.error)  # a cached error is shared: each request raises its own
    state.metrics.query(time.perf_counter() - started, reply.truncated)
    return reply


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


def _params() -> tuple[dict[str, list[str]], bool]:
    """The protocol parameters of this request, and whether the query came in the URL."""
    params = _decode(request.query_string, "the URL's query string")
    in_url = "query" in params
    if request.method == "POST":
        mimetype = request.mimetype
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if mimetype == UPDATE or "update" in params:
            raise _read_only()
        if charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaTypeError(f"the request body must be UTF-8, not {charset}")
        _check_length()
        if mimetype == FORM:
            body = _decode(request.get_data(cache=False), "the form body")
            if "update" in body:
                raise _read_only()
            for name, values in body.items():
                params.setdefault(name, []).extend(values)
        elif mimetype == DIRECT:
            params.setdefault("query", []).append(_utf8(request.get_data(cache=False), "body"))
        elif not mimetype:
            raise UnsupportedMediaTypeError(f"a POST needs a Content-Type: {HOW}")
        else:
            raise UnsupportedMediaTypeError(f"cannot take a {mimetype} body: {HOW}")
    elif "update" in params:
        raise _read_only()
    return params, in_url


def _check_length() -> None:
    limit = current().settings.max_body
    if request.content_length is not None and request.content_length > limit:
        raise TooLargeError(
            f"the request body has {request.content_length} bytes; the limit is {limit}"
        )


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
