"""Answers Oxigraph writes: a SELECT held as the SPARQL TSV Oxigraph writes (cut at the row
cap as it is written), an ASK as Oxigraph's boolean; every body written again by
Oxigraph's own writers (JSON, XML, CSV, TSV), and rdflib terms made only when a caller
reads ``result``. With no row cap, a SELECT is not held at all: its solutions are written
as they are evaluated (or read from a remote store), :meth:`OxigraphAnswer.write`.

Used by the embedded Oxigraph store for its own answers, and by the remote store for the
SPARQL results (JSON, XML) a remote store sends, read by Oxigraph's parsers
(:func:`read_results`).

Oxigraph's TSV reader holds at most 16 MiB of one line (it raises a ``MemoryError``,
:func:`~.failures.buffer_full`, after some 20 s: its time grows faster than the line, 10 ms
for 1 MiB, 0.4 s for 4 MiB): an answer with a row longer than :data:`LONG_LINE` (a string
built by doubling, a large literal of the data) is read back by :func:`read_long_rows`
instead, and written by rdflib's writers. Its JSON reader holds at most 8 MiB of one value:
a remote store's JSON answer holding a longer one is read by rdflib's parser. So such an
answer is sent like any other, on every store, as long as it fits in the worker's memory.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Protocol, cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.query import Result
from rdflib.term import Identifier

from ..core import EngineLimitError, QueryError
from .answer import Answer
from .failures import buffer_full

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

    A SELECT with no row cap may come as Oxigraph's solutions themselves, not read yet
    (``found`` a ``QuerySolutions``): :meth:`write` writes them as they are evaluated, in
    bounded memory, once; anything else first reads them into TSV. ``reading`` is entered
    around that one read (it names the failures of the engine or the store it reads from,
    and closes what it reads).
    """

    def __init__(
        self,
        kind: str,
        found: bytes | ox.QueryBoolean | ox.QuerySolutions,
        rows: int,
        truncated: bool = False,
        reading: Callable[[], contextlib.AbstractContextManager[object]] = contextlib.nullcontext,
    ):
        self.kind = kind
        self.truncated = truncated
        self._found = found
        self._rows = rows
        self._reading = reading

    @property
    def found(self) -> bytes | ox.QueryBoolean:
        """The rows as TSV (read now, when they had not been), or the boolean."""
        if isinstance(self._found, ox.QuerySolutions):
            with self._reading():
                data = _written(self._found.serialize(format=_TSV))
            self._found, self._rows = data, data.count(b"\n") - 1
        return self._found

    @property
    def pending(self) -> bool:
        """Whether the rows are still to be read (written as they are, by :meth:`write`)."""
        return isinstance(self._found, ox.QuerySolutions)

    @property
    def rows(self) -> int:
        """How many rows (1 for an ASK)."""
        self.found  # noqa: B018  # read the rows, when they had not been
        return self._rows

    def __len__(self) -> int:
        return self.rows

    @functools.cached_property
    def result(self) -> Result:  # type: ignore[override]  # made when first read, not a field
        """The rdflib result, with the terms :func:`to_rdflib` makes."""
        result = Result(self.kind)
        found = self.found
        if isinstance(found, ox.QueryBoolean):
            result.askAnswer = bool(found)
            return result
        if self._long:
            result.vars, result.bindings = read_long_rows(found)
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
        found = self.found
        if isinstance(found, ox.QueryBoolean):
            return _written(found.serialize(format=writer))
        if writer == _TSV:
            return found
        if self._long:  # rdflib writes the rows read_long_rows reads
            return super().body(fmt)
        return _written(self._solutions().serialize(format=writer))

    def write(self, fmt: str, out: IO[bytes]) -> None:
        """Write the body to ``out``: solutions not read yet as they are read, with
        Oxigraph's writer for ``fmt`` (TSV keeps no long-line limit on the way out)."""
        writer = WRITERS.get((self.kind, fmt))
        pending = self._found
        if writer is None or not isinstance(pending, ox.QuerySolutions):
            out.write(self.body(fmt))
            return
        self._found = b""  # read once: what is written is not kept
        with self._reading():
            pending.serialize(out, format=writer)

    @functools.cached_property
    def _long(self) -> bool:
        """Whether a row is longer than :data:`LONG_LINE` (its rows are then read by
        :func:`read_long_rows`, not by Oxigraph's TSV reader)."""
        data = self.found
        if not isinstance(data, bytes) or len(data) <= LONG_LINE:
            return False
        return max(map(len, data.split(b"\n"))) > LONG_LINE

    def _solutions(self) -> ox.QuerySolutions:
        """The rows, read back from the TSV Oxigraph wrote."""
        found = self.found
        if not isinstance(found, bytes):
            raise TypeError(f"a {self.kind} answer holds no rows")
        solutions = ox.parse_query_results(found, _TSV)
        if not isinstance(solutions, ox.QuerySolutions):
            raise TypeError("SPARQL TSV holds solutions")
        return solutions


#: The longest line of TSV given to Oxigraph's reader (it reads 1 MiB in 10 ms; its buffer
#: holds 16 MiB, read in some 20 s): a longer one is split into its values
#: (:func:`read_long_rows`).
LONG_LINE = 1024 * 1024

_NUMBER = re.compile(r"[+-]?(?:(\d+)|(\d*\.\d+)|((?:\d+\.?\d*|\.\d+)[eE][+-]?\d+))")
_NUMBER_TYPES = ("integer", "decimal", "double")
_XSD = "http://www.w3.org/2001/XMLSchema#"


def read_long_rows(
    data: bytes, longest: int = LONG_LINE
) -> tuple[list[Variable], list[Mapping[Variable, Identifier]]]:
    """The variables and rows of SPARQL TSV that Oxigraph wrote, as rdflib terms, when a
    line is longer than Oxigraph's reader reads in good time (``longest`` bytes; smaller in
    the tests): each line up to that is read by Oxigraph; in a longer one, each value up to
    that is, and a longer value is read here: a literal (its text unescaped, its language
    or datatype read by Oxigraph), an IRI or a number. Oxigraph writes TSV one row a line,
    values separated by tabs, a literal's tabs, newlines, returns, quotes and backslashes
    escaped.

    Raises:
        EngineLimitError: a value longer than ``longest`` that is none of those (a blank
            node or a triple term).
    """
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()  # the newline ending the last row
    header = lines[0] if lines else b""
    names = [Variable(name[1:]) for name in header.decode("utf-8").split("\t")] if header else []
    rows: list[Mapping[Variable, Identifier]] = []
    for line in lines[1:]:
        if not names:  # no variables: each row is empty
            terms = []
        elif len(header) + len(line) <= longest:
            terms = _read_tsv(header + b"\n" + line)
        else:
            terms = [_read_value(value, longest) for value in line.split(b"\t")]
        rows.append(
            {name: to_rdflib(term) for name, term in zip(names, terms, strict=True) if term}
        )
    return names, rows


def _read_tsv(data: bytes) -> list[object]:
    """The values of the one row of ``data`` (TSV: a header and a row), read by Oxigraph."""
    solutions = ox.parse_query_results(data + b"\n", _TSV)
    if not isinstance(solutions, ox.QuerySolutions):
        raise TypeError("SPARQL TSV holds solutions")
    (solution,) = list(solutions)
    return [solution[i] for i in range(len(solutions.variables))]


def _read_value(value: bytes, longest: int) -> object:
    """One value of a TSV row (None when unbound)."""
    if not value:
        return None
    if len(value) <= longest:
        return _read_tsv(b"?v\n" + value)[0]
    text = value.decode("utf-8")
    if text.startswith('"'):  # a literal: "text", with its language or datatype after it
        end = text.rindex('"')  # neither a language tag nor an IRI holds a quote
        kind = cast(ox.Literal, _read_tsv(('?v\n""' + text[end + 1 :]).encode("utf-8"))[0])
        lexical = _unescape(text[1:end])
        if kind.language:
            return ox.Literal(lexical, language=kind.language, direction=kind.direction)
        return ox.Literal(lexical, datatype=kind.datatype)
    if text.startswith("<") and not text.startswith("<<"):
        return ox.NamedNode(text[1:-1])
    number = _NUMBER.fullmatch(text)
    if number is not None:
        kind_name = _NUMBER_TYPES[next(i for i, part in enumerate(number.groups()) if part)]
        return ox.Literal(text, datatype=ox.NamedNode(_XSD + kind_name))
    raise EngineLimitError(
        f"Oxigraph's answer holds a value of {len(value)} bytes that its reader cannot read "
        f"back (at most {longest})"
    )


def _unescape(text: str) -> str:
    """A literal's text as Oxigraph's TSV writer escapes it (``\\t``, ``\\n``, ``\\r``,
    ``\\"``, ``\\\\``), unescaped: split at the escaped backslashes, every other backslash
    starts one of the other escapes."""
    if "\\" not in text:
        return text
    return "\\".join(
        part.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r").replace('\\"', '"')
        for part in text.split("\\\\")
    )


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


class Readable(Protocol):
    """What Oxigraph's parsers read from: ``read(size)``, as a binary file."""

    def read(self, size: int = -1, /) -> bytes: ...


#: The SPARQL results formats a remote store may answer with, that Oxigraph reads.
READERS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}


def read_results(
    kind: str,
    body: bytes | Readable,
    fmt: str,
    max_rows: int | None,
    reading: Callable[[], contextlib.AbstractContextManager[object]] = contextlib.nullcontext,
) -> OxigraphAnswer | None:
    """A remote store's SELECT or ASK answer (``fmt``: a :data:`READERS` name; ``body`` its
    bytes, or a file read as it arrives) read by Oxigraph's parser and held as Oxigraph
    holds its own answers, cut at ``max_rows``: its bodies are then written by Oxigraph's
    writers too, with no rdflib terms made on the way. With no cap (``max_rows`` None) a
    SELECT's rows are not read yet: they are written as they are read
    (:meth:`OxigraphAnswer.write`, inside ``reading``). None when Oxigraph cannot read it
    as a ``kind`` answer (then rdflib's parsers, which say what is wrong, read it)."""
    reader = READERS.get(fmt)
    if reader is None:
        return None
    try:
        found = ox.parse_query_results(cast(IO[bytes], body), reader)  # read() is all it uses
        if kind == "SELECT" and isinstance(found, ox.QuerySolutions):
            if max_rows is None:
                return OxigraphAnswer("SELECT", found, 0, reading=reading)
            rows, count, truncated = solutions_tsv(found, max_rows)
            return OxigraphAnswer("SELECT", rows, count, truncated)
        if kind == "ASK" and isinstance(found, ox.QueryBoolean):
            return OxigraphAnswer("ASK", found, 1)
    except (SyntaxError, ValueError, OSError):  # not SPARQL results Oxigraph can read
        return None
    except MemoryError as exc:  # a value longer than Oxigraph's reader holds: rdflib reads it
        if not buffer_full(exc):
            raise
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


_PROBE_QUAD = (ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"))


def stored_literal(literal: ox.Literal) -> ox.Literal:
    """``literal`` as an Oxigraph store keeps it: Oxigraph 0.5 stores numbers in canonical
    form and narrows derived datatypes (``"01"^^xsd:positiveInteger`` is kept as
    ``"1"^^xsd:integer``, ``1.0`` as ``"1"^^xsd:decimal``). Found by storing it in a scratch
    store in memory.

    >>> stored_literal(ox.Literal("1.0", datatype=ox.NamedNode(str(XSD.decimal)))).value
    '1'
    """
    probe = ox.Store()
    probe.add(ox.Quad(*_PROBE_QUAD, literal))
    stored = next(iter(probe)).object
    assert isinstance(stored, ox.Literal)
    return stored


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
