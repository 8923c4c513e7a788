"""What is known of each claim is in the graph: corroborated, contradicted (with the
reference's value), uncorroborated, unchecked, or a characterisation."""

from __future__ import annotations

import shutil

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from filmgraph import build, run_query
from filmgraph.core import ASSESSMENTS, CLAIM, FG, FGID, GRAPHS, OA, SCHEMA, WD
from filmgraph.load import statement_iri


@pytest.fixture(scope="module")
def assessed(dataset):
    return dataset.graph(GRAPHS["assessments"])


def _assessment(graph, node) -> str:
    values = list(graph.objects(node, FG.assessment))
    assert len(values) == 1, (node, values)
    return str(values[0]).removeprefix(str(FG))


def test_every_claim_and_every_fact_has_one_assessment(dataset, assessed):
    provenance = dataset.graph(GRAPHS["provenance"])
    claims = set(provenance.subjects(RDF.type, FG.Claim))
    characterisations = set(provenance.subjects(RDF.type, FG.Characterisation))
    statements = set(provenance.objects(None, OA.hasBody))
    assert claims and characterisations and statements
    for node in claims | statements:
        assert _assessment(assessed, node) in ASSESSMENTS[:4]
    for node in characterisations:
        assert _assessment(assessed, node) == "characterisation"
    assert set(assessed.subjects(FG.assessment, None)) == claims | characterisations | statements


def test_the_birth_date_is_contradicted_with_the_references_date(dataset, assessed):
    asserted = dataset.graph(GRAPHS["asserted"])
    date = next(asserted.objects(FGID["kantemir-balagov"], SCHEMA.birthDate))
    statement = statement_iri((FGID["kantemir-balagov"], SCHEMA.birthDate, date))
    assert _assessment(assessed, statement) == "contradicted"
    assert [str(v) for v in assessed.objects(statement, FG.referenceValue)] == ["1991-07-28"]
    assert assessed.value(statement, FG.assessedAgainst) == WD.Q30346628
    reason = str(assessed.value(statement, FG.assessmentReason))
    assert "1991-01-25" in reason and "1991-07-28" in reason
    assert _assessment(assessed, CLAIM["balagov-birth-date"]) == "contradicted"


def test_the_influences_are_uncorroborated_and_the_teacher_corroborated(dataset, assessed):
    influenced = [
        statement_iri((FGID["kantemir-balagov"], FG.influencedBy, FGID[name]))
        for name in ("ingmar-bergman", "andrei-tarkovsky", "krzysztof-kieslowski")
    ]
    assert {_assessment(assessed, s) for s in influenced} == {"uncorroborated"}
    sokurov = statement_iri((FGID["kantemir-balagov"], FG.mentoredBy, FGID["aleksandr-sokurov"]))
    assert _assessment(assessed, sokurov) == "corroborated"
    assert assessed.value(sokurov, FG.referenceValue) == WD.Q55172


def test_the_assessments_can_be_queried(dataset):
    rows = run_query(
        dataset,
        """SELECT ?claim ?value WHERE {
             GRAPH <https://w3id.org/filmgraph/graph/assessments> {
               ?claim fg:assessment fg:contradicted .
               OPTIONAL { ?claim fg:referenceValue ?value } } }""",
    )
    claims = {str(r.claim) for r in rows}
    assert str(CLAIM["balagov-birth-date"]) in claims


def test_a_project_without_a_reference_has_its_facts_unchecked(project):
    shutil.rmtree(project.data_dir / "wikidata")
    dataset = build(project.with_(cache=False))
    assessed = dataset.graph(GRAPHS["assessments"])
    values = {str(o).removeprefix(str(FG)) for o in assessed.objects(None, FG.assessment)}
    assert values == {"unchecked", "characterisation"}
    assert len(dataset.graph(GRAPHS["links"])) == 0


def test_the_vocabulary_is_in_the_ontology(dataset):
    ontology = dataset.graph(GRAPHS["ontology"])
    for name in ASSESSMENTS:
        assert (FG[name], RDF.type, FG.Assessment) in ontology
    for term in (FG.assessment, FG.assessmentReason, FG.referenceValue, FG.assessedAgainst):
        assert (term, None, None) in ontology
    assert (FG.Assessment, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in ontology


# ---------------------------------------------------------------- where users look

HTML = {"Accept": "text/html"}


def test_the_entity_page_marks_the_birth_date_disputed_with_the_references_date(client):
    page = client.get("/page/kantemir-balagov", headers=HTML).get_data(as_text=True)
    birth = page.index("1991-01-25")
    mark = page.index('<span class="assessment contradicted"', birth)
    assert mark - birth < 400  # next to the date it is about
    assert "disputed: the reference says 1991-07-28" in page[mark : mark + 400]
    assert 'href="/assessments#a-' in page[mark : mark + 400]
    # the three influences, asserted (linked to the comparison) and inferred the other way
    # (Bergman fg:influenced Balagov: carrying the mark of the fact it rests on)
    assert page.count('uncorroborated · <a href="/assessments#a-') == 3
    assert page.count('class="assessment uncorroborated" title="rests on a fact') == 3


def test_the_assessments_page_lists_the_disputed_fact_first_with_its_quote(client):
    page = client.get("/assessments", headers=HTML).get_data(as_text=True)
    headings = [h for h in ("Disputed (1)", "Uncorroborated (3)", "Corroborated") if h in page]
    assert headings == ["Disputed (1)", "Uncorroborated (3)", "Corroborated"]
    disputed = page[page.index("Disputed (1)") : page.index("Uncorroborated (3)")]
    assert "1991-07-28" in disputed and "Born on January 25, 1991" in disputed


def test_the_document_page_marks_the_spans_of_doubtful_facts(client):
    page = client.get("/document", headers=HTML).get_data(as_text=True)
    assert page.count('<mark class="span contradicted"') >= 1
    assert page.count('<mark class="span uncorroborated"') >= 1
    contradicted = page.index('<mark class="span contradicted"')
    assert "January 25, 1991" in page[contradicted : contradicted + 300]


def test_an_inference_from_an_uncorroborated_fact_carries_its_mark(client):
    # Bergman fg:influenced Balagov is inferred (owl:inverseOf) from an uncorroborated fact
    page = client.get("/page/ingmar-bergman", headers=HTML).get_data(as_text=True)
    assert "rests on a fact that is uncorroborated" in page


def test_the_facts_assessed_each_way_are_found_without_a_pass_over_every_fact(dataset):
    """Describer.assessed starts from the assessments graph; it finds exactly the asserted
    facts a pass over every asserted fact would, for every assessment."""
    from filmgraph.export import Describer

    describer = Describer(dataset)
    asserted = sorted(dataset.graph(GRAPHS["asserted"]), key=lambda t: tuple(map(str, t)))
    for name in ASSESSMENTS:
        expected = [(t, a) for t in asserted if (a := describer.assessment(t)) and a.name == name]
        assert describer.assessed(name) == expected, name
    assert len(describer.assessed("contradicted")) == 1
