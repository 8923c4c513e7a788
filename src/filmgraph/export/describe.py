"""What the graph says about one entity: its facts, each with the document's words behind
it or the reasoning that infers it, its incoming links and its neighbourhood.

This is the library behind the entity pages; it needs no Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from ..core import FG, FGID, GRAPHS, SCHEMA, WD, NotFoundError, Triple, new_graph, term_text
from ..load import Quote, characterisations_of, quotes_for, statement_iri


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
    facts, predicates in label order; ``types`` are its classes (restriction classes only
    where they can be said in words), ``type_facts`` the
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


#: Labels for the RDF, RDFS and OWL terms the pages show, which have none in our graphs.
_LABELS: dict[Node, str] = {
    RDF.type: "type",
    RDFS.label: "label",
    RDFS.comment: "comment",
    RDFS.seeAlso: "see also",
    RDFS.subClassOf: "subclass of",
    RDFS.subPropertyOf: "subproperty of",
    RDFS.domain: "domain",
    RDFS.range: "range",
    RDFS.Resource: "resource",
    OWL.sameAs: "same as",
    OWL.inverseOf: "inverse of",
    OWL.equivalentClass: "equivalent class",
    OWL.Thing: "thing",
}

_VOCABULARY_TYPES = {
    OWL.Class,
    RDFS.Class,
    RDF.Property,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
}

_CAMEL = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")


def in_words(label: str) -> str:
    """A name written as one identifier (camel case) in words, lower case but for acronyms;
    any other label as it is.

    >>> [in_words(n) for n in ("alumniOf", "CollegeOrUniversity", "Movie", "URL", "film director")]
    ['alumni of', 'college or university', 'movie', 'URL', 'film director']
    """
    if not _CAMEL.match(label):
        return label
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in _WORD.findall(label))


class Describer:
    """Descriptions of the entities of one built dataset, each read by lookups of what it
    shows (its facts, their quotes and assessments, the labels of the terms it names), never
    by reading a whole graph."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.asserted = dataset.graph(GRAPHS["asserted"])
        self.inferred = dataset.graph(GRAPHS["inferred"])
        self.ontology = dataset.graph(GRAPHS["ontology"])
        self.links = dataset.graph(GRAPHS["links"])
        self.assessments = dataset.graph(GRAPHS["assessments"])
        self.namespaces = new_graph().namespace_manager

    def quotes_of(self, triple: Triple) -> list[Quote]:
        """The quotes that state ``triple``, in document order (pattern lookups)."""
        return quotes_for(self.dataset, triple)

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
        # classes by name, and restriction classes that can be said in words (a blank node
        # the ontology does not describe, as a remote store's copy may give, is left out)
        classes = {
            o
            for f in type_facts
            if isinstance(o := f.triple[2], URIRef)
            or (isinstance(o, BNode) and self._restriction(o) is not None)
        }
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

    def assessed(self, name: str) -> list[tuple[Triple, Assessment]]:
        """The asserted facts assessed ``name`` (one of :data:`~filmgraph.core.ASSESSMENTS`),
        sorted, by lookups on the assessments graph and the statements' reification in the
        provenance graph: never a pass over every asserted fact."""
        provenance = self.dataset.graph(GRAPHS["provenance"])
        found = []
        for statement in self.assessments.subjects(FG.assessment, FG[name]):
            triple = (
                provenance.value(statement, RDF.subject),
                provenance.value(statement, RDF.predicate),
                provenance.value(statement, RDF.object),
            )
            if None in triple or triple not in self.asserted:
                continue
            fact: Triple = triple  # type: ignore[assignment]  # none of the three is None
            assessment = self.assessment(fact)
            if assessment is not None:
                found.append((fact, assessment))
        return sorted(found, key=lambda item: tuple(map(str, item[0])))

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
                quotes = tuple(self.quotes_of(triple)) if asserted else ()
                assessment = self.assessment(triple) if asserted else None
                fact = Fact(triple, kind, quotes, assessment)
                grouped.setdefault(URIRef(str(triple[1])), []).append(fact)
        for facts in grouped.values():
            facts.sort(key=lambda f: (f.kind, self.label(f.triple[2]), str(f.triple[2])))
        return dict(sorted(grouped.items(), key=lambda item: self.label(item[0]).lower()))

    def entity_label(self, subject: URIRef, name: str | None) -> str:
        """:meth:`label` of ``subject``, given its schema:name in the asserted graph when it
        has one (the entity index reads the names of a page of entities in one query)."""
        if name is None:
            return self.label(subject)
        return in_words(str(name)) if self._vocabulary(subject) else str(name)

    def label(self, term: Node) -> str:
        """A name for people: schema:name or rdfs:label (a vocabulary term's camel-case label
        in words: ``alumniOf`` -> ``alumni of``), a restriction class in words (``directed
        some movie``), the label of a few RDF, RDFS and OWL terms, else the prefixed name.

        >>> from filmgraph import build
        >>> describer = Describer(build())
        >>> [describer.label(t) for t in (SCHEMA.alumniOf, SCHEMA.CollegeOrUniversity, RDFS.label)]
        ['alumni of', 'college or university', 'label']
        """
        if isinstance(term, Literal):
            return str(term)
        for graph in (self.asserted, self.inferred, self.ontology):
            for predicate in (SCHEMA.name, RDFS.label):
                value = graph.value(term, predicate)
                if value is not None:
                    return in_words(str(value)) if self._vocabulary(term) else str(value)
        if isinstance(term, BNode) and (words := self._restriction(term)):
            return words
        if term in _LABELS:
            return _LABELS[term]
        return term_text(term, self.ontology, self.namespaces)

    def prefixed(self, term: Node) -> str:
        """The term as the data writes it: a prefixed name (``schema:alumniOf``), or N3."""
        return term_text(term, self.ontology, self.namespaces)

    def _vocabulary(self, term: Node) -> bool:
        """Whether ``term`` is a class or property (schema.org's, or our ontology's)."""
        if not isinstance(term, URIRef):
            return False
        if term.startswith(str(SCHEMA)):
            return True
        kinds = set(self.ontology.objects(term, RDF.type))
        return bool(kinds & _VOCABULARY_TYPES)

    def _restriction(self, term: BNode) -> str | None:
        """An OWL restriction class in words: ``directed some movie``, ``has occupation
        film director``; None for any other blank node."""
        prop = self.ontology.value(term, OWL.onProperty)
        if prop is None:
            return None
        for predicate, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only")):
            if (filler := self.ontology.value(term, predicate)) is not None:
                return f"{self.label(prop)} {word} {self.label(filler)}"
        if (value := self.ontology.value(term, OWL.hasValue)) is not None:
            return f"{self.label(prop)} {self.label(value)}"
        return None

    def neighbourhood(self, description: Description, limit: int = 40) -> dict[str, Any]:
        """The entity and the resources one link away, as cytoscape.js elements; each node
        has a ``kind`` (person, creative work, event, organization, place, other, or outside
        the project, from its asserted and inferred types), and ``kinds`` lists the kinds
        present, in that order, with their names for the legend."""
        kinds = [
            ("person", "person", SCHEMA.Person),
            ("creative-work", "creative work", SCHEMA.CreativeWork),
            ("event", "event", SCHEMA.Event),
            ("organization", "organization", SCHEMA.Organization),
            ("place", "place", SCHEMA.Place),
        ]
        names = {key: name for key, name, _ in kinds}
        names |= {"other": "idea, occupation or other", "external": "outside the project"}

        def kind_of(iri: Node) -> str:
            if not str(iri).startswith(FGID):
                return "external"
            types = {t for g in (self.asserted, self.inferred) for t in g.objects(iri, RDF.type)}
            return next((key for key, _, cls in kinds if cls in types), "other")

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
        node_kinds = {iri: kind_of(iri) for iri in nodes}
        present = set(node_kinds.values())
        return {
            "nodes": [
                {
                    "data": {
                        "id": str(iri),
                        "label": label,
                        "ours": str(iri).startswith(FGID),
                        "kind": node_kinds[iri],
                    }
                }
                for iri, label in nodes.items()
            ],
            "edges": [{"data": {"id": f"e{i}", **edge}} for i, edge in enumerate(edges)],
            "kinds": [{"key": key, "name": name} for key, name in names.items() if key in present],
        }
