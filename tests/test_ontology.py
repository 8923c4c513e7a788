"""The ontology: documented terms, and the axioms the reasoning step relies on."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from filmgraph.core.namespaces import FG, FGID, GRAPHS, SCHEMA
from filmgraph.load.parsing import load_files
from filmgraph.reason.reasoning import OWLRL_ERRORS


def _owl2rl_closure(dataset, *extra) -> Graph:
    """The OWL 2 RL closure (owlrl) of the ontology and asserted graphs, plus ``extra`` triples."""
    import owlrl

    graph = Graph()
    for name in ("ontology", "asserted"):
        for triple in dataset.graph(GRAPHS[name]):
            graph.add(triple)
    for triple in extra:
        graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


@pytest.fixture(scope="module")
def ontology(settings) -> Graph:
    return load_files([settings.ontology_dir / "filmgraph.ttl"])


def test_every_term_of_ours_has_a_label_and_a_comment(ontology):
    terms = {s for s in ontology.subjects(RDF.type, None) if str(s).startswith(str(FG))}
    assert len(terms) > 20
    for term in terms:
        assert ontology.value(term, RDFS.label), term
        assert ontology.value(term, RDFS.comment), term


def test_every_fg_term_used_in_the_data_is_declared(ontology, dataset):
    used = {t for q in dataset for t in q[:3] if isinstance(t, URIRef) and t.startswith(str(FG))}
    declared = set(ontology.subjects(RDF.type, None))
    assert used <= declared, used - declared


@pytest.mark.parametrize(
    ("ask", "why"),
    [
        ("ASK { ?p owl:inverseOf ?q }", "inverse relations"),
        ("ASK { schema:containedInPlace a owl:TransitiveProperty }", "transitive containment"),
        ("ASK { fg:debutFeature rdfs:subPropertyOf fg:directed }", "sub-properties"),
        ("ASK { fg:theme rdfs:subPropertyOf schema:about }", "alignment to schema.org"),
        ("ASK { ?p rdfs:domain ?c . ?q rdfs:range ?d }", "domains and ranges"),
        (
            "ASK { ?r owl:someValuesFrom schema:Movie ; rdfs:subClassOf fg:FilmDirector }",
            "restriction",
        ),
        ("ASK { fg:FilmDirector rdfs:subClassOf schema:Person }", "subclasses"),
    ],
    ids=lambda v: v if " " in v and not v.startswith("ASK") else None,
)
def test_axioms_for_owl2rl_reasoning_exist(ontology, ask, why):
    ns = {"owl": OWL, "rdfs": RDFS, "schema": SCHEMA, "fg": FG}
    assert ontology.query(ask, initNs=ns).askAnswer, why


def test_wikidata_links_will_not_use_owl_sameas(dataset):
    assert (None, OWL.sameAs, None) not in dataset


def test_owl2rl_closure_runs_and_finds_no_inconsistency(dataset):
    """A smoke test for the reasoning issue: the ontology and facts are OWL 2 RL consistent."""
    graph = _owl2rl_closure(dataset)
    assert (FGID["kantemir-balagov"], RDF.type, FG.FilmDirector) in graph
    assert (FGID["aleksandr-sokurov"], FG.mentorOf, FGID["kantemir-balagov"]) in graph
    assert [str(m) for m in graph.objects(None, OWLRL_ERRORS.error)] == []


def test_owl2rl_detects_a_person_who_is_also_a_place(dataset):
    """The disjointness axioms make a mix-up an inconsistency that owlrl reports."""
    graph = _owl2rl_closure(dataset, (FGID["kantemir-balagov"], RDF.type, SCHEMA.City))
    assert any("disjoint" in str(m).lower() for m in graph.objects(None, OWLRL_ERRORS.error))
