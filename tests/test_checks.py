"""SHACL shapes and SPARQL checks accept the data and catch each kind of breakage."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import replace_in
from filmgraph import ChecksFailedError, build, validate, write_dataset
from filmgraph.cli import main


def test_the_balagov_data_passes_every_check(settings):
    report = validate(settings)
    assert report.conforms, report.text()
    names = set(report.checks_run)
    assert {"shacl", "quotes-match-document", "every-fact-has-provenance"} <= names
    assert "no-evaluation-stated-as-fact" in names
    assert len(names) == len({p.stem for p in settings.checks_dir.glob("*.rq")}) + 3


def test_every_sparql_check_says_what_it_checks(settings):
    for path in settings.checks_dir.glob("*.rq"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 20, path.name


# (file, old, new, check that must fire, focus it names, words of its message)
BREAKAGES = [
    (
        "balagov.ttl",
        'schema:birthDate "1991-01-25"^^xsd:date',
        'schema:birthDate "1991-13-45"^^xsd:date',
        "shacl",
        "fgid:kantemir-balagov",
        "well-formed xsd:date",
    ),
    (
        "balagov.ttl",
        'schema:name "Beanpole" ;',
        'schema:nam "Beanpole" ;',
        "every-term-is-in-the-ontology",
        "schema:nam",
        "declared in the ontology",
    ),
    (
        "balagov.ttl",
        'schema:director fgid:kantemir-balagov ;\n    schema:name "Closeness"',
        'schema:name "Closeness"',
        "shacl",
        "fgid:closeness",
        "has a director",
    ),
    (
        "balagov.ttl",
        'schema:datePublished "2019"^^xsd:gYear ;',
        'schema:datePublished "2019" ;',
        "shacl",
        "fgid:beanpole",
        "xsd:gYear",
    ),
    (
        "balagov.ttl",
        'fg:filmographyNumber "2"^^xsd:positiveInteger ;',
        'fg:filmographyNumber "2"^^xsd:positiveInteger, "3"^^xsd:positiveInteger ;',
        "shacl",
        "fgid:beanpole",
        "at most one place in its director's filmography",
    ),
    (
        "balagov.ttl",
        "fgid:beanpole a schema:Movie ;",
        "fgid:beanpole a schema:Movie ;\n    schema:birthPlace fgid:nalchik ;",
        "every-fact-has-provenance",
        "fgid:beanpole",
        "quotes the source document",
    ),
    (
        "balagov.ttl",
        'fgid:leningrad a schema:City ;\n    schema:name "Leningrad" .',
        "fgid:leningrad a schema:City .",
        "every-entity-has-a-label",
        "fgid:leningrad",
        "schema:name",
    ),
    (
        "provenance.ttl",
        'oa:exact "Born on January 25, 1991"',
        'oa:exact "Born on January 26, 1991"',
        "quotes-match-document",
        "claim:balagov-birth-date",
        "the document has",
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "check", "focus", "words"),
    BREAKAGES,
    ids=[b[3] + "-" + b[1][:20] for b in BREAKAGES],
)
def test_each_breakage_is_reported_with_focus_and_message(
    project, file, old, new, check, focus, words
):
    replace_in(project.data_dir / file, old, new)
    report = validate(project)
    assert not report.conforms
    hits = [v for v in report.violations if v.check == check and v.focus.startswith(focus)]
    assert hits, report.text()
    assert any(words in v.message or words in v.value for v in hits), report.text()


def test_a_wrong_end_offset_is_reported(project):
    replace_in(project.provenance_file, 'oa:end "292"^^xsd', 'oa:end "293"^^xsd')
    report = validate(project)
    assert any(v.check == "quotes-match-document" for v in report.violations), report.text()


def test_stale_provenance_is_reported(project):
    replace_in(project.facts_file, '    schema:alternateName "Dylda" ;\n', "")
    report = validate(project)
    assert any(
        v.check == "every-provenance-statement-is-asserted" and "Dylda" in v.value
        for v in report.violations
    )


def test_build_refuses_bad_data_and_leaves_good_output_alone(project):
    good = write_dataset(build(project), project)
    before = good.read_bytes()
    replace_in(project.facts_file, '"1991-01-25"^^xsd:date', '"not a date"^^xsd:date')
    with pytest.raises(ChecksFailedError) as err:
        build(project)
    assert "xsd:date" in str(err.value)
    result = CliRunner().invoke(main, ["--root", str(project.root), "build"])
    assert result.exit_code == 1
    assert "fgid:kantemir-balagov" in result.output
    assert good.read_bytes() == before


def test_validate_command_exits_1_and_prints_json_report(project):
    replace_in(project.facts_file, 'schema:name "Beanpole" ;', 'schema:nam "Beanpole" ;')
    result = CliRunner().invoke(main, ["--root", str(project.root), "validate", "--format", "json"])
    assert result.exit_code == 1
    import json

    report = json.loads(result.output)
    assert report["conforms"] is False
    assert {v["check"] for v in report["violations"]} >= {"shacl", "every-term-is-in-the-ontology"}


def test_praise_labelled_a_fact_is_caught(project):
    """Sentence 14 as it once was: "dedicated to nurturing emerging talent" stored as the fact
    fg:mentorOf aspiring filmmakers. The evaluation check names the claim and the words."""
    replace_in(
        project.claims_file,
        """kind = "characterisation"
# Promotional and uncorroborated (no P1066 "student of" statement names Balagov as the
# teacher): the document's praise, not a mentoring relation anyone can check.
quote = "Balagov remains dedicated to nurturing emerging talent"
start = 2236
about = ["fgid:kantemir-balagov"]""",
        '''kind = "fact"
quote = "Balagov remains dedicated to nurturing emerging talent"
start = 2236
triples = """
fgid:kantemir-balagov fg:mentorOf fgid:aspiring-filmmakers .
fgid:aspiring-filmmakers a fg:GroupOfPeople ;
    schema:name "aspiring filmmakers" .
"""''',
    )
    result = CliRunner().invoke(main, ["--root", str(project.root), "claims", "compile"])
    assert result.exit_code == 0, result.output
    report = validate(project)
    found = [v for v in report.violations if v.check == "no-evaluation-stated-as-fact"]
    assert [(v.focus, v.value) for v in found] == [
        ("claim:balagov-nurtures-talent", "'dedicated to' at offset 2252 (sentence 14)"),
        ("claim:balagov-nurtures-talent", "'nurturing' at offset 2265 (sentence 14)"),
    ]
    assert all("make the words a characterisation" in v.message for v in found)


def test_evaluative_words_covered_by_a_characterisation_pass(settings):
    """Sentence 5's influence fact quotes "renowned ... masterpieces", which the
    characterisation influences-renowned records as the document's evaluation."""
    from filmgraph.load import read_claims

    claims = {c.id: c for c in read_claims(settings.claims_file).claims}
    influence = next(c for c in claims.values() if c.kind == "fact" and "renowned" in c.quote)
    renowned = claims["influences-renowned"]
    assert renowned.start <= influence.start + influence.quote.index("renowned") < renowned.end
    assert validate(settings).conforms
