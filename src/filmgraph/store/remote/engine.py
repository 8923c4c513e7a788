"""The remote backend (``store=remote:URL``): queries answered by a SPARQL 1.1 store that
holds our graphs (``filmgraph push`` puts them there), over the SPARQL 1.1 Protocol.

The rules stay the library's: every query is first parsed by rdflib
(:class:`~filmgraph.query.Engine`), so updates, SERVICE off the allow-list and graphs we do
not hold are refused before anything is sent. Only then is the query text sent to the
store's query endpoint, its dataset always made explicit by the protocol's
``default-graph-uri`` / ``named-graph-uri`` parameters (the default graph the union of
asserted, inferred and links unless FROM or the protocol say otherwise). The protocol makes
those parameters win over the query's own FROM / FROM NAMED, and they only ever name graphs
the store holds, so a store that would dereference a FROM IRI never sees one it lacks; as a
second guard, a query whose own FROM names a graph we do not hold is refused even when the
protocol's parameters override it. An empty default graph, or no named graphs, is sent as
the graph :data:`EMPTY`, a ``urn:`` that names nothing to fetch: a store that takes a
missing ``named-graph-uri`` to mean all its graphs (Virtuoso does) is never left to choose.
SERVICE calls on the allow-list are made by the store itself.

The project's prefixes are declared before the query's text, as rdflib predeclares them.
Answers come back as SPARQL JSON results (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE).
SELECT and ASK answers are read by Oxigraph's parser as they arrive and written again by
its writers, as the embedded Oxigraph store's own answers are
(:func:`~filmgraph.query.read_results`; rdflib terms are made only when a caller reads
``result``): with no row cap a SELECT's rows are written as they are read, so no process
holds a long answer whole; with one, no more than the cap is read. Graphs become rdflib
graphs. Every
serializer, cap and route works unchanged. A store that
fails, cannot be reached, times out or answers something else is an
:class:`~filmgraph.core.errors.UpstreamError` (502) naming its URL and status.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from rdflib import Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.query import Result

from ...core import (
    GRAPHS,
    QueryError,
    SettingError,
    UpstreamError,
    literals_as_written,
    sparql_prefix_header,
)
from ...query import Answer, Engine, Prepared, answering, buffer_full, cap, read_results
from .client import OpenAnswer, RemoteStore, cut_error

#: Our prefixes, declared before the query's own prologue (which may redefine them): the
#: store does not predeclare them as we do.
PROLOGUE = sparql_prefix_header()

#: Sent as ``default-graph-uri`` when a query's default graph is empty (FROM NAMED alone).
EMPTY = "urn:filmgraph:empty"

#: The graphs the pages, ``/explain`` and the data documents read (describe.py, explain.py).
PAGES_NEED = ("ontology", "asserted", "inferred")

#: What we ask for, and how each media type the store may answer with is read.
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.8, application/rdf+xml;q=0.5"
RESULT_FORMATS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
}
GRAPH_FORMATS = {
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
}


class RemoteEngine(Engine):
    """Runs SPARQL on a remote SPARQL 1.1 store, under the same rules as :class:`QueryEngine`.

    Args:
        store: the store's client (only its query endpoint is used).
        graphs: the graphs it holds that we serve; asked of the store when None
            (:func:`held_graphs`).
        allowed_services, max_rows: see :class:`~filmgraph.query.engine.Engine`.

    Raises:
        UpstreamError: (from :meth:`run`) the store failed or gave an unreadable answer.
    """

    def __init__(
        self,
        store: RemoteStore,
        *,
        graphs: Iterable[str] | None = None,
        allowed_services: Iterable[str] = (),
        max_rows: int | None = None,
        cache_size: int = 256,
    ) -> None:
        held = held_graphs(store) if graphs is None else graphs
        super().__init__(
            [URIRef(str(g)) for g in held],
            allowed_services=allowed_services,
            max_rows=max_rows,
            cache_size=cache_size,
        )
        self.store = store

    def evaluate(
        self, prepared: Prepared, default: tuple[URIRef, ...], named: tuple[URIRef, ...]
    ) -> Answer:
        own = self.dataset(prepared.default_graphs, prepared.named_graphs)  # its FROM too
        if self.store.endpoints.from_wins and prepared.default_graphs is not None:
            _same_dataset(own, (default, named), self.store.endpoints.query)
        graph_result = prepared.kind in ("CONSTRUCT", "DESCRIBE")
        with answering("remote", prepared.services):
            said = self.store.open_query(
                _base(prepared.base) + PROLOGUE + prepared.text,  # BASE first: Virtuoso needs it
                GRAPH_ACCEPT if graph_result else RESULTS_ACCEPT,
                [str(g) for g in default] or [EMPTY],
                [str(g) for g in named] or [EMPTY],
            )
        answer = (
            self._graph(prepared.kind, said) if graph_result else self._results(prepared.kind, said)
        )
        if said.cut_at is not None:  # the store cut it at a limit of its own: not all of it
            answer.truncated = True
        return answer

    def _graph(self, kind: str, said: OpenAnswer) -> Answer:
        """A CONSTRUCT or DESCRIBE answer: the store's triples as an rdflib graph."""
        result = Result(kind)
        result.graph = _graph(said.media_type, said.whole(), said.url)
        return cap(Answer(kind, result), self.max_rows)

    def _results(self, kind: str, said: OpenAnswer) -> Answer:
        """A SELECT or ASK answer, read by Oxigraph as it arrives (:func:`read_results`):
        with no row cap, its rows are written as they are read, never held; with one, it
        is read up to the cap and the rest is not. Answers Oxigraph cannot read are read
        whole by rdflib's parsers, which say what is wrong."""
        fmt = RESULT_FORMATS.get(said.media_type, "")
        source = BlankLabels(said) if fmt == "json" else said
        read = read_results(kind, source, fmt, self.max_rows, lambda: _reading(said))
        if read is None:
            result = _results(said.media_type, said.whole(), said.url, kind)
            return cap(Answer(kind, result), self.max_rows)
        said.recording = False
        if not read.pending:
            said.close()
        return read


Graphs = tuple[tuple[URIRef, ...], tuple[URIRef, ...]]


#: A blank node's value in SPARQL JSON as Virtuoso writes it (``"nodeID://b10001"``), which
#: Oxigraph's reader refuses (a label is a name, no ``:`` or ``/``). It matches only the
#: structure, never a string's text: inside a JSON string every ``"`` is escaped.
_VIRTUOSO_BLANK = re.compile(
    rb'"type"\s{0,8}:\s{0,8}"bnode"\s{0,8},\s{0,8}"value"\s{0,8}:\s{0,8}"nodeID://'
)
#: Longer than any match of :data:`_VIRTUOSO_BLANK`.
_LONGEST_MATCH = 128
#: What every match holds: a block without it is passed on with no regular expression run.
_LABEL = b"nodeID://"
#: Bytes asked of the store's answer at a time, whatever the reader asks for: Oxigraph's
#: reader asks for a few kilobytes at a time, and each read of the answer costs Python calls.
READ_AHEAD = 1 << 16


class BlankLabels:
    """A store's SPARQL JSON answer as it is read, each blank node labelled
    ``nodeID://b1`` (Virtuoso) relabelled ``nodeID_b1``, a label Oxigraph reads (blank
    node labels are local to an answer; no other is changed). The answer is read
    :data:`READ_AHEAD` bytes at a time; the last bytes read are held until the next read,
    so that a label split between two reads is relabelled too; a read gives at most
    ``size`` bytes, as a file does (Oxigraph's reader relies on it).
    """

    def __init__(self, source: OpenAnswer) -> None:
        self._source = source
        self._held = b""  # read, not yet relabelled: may start a label
        self._ready = b""  # relabelled; given up to self._given
        self._given = 0

    def read(self, size: int = -1, /) -> bytes:
        if size < 0:  # all that is left
            rest = self._ready[self._given :]
            self._fill(-1)
            rest, self._ready = rest + self._ready, b""
            return rest
        while self._given >= len(self._ready) and self._fill(size):
            pass
        start = self._given
        self._given = min(len(self._ready), start + size)
        return self._ready[start : self._given]

    def _fill(self, size: int) -> bool:
        """Read on and relabel what is safe to (all that was given is dropped); whether
        there may be more to read."""
        data = self._source.read(max(size, READ_AHEAD) if size >= 0 else -1)
        pending = self._held + data
        self._given = 0
        if not data or size < 0:  # the end: relabel everything
            self._held = b""
            self._ready = _VIRTUOSO_BLANK.sub(_relabelled, pending)
            return False
        safe = len(pending) - _LONGEST_MATCH  # a match that starts before it ends in it
        if _LABEL not in pending:
            cut = max(safe, 0)
            self._ready, self._held = pending[:cut], pending[cut:]
            return True
        parts, done = [], 0
        for found in _VIRTUOSO_BLANK.finditer(pending):
            if found.start() >= safe:
                break
            parts += [pending[done : found.start()], _relabelled(found)]
            done = found.end()
        cut = max(safe, done)
        parts.append(pending[done:cut])
        self._held = pending[cut:]
        self._ready = b"".join(parts)
        return True


def _relabelled(found: re.Match[bytes]) -> bytes:
    return found[0][: -len(b"nodeID://")] + b"nodeID_"


@contextlib.contextmanager
def _reading(said: OpenAnswer) -> Iterator[None]:
    """Around the reading of a store's rows as they are written: a failure names the
    store; the answer is closed after."""
    try:
        yield
    except (SyntaxError, ValueError) as exc:
        raise UpstreamError(f"the answer is not SPARQL results ({exc})", said.url) from exc
    except MemoryError as exc:
        if not buffer_full(exc):
            raise
        raise UpstreamError(
            "the answer holds a value longer than Oxigraph's reader reads as it arrives; "
            "with a row cap (setting max_rows) the answer is read whole, by rdflib's parser",
            said.url,
        ) from exc
    finally:
        said.close()


def _base(base: str | None) -> str:
    """The BASE declaration sent before the query's text (its own BASE, later, wins)."""
    return f"BASE <{base}>\n" if base else ""


def _same_dataset(own: Graphs, chosen: Graphs, url: str) -> None:
    """Refuse a query whose own FROM / FROM NAMED the protocol's dataset overrides, on a
    store that would let its FROM win instead (:data:`~.remote_store.FROM_WINS`): it would
    answer over another dataset than the one the protocol chose."""
    if tuple(map(set, own)) != tuple(map(set, chosen)):
        raise QueryError(
            f"the store at {url} lets a query's own FROM / FROM NAMED win over the "
            "protocol's default-graph-uri / named-graph-uri, which the SPARQL Protocol says "
            "must win: give the dataset one way, in the query or in the request, not both"
        )


def held_graphs(store: RemoteStore) -> list[str]:
    """Our graphs (:data:`~filmgraph.core.namespaces.GRAPHS`) that the store holds (one
    query, no graph counted). Other graphs of a shared store are not ours to serve."""
    return store.existing(str(iri) for iri in GRAPHS.values())


def connect(store: RemoteStore) -> list[str]:
    """The graphs of ours that ``store`` holds: the store must answer, and hold at least
    one.

    Raises:
        UpstreamError: the store did not answer (the message says so and names its URL).
        SettingError: the store holds none of our graphs.
    """
    try:
        held = held_graphs(store)
    except UpstreamError as exc:
        raise UpstreamError(
            f"the remote store did not answer: {exc.reason}", exc.url, exc.upstream_status
        ) from exc
    if not held:
        raise SettingError(
            f"the remote store at {store.endpoints.query} holds none of filmgraph's graphs; "
            "put them there with `filmgraph push --to URL --graphs all`"
        )
    return held


def _results(media_type: str, body: bytes, url: str, kind: str) -> Result:
    """SPARQL results (JSON or XML) as an rdflib result of ``kind``."""
    fmt = RESULT_FORMATS.get(media_type)
    if fmt is None:
        raise UpstreamError(f"the answer is {media_type}, not SPARQL results", url)
    try:
        with literals_as_written():
            parsed = Result.parse(io.BytesIO(body), format=fmt)
    except Exception as exc:  # rdflib's parsers raise anything on a broken body
        raise UpstreamError(f"the answer is not SPARQL results ({exc!r:.200})", url) from exc
    if parsed.type != kind:
        raise UpstreamError(f"a {kind} query was answered with {parsed.type} results", url)
    if kind == "SELECT":
        parsed.bindings = [_plain_row(row) for row in parsed.bindings]
    return parsed


def select_rows(
    store: RemoteStore, text: str, graphs: Iterable[str]
) -> list[Mapping[Variable, Any]]:
    """The rows of a SELECT sent to ``store`` over the named graphs ``graphs`` (its default
    graph :data:`EMPTY`), read whole.

    Raises:
        UpstreamError: the store failed, said it cut the answer (:data:`~.client.CUT_HEADER`),
            or answered something that is not SPARQL results.
    """
    url = store.endpoints.query
    said = store.query(text, RESULTS_ACCEPT, [EMPTY], list(graphs))
    if said.cut_at is not None:
        raise cut_error(said.cut_at, url)
    return list(_results(said.media_type, said.body, url, "SELECT").bindings)


def _graph(media_type: str, body: bytes, url: str) -> Graph:
    fmt = GRAPH_FORMATS.get(media_type)
    if fmt is None:
        raise UpstreamError(f"the answer is {media_type}, not RDF triples", url)
    graph = Graph()
    try:
        with literals_as_written():
            graph.parse(data=body, format=fmt)
    except Exception as exc:  # rdflib's parsers raise anything on a broken body
        raise UpstreamError(f"the answer is not {media_type} ({exc!r:.200})", url) from exc
    for triple in list(graph):
        plain = _plain(triple[2])
        if plain is not triple[2]:
            graph.remove(triple)
            graph.add((triple[0], triple[1], plain))
    return graph


def _plain_row(row: Mapping[Variable, Any]) -> dict[Variable, Any]:
    return {name: _plain(value) for name, value in row.items()}


def _plain(term: Any) -> Any:
    """A literal typed ``xsd:string`` as the plain literal rdflib's own parsers make (the
    same value; some stores write the datatype)."""
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term
