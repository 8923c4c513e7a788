"""The VoID statistics counted by the store (web/void_stats.py) are rdflib's generateVoID's,
which reads each whole graph in the web process (issue 21: nothing reads a whole graph to
answer a page), on every store."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID
from rdflib.void import generateVoID

from filmgraph.core import GRAPHS
from filmgraph.web import state
from filmgraph.web.void_stats import describe_graph
from oxigraph_server import as_oxigraph_holds

pytestmark = pytest.mark.every_store(remote=True)

D = URIRef("urn:void:d")
STATS = (VOID.triples, VOID.classes, VOID.distinctObjects, VOID.distinctSubjects)
PART_STATS = (*STATS, VOID.properties, VOID.entities)


def _figures(void: Graph) -> tuple[dict[object, int], Counter[object]]:
    """The dataset's own figures, and each partition's figures keyed by its class or
    property (a blank class by its figures alone: blank nodes differ between graphs)."""
    top = {p: int(void.value(D, p)) for p in (*STATS, VOID.properties)}
    parts: Counter[object] = Counter()
    for link, kind in (
        (VOID.classPartition, VOID["class"]),
        (VOID.propertyPartition, VOID.property),
    ):
        for part in void.objects(D, link):
            what = void.value(part, kind)
            figures = tuple(int(void.value(part, p) or 0) for p in PART_STATS)
            parts[("blank" if isinstance(what, BNode) else what, figures)] += 1
    return top, parts


def _typed_subjects(graph: Graph, void: Graph) -> None:
    """Set each property partition's void:entities to the subjects of the property that
    have a type: generateVoID's figure is wrong as soon as a subject has two properties (its
    map of types is a defaultdict, which its own lookups fill, so an untyped subject counts
    for every property after its first)."""
    for part in void.objects(D, VOID.propertyPartition):
        prop = void.value(part, VOID.property)
        typed = {s for s in graph.subjects(prop, None) if (s, RDF.type, None) in graph}
        void.set((part, VOID.entities, Literal(len(typed))))


def test_the_statistics_are_rdflibs_for_every_graph(app, held, store):
    served = state(app)
    for name in served.graphs:
        ours = Graph()
        describe_graph(served.select, name, D, ours)
        # Oxigraph's engine holds a derived integer type as xsd:integer: "5" of
        # xsd:nonNegativeInteger and of xsd:integer are one object to it
        graph = held.graph(name) if store == "memory" else as_oxigraph_holds(held.graph(name))
        theirs, _ = generateVoID(graph, dataset=D)
        _typed_subjects(graph, theirs)
        assert _figures(ours) == _figures(theirs), name
        assert (D, RDF.type, VOID.Dataset) in ours


def test_partitions_are_numbered_in_the_order_of_their_iris(app):
    served = state(app)
    name = GRAPHS["asserted"]
    void = Graph()
    describe_graph(served.select, name, D, void)
    parts = sorted(
        void.objects(D, VOID.propertyPartition), key=lambda p: int(p.split("_property")[1])
    )
    properties = [str(void.value(part, VOID.property)) for part in parts]
    assert properties == sorted(properties) and len(properties) > 3
