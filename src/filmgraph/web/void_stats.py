"""VoID statistics of a named graph, counted by the store: aggregate queries run on the
query workers, so the web process never reads a graph to describe it.

The figures are rdflib's :func:`rdflib.void.generateVoID`'s (which reads the whole graph into
sets and maps in the calling process): the graph's triples, classes, distinct subjects and
objects and properties; a class partition per class (the triples whose subject is of it, its
entities, their properties and distinct objects) and a property partition per property (its
triples, distinct subjects and objects, the typed subjects among them and their classes).
Partitions are numbered in the order of their class or property IRIs, so the description is
the same at every start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID

#: Runs a SELECT query on the store and gives its rows (values as rdflib's JSON terms).
Select = Callable[[str], list[dict[str, Any]]]

_TOTALS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
  (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { GRAPH <%(g)s> { ?s ?p ?o } }"""

_CLASSES = """SELECT ?c (COUNT(DISTINCT ?e) AS ?entities)
WHERE { GRAPH <%(g)s> { ?e a ?c } } GROUP BY ?c"""

_CLASS_PARTS = """SELECT ?c (COUNT(*) AS ?triples) (COUNT(DISTINCT ?p) AS ?properties)
  (COUNT(DISTINCT ?o) AS ?objects)
WHERE { GRAPH <%(g)s> { { SELECT DISTINCT ?s ?c WHERE { ?s a ?c } } ?s ?p ?o } }
GROUP BY ?c"""

_PROPERTY_PARTS = """SELECT ?p (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
  (COUNT(DISTINCT ?o) AS ?objects)
WHERE { GRAPH <%(g)s> { ?s ?p ?o } } GROUP BY ?p"""

_PROPERTY_TYPES = """SELECT ?p (COUNT(DISTINCT ?s) AS ?entities) (COUNT(DISTINCT ?c) AS ?classes)
WHERE { GRAPH <%(g)s> { { SELECT DISTINCT ?s ?p WHERE { ?s ?p ?o } } ?s a ?c } }
GROUP BY ?p"""


def _term(value: dict[str, Any]) -> URIRef | BNode | Literal:
    if value["type"] == "uri":
        return URIRef(value["value"])
    if value["type"] == "bnode":  # a restriction class: blank in the description too
        return BNode(value["value"])
    return Literal(value["value"], datatype=value.get("datatype"), lang=value.get("xml:lang"))


def _count(row: dict[str, Any], name: str) -> Literal:
    return Literal(int(row[name]["value"]) if name in row else 0)


def describe_graph(select: Select, graph: URIRef, dataset: URIRef, into: Graph) -> None:
    """Add to ``into`` the VoID statistics of the named ``graph`` as ``dataset``."""
    where = {"g": str(graph)}
    into.add((dataset, RDF.type, VOID.Dataset))
    totals = select(_TOTALS % where)[0]
    classes = {row["c"]["value"]: row for row in select(_CLASSES % where) if "c" in row}
    into.add((dataset, VOID.triples, _count(totals, "triples")))
    into.add((dataset, VOID.classes, Literal(len(classes))))
    into.add((dataset, VOID.distinctObjects, _count(totals, "objects")))
    into.add((dataset, VOID.distinctSubjects, _count(totals, "subjects")))
    into.add((dataset, VOID.properties, _count(totals, "properties")))
    parts = {row["c"]["value"]: row for row in select(_CLASS_PARTS % where) if "c" in row}
    for i, name in enumerate(sorted(classes)):
        part, row = URIRef(f"{dataset}_class{i}"), parts.get(name, {})
        into.add((dataset, VOID.classPartition, part))
        into.add((part, RDF.type, VOID.Dataset))
        into.add((part, VOID.triples, _count(row, "triples")))
        into.add((part, VOID.classes, Literal(1)))
        into.add((part, VOID["class"], _term(classes[name]["c"])))
        into.add((part, VOID.entities, _count(classes[name], "entities")))
        into.add((part, VOID.distinctSubjects, _count(classes[name], "entities")))
        into.add((part, VOID.properties, _count(row, "properties")))
        into.add((part, VOID.distinctObjects, _count(row, "objects")))
    typed = {row["p"]["value"]: row for row in select(_PROPERTY_TYPES % where) if "p" in row}
    used = {row["p"]["value"]: row for row in select(_PROPERTY_PARTS % where) if "p" in row}
    for i, name in enumerate(sorted(used)):
        part, row, types = URIRef(f"{dataset}_property{i}"), used[name], typed.get(name, {})
        into.add((dataset, VOID.propertyPartition, part))
        into.add((part, RDF.type, VOID.Dataset))
        into.add((part, VOID.triples, _count(row, "triples")))
        into.add((part, VOID.properties, Literal(1)))
        into.add((part, VOID.property, URIRef(name)))
        into.add((part, VOID.entities, _count(types, "entities")))
        into.add((part, VOID.classes, _count(types, "classes")))
        into.add((part, VOID.distinctSubjects, _count(row, "subjects")))
        into.add((part, VOID.distinctObjects, _count(row, "objects")))
