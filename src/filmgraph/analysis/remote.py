"""A SPARQL endpoint as a :class:`filmgraph.analysis.Source`, through SPARQLWrapper.

Queries are parsed here first (a malformed one is a :class:`QuerySyntaxError` with its line
and column, before anything is sent) and sent with the project's prefixes declared, by POST,
with content negotiation only (no ``format=`` parameter): SPARQL JSON results for SELECT and
ASK, Turtle for CONSTRUCT and DESCRIBE. Failures are the project's errors: a 400 is a
:class:`QueryError` with the endpoint's message, a 403 a :class:`ForbiddenError`, anything
else (unreachable, a time-out, another HTTP status, an answer that does not parse) an
:class:`UpstreamError` naming the URL.
"""

from __future__ import annotations

import ast
import io
import urllib.error
import warnings
from http.client import HTTPException

from rdflib import Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from ..core import (
    GRAPHS,
    ForbiddenError,
    NotFoundError,
    QueryError,
    Settings,
    UpstreamError,
    sparql_prefix_header,
    unreachable,
    user_agent,
)
from ..query import prepare
from .source import FACT_COLUMNS, Source

#: Sent with every request, so that whoever runs the endpoint knows who asks.
USER_AGENT = user_agent("+https://w3id.org/filmgraph/", "notebook analysis")

#: Media types of graph results and the rdflib parser of each.
GRAPH_PARSERS = {
    "text/turtle": "turtle",
    "application/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


class RemoteSource(Source):
    """A SPARQL 1.1 endpoint, such as ``filmgraph serve``'s ``http://127.0.0.1:8000/sparql``.

    Named queries are read from the local ``queries/`` folder; :meth:`graph` and
    :meth:`describe` expect a filmgraph endpoint (its named graphs).
    """

    def __init__(self, url: str, settings: Settings, *, timeout: float = 30.0) -> None:
        super().__init__(settings)
        self.url = url
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"<RemoteSource: {self.url}>"

    def result(self, text: str) -> Result:
        kind = prepare(text).kind  # raises QuerySyntaxError with the position, sends nothing
        wrapper = SPARQLWrapper(self.url, agent=USER_AGENT)
        wrapper.setMethod(POST)
        wrapper.setOnlyConneg(True)
        # setTimeout() would cut it to whole seconds; urlopen takes any number of seconds
        wrapper.timeout = self.timeout  # type: ignore[assignment]  # declared int, used as float
        wrapper.setQuery(sparql_prefix_header() + text)
        wrapper.queryType = kind
        wrapper.setReturnFormat(JSON if kind in ("SELECT", "ASK") else TURTLE)
        try:
            response = wrapper.query().response
            body = response.read()
        except urllib.error.HTTPError as exc:
            raise self._refused(exc.code, exc.read()) from None
        except SPARQLWrapperException as exc:  # 400, 401, 404, 414 or 500, body in the text
            raise self._refused(_status(exc), _body(exc)) from None
        except (OSError, HTTPException) as exc:  # URLError and time-outs too
            raise unreachable(exc, self.url, self.timeout) from None
        if response.headers.get("Filmgraph-Truncated") == "true":
            warnings.warn(f"{self.url} cut the result at its row limit", stacklevel=3)
        return self._parse(kind, body, response.headers.get_content_type())

    def _parse(self, kind: str, body: bytes, media_type: str) -> Result:
        try:
            if kind in ("SELECT", "ASK"):
                return Result.parse(io.BytesIO(body), format="json")
            result = Result(kind)
            result.graph = Graph().parse(data=body, format=GRAPH_PARSERS.get(media_type, "turtle"))
            return result
        except Exception as exc:  # rdflib's parsers raise assorted types; all mean a bad answer
            raise UpstreamError(
                f"the answer ({media_type}) does not parse: {type(exc).__name__}: {exc}", self.url
            ) from None

    def _refused(self, status: int | None, body: bytes) -> Exception:
        message = body.decode("utf-8", "replace").strip() or "no message"
        if status == 400:
            return QueryError(f"{self.url} refused the query: {message}")
        if status == 403:
            return ForbiddenError(f"{self.url} refused the query: {message}")
        return UpstreamError(message[:500], self.url, status)

    def graph(self, name: str) -> Graph:
        if name not in GRAPHS:
            raise NotFoundError(f"no graph named {name!r}; known: {', '.join(GRAPHS)}")
        text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPHS[name]}> {{ ?s ?p ?o }} }}"
        graph = self.result(text).graph
        return graph if graph is not None else Graph()

    def facts(self, entity: URIRef) -> list[dict[str, Node | None]]:
        result = self.result(_FACTS.replace("ENTITY", f"<{entity}>"))
        rows = [{str(k): v for k, v in row.items()} for row in result.bindings]
        if not rows:
            raise NotFoundError(f"the graph says nothing about <{entity}>")
        return [{c: row.get(c) for c in FACT_COLUMNS} for row in rows]


_SIDES = "\n    UNION\n".join(
    f'    {{ GRAPH <{GRAPHS[kind]}> {{ {pattern} }} BIND("{kind}" AS ?kind) '
    f'BIND("{direction}" AS ?direction) {binds} }}'
    for direction, pattern, binds in (
        ("out", "ENTITY ?predicate ?value", "BIND(ENTITY AS ?s) BIND(?value AS ?o)"),
        ("in", "?value ?predicate ENTITY", "BIND(?value AS ?s) BIND(ENTITY AS ?o)"),
    )
    for kind in ("asserted", "inferred")
)

#: An entity's facts as :meth:`filmgraph.export.describe.Describer.describe` gives them.
_FACTS = f"""SELECT ?direction ?predicate ?value ?kind ?quote ?sentence WHERE {{
  {{
{_SIDES}
  }}
  OPTIONAL {{
    GRAPH <{GRAPHS["provenance"]}> {{
      ?statement rdf:subject ?s ; rdf:predicate ?predicate ; rdf:object ?o .
      ?claim oa:hasBody ?statement ; oa:hasTarget ?target .
      ?target oa:hasSelector ?selector ; fg:inSentence/fg:sentenceNumber ?sentence .
      ?selector oa:exact ?quote .
    }}
    FILTER(?kind = "asserted")
  }}
}}"""


def _status(exc: SPARQLWrapperException) -> int | None:
    """The HTTP status behind one of SPARQLWrapper's exceptions (its class says it)."""
    statuses = {
        "QueryBadFormed": 400,
        "Unauthorized": 401,
        "EndPointNotFound": 404,
        "URITooLong": 414,
        "EndPointInternalError": 500,
    }
    return statuses.get(type(exc).__name__)


def _body(exc: SPARQLWrapperException) -> bytes:
    """The endpoint's response, which SPARQLWrapper keeps only as the ``repr`` of its bytes
    at the end of the exception's text."""
    _, found, tail = str(exc).partition("Response:\n")
    if found:
        try:
            value = ast.literal_eval(tail.strip())
        except (ValueError, SyntaxError):
            return tail.encode("utf-8")
        if isinstance(value, bytes):
            return value
    return str(exc).encode("utf-8")


__all__ = ["USER_AGENT", "RemoteSource"]
