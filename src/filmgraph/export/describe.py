"""What the graph says about one entity: its facts, each with the document's words behind
it or the reasoning that infers it, its incoming links and its neighbourhood.

This is the library behind the entity pages; it needs no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from ..core import FG, FGID, GRAPHS, SCHEMA, WD, NotFoundError, Triple, new_graph, term_text
from ..load import Quote, characterisations_of, quote_index, statement_iri


@dataclass(frozen=True)
class Assessment:
    """What is known of an asserted fact (the assessments graph): ``name`` is one of
    corroborated, contradicted, uncorroborated, unchecked; for a compared fact, why, and the
    reference's values."""

    name: str
    reason: str = ""
    values: tuple[str, ...] = ()

    @property
    def shown(self) -> bool:
        """Whether the pages mark it (unchecked, the default, is left unmarked)."""
        return self.name != "unchecked"


@dataclass(frozen=True)
class Fact:
    """One triple about an entity: ``asserted`` (with its quotes and assessment) or
    ``inferred``."""

    triple: Triple
    kind: str
    quotes: tuple[Quote, ...] = ()
    assessment: Assessment | None = None


@dataclass
class Description:
    """An entity as the pages show it. ``facts`` and ``incoming`` map each predicate to its
    facts, predicates in label order; ``types`` are its classes, ``type_facts`` the
    ``rdf:type`` facts they come from (asserted or inferred)."""

    iri: URIRef
    label: str
    types: list[URIRef | BNode]
    facts: dict[URIRef, list[Fact]] = field(default_factory=dict)
    incoming: dict[URIRef, list[Fact]] = field(default_factory=dict)
    same_as: list[URIRef] = field(default_factory=list)
    characterisations: list[Quote] = field(default_factory=list)
    type_facts: list[Fact] = field(default_factory=list)

    @property
    def wikidata(self) -> list[URIRef]:
        return [iri for iri in self.same_as if iri.startswith(str(WD))]


class Describer:
    """Descriptions of the entities of one built dataset (the quote index is made once)."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.asserted = dataset.graph(GRAPHS["asserted"])
        self.inferred = dataset.graph(GRAPHS["inferred"])
        self.ontology = dataset.graph(GRAPHS["ontology"])
        self.links = dataset.graph(GRAPHS["links"])
        self.assessments = dataset.graph(GRAPHS["assessments"])
        self.namespaces = new_graph().namespace_manager
        self._quotes: dict[Triple, list[Quote]] | None = None

    @property
    def quotes(self) -> dict[Triple, list[Quote]]:
        if self._quotes is None:
            self._quotes = quote_index(self.dataset)
        return self._quotes

    def describe(self, iri: URIRef) -> Description:
        """The description of ``iri``.

        Raises:
            NotFoundError: no asserted or inferred triple mentions ``iri``.

        >>> from filmgraph import build
        >>> d = Describer(build()).describe(FGID.closeness)
        >>> d.label, sorted({f.kind for facts in d.facts.values() for f in facts})
        ('Closeness', ['asserted', 'inferred'])
        """
        out = self._facts((iri, None, None))
        incoming = self._facts((None, None, iri))
        if not out and not incoming:
            raise NotFoundError(f"the graph says nothing about <{iri}>")
        type_facts = out.pop(RDF.type, [])
        classes = {f.triple[2] for f in type_facts if isinstance(f.triple[2], URIRef | BNode)}
        types = sorted(classes, key=self.label)
        same_as = sorted(
            {o for p in (SCHEMA.sameAs, OWL.sameAs) for o in self.links.objects(iri, p)}
            | {f.triple[2] for f in out.get(SCHEMA.sameAs, [])},
            key=str,
        )
        return Description(
            iri,
            self.label(iri),
            types,
            out,
            incoming,
            [term for term in same_as if isinstance(term, URIRef)],
            characterisations_of(self.dataset, iri),
            type_facts,
        )

    def assessment(self, triple: Triple) -> Assessment | None:
        """The assessment of an asserted fact, when the build made one."""
        statement = statement_iri(triple)
        name = self.assessments.value(statement, FG.assessment)
        if not isinstance(name, URIRef):
            return None
        values = sorted(
            self.label(v) if isinstance(v, URIRef) else str(v)
            for v in self.assessments.objects(statement, FG.referenceValue)
        )
        reason = self.assessments.value(statement, FG.assessmentReason)
        return Assessment(name.removeprefix(str(FG)), str(reason or ""), tuple(values))

    def describes(self, iri: URIRef) -> bool:
        """Whether the asserted or inferred graph has a triple about ``iri`` (as subject)."""
        return any(
            next(graph.triples((iri, None, None)), None) is not None
            for graph in (self.asserted, self.inferred)
        )

    def _facts(self, pattern: tuple[Node | None, None, Node | None]) -> dict[URIRef, list[Fact]]:
        grouped: dict[URIRef, list[Fact]] = {}
        for kind, graph in (("asserted", self.asserted), ("inferred", self.inferred)):
            for triple in graph.triples(pattern):
                asserted = kind == "asserted"
                quotes = tuple(self.quotes.get(triple, ())) if asserted else ()
                assessment = self.assessment(triple) if asserted else None
                fact = Fact(triple, kind, quotes, assessment)
                grouped.setdefault(URIRef(str(triple[1])), []).append(fact)
        for facts in grouped.values():
            facts.sort(key=lambda f: (f.kind, self.label(f.triple[2]), str(f.triple[2])))
        return dict(sorted(grouped.items(), key=lambda item: self.label(item[0]).lower()))

    def label(self, term: Node) -> str:
        """A name for people: schema:name or rdfs:label, else the prefixed name."""
        if isinstance(term, Literal):
            return str(term)
        for graph in (self.asserted, self.inferred, self.ontology):
            for predicate in (SCHEMA.name, RDFS.label):
                value = graph.value(term, predicate)
                if value is not None:
                    return str(value)
        return term_text(term, self.ontology, self.namespaces)

    def neighbourhood(self, description: Description, limit: int = 40) -> dict[str, Any]:
        """The entity and the resources one link away, as cytoscape.js elements."""
        nodes: dict[Node, str] = {description.iri: description.label}
        edges = []
        links = [
            (fact.triple, fact.kind)
            for table in (description.facts, description.incoming)
            for facts in table.values()
            for fact in facts
            if isinstance(fact.triple[0], URIRef) and isinstance(fact.triple[2], URIRef)
        ]
        for (s, p, o), kind in links:
            if len(nodes) >= limit and (s not in nodes or o not in nodes):
                continue
            for term in (s, o):
                nodes.setdefault(term, self.label(term))
            edges.append({"source": str(s), "target": str(o), "label": self.label(p), "kind": kind})
        return {
            "nodes": [
                {"data": {"id": str(iri), "label": label, "ours": str(iri).startswith(FGID)}}
                for iri, label in nodes.items()
            ],
            "edges": [{"data": {"id": f"e{i}", **edge}} for i, edge in enumerate(edges)],
        }
