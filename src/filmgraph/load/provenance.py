"""Provenance: the link from each asserted fact to the words of the source document.

The provenance graph follows the W3C Web Annotation model. Each claim is an
``oa:Annotation`` whose target is the quoted span of the document (an ``oa:TextQuoteSelector``
with the exact words and an ``oa:TextPositionSelector`` with code-point offsets) and whose
bodies are the facts it states, as reified ``rdf:Statement`` nodes. Characterisations are
annotations motivated by ``oa:assessing`` that point at the entities they speak about.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD
from rdflib.term import Identifier, Node

from ..core import (
    CLAIM,
    FG,
    GRAPHS,
    OA,
    SCHEMA,
    STATEMENT,
    Triple,
    new_graph,
    sparql_prefix_header,
)
from .claims import Claim, ClaimSet
from .document import SourceDocument

CONTEXT = 32  # characters of oa:prefix / oa:suffix kept around each quote


def statement_iri(triple: Triple) -> URIRef:
    """The stable IRI of the reified statement of a triple (a hash of its N-Triples form)."""
    s, p, o = triple
    line = f"{s.n3()} {p.n3()} {o.n3()} ."
    return STATEMENT[hashlib.sha1(line.encode("utf-8")).hexdigest()[:16]]


def sentence_iri(source: SourceDocument, number: int) -> URIRef:
    return URIRef(f"{source.iri}#sentence-{number}")


def provenance_graph(claimset: ClaimSet) -> Graph:
    """Build the provenance graph of a checklist."""
    graph = new_graph(GRAPHS["provenance"])
    for source in claimset.sources:
        doc = URIRef(source.iri)
        graph.add((doc, RDF.type, SCHEMA.TextDigitalDocument))
        graph.add((doc, SCHEMA.name, Literal(source.name)))
        graph.add((doc, SCHEMA.encodingFormat, Literal("text/plain")))
        graph.add((doc, SCHEMA.sha256, Literal(source.sha256)))
        for sentence in source.sentences():
            node = sentence_iri(source, sentence.number)
            number = Literal(sentence.number, datatype=XSD.positiveInteger)
            graph.add((node, RDF.type, FG.Sentence))
            graph.add((node, OA.hasSource, doc))
            graph.add((node, FG.sentenceNumber, number))
            graph.add((node, RDF.value, Literal(sentence.text)))
            _add_position(graph, node, sentence.start, sentence.end)
    for claim in claimset.claims:
        _add_claim(graph, claim, claimset.source_of(claim))
    return graph


def _add_position(graph: Graph, node: URIRef, start: int, end: int) -> None:
    selector = URIRef(f"{node}-position")
    graph.add((node, OA.hasSelector, selector))
    graph.add((selector, RDF.type, OA.TextPositionSelector))
    graph.add((selector, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    graph.add((selector, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))


def _add_claim(graph: Graph, claim: Claim, source: SourceDocument) -> None:
    annotation = CLAIM[claim.id]
    target = URIRef(f"{annotation}#target")
    quote = URIRef(f"{annotation}#quote")
    graph.add((annotation, RDF.type, OA.Annotation))
    graph.add((annotation, DCTERMS.identifier, Literal(claim.id)))
    graph.add((annotation, OA.hasTarget, target))
    graph.add((target, RDF.type, OA.SpecificResource))
    graph.add((target, OA.hasSource, URIRef(source.iri)))
    graph.add((target, FG.inSentence, sentence_iri(source, claim.sentence)))
    graph.add((target, OA.hasSelector, quote))
    graph.add((quote, RDF.type, OA.TextQuoteSelector))
    graph.add((quote, OA.exact, Literal(claim.quote)))
    graph.add((quote, OA.prefix, Literal(source.text[max(0, claim.start - CONTEXT) : claim.start])))
    graph.add((quote, OA.suffix, Literal(source.text[claim.end : claim.end + CONTEXT])))
    _add_position(graph, URIRef(f"{annotation}#target"), claim.start, claim.end)
    if claim.kind == "fact":
        graph.add((annotation, RDF.type, FG.Claim))
        graph.add((annotation, OA.motivatedBy, OA.describing))
        for triple in claim.triples:
            statement = statement_iri(triple)
            graph.add((annotation, OA.hasBody, statement))
            graph.add((statement, RDF.type, RDF.Statement))
            graph.add((statement, RDF.subject, triple[0]))
            graph.add((statement, RDF.predicate, triple[1]))
            graph.add((statement, RDF.object, triple[2]))
    else:
        graph.add((annotation, RDF.type, FG.Characterisation))
        graph.add((annotation, OA.motivatedBy, OA.assessing))
        for entity in claim.about:
            graph.add((annotation, FG.characterises, entity))


# ---------------------------------------------------------------- looking provenance up


@dataclass(frozen=True)
class Quote:
    """Words of the source document behind a fact or a characterisation."""

    claim: URIRef
    exact: str
    start: int
    end: int
    sentence: int
    source: URIRef

    def as_dict(self) -> dict[str, object]:
        return {
            "claim": str(self.claim),
            "quote": self.exact,
            "start": self.start,
            "end": self.end,
            "sentence": self.sentence,
            "source": str(self.source),
        }


_QUOTE_PATTERN = """
    ?annotation oa:hasTarget ?target .
    ?target oa:hasSource ?source ;
        fg:inSentence/fg:sentenceNumber ?sentence ;
        oa:hasSelector ?q, ?pos .
    ?q oa:exact ?exact .
    ?pos oa:start ?start ; oa:end ?end .
"""

_QUOTES_FOR_TRIPLE = (
    sparql_prefix_header()
    + """
SELECT ?s ?p ?o ?annotation ?exact ?start ?end ?sentence ?source WHERE {
  GRAPH ?provenance {
    ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    ?annotation oa:hasBody ?statement .
"""
    + _QUOTE_PATTERN
    + "  }\n} ORDER BY ?start ?annotation"
)


def _rows(graph: Graph, query: str, bindings: Mapping[str, Node]) -> Any:
    terms = cast(Mapping[str, Identifier], bindings)  # the terms of triples are Identifiers
    return graph.query(query, initBindings={"provenance": GRAPHS["provenance"], **terms})


def _quote(row: Any) -> Quote:
    return Quote(
        row.annotation, str(row.exact), int(row.start), int(row.end), int(row.sentence), row.source
    )


def quote_index(graph: Graph, source: URIRef | None = None) -> dict[Triple, list[Quote]]:
    """Every triple with provenance and its quotes, in document order, from one query
    (for pages that show many facts; :func:`quotes_for` asks for one); of one ``source``
    document only, when given.

    >>> from filmgraph import build
    >>> index = quote_index(build())
    >>> len(index) > 100, all(quotes for quotes in index.values())
    (True, True)
    """
    index: dict[Triple, list[Quote]] = {}
    bound = {} if source is None else {"source": source}
    for row in _rows(graph, _QUOTES_FOR_TRIPLE, bound):
        index.setdefault((row.s, row.p, row.o), []).append(_quote(row))
    return index


def quotes_for(graph: Graph, triple: Triple) -> list[Quote]:
    """The quotes of the document that state ``triple``, in document order.

    ``graph`` is a built dataset (or any graph holding the provenance named graph).
    An empty list means the triple has no provenance. Read by pattern lookups on the
    statements of the triple's subject alone, however large the provenance graph.
    """
    s, p, o = triple
    provenance = _provenance(graph)
    annotations = [
        annotation
        for statement in provenance.subjects(RDF.subject, s)
        if (statement, RDF.predicate, p) in provenance and (statement, RDF.object, o) in provenance
        for annotation in provenance.subjects(OA.hasBody, statement)
    ]
    return _sorted_quotes(provenance, annotations)


def characterisations_of(graph: Graph, entity: URIRef) -> list[Quote]:
    """The document's evaluative words about ``entity``, kept apart from its facts (pattern
    lookups on the annotations that characterise it)."""
    provenance = _provenance(graph)
    annotations = [
        annotation
        for annotation in provenance.subjects(FG.characterises, entity)
        if (annotation, RDF.type, FG.Characterisation) in provenance
    ]
    return _sorted_quotes(provenance, annotations)


def _provenance(graph: Graph) -> Graph:
    """The provenance named graph of a dataset (a plain graph is taken as it)."""
    if isinstance(graph, Dataset):
        return graph.graph(GRAPHS["provenance"])
    return graph


def _sorted_quotes(provenance: Graph, annotations: list[Node]) -> list[Quote]:
    """The quotes of ``annotations`` (each once per matching target and selectors, as the
    SPARQL pattern of :func:`quote_index` finds them), by start, then annotation."""
    found = [
        quote
        for annotation in dict.fromkeys(annotations)
        for quote in _quotes_of(provenance, annotation)
    ]
    return sorted(found, key=lambda q: (q.start, str(q.claim)))


def _quotes_of(provenance: Graph, annotation: Node) -> list[Quote]:
    """The quotes one annotation's targets give (:data:`_QUOTE_PATTERN`, by lookups)."""
    found = []
    for target in provenance.objects(annotation, OA.hasTarget):
        sources = list(provenance.objects(target, OA.hasSource))
        sentences = [
            number
            for sentence in provenance.objects(target, FG.inSentence)
            for number in provenance.objects(sentence, FG.sentenceNumber)
        ]
        selectors = list(provenance.objects(target, OA.hasSelector))
        exacts = [e for q in selectors for e in provenance.objects(q, OA.exact)]
        positions = [
            (start, end)
            for pos in selectors
            for start in provenance.objects(pos, OA.start)
            for end in provenance.objects(pos, OA.end)
        ]
        for source, sentence, exact, (start, end) in itertools.product(
            sources, sentences, exacts, positions
        ):
            found.append(
                Quote(
                    URIRef(str(annotation)),
                    str(exact),
                    int(str(start)),
                    int(str(end)),
                    int(str(sentence)),
                    URIRef(str(source)),
                )
            )
    return found
