"""The entity index's queries (filmgraph.export.entity_index) on the cases the Balagov graph
lacks, evaluated by rdflib and by Oxigraph alike: entities with no type (under rdfs:Resource,
with those typed so), with no schema:name (sorted and found by their rdfs:label, else the end
of their IRI), with two names (listed once), blank nodes (never listed), and searches holding
quotes and backslashes (words, never SPARQL)."""

from __future__ import annotations

import pytest
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from filmgraph.core import GRAPHS, SCHEMA, bind_prefixes
from filmgraph.export import Describer, EntityIndex
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


@pytest.fixture(params=["rdflib", "oxigraph"], scope="module")
def index(request: pytest.FixtureRequest) -> EntityIndex:
    dataset = _edges()
    if request.param == "rdflib":
        engine = RdflibEngine(dataset)
    else:
        engine = OxigraphEngine(memory_store(dataset))

    def select(text: str) -> list[dict]:
        rows = []
        for row in engine.run(text).result:
            values = row.asdict().items()
            rows.append({str(k): {"type": "uri" if isinstance(v, URIRef) else "literal",
                                  "value": str(v)} for k, v in values})  # fmt: skip
        return rows

    return EntityIndex(select, Describer(dataset))


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
        (["zet"], [E + "zeta"]),  # by the end of its IRI
        (["brav"], [E + "x/alpha"]),  # by its rdfs:label
        (["able"], [E + "two"]),
        (["charlie"], []),  # the key is the least name: Able
        (['"quoted"', "\\"], [E + "said"]),  # words, never SPARQL
        (["}", "'"], []),
    ],
)
def test_a_search_finds_by_key(index: EntityIndex, words: list[str], found: list[str]):
    result = index.search(words)
    assert sorted({str(iri) for g in result.groups for iri, _ in g.entities}) == found
    assert result.entities == len(found) and not result.capped


def test_a_search_says_when_it_is_capped(index: EntityIndex):
    result = index.search(["e"], size=2)  # Able, Delta, Echo, zeta hold an "e"
    assert result.capped and result.entities == 2
