"""What we know of each claim, in the graph: corroborated, contradicted, uncorroborated,
unchecked, or a characterisation (never a fact).

The assessments graph holds, for every fact the document states (its reified statement in
the provenance graph) and for every claim (its annotation), one ``fg:assessment``; a fact the
comparison with Wikidata graded also gets the reason and the reference's value:

    stmt:… fg:assessment fg:contradicted ;
        fg:assessmentReason "the document says 1991-01-25; Wikidata's P569 … says 1991-07-28" ;
        fg:referenceValue "1991-07-28" ;
        fg:assessedAgainst wd:Q30346628 .

A claim takes the gravest assessment of its compared facts (contradicted, then
uncorroborated, then corroborated); a claim none of whose facts has a counterpart in the
reference is unchecked. Characterisations are assessed as such.
"""

from __future__ import annotations

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from ..core import ASSESSMENTS, FG, GRAPHS, WD, new_graph
from ..load import statement_iri
from .comparison import Comparison, Report

#: The assessment each grade of the comparison gives a fact.
FROM_GRADE: dict[str, str] = {
    "agrees": "corroborated",
    "refines": "corroborated",
    "conflicts": "contradicted",
    "not-in-wikidata": "uncorroborated",
    "unchecked": "unchecked",
}


def assessment_graph(dataset: Dataset, report: Report | None) -> Graph:
    """The assessments graph of a built dataset, from the comparison ``report`` (None: no
    reference to compare with, so every fact is unchecked).

    >>> from filmgraph import build
    >>> from filmgraph.link import compare
    >>> from filmgraph.core import Settings, CLAIM
    >>> dataset = build()
    >>> graph = assessment_graph(dataset, compare(dataset, Settings()))
    >>> graph.value(CLAIM["balagov-birth-date"], FG.assessment).n3(dataset.namespace_manager)
    'fg:contradicted'
    """
    graph = new_graph(GRAPHS["assessments"])
    provenance = dataset.graph(GRAPHS["provenance"])
    compared = _compared(report)
    for claim in sorted(provenance.subjects(RDF.type, FG.Characterisation, unique=True), key=str):
        graph.add((claim, FG.assessment, FG.characterisation))
    for claim in sorted(provenance.subjects(RDF.type, FG.Claim, unique=True), key=str):
        found: list[str] = []
        for statement in provenance.objects(claim, _BODY):
            assert isinstance(statement, URIRef)
            comparison = compared.get(statement)
            if comparison is None:
                graph.add((statement, FG.assessment, FG.unchecked))
                continue
            assessment = FROM_GRADE[comparison[0].grade]
            found.append(assessment)
            _describe(graph, statement, assessment, comparison)
        graded = [a for a in found if a != "unchecked"]
        gravest = min(graded, key=ASSESSMENTS.index) if graded else "unchecked"
        graph.add((claim, FG.assessment, FG[gravest]))
    return graph


_BODY = URIRef("http://www.w3.org/ns/oa#hasBody")


def _compared(report: Report | None) -> dict[URIRef, tuple[Comparison, URIRef]]:
    """Each compared fact's statement IRI -> its comparison and the item it was set against."""
    if report is None:
        return {}
    return {
        statement_iri(claim.triple): (claim, WD[entity.item])
        for entity in report.entities
        for claim in entity.claims
    }


def _describe(
    graph: Graph, statement: URIRef, assessment: str, comparison: tuple[Comparison, URIRef]
) -> None:
    claim, item = comparison
    graph.add((statement, FG.assessment, FG[assessment]))
    graph.add((statement, FG.assessmentReason, Literal(claim.reason, lang="en")))
    graph.add((statement, FG.assessedAgainst, item))
    for value in claim.wikidata:
        graph.add((statement, FG.referenceValue, value.iri or Literal(value.text)))
