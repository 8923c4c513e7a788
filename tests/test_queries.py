"""The competency questions in queries/: each runs and answers as the document says."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset

from filmgraph import QuerySyntaxError, load_queries, run_query
from filmgraph.core.errors import ForbiddenError
from filmgraph.core.namespaces import GRAPHS, new_dataset
from filmgraph.query import get_query, prepare

pytestmark = pytest.mark.every_store(remote=True)

QUERIES = sorted((Path(__file__).resolve().parents[1] / "queries").glob("*.rq"))
# Queries with a SERVICE clause: refused here (federation is off by default); their shape
# is tested offline against a local stand-in for Wikidata in test_federation.py.
FEDERATED = {"wikidata-federated"}

# The themes the document names, per film: what each film explores, and what it is about.
THEMES = {
    ("Beanpole", "friendship"),
    ("Beanpole", "human emotion"),
    ("Beanpole", "resilience"),
    ("Beanpole", "the human spirit"),
    ("Beanpole", "trauma"),
    ("Closeness", "familial bonds"),
    ("Closeness", "societal turmoil"),
}

# For each question: the answer rows (as plain strings, in the query's column order) that
# the document states. Every value below must also appear in the document's text
# (dates as the document writes them), which the test checks too.
EXPECTED = {
    "films-directed": {
        ("https://w3id.org/filmgraph/id/closeness", "Closeness", "Tesnota", "2017"),
        ("https://w3id.org/filmgraph/id/beanpole", "Beanpole", "Dylda", "2019"),
    },
    "teachers": {
        ("https://w3id.org/filmgraph/id/aleksandr-sokurov", "Aleksandr Sokurov", "Russia")
    },
    "university": {
        (
            "https://w3id.org/filmgraph/id/kabardino-balkarian-state-university",
            "Kabardino-Balkarian State University",
            "directing",
        )
    },
    "influences": {
        ("https://w3id.org/filmgraph/id/andrei-tarkovsky", "Andrei Tarkovsky"),
        ("https://w3id.org/filmgraph/id/ingmar-bergman", "Ingmar Bergman"),
        ("https://w3id.org/filmgraph/id/krzysztof-kieslowski", "Krzysztof Kieślowski"),
    },
    "premieres-and-awards": {
        ("Closeness", "2017 Cannes Film Festival", "Cannes Film Festival", ""),
        (
            "Beanpole",
            "2019 Cannes Film Festival",
            "Cannes Film Festival",
            "Un Certain Regard Best Director Award",
        ),
    },
    "film-settings": {
        ("Beanpole", "Leningrad", "after World War II"),
        ("Closeness", "North Caucasus", ""),
    },
    "film-themes": THEMES,
    "mentoring": {
        (
            "https://w3id.org/filmgraph/id/aleksandr-sokurov",
            "Aleksandr Sokurov",
            "https://w3id.org/filmgraph/id/kantemir-balagov",
            "Kantemir Balagov",
        )
    },
    # The questions only OWL 2 RL reasoning answers, one per kind of inference.
    "inferred-filmography": {
        ("https://w3id.org/filmgraph/id/beanpole", "Beanpole"),
        ("https://w3id.org/filmgraph/id/closeness", "Closeness"),
    },
    "inferred-mentees": {("https://w3id.org/filmgraph/id/kantemir-balagov", "Kantemir Balagov")},
    "inferred-creative-works": {
        ("https://w3id.org/filmgraph/id/beanpole", "Beanpole"),
        ("https://w3id.org/filmgraph/id/closeness", "Closeness"),
    },
    "inferred-film-directors": {
        ("https://w3id.org/filmgraph/id/kantemir-balagov", "Kantemir Balagov"),
        ("https://w3id.org/filmgraph/id/aleksandr-sokurov", "Aleksandr Sokurov"),
        ("https://w3id.org/filmgraph/id/ingmar-bergman", "Ingmar Bergman"),
        ("https://w3id.org/filmgraph/id/andrei-tarkovsky", "Andrei Tarkovsky"),
        ("https://w3id.org/filmgraph/id/krzysztof-kieslowski", "Krzysztof Kieślowski"),
    },
    "inferred-places-within": {
        (
            "https://w3id.org/filmgraph/id/nalchik",
            "Nalchik",
            "https://w3id.org/filmgraph/id/russia",
            "Russia",
        )
    },
    "inferred-film-subjects": THEMES,  # fg:theme is a sub-property of schema:about
}
INFERENCE_QUESTIONS = sorted(name for name in EXPECTED if name.startswith("inferred-"))
# How the document writes values that the graph normalises.
DOCUMENT_FORM = {
    "1991-01-25": "January 25, 1991",
    "after World War II": "post-World War II",
    "the human spirit": "human spirit",
    "diverse voices within the film industry": "diverse voices within the industry",
    "2017 Cannes Film Festival": "In 2017",  # "In 2017, ... premiered at the Cannes Film Festival"
}


def _rows(result) -> set[tuple[str, ...]]:
    return {tuple("" if v is None else str(v) for v in row) for row in result}


def test_every_question_has_a_title_and_an_expected_answer_or_own_test():
    names = {p.stem for p in QUERIES}
    own = {"supporting-sentence", "characterisations", "birth", "disputed-claims"}
    assert set(EXPECTED) | own | FEDERATED == names


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_question_parses_runs_and_has_a_header(path, dataset):
    named = load_queries(path.parent)[path.stem]
    assert path.read_text(encoding="utf-8").startswith("# ")
    assert named.title.endswith("?"), "the title is the question it asks"
    assert bool(named.services) == (path.stem in FEDERATED)
    if named.services:
        with pytest.raises(ForbiddenError, match="service_allow"):
            run_query(dataset, named.text)
    else:
        assert len(list(run_query(dataset, named.text))) >= 1


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_answers_are_what_the_document_says(name, dataset, document, settings):
    rows = _rows(run_query(dataset, get_query(settings.queries_dir, name).text))
    assert rows == EXPECTED[name]
    for row in rows:
        for value in row:
            if value and not value.startswith("https://"):
                assert DOCUMENT_FORM.get(value, value) in document, value


@pytest.fixture(scope="module")
def without_inferences(dataset) -> Dataset:
    """The built dataset without its inferred graph."""
    copy = new_dataset()
    for name in ("ontology", "asserted", "provenance"):
        target = copy.graph(GRAPHS[name])
        for triple in dataset.graph(GRAPHS[name]):
            target.add(triple)
    return copy


@pytest.mark.parametrize("name", INFERENCE_QUESTIONS)
def test_inference_questions_are_answered_only_with_the_inferred_graph(
    name, dataset, without_inferences, settings
):
    text = get_query(settings.queries_dir, name).text
    assert _rows(run_query(without_inferences, text)) < _rows(run_query(dataset, text))


def test_supporting_sentence_returns_the_quote_and_its_sentence(dataset, document, settings):
    [row] = list(run_query(dataset, get_query(settings.queries_dir, "supporting-sentence").text))
    assert str(row.quote) == "Born on January 25, 1991"
    assert document[int(row.start) : int(row.end)] == str(row.quote)
    assert str(row.quote) in str(row.sentence) and str(row.sentence) in document
    assert int(row.sentenceNumber) == 3


def test_characterisations_are_the_documents_evaluative_words(dataset, document, settings):
    rows = list(run_query(dataset, get_query(settings.queries_dir, "characterisations").text))
    quotes = [str(r.quote) for r in rows]
    assert any("visionary" in q for q in quotes) and any("masterful" in q for q in quotes)
    assert all(
        document[int(r.start) : int(r.start) + len(str(r.quote))] == str(r.quote) for r in rows
    )


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("SELECT ?x WHERE {\n  ?x ?y \n}", 2, 3),
        ("SELECT * WHERE { ?s ?p ?o } LIMT 3", 1, 29),
    ],
)
def test_malformed_query_reports_line_and_column(text, line, column):
    with pytest.raises(QuerySyntaxError) as err:
        prepare(text)
    assert (err.value.line, err.value.column) == (line, column)
    assert err.value.status == 400


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "LOAD <http://example.org/data.ttl>",
        "DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL",
    ],
)
def test_an_update_is_refused_not_misreported_as_a_syntax_error(text):
    with pytest.raises(ForbiddenError, match="read-only") as err:
        prepare(text)
    assert err.value.status == 403


def test_unknown_prefix_is_a_query_syntax_error():
    with pytest.raises(QuerySyntaxError, match="nope"):
        prepare("SELECT * WHERE { ?s nope:p ?o }")


def test_unknown_named_query_lists_the_known_ones(settings):
    from filmgraph import NotFoundError

    with pytest.raises(NotFoundError, match="films-directed"):
        get_query(settings.queries_dir, "no-such-question")


FG_ = "https://w3id.org/filmgraph/ontology#"


def test_birth_gives_the_documents_date_with_the_references_dispute(dataset, document, settings):
    rows = _rows(run_query(dataset, get_query(settings.queries_dir, "birth").text))
    assert rows == {
        (
            "1991-01-25",
            FG_ + "contradicted",
            "1991-07-28",
            "https://w3id.org/filmgraph/id/nalchik",
            "Nalchik",
            "Russia",
        )
    }
    assert "January 25, 1991" in document and "1991-07-28" not in document


def test_disputed_claims_lists_each_doubtful_fact_with_both_values_and_its_words(
    dataset, document, settings
):
    rows = _rows(run_query(dataset, get_query(settings.queries_dir, "disputed-claims").text))
    by_value = {row[3]: row for row in rows}
    birth = by_value["1991-01-25"]
    assert birth[0] == FG_ + "contradicted" and birth[4] == "1991-07-28"
    assert birth[6] == "Born on January 25, 1991"
    influences = [row for row in rows if row[2] == FG_ + "influencedBy"]
    assert len(influences) == 3
    assert {row[0] for row in influences} == {FG_ + "uncorroborated"}
    assert all(row[4] == "" and row[6] in document for row in influences)
    assert {row[0] for row in rows} == {FG_ + "contradicted", FG_ + "uncorroborated"}
