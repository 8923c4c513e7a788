"""The entity index in bounded queries: the types with their entity counts, a type's
entities a page at a time, and a search by name, each one SELECT evaluated by the store,
whose rows are at most a page (or one per type). It needs no Flask.

- An entity is an IRI the asserted graph says something about; it is listed under each IRI
  type that graph asserts for it, and under ``rdfs:Resource`` when it asserts none.
- A type's entities are counted up to :data:`COUNT_CAP` (a count reads no further: "more
  than 10,000"). A type with no more is listed by its entities' sort key; one with more in
  the store's order, which stays the same while the data does (sorting every entity of a
  large type by name would read them all for each page).
- The sort key is the entity's schema:name there, else its rdfs:label there, else the end of
  its IRI (after the last ``/``, ``#`` or ``:``), lower-cased: the store sorts by it, then by
  IRI.
- The label shown is its schema:name (a vocabulary term's in words), else
  :meth:`~.describe.Describer.label`; only the entities shown are looked up.
- A search keeps the entities with a schema:name or rdfs:label holding every word
  (lower-cased), in the store: it finds entities on no page shown. Over every type it stops
  at the first :data:`SEARCH_SIZE` found (in the store's order), shown by key.
- Finding the entities with no type reads every entity (no index leads to what is missing):
  those queries, and searches, go through ``scan``, which may stop them at a shorter time
  limit (:class:`~filmgraph.core.TimeLimitError`); the untyped are then shown as not counted.

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

from ..core import GRAPHS, SCHEMA, TimeLimitError
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
#: The most entities of a type counted (past it: "more than"), and the most a listing sorts
#: by name (a larger type is listed in the store's order).
COUNT_CAP = 10_000

_A = f"<{GRAPHS['asserted']}>"

#: The entities with no IRI type asserted: every IRI subject, less the typed ones.
_UNTYPED = (
    f"{{ SELECT DISTINCT ?s WHERE {{ GRAPH {_A} {{ ?s ?p ?o }} FILTER(isIRI(?s)) }} }}"
    f" MINUS {{ GRAPH {_A} {{ ?s a ?t }} FILTER(isIRI(?t)) }}"
)

#: Every type asserted: one pass over the type triples, none of the entities grouped (0.4 s
#: for 10M triples on Oxigraph; a FILTER on isIRI here made it 4.5 s: the types are kept in
#: Python, and a type of blank nodes only counts none).
_TYPES = f"SELECT DISTINCT ?type WHERE {{ GRAPH {_A} {{ ?s a ?type }} }}"

#: How many entities ``members`` (a pattern binding ``?s``, each once) has, up to ``cap``.
_CAPPED = "SELECT (COUNT(*) AS ?n) WHERE { SELECT ?s WHERE { %(members)s } LIMIT %(cap)d }"

#: The entities of ``members`` with their name and sort key, ``filter`` kept, in key order:
#: a page of them.
_PAGE = f"""SELECT ?s ?name ?key WHERE {{
  {{ SELECT ?s (MIN(?n) AS ?name) (MIN(?l) AS ?label) WHERE {{
      {{ %(members)s }}
      OPTIONAL {{ GRAPH {_A} {{ ?s <{SCHEMA.name}> ?n }} }}
      OPTIONAL {{ GRAPH {_A} {{ ?s <{RDFS.label}> ?l }} }}
    }} GROUP BY ?s }}
  BIND(LCASE(COALESCE(STR(?name), STR(?label), REPLACE(STR(?s), "^.*[/#:]", ""))) AS ?key)
}} ORDER BY ?key STR(?s) LIMIT %(limit)d OFFSET %(offset)d"""

#: A page of the entities of ``members`` in the store's order (no sort).
_STORE_PAGE = "SELECT ?s WHERE { %(members)s } LIMIT %(limit)d OFFSET %(offset)d"

#: A page of entities (:data:`_PAGE`), each with its types.
_TYPED_PAGE = f"""SELECT ?s ?name ?key ?type WHERE {{
  {{ %(page)s }}
  OPTIONAL {{ GRAPH {_A} {{ ?s a ?type }} FILTER(isIRI(?type)) }}
}}"""

#: ``?s``'s names and labels, as ``?v``.
_NAMES = (
    f"{{ GRAPH {_A} {{ ?s <{SCHEMA.name}> ?%(v)s }} }}"
    f" UNION {{ GRAPH {_A} {{ ?s <{RDFS.label}> ?%(v)s }} }}"
)

#: The first ``limit`` entities found with a name or label holding every word (``tests``):
#: a union of two patterns, which Oxigraph reads from its index (VALUES over the two
#: properties made it read every triple), with no isIRI (blank nodes are left out after:
#: on 10M triples the test took 5.3 s, the search without it 1.0 s).
_FOUND = f"""SELECT DISTINCT ?s WHERE {{
  {_NAMES % {"v": "n"}} FILTER(%(tests)s)
}} LIMIT %(limit)d"""


@dataclass(frozen=True)
class IndexGroup:
    """Entities of one type: the type, its label, the entities shown (IRI and label, in
    label order, or in the store's order for a type with more than the cap) and how many
    there are (of the type; in a search, that match): at most the cap where ``capped``
    says more, None where they were not counted (finding them passed the time limit)."""

    type: URIRef
    label: str
    entities: tuple[tuple[URIRef, str], ...]
    count: int | None
    capped: bool = False
    #: Whether the entities are in label order (else the store's: a type past the cap).
    by_name: bool = True

    @property
    def more(self) -> bool:
        """Whether the type has entities not shown here."""
        return self.capped or self.count is None or self.count > len(self.entities)


@dataclass(frozen=True)
class Listing:
    """A page of one type's listing: the entities from ``offset`` (at most ``limit``),
    whether there is a page after it, and the type's entities in all (None in a search:
    the matches are not counted; the cap where the group says ``capped``)."""

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


def _tests(words: Sequence[str], variable: str = "?n") -> str:
    """The test that ``variable`` (a literal) holds every word, lower-cased."""
    found = (f"CONTAINS(LCASE(STR({variable})), {Literal(word).n3()})" for word in words)
    return " && ".join(found) or "true"


def _named(words: Sequence[str]) -> str:
    """The FILTER keeping the entities with a name or label holding every word."""
    if not words:
        return ""
    return f"FILTER EXISTS {{ {_NAMES % {'v': 'w'}} FILTER({_tests(words, '?w')}) }}"


def _typed(type_: URIRef) -> str:
    """The entities the asserted graph types ``type_``, each once."""
    return f"GRAPH {_A} {{ ?s a {type_.n3()} }} FILTER(isIRI(?s))"


def _members(type_: URIRef, words: Sequence[str] = ()) -> str:
    """The entities of ``type_`` (each once) with a name holding every word of ``words``:
    those the asserted graph types so, and for rdfs:Resource also those it types not at
    all."""
    typed = _typed(type_)
    if type_ == RDFS.Resource:
        typed = f"{{ {typed} }} UNION {{ {_UNTYPED} }}"
    return f"{typed} {_named(words)}"


def _among(iris: Iterable[str]) -> str:
    """The entities ``iris``."""
    return f"VALUES ?s {{ {' '.join(URIRef(iri).n3() for iri in iris)} }}"


def _page(members: str, limit: int, offset: int = 0) -> str:
    return _PAGE % {"members": members, "limit": limit, "offset": offset}


def _value(row: dict[str, Any], name: str) -> str | None:
    term = row.get(name)
    return None if term is None else str(term["value"])


class EntityIndex:
    """The entity index of a built dataset, read with ``select`` and, for the queries that
    read every entity (the untyped, searches), ``scan`` (``select`` when not given); a type
    is counted up to ``cap`` entities (see the module).

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

    def __init__(
        self,
        select: Select,
        describer: Describer,
        scan: Select | None = None,
        cap: int = COUNT_CAP,
    ) -> None:
        self.select = select
        self.describer = describer
        self.scan = scan or select
        self.cap = cap

    def types(self) -> dict[URIRef, int | None]:
        """Each type and its entities, counted by the store up to the cap (``cap + 1``
        says more); the entities with no type under rdfs:Resource, None when finding them
        passed ``scan``'s time limit. Types with no IRI entity are left out."""
        counts: dict[URIRef, int | None] = {}
        for row in self.select(_TYPES):
            if "type" in row and row["type"]["type"] == "uri":
                type_ = URIRef(str(row["type"]["value"]))
                counts[type_] = self._count(_typed(type_), self.select)
        try:
            untyped = self._count(_UNTYPED, self.scan)
        except TimeLimitError:
            counts[RDFS.Resource] = None
        else:
            if untyped:
                typed = counts.get(RDFS.Resource) or 0
                counts[RDFS.Resource] = min(typed + untyped, self.cap + 1)
        return {type_: n for type_, n in counts.items() if n != 0}

    def count(self, type_: URIRef) -> int:
        """The entities of ``type_``, up to the cap (``cap + 1`` says more): one query,
        which reads no more of them."""
        return self._count(_members(type_), self._reader(type_))

    def _reader(self, type_: URIRef, words: Sequence[str] = ()) -> Select:
        """How the entities of ``type_`` holding ``words`` are read: through ``scan`` where
        that reads every entity (the untyped among rdfs:Resource's, a match on names)."""
        return self.scan if words or type_ == RDFS.Resource else self.select

    def _count(self, members: str, select: Select) -> int:
        rows = select(_CAPPED % {"members": members, "cap": self.cap + 1})
        return int(rows[0]["n"]["value"]) if rows and "n" in rows[0] else 0

    def overview(self, size: int = OVERVIEW_SIZE) -> list[IndexGroup]:
        """Every type with its count and its first ``size`` entities, types in label order
        (one query for the types, then two per type: its count and its first entities)."""
        groups = [self._shown(type_, count, size) for type_, count in self.types().items()]
        return sorted(groups, key=lambda g: (g.label.lower(), str(g.type)))

    def _shown(self, type_: URIRef, count: int | None, size: int) -> IndexGroup:
        """The overview's group of ``type_``: its first ``size`` entities, or none and not
        counted where finding them passed ``scan``'s time limit."""
        if count is not None:
            try:
                return self._first(type_, (), size, 0, count)[0]
            except TimeLimitError:
                pass
        return IndexGroup(type_, self.describer.label(type_), (), None)

    def listing(
        self,
        type_: URIRef,
        offset: int = 0,
        limit: int = PAGE_SIZE,
        words: Sequence[str] = (),
    ) -> Listing:
        """The entities of ``type_`` from ``offset``, at most ``limit``, those holding every
        word of ``words`` if any: one query to count the type's (up to the cap), one for the
        page (asking for one more entity, to know whether a page follows).

        Raises:
            TimeLimitError: the type is rdfs:Resource, and finding the untyped entities
                passed ``scan``'s time limit.
        """
        count = self.count(type_)
        group, more = self._first(type_, words, limit, offset, count)
        return Listing(group, offset, limit, more, None if words else group.count)

    def _first(
        self, type_: URIRef, words: Sequence[str], limit: int, offset: int, count: int
    ) -> tuple[IndexGroup, bool]:
        """The group of ``type_``'s entities from ``offset`` (at most ``limit``) and whether
        more follow: by key for a type counted in full, else in the store's order."""
        members, select = _members(type_, words), self._reader(type_, words)
        capped = count > self.cap
        if capped:
            where = {"members": members, "limit": limit + 1, "offset": offset}
            order = [str(row["s"]["value"]) for row in select(_STORE_PAGE % where)]
            page = _page(_among(order[:limit]), limit)
            named = {_value(r, "s"): r for r in self.select(page)} if order else {}
            rows = [named.get(iri, {"s": {"value": iri}}) for iri in order[:limit]]
            more = len(order) > limit
        else:
            found = select(_page(members, limit + 1, offset))
            rows, more = found[:limit], len(found) > limit
        shown = len(rows) if words else min(count, self.cap)
        return self._group(type_, rows, shown, capped and not words, not capped), more

    def search(self, words: Sequence[str], size: int = SEARCH_SIZE) -> Found:
        """The first ``size`` entities found with a name or label holding every word (in the
        store's order), shown by key and grouped by type: one query (through ``scan``,
        asking for one more entity, to know whether more matched), then one for the found
        entities' names and types.

        Raises:
            TimeLimitError: the search passed ``scan``'s time limit.
        """
        rows = self.scan(_FOUND % {"tests": _tests(words), "limit": size + 1})
        found = [str(row["s"]["value"]) for row in rows if row["s"]["type"] == "uri"]
        kept = found[:size]
        rows = self.select(_TYPED_PAGE % {"page": _page(_among(kept), size)}) if kept else []
        by_type: dict[URIRef, list[dict[str, Any]]] = {}
        for row in rows:
            type_ = _value(row, "type")
            by_type.setdefault(URIRef(type_ or str(RDFS.Resource)), []).append(row)
        groups = [
            self._group(type_, sorted(held, key=lambda r: (r["key"]["value"], r["s"]["value"])))
            for type_, held in by_type.items()
        ]
        groups.sort(key=lambda g: (g.label.lower(), str(g.type)))
        return Found(groups, len(kept), len(found) > size)

    def _group(
        self,
        type_: URIRef,
        rows: Iterable[dict[str, Any]],
        count: int | None = None,
        capped: bool = False,
        by_name: bool = True,
    ) -> IndexGroup:
        entities = tuple(
            (iri, self.describer.entity_label(iri, _value(row, "name")))
            for iri, row in ((URIRef(str(row["s"]["value"])), row) for row in rows)
        )
        shown = len(entities) if count is None else count
        return IndexGroup(type_, self.describer.label(type_), entities, shown, capped, by_name)


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
