"""The entity index in bounded queries: the types with their entity counts, a type's
entities a page at a time in label order, and a search by name, each one SELECT evaluated by
the store, whose rows are at most a page (or one per type). It needs no Flask.

- An entity is an IRI the asserted graph says something about; it is listed under each IRI
  type that graph asserts for it, and under ``rdfs:Resource`` when it asserts none.
- Its sort key is its schema:name there, else its rdfs:label there, else the end of its IRI
  (after the last ``/``, ``#`` or ``:``), lower-cased: the store sorts by it, then by IRI.
- The label shown is its schema:name (a vocabulary term's in words), else
  :meth:`~.describe.Describer.label`; only the entities shown are looked up.
- A search keeps the entities whose sort key holds every word (lower-cased), in the store:
  it finds entities on no page shown.

The queries go through a :data:`Select`: the web app's runs them on its query workers (the
store evaluates them; the web process reads nothing but the rows), :func:`select_on` on an
rdflib dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDFS

from ..core import GRAPHS, SCHEMA
from .describe import Describer

#: Runs a SELECT query on the store and gives its rows, each a map of variable to its SPARQL
#: JSON term (``{"type": "uri", "value": "..."}``).
Select = Callable[[str], list[dict[str, Any]]]

#: The entities of each type the overview lists (the rest are on the type's own listing).
OVERVIEW_SIZE = 50
#: The entities on a page of a type's listing, unless ``limit`` says otherwise ...
PAGE_SIZE = 100
#: ... and the most it may say.
MAX_PAGE_SIZE = 500
#: The entities a search over every type shows (it says "more than" past them).
SEARCH_SIZE = 100

_A = f"<{GRAPHS['asserted']}>"

#: Every entity (``?s``): each IRI subject of the asserted graph, once.
_EVERY = f"{{ SELECT DISTINCT ?s WHERE {{ GRAPH {_A} {{ ?s ?p ?o }} FILTER(isIRI(?s)) }} }}"

#: The entities with no IRI type asserted.
_UNTYPED = f"{_EVERY} MINUS {{ GRAPH {_A} {{ ?s a ?t }} FILTER(isIRI(?t)) }}"

#: Each type's entities, counted; and every entity ("every") and every typed one ("typed"),
#: whose difference is the untyped ones (cheaper than finding them: no entity is looked up).
#: The two names are given by VALUES, not BIND: Virtuoso 7.2's compiler fails on a BIND of
#: ``?type`` in one branch beside a FILTER on it in another (SP031, "equiv replaces filter").
_TYPES = f"""SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  {{ GRAPH {_A} {{ ?s a ?type }} FILTER(isIRI(?type) && isIRI(?s)) }}
  UNION
  {{ VALUES ?type {{ "typed" }} GRAPH {_A} {{ ?s a ?t }} FILTER(isIRI(?t) && isIRI(?s)) }}
  UNION
  {{ VALUES ?type {{ "every" }} GRAPH {_A} {{ ?s ?p ?o }} FILTER(isIRI(?s)) }}
}} GROUP BY ?type"""

#: The entities of ``members`` (a pattern binding ``?s``) with their name and sort key,
#: ``filter`` kept, in key order: a page of them.
_PAGE = f"""SELECT ?s ?name ?key WHERE {{
  {{ SELECT ?s (MIN(?n) AS ?name) (MIN(?l) AS ?label) WHERE {{
      {{ %(members)s }}
      OPTIONAL {{ GRAPH {_A} {{ ?s <{SCHEMA.name}> ?n }} }}
      OPTIONAL {{ GRAPH {_A} {{ ?s <{RDFS.label}> ?l }} }}
    }} GROUP BY ?s }}
  BIND(LCASE(COALESCE(STR(?name), STR(?label), REPLACE(STR(?s), "^.*[/#:]", ""))) AS ?key)
  %(filter)s
}} ORDER BY ?key STR(?s) LIMIT %(limit)d OFFSET %(offset)d"""

#: A page of entities (:data:`_PAGE`), each with its types.
_TYPED_PAGE = f"""SELECT ?s ?name ?key ?type WHERE {{
  {{ %(page)s }}
  OPTIONAL {{ GRAPH {_A} {{ ?s a ?type }} FILTER(isIRI(?type)) }}
}}"""

_COUNT = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { %s }"


@dataclass(frozen=True)
class IndexGroup:
    """Entities of one type: the type, its label, the entities shown (IRI and label, in
    label order) and how many there are (of the type; in a search, that match)."""

    type: URIRef
    label: str
    entities: tuple[tuple[URIRef, str], ...]
    count: int

    @property
    def more(self) -> bool:
        """Whether the type has entities not shown here."""
        return self.count > len(self.entities)


@dataclass(frozen=True)
class Listing:
    """A page of one type's listing: the entities from ``offset`` (at most ``limit``),
    whether there is a page after it, and the type's entities in all (None in a search:
    the matches are not counted)."""

    group: IndexGroup
    offset: int
    limit: int
    more: bool
    total: int | None


@dataclass(frozen=True)
class Found:
    """A search over every type: the groups of the entities found (an entity of two types
    is in both), how many entities that is, and whether more matched than are shown."""

    groups: list[IndexGroup]
    entities: int
    capped: bool


def words_of(query: str) -> list[str]:
    """The words of a search, lower-cased (as the store lower-cases names).

    >>> words_of("  CANNES 2019 ")
    ['cannes', '2019']
    """
    return query.lower().split()


def _holding(words: Sequence[str]) -> str:
    """The FILTER keeping the entities whose key holds every word ('' for no words)."""
    if not words:
        return ""
    tests = " && ".join(f"CONTAINS(?key, {Literal(word).n3()})" for word in words)
    return f"FILTER({tests})"


def _candidates(words: Sequence[str]) -> str:
    """The entities a search over every type may find: those with a schema:name holding
    every word, and those with none (whose key is their rdfs:label or IRI). Cheaper than
    every entity: the names are read, not every entity's triples grouped."""
    tests = " && ".join(f"CONTAINS(LCASE(STR(?n0)), {Literal(w).n3()})" for w in words)
    named = f"GRAPH {_A} {{ ?s <{SCHEMA.name}> ?n0 }} FILTER(isIRI(?s) && {tests or 'true'})"
    unnamed = f"{_EVERY} MINUS {{ GRAPH {_A} {{ ?s <{SCHEMA.name}> ?n1 }} }}"
    return f"{{ {named} }} UNION {{ {unnamed} }}"


def _members(type_: URIRef) -> str:
    """The entities of ``type_``: those the asserted graph types so, and for rdfs:Resource
    also those it types not at all."""
    typed = f"GRAPH {_A} {{ ?s a {type_.n3()} }} FILTER(isIRI(?s))"
    if type_ == RDFS.Resource:
        return f"{{ {typed} }} UNION {{ {_UNTYPED} }}"
    return typed


def _page(members: str, words: Sequence[str], limit: int, offset: int = 0) -> str:
    where = {"members": members, "filter": _holding(words), "limit": limit, "offset": offset}
    return _PAGE % where


def _value(row: dict[str, Any], name: str) -> str | None:
    term = row.get(name)
    return None if term is None else str(term["value"])


class EntityIndex:
    """The entity index of a built dataset, read with ``select`` (see the module).

    >>> from filmgraph import build
    >>> dataset = build()
    >>> index = EntityIndex(select_on(dataset), Describer(dataset))
    >>> groups = {g.label: g for g in index.overview()}
    >>> [name for _, name in groups["movie"].entities], groups["person"].count
    (['Beanpole', 'Closeness'], 5)
    >>> [name for _, name in index.listing(SCHEMA.Person, offset=1, limit=2).group.entities]
    ['Andrei Tarkovsky', 'Ingmar Bergman']
    >>> found = index.search(["cannes"])
    >>> found.entities, [g.label for g in found.groups]
    (3, ['event series', 'festival'])
    """

    def __init__(self, select: Select, describer: Describer) -> None:
        self.select = select
        self.describer = describer

    def types(self) -> dict[URIRef, int]:
        """Each type and its entities, counted by the store (one aggregate query); the
        entities with no type under rdfs:Resource."""
        found = {
            (row["type"]["type"], str(row["type"]["value"])): int(row["n"]["value"])
            for row in self.select(_TYPES)
            if "type" in row and "n" in row
        }
        untyped = found.pop(("literal", "every"), 0) - found.pop(("literal", "typed"), 0)
        counts = {URIRef(name): n for (kind, name), n in found.items() if kind == "uri"}
        if untyped > 0:
            counts[RDFS.Resource] = counts.get(RDFS.Resource, 0) + untyped
        return counts

    def count(self, type_: URIRef) -> int:
        """The entities of ``type_`` (one aggregate query)."""
        rows = self.select(_COUNT % _members(type_))
        return int(rows[0]["n"]["value"]) if rows and "n" in rows[0] else 0

    def overview(self, size: int = OVERVIEW_SIZE) -> list[IndexGroup]:
        """Every type with its count and its first ``size`` entities, types in label order
        (one query for the counts, then one per type)."""
        groups = [
            self._group(type_, self.select(_page(_members(type_), (), size)), count)
            for type_, count in self.types().items()
        ]
        return sorted(groups, key=lambda g: (g.label.lower(), str(g.type)))

    def listing(
        self,
        type_: URIRef,
        offset: int = 0,
        limit: int = PAGE_SIZE,
        words: Sequence[str] = (),
    ) -> Listing:
        """The entities of ``type_`` from ``offset``, at most ``limit``, those holding every
        word of ``words`` if any: one query for the page (asking for one more entity, to
        know whether a page follows), and without words one to count the type's."""
        rows = self.select(_page(_members(type_), words, limit + 1, offset))
        total = None if words else self.count(type_)
        group = self._group(type_, rows[:limit], total if total is not None else len(rows))
        return Listing(group, offset, limit, len(rows) > limit, total)

    def search(self, words: Sequence[str], size: int = SEARCH_SIZE) -> Found:
        """The first ``size`` entities holding every word, in label order, grouped by type
        (one query; it asks for one more entity, to know whether more matched)."""
        page = _page(_candidates(words), words, size + 1)
        rows = self.select(_TYPED_PAGE % {"page": page})
        order = sorted({(_value(r, "key") or "", _value(r, "s") or "") for r in rows})
        kept = {iri for _, iri in order[:size]}
        by_type: dict[URIRef, list[dict[str, Any]]] = {}
        for row in rows:
            if _value(row, "s") in kept:
                type_ = _value(row, "type")
                by_type.setdefault(URIRef(type_ or str(RDFS.Resource)), []).append(row)
        groups = [
            self._group(type_, sorted(found, key=lambda r: (r["key"]["value"], r["s"]["value"])))
            for type_, found in by_type.items()
        ]
        groups.sort(key=lambda g: (g.label.lower(), str(g.type)))
        return Found(groups, len(kept), len(order) > size)

    def _group(
        self, type_: URIRef, rows: Iterable[dict[str, Any]], count: int | None = None
    ) -> IndexGroup:
        entities = tuple(
            (iri, self.describer.entity_label(iri, _value(row, "name")))
            for iri, row in ((URIRef(str(row["s"]["value"])), row) for row in rows)
        )
        shown = len(entities) if count is None else count
        return IndexGroup(type_, self.describer.label(type_), entities, shown)


def select_on(dataset: Dataset) -> Select:
    """A :data:`Select` evaluating each query on ``dataset`` with rdflib, in this process
    (for a dataset in memory: the web app's runs them on its query workers)."""

    def select(text: str) -> list[dict[str, Any]]:
        rows = []
        for row in dataset.query(text):
            values = row.asdict()  # type: ignore[union-attr]  # a SELECT's rows
            rows.append({str(k): _json(v) for k, v in values.items()})
        return rows

    return select


def _json(term: Any) -> dict[str, str]:
    kind = "uri" if isinstance(term, URIRef) else "literal" if isinstance(term, Literal) else ""
    return {"type": kind or "bnode", "value": str(term)}
