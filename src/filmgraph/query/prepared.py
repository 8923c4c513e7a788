"""Preparing a query: parsed with the project's prefixes predeclared, rdflib's known bugs
repaired (:mod:`.repairs`), and what it asks for read off: its kind, its dataset clause and
its SERVICE endpoints. SPARQL Update is refused here, before any backend sees the text.

A query rdflib's parser refuses may still be valid SPARQL 1.1 (rdflib's grammar has gaps):
:func:`prepare_unparsed` reads what it asks for from its tokens (:mod:`.reading`) for an
engine that parses it itself, and :func:`valid_elsewhere` asks Oxigraph's parser whether it
is valid, so that an engine that cannot parse a valid query says so (501), never blaming the
client (400)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox
from pyparsing import ParseBaseException
from rdflib import URIRef, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.sparql import Query

from ..core import PREFIXES, EngineLimitError, ForbiddenError, QuerySyntaxError
from .failures import engine_failure
from .reading import PREFIX_IRIS, read_tokens
from .repairs import fix_algebra, fix_parse_tree, walk

#: The algebra's name for each kind of query.
KINDS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


@dataclass(frozen=True)
class Prepared:
    """A parsed, repaired query and the dataset it asks for.

    ``default_graphs`` / ``named_graphs`` are the query's FROM / FROM NAMED IRIs, or None
    when it has no dataset clause; ``services`` the endpoints of its SERVICE patterns.
    ``query`` is rdflib's parse, None for a query rdflib cannot parse (read from its tokens
    by :func:`prepare_unparsed`, for an engine that parses it itself).
    """

    text: str
    query: Query | None
    kind: str
    default_graphs: tuple[URIRef, ...] | None
    named_graphs: tuple[URIRef, ...] | None
    services: tuple[str, ...]
    #: The IRI relative IRIs of the query resolve against (its own ``BASE`` wins).
    base: str | None = None


def prepare(text: str, base: str | None = None) -> Prepared:
    """Parse a SPARQL query with the project's prefixes predeclared, its relative IRIs
    resolved against ``base`` (a ``BASE`` of its own wins).

    Raises:
        QuerySyntaxError: the text is not a query (with the 1-based line and column).
        ForbiddenError: the text is a SPARQL Update.
        EngineLimitError: rdflib's translator fails on a query it parsed.

    >>> p = prepare("SELECT ?film FROM NAMED <https://w3id.org/filmgraph/graph/asserted> "
    ...             "WHERE { GRAPH ?g { ?film a schema:Movie } }")
    >>> p.kind, p.default_graphs, [str(g) for g in p.named_graphs]
    ('SELECT', (), ['https://w3id.org/filmgraph/graph/asserted'])
    """
    _check_escapes(text)
    try:
        tree = parseQuery(text)
    except ParseBaseException as exc:
        if _is_update(text):
            raise ForbiddenError(
                "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...) "
                "is not accepted"
            ) from exc
        raise QuerySyntaxError(exc.msg, exc.lineno, exc.col) from exc
    except (TypeError, ValueError, ArithmeticError) as exc:  # a parse action of rdflib's failed
        raise EngineLimitError(engine_failure(exc)) from exc
    short_construct = fix_parse_tree(tree)
    try:
        query = translateQuery(tree, base=base, initNs=dict(PREFIXES))
    except Exception as exc:  # rdflib raises plain Exceptions, e.g. for an unknown prefix
        if type(exc) is Exception:
            raise QuerySyntaxError(str(exc)) from exc
        raise EngineLimitError(engine_failure(exc)) from exc
    algebra = query.algebra
    fix_algebra(algebra, short_construct)
    clause = algebra.datasetClause or []
    algebra["datasetClause"] = None  # never let rdflib resolve it: it would fetch IRIs
    default = tuple(dict.fromkeys(d.default for d in clause if d.default is not None))
    named = tuple(dict.fromkeys(d.named for d in clause if d.named is not None))
    services = tuple(
        n.term.n3() if isinstance(n.term, Variable) else str(n.term)  # ?name: no endpoint
        for n in walk(algebra)
        if n.name == "ServiceGraphPattern"
    )
    return Prepared(
        text,
        query,
        KINDS[algebra.name],
        default if clause else None,
        named if clause else None,
        services,
        base,
    )


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def prepare_read(text: str, base: str | None) -> Prepared | None:
    """The query ``text`` read from its tokens (:func:`.reading.read_tokens`), not parsed,
    for an engine whose own parser decides whether it is valid; None when the text does not
    start as a query (an update, or not SPARQL).

    >>> p = prepare_read("SELECT * FROM <g> WHERE { ?s ?p ?o }", "http://example.org/")
    >>> p.kind, [str(g) for g in p.default_graphs], p.query
    ('SELECT', ['http://example.org/g'], None)
    """
    read = read_tokens(text, base)
    if read.kind is None:
        return None
    graphs = (read.default_graphs, read.named_graphs)
    default, named = (None if g is None else tuple(map(URIRef, g)) for g in graphs)
    return Prepared(text, None, read.kind, default, named, read.services, base)


def prepare_unparsed(text: str, base: str | None, refused: Exception) -> Prepared:
    """A query rdflib's parser refused (``refused``, raised again when the text does not say
    what kind of query it is), read from its tokens for an engine that parses it itself.
    The engine's own parser decides whether it is valid."""
    prepared = prepare_read(text, base)
    if prepared is None:
        raise refused
    return prepared


def valid_elsewhere(prepared: Prepared) -> bool:
    """Whether Oxigraph's parser accepts a query :func:`prepare_unparsed` read as SPARQL
    1.1 (it parses without evaluating, except an ASK, which is not tried when it calls a
    SERVICE)."""
    if prepared.kind == "ASK" and prepared.services:
        return False
    try:
        ox.Store().query(prepared.text, base_iri=prepared.base, prefixes=PREFIX_IRIS)
    except (SyntaxError, ValueError):
        return False
    except OSError:  # it was evaluated (an ASK), and so parsed
        return True
    return True


def _check_escapes(text: str) -> None:
    """``\\u`` / ``\\U`` escapes must name characters: no surrogates, nothing past U+10FFFF."""
    for match in _ESCAPE.finditer(text):
        code = int(match.group(1) or match.group(2), 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            line = text.count("\n", 0, match.start()) + 1
            column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            raise QuerySyntaxError(
                f"{match.group(0)} is not a character (a surrogate, or past U+10FFFF)",
                line,
                column,
            )


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except ParseBaseException:
        return False
    return True
