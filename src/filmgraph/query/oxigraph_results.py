"""Answers Oxigraph writes: a SELECT held as the SPARQL TSV Oxigraph writes (cut at the row
cap as it is written), an ASK as Oxigraph's boolean; every body written again by
Oxigraph's own writers (JSON, XML, CSV, TSV), and rdflib terms made only when a caller
reads ``result``.

Used by the embedded Oxigraph store for its own answers, and by the remote store for the
SPARQL results (JSON, XML) a remote store sends, read by Oxigraph's parsers
(:func:`read_results`).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from typing import IO, cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.query import Result

from ..core import QueryError
from .answer import Answer

_PLAIN = {str(XSD.string), str(RDF.langString)}
_TSV = ox.QueryResultsFormat.TSV

#: The answers Oxigraph writes itself: (kind, format) -> its writer's format.
WRITERS = {
    ("SELECT", "json"): ox.QueryResultsFormat.JSON,
    ("SELECT", "xml"): ox.QueryResultsFormat.XML,
    ("SELECT", "csv"): ox.QueryResultsFormat.CSV,
    ("SELECT", "tsv"): _TSV,
    ("ASK", "json"): ox.QueryResultsFormat.JSON,
    ("ASK", "xml"): ox.QueryResultsFormat.XML,
}


class OxigraphAnswer(Answer):
    """An answer Oxigraph writes itself: a SELECT's rows as SPARQL TSV (already cut at the
    row cap), an ASK's boolean. :meth:`body` writes them in JSON, XML, CSV or TSV with
    Oxigraph's writers; ``result``, the rdflib result, is made from them when first read.

    TSV holds every term losslessly (it is Turtle's syntax, with newlines, returns and tabs
    escaped in literals), one row a line: so the rows are counted and cut by lines, and the
    rows Oxigraph parses back are the ones it wrote (tests/test_oxigraph_answers.py checks
    both, and that the bodies hold the solutions rdflib's writers give).
    """

    def __init__(
        self, kind: str, found: bytes | ox.QueryBoolean, rows: int, truncated: bool = False
    ):
        self.kind = kind
        self.truncated = truncated
        self.found = found
        self.rows = rows

    def __len__(self) -> int:
        return self.rows

    @functools.cached_property
    def result(self) -> Result:  # type: ignore[override]  # made when first read, not a field
        """The rdflib result, with the terms :func:`to_rdflib` makes."""
        result = Result(self.kind)
        if isinstance(self.found, ox.QueryBoolean):
            result.askAnswer = bool(self.found)
            return result
        solutions = self._solutions()
        names = [Variable(v.value) for v in solutions.variables]
        result.vars = names
        result.bindings = [
            {name: to_rdflib(solution[name]) for name in names if solution[name] is not None}
            for solution in solutions
        ]
        return result

    def body(self, fmt: str) -> bytes:
        writer = WRITERS.get((self.kind, fmt))
        if writer is None:
            return super().body(fmt)
        if isinstance(self.found, ox.QueryBoolean):
            return _written(self.found.serialize(format=writer))
        if writer == _TSV:
            return self.found
        return _written(self._solutions().serialize(format=writer))

    def _solutions(self) -> ox.QuerySolutions:
        """The rows, read back from the TSV Oxigraph wrote."""
        if not isinstance(self.found, bytes):
            raise TypeError(f"a {self.kind} answer holds no rows")
        solutions = ox.parse_query_results(self.found, _TSV)
        if not isinstance(solutions, ox.QuerySolutions):
            raise TypeError("SPARQL TSV holds solutions")
        return solutions


def _written(data: bytes | None) -> bytes:
    """What an Oxigraph writer returns when it is given no output: the bytes it wrote."""
    if data is None:
        raise TypeError("an Oxigraph writer given no output returns what it wrote")
    return data


class _Enough(Exception):
    """Stops Oxigraph's writer, and the query's evaluation, once enough rows are written."""


class _Rows(io.RawIOBase):
    """Where Oxigraph writes a SELECT answer as TSV: keeps what it writes, and stops it once
    it holds the header line, ``limit`` rows and one more."""

    def __init__(self, limit: int) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.limit = limit
        self.full = False

    def writable(self) -> bool:
        return True

    def write(self, chunk: bytes) -> int:  # type: ignore[override]  # Oxigraph writes bytes
        self.chunks.append(bytes(chunk))
        self.lines += chunk.count(b"\n")
        if self.lines > self.limit + 1:  # the header, the rows kept and one more row
            self.full = True
            raise _Enough
        return len(chunk)


#: The SPARQL results formats a remote store may answer with, that Oxigraph reads.
READERS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}


def read_results(kind: str, body: bytes, fmt: str, max_rows: int | None) -> OxigraphAnswer | None:
    """A remote store's SELECT or ASK answer (``fmt``: a :data:`READERS` name) read by
    Oxigraph's parser and held as Oxigraph holds its own answers, cut at ``max_rows``: its
    bodies are then written by Oxigraph's writers too, with no rdflib terms made on the way.
    None when Oxigraph cannot read it as a ``kind`` answer (then rdflib's parsers, which say
    what is wrong, read it)."""
    reader = READERS.get(fmt)
    if reader is None:
        return None
    try:
        found = ox.parse_query_results(body, reader)
        if kind == "SELECT" and isinstance(found, ox.QuerySolutions):
            rows, count, truncated = solutions_tsv(found, max_rows)
            return OxigraphAnswer("SELECT", rows, count, truncated)
        if kind == "ASK" and isinstance(found, ox.QueryBoolean):
            return OxigraphAnswer("ASK", found, 1)
    except (SyntaxError, ValueError, OSError):  # not SPARQL results Oxigraph can read
        return None
    return None


def solutions_tsv(solutions: ox.QuerySolutions, max_rows: int | None) -> tuple[bytes, int, bool]:
    """The solutions as SPARQL TSV, at most ``max_rows`` of them: (TSV, rows, whether
    there were more). Past ``max_rows`` rows, evaluation stops."""
    if max_rows is None:
        data = _written(solutions.serialize(format=_TSV))
        return data, data.count(b"\n") - 1, False
    sink = _Rows(max_rows)
    try:
        solutions.serialize(cast(IO[bytes], sink), format=_TSV)  # a raw binary stream
    except Exception:  # a writer that stops is an error to Oxigraph; it passes on ours
        if not sink.full:
            raise
    data = b"".join(sink.chunks)
    if not sink.full:
        return data, sink.lines - 1, False
    end = -1
    for _ in range(max_rows + 1):  # the header and max_rows rows, each ending its line
        end = data.index(b"\n", end + 1)
    return data[: end + 1], max_rows, True


def to_graph(triples: Iterable[ox.Triple]) -> Graph:
    """Oxigraph's triples as an rdflib graph (:func:`to_rdflib` terms)."""
    graph = Graph()
    for triple in triples:
        graph.add(
            (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
        )
    return graph


def to_rdflib(term: object) -> URIRef | BNode | Literal:
    """An Oxigraph term as rdflib's (a plain string keeps no ``xsd:string`` datatype, as
    rdflib's parsers do).

    >>> to_rdflib(ox.Literal("1991-01-25", datatype=ox.NamedNode(str(XSD.date))))
    rdflib.term.Literal('1991-01-25', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if term.language:
            return Literal(term.value, lang=term.language)
        # normalize=False: the lexical form Oxigraph gives, not rdflib's rewriting of it
        # (a zero xsd:dayTimeDuration stays PT0S, not P0D)
        return Literal(
            term.value, datatype=None if datatype in _PLAIN else URIRef(datatype), normalize=False
        )
    raise QueryError(f"a term rdflib cannot hold: {term!r}")
