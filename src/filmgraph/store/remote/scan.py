"""A scan of a remote store's graph (an export, the ontology), in parts the store will give.

A scan is a CONSTRUCT of a graph, its N-Triples parsed as they arrive
(:meth:`~.client.RemoteStore.construct`). Some stores will not give a large graph in one
answer whatever their settings, and do not always say so: Virtuoso 7.2 refuses a CONSTRUCT
of more than its ``MaxVectorSize`` (1,000,000 triples: "FRVEC: array in for vectored over
max vector length") and cuts one at ``ResultSetMaxRows`` + 1 triples without a word (10,000
in Debian's package). On a store with an answer limit (``Endpoints.answer_limit``: the
``store_answer_limit`` setting, by default the layout's, :data:`~.client.ANSWER_LIMITS`) a
scan is therefore counted first and read in parts of at most that many triples, each a
plain SPARQL 1.1 query:

1. the graph, when it holds no more than the limit;
2. else one part per predicate (their counts, ``GROUP BY ?p``, first): a store's predicate
   index answers each without reading the others;
3. a predicate over the limit split by the first hex digits of its subjects' MD5
   (``SUBSTR(MD5(STR(?s)), 1, 1) IN ("0", "1", "2")``): as many digits as it takes for
   one value to hold at most half the limit (up to :data:`DEEPEST`), and as many values in
   a part as fit in that half, so that a part is read, not one per value; its blank-node
   subjects apart (``isBlank``: ``STR`` of a blank node is an error in SPARQL).

Each triple is in exactly one part, so the scan gives each triple once, as one query would.
Every part is checked against its count: a store that gave fewer triples than it counted (it
cut the answer at a lower limit of its own, or the graph changed meanwhile) is an
:class:`~filmgraph.core.errors.UpstreamError` that says so and which setting to lower, never
a shorter graph. On a store with no limit the scan is the one CONSTRUCT, not counted.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pyoxigraph as ox
from rdflib import URIRef, Variable
from rdflib.term import Node

from ...core import UpstreamError
from .client import RemoteStore
from .engine import EMPTY, select_rows

_S, _P, _O, _N = (Variable(n) for n in "spon")

#: Hex digits of a subject's MD5 a predicate may be split by: up to 16**4 = 65,536 values
#: (a store that answers 10,000 triples at a time reads a predicate of up to 327 million
#: triples so).
DEEPEST = 4
_HEX = "0123456789abcdef"

Terms = tuple[Node, Node, Node]
#: The subjects of a part: the hex digits their MD5 may start with; (): every subject;
#: None: the blank nodes.
Hashed = tuple[str, ...] | None


def scan(
    store: RemoteStore, graph: URIRef, pattern: tuple[Node | None, ...]
) -> Iterator[ox.Triple]:
    """The triples of ``graph`` (a graph the store holds) matching ``pattern`` (``None`` for
    a term not given; its subject not given), read in parts the store gives (see the
    module's documentation).

    Raises:
        UpstreamError: the store failed, or gave fewer triples of a part than it counted.
    """
    _, predicate, obj = pattern
    terms = (_S, _P if predicate is None else predicate, _O if obj is None else obj)
    limit = store.endpoints.answer_limit
    if limit is None:
        yield from _read(store, graph, terms, (), None)
        return
    total = _count(store, graph, terms, ())
    if total <= limit or predicate is not None:
        yield from _predicate(store, graph, terms, total, limit)
    else:
        for name, count in _predicate_counts(store, graph, terms):
            yield from _predicate(store, graph, (_S, name, terms[2]), count, limit)


def _predicate(
    store: RemoteStore, graph: URIRef, terms: Terms, count: int, limit: int
) -> Iterator[ox.Triple]:
    """The ``count`` triples of ``terms`` (one predicate, or all, when they fit in one
    part), in parts of at most ``limit`` (expected)."""
    if count <= limit:
        yield from _read(store, graph, terms, (), count)
        return
    digits = 1
    while count / 16**digits > limit / 2:
        digits += 1
    url = store.endpoints.query
    if digits > DEEPEST:
        raise UpstreamError(
            f"<{terms[1]}> has {count:,} triples in <{graph}>, more than {16**DEEPEST:,} "
            f"parts of {limit:,} (the store_answer_limit setting); raise it",
            url,
        )
    blanks = _count(store, graph, terms, None)
    if blanks > limit:
        raise UpstreamError(
            f"<{terms[1]}> has {blanks:,} blank-node subjects in <{graph}>, more than the "
            f"store gives in one answer ({limit:,}, the store_answer_limit setting)",
            url,
        )
    values = ["".join(prefix) for prefix in itertools.product(_HEX, repeat=digits)]
    size = max(1, int(limit / 2 // (count / 16**digits)))  # values in a part
    parts: list[tuple[str, ...] | None] = [None] if blanks else []
    parts += [tuple(values[at : at + size]) for at in range(0, len(values), size)]
    read = 0
    for part in parts:
        for triple in _read(store, graph, terms, part, blanks if part is None else None):
            read += 1
            yield triple
    if read != count:
        raise _short(read, count, graph, f" (<{terms[1]}>, in {len(parts):,} parts)", url)


def _read(
    store: RemoteStore, graph: URIRef, terms: Terms, hashed: Hashed, expected: int | None
) -> Iterator[ox.Triple]:
    """The triples of one part, checked against ``expected`` when given."""
    read = 0
    text = f"CONSTRUCT {{ {_pattern(terms)} }} WHERE {{ {_where(graph, terms, hashed)} }}"
    for triple in store.construct(text, [EMPTY], [str(graph)]):
        read += 1
        yield triple
    if expected is not None and read != expected:
        where = "" if hashed == () else f" (<{terms[1]}>, {_filter(hashed)})"
        raise _short(read, expected, graph, where, store.endpoints.query)


def _short(read: int, expected: int, graph: URIRef, part: str, url: str) -> UpstreamError:
    return UpstreamError(
        f"the store gave {read:,} of the {expected:,} triples it counted in <{graph}>{part}: "
        "it cut its answer at a limit of its own (Virtuoso: ResultSetMaxRows) or the graph "
        "changed meanwhile; set store_answer_limit to the store's limit",
        url,
    )


def _pattern(terms: Terms) -> str:
    return " ".join(term.n3() for term in terms)


def _where(graph: URIRef, terms: Terms, hashed: Hashed) -> str:
    return f"GRAPH <{graph}> {{ {_pattern(terms)} {_filter(hashed)} }}"


def _filter(hashed: Hashed) -> str:
    """The FILTER of a part's subjects: ``hashed`` the hex digits their MD5 may start with,
    all of one length (None: the blank-node subjects; (): every subject)."""
    if hashed is None:
        return "FILTER(isBlank(?s))"
    if not hashed:
        return ""
    values = ", ".join(f'"{value}"' for value in hashed)
    return f"FILTER(!isBlank(?s) && SUBSTR(MD5(STR(?s)), 1, {len(hashed[0])}) IN ({values}))"


def _count(store: RemoteStore, graph: URIRef, terms: Terms, hashed: Hashed) -> int:
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ {_where(graph, terms, hashed)} }}"
    rows = select_rows(store, text, [str(graph)])
    return int(str(rows[0][_N])) if rows else 0


def _predicate_counts(store: RemoteStore, graph: URIRef, terms: Terms) -> list[tuple[URIRef, int]]:
    text = f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {_where(graph, terms, ())} }} GROUP BY ?p"
    return [(URIRef(str(r[_P])), int(str(r[_N]))) for r in select_rows(store, text, [str(graph)])]
