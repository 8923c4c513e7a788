"""The entity index's queries (filmgraph.export.entity_index) on the cases the Balagov graph
lacks, evaluated by rdflib and by Oxigraph alike: entities with no type (under rdfs:Resource,
with those typed so), with no schema:name (sorted by their rdfs:label, else the end of their
IRI; found by their label), with two names (listed once, found by either), blank nodes (never
listed), searches holding quotes and backslashes (words, never SPARQL), types past the count
cap (counted that far, listed in the store's order) and scans stopped at their time limit."""

from __future__ import annotations

import pytest
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from filmgraph.core import GRAPHS, SCHEMA, TimeLimitError, bind_prefixes
from filmgraph.export import Describer, EntityIndex
from filmgraph.export.entity_index import Select
from filmgraph.store import RdflibEngine
from filmgraph.store.oxigraph import OxigraphEngine, memory_store

E = "http://example.org/"


def _edges() -> Dataset:
    dataset = Dataset()
    bind_prefixes(dataset)
    asserted = dataset.graph(GRAPHS["asserted"])
    for triple in [
        (URIRef(E + "zeta"), URIRef(E + "p"), Literal(1)),  # no type, no name
        (URIRef(E + "x/alpha"), RDFS.label, Literal("Bravo")),  # no type, a label
        (URIRef(E + "two"), SCHEMA.name, Literal("Charlie")),  # no type, two names
        (URIRef(E + "two"), SCHEMA.name, Literal("Able")),
        (URIRef(E + "said"), RDF.type, RDFS.Resource),  # typed rdfs:Resource
        (URIRef(E + "said"), SCHEMA.name, Literal('Delta "quoted" \\ back')),
        (BNode(), RDF.type, SCHEMA.Movie),  # a blank node: not an entity
        (URIRef(E + "m"), RDF.type, SCHEMA.Movie),
        (URIRef(E + "m"), RDF.type, BNode()),  # a blank type: not a type
        (URIRef(E + "m"), SCHEMA.name, Literal("Echo")),
    ]:
        asserted.add(triple)
    return dataset


def _select_on(engine: RdflibEngine | OxigraphEngine) -> Select:
    def select(text: str) -> list[dict]:
        rows = []
        for row in engine.run(text).result:
            values = row.asdict().items()
            rows.append({str(k): {"type": "uri" if isinstance(v, URIRef) else "literal",
                                  "value": str(v)} for k, v in values})  # fmt: skip
        return rows

    return select


def _engine(kind: str, dataset: Dataset) -> RdflibEngine | OxigraphEngine:
    return RdflibEngine(dataset) if kind == "rdflib" else OxigraphEngine(memory_store(dataset))


@pytest.fixture(params=["rdflib", "oxigraph"], scope="module")
def index(request: pytest.FixtureRequest) -> EntityIndex:
    dataset = _edges()
    return EntityIndex(_select_on(_engine(request.param, dataset)), Describer(dataset))


def _names(group) -> list[str]:
    return [name for _, name in group.entities]


def test_untyped_entities_are_resources_in_key_order(index: EntityIndex):
    assert index.types() == {RDFS.Resource: 4, SCHEMA.Movie: 1}
    groups = {g.type: g for g in index.overview()}
    resources = groups[RDFS.Resource]
    assert resources.count == 4 and not resources.more
    # the keys: "able" (the least of two names), "bravo" (the label), "delta ...", "zeta"
    assert [str(iri) for iri, _ in resources.entities] == [
        E + "two",
        E + "x/alpha",
        E + "said",
        E + "zeta",
    ]
    assert _names(resources)[:2] == ["Able", "Bravo"]
    assert _names(groups[SCHEMA.Movie]) == ["Echo"]


def test_a_listing_pages_the_untyped_too(index: EntityIndex):
    first = index.listing(RDFS.Resource, 0, 3)
    rest = index.listing(RDFS.Resource, 3, 3)
    assert first.more and not rest.more and first.total == rest.total == 4
    assert len(first.group.entities) == 3
    assert [str(iri) for iri, _ in rest.group.entities] == [E + "zeta"]


@pytest.mark.parametrize(
    ("words", "found"),
    [
        (["zet"], []),  # no name or label: the end of its IRI sorts it, not searched
        (["brav"], [E + "x/alpha"]),  # by its rdfs:label
        (["able"], [E + "two"]),
        (["charlie"], [E + "two"]),  # by either of its names
        (["able", "charlie"], []),  # every word in one name
        (['"quoted"', "\\"], [E + "said"]),  # words, never SPARQL
        (["}", "'"], []),
    ],
)
def test_a_search_finds_by_name_or_label(index: EntityIndex, words: list[str], found: list[str]):
    result = index.search(words)
    assert sorted({str(iri) for g in result.groups for iri, _ in g.entities}) == found
    assert result.entities == len(found) and not result.capped


def test_a_search_says_when_it_is_capped(index: EntityIndex):
    result = index.search(["e"], size=2)  # Able, Delta, Echo, zeta hold an "e"
    assert result.capped and result.entities == 2


def _films(count: int) -> Dataset:
    """``count`` films named F 0 ... (their IRIs in the reverse order of their names), and
    one entity with no type."""
    dataset = Dataset()
    bind_prefixes(dataset)
    asserted = dataset.graph(GRAPHS["asserted"])
    for i in range(count):
        film = URIRef(f"{E}film/{count - i:03d}")
        asserted.add((film, RDF.type, SCHEMA.Movie))
        asserted.add((film, SCHEMA.name, Literal(f"F {i}")))
    asserted.add((URIRef(E + "loose"), SCHEMA.name, Literal("Loose")))
    return dataset


@pytest.mark.parametrize("kind", ["rdflib", "oxigraph"])
def test_a_type_past_the_cap_is_counted_that_far_and_paged_in_the_store_order(kind: str):
    dataset = _films(12)
    select = _select_on(_engine(kind, dataset))
    capped = EntityIndex(select, Describer(dataset), cap=5)
    assert capped.types() == {SCHEMA.Movie: 6, RDFS.Resource: 1}  # 6: more than 5
    movies = {g.type: g for g in capped.overview(size=4)}[SCHEMA.Movie]
    assert movies.capped and movies.count == 5 and movies.more and not movies.by_name
    pages = [capped.listing(SCHEMA.Movie, offset, 5) for offset in (0, 5, 10)]
    assert [p.more for p in pages] == [True, True, False] and pages[0].total == 5
    names = [name for p in pages for _, name in p.group.entities]
    assert sorted(names) == sorted(f"F {i}" for i in range(12))  # each film once
    assert names[:4] == [name for _, name in movies.entities]  # the overview's are the first
    # under the cap, the same films are listed by name
    full = EntityIndex(select, Describer(dataset), cap=12)
    listed = full.listing(SCHEMA.Movie, 0, 3)
    assert listed.group.by_name and not listed.group.capped and listed.total == 12
    assert [name for _, name in listed.group.entities] == ["F 0", "F 1", "F 10"]
    # a search within the capped type: its matches, in the store's order
    found = capped.listing(SCHEMA.Movie, 0, 5, ["f", "1"])
    assert sorted(name for _, name in found.group.entities) == ["F 1", "F 10", "F 11"]
    assert found.total is None and not found.group.by_name


def test_scans_past_their_time_limit_leave_the_untyped_not_counted():
    dataset = _films(3)
    select = _select_on(_engine("oxigraph", dataset))

    def stopped(text: str) -> list[dict]:
        raise TimeLimitError("the query was stopped at the time limit of 2 s")

    index = EntityIndex(select, Describer(dataset), scan=stopped)
    assert index.types() == {SCHEMA.Movie: 3, RDFS.Resource: None}
    groups = {g.type: g for g in index.overview()}
    assert groups[RDFS.Resource].count is None and groups[RDFS.Resource].more
    assert [name for _, name in groups[SCHEMA.Movie].entities] == ["F 0", "F 1", "F 2"]
    with pytest.raises(TimeLimitError):
        index.search(["f"])
    with pytest.raises(TimeLimitError):
        index.listing(RDFS.Resource)
