"""The claims checklist: complete, exact, in sync with the Turtle files, strict about errors."""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, XSD

from conftest import replace_in
from filmgraph.core.errors import DataError
from filmgraph.core.namespaces import FG, FGID, GRAPHS, SCHEMA
from filmgraph.load import compile_claims, read_claims
from filmgraph.load.provenance import quotes_for


@pytest.fixture(scope="module")
def claimset(settings):
    return read_claims(settings.claims_file)


def test_every_sentence_of_the_document_is_accounted_for(claimset):
    assert len(claimset.source.sentences()) == 17
    assert claimset.uncovered_sentences() == []


def test_every_quote_is_the_document_at_its_offset(claimset, document):
    for claim in claimset.claims:
        assert document[claim.start : claim.end] == claim.quote, claim.id


def test_compiled_turtle_files_are_in_sync_with_the_checklist(settings):
    for path, text in compile_claims(settings).items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is stale: run `filmgraph claims compile`"
        )


def test_facts_and_characterisations_are_kept_apart(claimset):
    kinds = {c.kind for c in claimset.claims}
    assert kinds == {"fact", "characterisation"}
    for claim in claimset.claims:
        assert bool(claim.triples) == (claim.kind == "fact"), claim.id
        assert bool(claim.about) == (claim.kind == "characterisation"), claim.id


B = FGID["kantemir-balagov"]
# The facts the issue requires, each with words the document must state them in.
REQUIRED = [
    ((B, SCHEMA.name, Literal("Kantemir Balagov")), "Kantemir Balagov"),
    ((B, RDF.type, SCHEMA.Person), "Kantemir Balagov"),
    ((B, SCHEMA.hasOccupation, FGID["film-director"]), "filmmaker"),
    ((B, SCHEMA.birthDate, Literal("1991-01-25", datatype=XSD.date)), "January 25, 1991"),
    ((B, SCHEMA.birthPlace, FGID.nalchik), "in Nalchik"),
    ((FGID.nalchik, SCHEMA.containedInPlace, FGID.russia), "Nalchik, Russia"),
    ((FGID.nalchik, RDF.type, SCHEMA.City), "Nalchik"),
    ((FGID.russia, RDF.type, SCHEMA.Country), "Russia"),
    ((B, FG.influencedBy, FGID["ingmar-bergman"]), "Ingmar Bergman"),
    ((B, FG.influencedBy, FGID["andrei-tarkovsky"]), "Andrei Tarkovsky"),
    ((B, FG.influencedBy, FGID["krzysztof-kieslowski"]), "Krzysztof Kieślowski"),
    ((B, SCHEMA.alumniOf, FGID["kabardino-balkarian-state-university"]), "Kabardino-Balkarian"),
    ((B, FG.studiedSubject, Literal("directing", lang="en")), "studied directing"),
    ((B, FG.mentoredBy, FGID["aleksandr-sokurov"]), "mentorship"),
    ((FGID.closeness, RDF.type, SCHEMA.Movie), "Closeness"),
    ((FGID.closeness, SCHEMA.name, Literal("Closeness")), '"Closeness"'),
    ((FGID.closeness, SCHEMA.alternateName, Literal("Tesnota")), "(Tesnota)"),
    ((FGID.closeness, SCHEMA.director, B), "Balagov"),
    ((FGID.closeness, SCHEMA.datePublished, Literal("2017", datatype=XSD.gYear)), "In 2017"),
    ((B, FG.debutFeature, FGID.closeness), "debut feature film"),
    ((FGID.closeness, FG.premieredAt, FGID["cannes-film-festival-2017"]), "Cannes Film Festival"),
    ((FGID.closeness, SCHEMA.contentLocation, FGID["north-caucasus"]), "North Caucasus"),
    ((FGID.closeness, FG.theme, FGID["theme-familial-bonds"]), "familial bonds"),
    ((FGID.beanpole, SCHEMA.name, Literal("Beanpole")), '"Beanpole"'),
    ((FGID.beanpole, SCHEMA.alternateName, Literal("Dylda")), "(Dylda)"),
    ((FGID.beanpole, SCHEMA.director, B), "Balagov's sophomore film"),
    (
        (FGID.beanpole, FG.filmographyNumber, Literal("2", datatype=XSD.positiveInteger)),
        "sophomore",
    ),
    (
        (FGID.beanpole, FG.premieredAt, FGID["cannes-film-festival-2019"]),
        "2019 Cannes Film Festival",
    ),
    ((FGID["cannes-film-festival-2019"], RDF.type, SCHEMA.Festival), "Cannes Film Festival"),
    (
        (FGID["cannes-film-festival-2019"], SCHEMA.superEvent, FGID["cannes-film-festival"]),
        "2019 Cannes Film Festival",
    ),
    (
        (FGID.beanpole, SCHEMA.award, Literal("Un Certain Regard Best Director Award")),
        "Un Certain Regard Best Director Award",
    ),
    ((FGID.beanpole, SCHEMA.contentLocation, FGID.leningrad), "Leningrad"),
    ((FGID.beanpole, FG.setAfter, FGID["world-war-ii"]), "post-World War II"),
    ((FGID.beanpole, FG.theme, FGID["theme-trauma"]), "trauma"),
    ((FGID.beanpole, FG.theme, FGID["theme-friendship"]), "friendship"),
    ((B, FG.mentoredBy, FGID["aleksandr-sokurov"]), "Sokurov"),
]


def _fact_id(value: object) -> str:
    if isinstance(value, tuple):
        return "-".join(str(t).rsplit("/", 1)[-1].rsplit("#", 1)[-1] for t in value[:2])
    return str(value)


@pytest.mark.parametrize(("triple", "words"), REQUIRED, ids=_fact_id)
def test_required_fact_is_asserted_with_the_words_that_state_it(dataset, document, triple, words):
    assert triple in dataset.graph(GRAPHS["asserted"])
    quotes = quotes_for(dataset, triple)
    assert quotes, f"no provenance for {triple}"
    assert any(words in q.exact for q in quotes), [q.exact for q in quotes]
    assert all(document[q.start : q.end] == q.exact for q in quotes)


# ---------------------------------------------------------------- errors name file and line


def _line_of(path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if needle in text)


def test_wrong_offset_is_reported_with_line_and_where_the_quote_really_is(project):
    path = project.claims_file
    replace_in(path, "start = 268\n", "start = 270\n")
    with pytest.raises(DataError) as err:
        read_claims(path)
    assert err.value.path == path
    assert "balagov-birth-date" in str(err.value)
    assert "occurs at [268]" in str(err.value)
    assert err.value.line == _line_of(path, 'id = "balagov-birth-date"') - 1


def test_turtle_error_inside_a_claim_points_at_the_claims_file_line(project):
    path = project.claims_file
    replace_in(
        path, 'schema:birthDate "1991-01-25"^^xsd:date .', 'schema:birthDate "1991-01-25"^^xsd:date'
    )
    with pytest.raises(DataError) as err:
        read_claims(path)
    assert err.value.path == path
    bad_line = _line_of(path, 'schema:birthDate "1991-01-25"^^xsd:date')
    assert err.value.line in (bad_line, bad_line + 1)  # the parser notices at the end of the text
    assert "balagov-birth-date" in str(err.value)


def test_toml_syntax_error_has_line_and_column(project):
    path = project.claims_file
    replace_in(path, '\nkind = "fact"\n', '\nkind = "fact\n')
    with pytest.raises(DataError) as err:
        read_claims(path)
    assert err.value.line is not None and err.value.column is not None
    assert "bad TOML" in str(err.value)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ('id = "nalchik-in-russia"', 'id = "balagov-birth-date"', "duplicate claim id"),
        ('\nkind = "characterisation"', '\nkind = "opinion"', "kind must be one of"),
        ("sentence = 17", "sentence = 18", "no sentence 18"),
        (
            "fgid:nalchik a schema:City ;",
            '[] a schema:City ; schema:name "x" .\nfgid:nalchik a schema:City ;',
            "no blank nodes",
        ),
        ('about = ["fgid:beanpole"]', 'about = ["schema:Movie"]', "must name our entities"),
        ('quote = "Kantemir Balagov"', 'quote = "Kantemir Balagov"\nextra = 1', "unknown key"),
    ],
)
def test_malformed_claims_are_refused_with_a_reason(project, old, new, reason):
    replace_in(project.claims_file, old, new)
    with pytest.raises(DataError, match=reason) as err:
        read_claims(project.claims_file)
    assert err.value.line is not None


def test_compile_writes_nothing_when_the_checklist_is_broken(project):
    from filmgraph.load import write_compiled

    before = project.facts_file.read_bytes()
    replace_in(project.claims_file, "start = 268\n", "start = 1\n")
    with pytest.raises(DataError):
        write_compiled(project)
    assert project.facts_file.read_bytes() == before


def test_quote_must_lie_in_its_sentence(project):
    replace_in(
        project.claims_file,
        'id = "balagov-birth-date"\nsentence = 3',
        'id = "balagov-birth-date"\nsentence = 4',
    )
    with pytest.raises(DataError, match=r"not inside sentence 4"):
        read_claims(project.claims_file)


def test_uri_of_unknown_prefix_is_not_silently_accepted(project):
    replace_in(
        project.claims_file,
        "fgid:kantemir-balagov schema:birthDate",
        "foo:kantemir-balagov schema:birthDate",
    )
    with pytest.raises(DataError, match="balagov-birth-date"):
        read_claims(project.claims_file)


def test_statement_iris_are_stable_across_compiles(settings):
    first = compile_claims(settings)
    second = compile_claims(settings)
    assert first == second


# ---------------------------------------------------------------- start is optional


def test_without_start_every_quote_is_found_at_the_offset_given(project, claimset):
    """Dropping every `start` line changes nothing: the compiler finds each quote in its
    sentence (the shipped checklist has no quote that occurs twice in one sentence)."""
    path = project.claims_file
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith("start = ")]
    assert len(lines) == len(text.splitlines()) - len(claimset.claims)
    path.write_text("".join(lines), encoding="utf-8")
    found = read_claims(path)
    assert [(c.id, c.start) for c in found.claims] == [(c.id, c.start) for c in claimset.claims]


def test_a_quote_twice_in_its_sentence_needs_a_start_and_lists_the_offsets(project, document):
    path = project.claims_file
    # "in" occurs more than once in the birth sentence (sentence 3).
    replace_in(path, 'quote = "Born on January 25, 1991"\nstart = 268\n', 'quote = "in"\n')
    with pytest.raises(DataError) as err:
        read_claims(path)
    message = str(err.value)
    assert "balagov-birth-date" in message and "give `start` to choose one" in message
    offsets = [int(n) for n in message.split("at offsets ")[1].split(":")[0].split(", ")]
    assert len(offsets) >= 2 and all(document[o : o + 2] == "in" for o in offsets)
    assert err.value.line == _line_of(path, 'id = "balagov-birth-date"') - 1


def test_a_quote_not_in_its_sentence_is_an_error_saying_where_it_is(project):
    path = project.claims_file
    replace_in(path, 'quote = "Born on January 25, 1991"\nstart = 268\n', 'quote = "Beanpole"\n')
    with pytest.raises(DataError) as err:
        read_claims(path)
    assert "the quote is not in sentence" in str(err.value)
    assert "the quote occurs at [" in str(err.value)
