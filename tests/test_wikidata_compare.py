"""`filmgraph wikidata compare`: each claim about a linked entity graded against the
checked Wikidata statements, with both values and the document's quote."""

from __future__ import annotations

import json
import re

import pytest

from conftest import ROOT, replace_in
from filmgraph import DataError
from filmgraph.core.namespaces import FG, FGID, GRAPHS, SCHEMA
from filmgraph.link.comparison import GRADES, Report, compare
from filmgraph.link.report import report_json, report_text


@pytest.fixture(scope="module")
def report(dataset, settings) -> Report:
    return compare(dataset, settings)


def claims(report: Report, entity: str, predicate) -> list:
    [found] = [e for e in report.entities if e.entity == FGID[entity]]
    return [c for c in found.claims if c.mapping.predicate == predicate]


def test_the_birth_date_conflict_is_found_with_both_values_and_the_quote(report):
    [birth] = claims(report, "kantemir-balagov", SCHEMA.birthDate)
    assert birth.grade == "conflicts"
    assert birth.document.text == "1991-01-25"
    assert [v.text for v in birth.wikidata] == ["1991-07-28"]
    assert "January 25, 1991" in birth.quotes[0].exact
    assert any("conflict to report" in note for note in birth.notes)


def test_the_influences_are_not_corroborated(report):
    influences = claims(report, "kantemir-balagov", FG.influencedBy)
    assert {c.document.item for c in influences} == {"Q7546", "Q853", "Q55165"}
    for claim in influences:
        assert claim.grade == "not-in-wikidata"
        assert claim.wikidata == ()
        assert "Kieślowski" in claim.quotes[0].exact


def test_closeness_in_the_north_caucasus_is_refined_by_nalchik(report):
    [where] = claims(report, "closeness", SCHEMA.contentLocation)
    assert where.grade == "refines" and where.more_specific == "wikidata"
    assert where.document.iri == FGID["north-caucasus"] and where.document.item is None
    assert [v.item for v in where.wikidata] == ["Q5265"]
    # every step of the chain names its basis: the Wikidata statement, the curated row
    assert "P131" in where.reason and "facts.tsv line 25" in where.reason
    assert "containment.tsv line 2" in where.reason


def test_items_agree_through_the_links_graph(report):
    [setting] = claims(report, "beanpole", SCHEMA.contentLocation)
    assert setting.grade == "agrees"
    assert (setting.document.text, setting.wikidata[0].text) == ("Leningrad", "Saint Petersburg")
    [year] = claims(report, "beanpole", SCHEMA.datePublished)
    assert year.grade == "agrees" and year.document.text == "2019"


def test_an_agreement_with_a_statement_nobody_saw_on_wikidata_says_so(report):
    unseen = [
        *claims(report, "kantemir-balagov", SCHEMA.hasOccupation),
        *claims(report, "kantemir-balagov", FG.mentoredBy),
        *claims(report, "beanpole", SCHEMA.contentLocation),
        *claims(report, "closeness", SCHEMA.contentLocation),  # the refinement
    ]
    assert len(unseen) == 4
    for claim in unseen:
        assert claim.grade in {"agrees", "refines"}
        assert "the Wikidata statement itself was not seen" in claim.reason
        assert [v.seen for v in claim.wikidata] == [False]
    [birthplace] = claims(report, "kantemir-balagov", SCHEMA.birthPlace)
    assert "not seen" not in birthplace.reason and birthplace.wikidata[0].seen


def test_places_in_places_and_editions_in_their_series_are_graded(report):
    [country] = claims(report, "nalchik", SCHEMA.containedInPlace)
    assert (country.mapping.property, country.grade) == ("P17", "agrees")
    assert country.document.item == country.wikidata[0].item == "Q159"
    for edition in ("cannes-film-festival-2017", "cannes-film-festival-2019"):
        [series] = claims(report, edition, SCHEMA.superEvent)
        assert (series.mapping.property, series.grade) == ("P179", "agrees")
        assert series.wikidata[0].item == "Q42369"


def test_titles_compare_by_transliteration(report):
    [title] = claims(report, "closeness", SCHEMA.alternateName)
    assert (title.grade, title.document.text, title.wikidata[0].text) == (
        "agrees", "Tesnota", "Теснота",
    )  # fmt: skip
    assert "transliterates to Tesnota" in title.reason
    # an occupation's other name is no title: it is not set against P1476
    assert claims(report, "film-director", SCHEMA.alternateName) == []


def test_premieres_agree_with_the_references_note_and_say_it_is_a_note(report):
    for film, edition, line in (("closeness", "70th", 10), ("beanpole", "72nd", 17)):
        [premiere] = claims(report, film, FG.premieredAt)
        assert premiere.grade == "agrees"
        assert premiere.wikidata[0].text == f"{edition} Cannes Film Festival"
        assert f"facts.tsv line {line}" in premiere.reason
        assert "a note, not a statement" in premiere.reason


def test_items_the_reference_says_nothing_about_are_unchecked(report):
    [job] = claims(report, "ingmar-bergman", SCHEMA.hasOccupation)
    assert job.grade == "unchecked" and job.notes == ()


def test_every_linked_entity_is_reported_and_every_claim_quoted(report, dataset):
    links = dataset.graph(GRAPHS["links"])
    assert {e.entity for e in report.entities} == set(links.subjects())
    graded = [c for e in report.entities for c in e.claims]
    assert graded and all(c.quotes for c in graded)
    assert sum(report.counts().values()) == len(graded)
    assert set(report.counts()) == set(GRADES)


def test_the_document_is_never_changed(dataset, settings):
    before = {name: len(dataset.graph(iri)) for name, iri in GRAPHS.items()}
    compare(dataset, settings)
    assert {name: len(dataset.graph(iri)) for name, iri in GRAPHS.items()} == before


@pytest.mark.parametrize(
    ("old", "new", "entity", "predicate", "grade", "side"),
    [
        # a different place of birth is a conflict: a person has one
        ("P19 place of birth\tQ5265 Nalchik", "P19 place of birth\tQ656 Saint Petersburg",
         "kantemir-balagov", SCHEMA.birthPlace, "conflicts", None),
        # Russia holds Nalchik in the document's own words: the document is more specific
        ("P19 place of birth\tQ5265 Nalchik", "P19 place of birth\tQ159 Russia",
         "kantemir-balagov", SCHEMA.birthPlace, "refines", "document"),
        # a film may be set in several places: another one leaves ours unsupported
        ("P840 narrative location\tQ5265 Nalchik", "P840 narrative location\tQ656 St P",
         "closeness", SCHEMA.contentLocation, "not-in-wikidata", None),
        # publication dates compare by year
        ("P577 publication date\t2017", "P577 publication date\t2018",
         "closeness", SCHEMA.datePublished, "conflicts", None),
        ("P577 publication date\t2017", "P577 publication date\t2017-05-22",
         "closeness", SCHEMA.datePublished, "agrees", None),
        # another original title leaves the document's alternate name uncorroborated
        ("P1476 title\tТеснота@ru", "P1476 title\tБлизость@ru",  # noqa: RUF001 (Cyrillic titles)
         "closeness", SCHEMA.alternateName, "not-in-wikidata", None),
        # a note naming another edition does not corroborate the premiere
        ("at the 70th Cannes", "at the 71st Cannes",
         "closeness", FG.premieredAt, "not-in-wikidata", None),
        ("Q5265\tP17 country\tQ159 Russia", "Q5265\tP17 country\tQ656 St P",
         "nalchik", SCHEMA.containedInPlace, "not-in-wikidata", None),
    ],
)  # fmt: skip
def test_grades_follow_the_statements(project, dataset, old, new, entity, predicate, grade, side):
    replace_in(project.wikidata_facts, old, new)
    [claim] = claims(compare(dataset, project), entity, predicate)
    assert (claim.grade, claim.more_specific) == (grade, side)


def test_without_a_basis_for_the_containment_there_is_no_refinement(project, dataset):
    replace_in(project.wikidata_containment, "Q5267\tnorth-caucasus", "Q5267\trussia")
    [where] = claims(compare(dataset, project), "closeness", SCHEMA.contentLocation)
    assert where.grade == "not-in-wikidata"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Q510175\tnorth-caucasus\tguess", "Q510175 is not a confirmed item"),
        ("Q5267\tcaucasia\tguess", "no entity 'caucasia'"),
        ("Q5267\tnorth-caucasus\t", "needs place, within and basis"),
    ],
)
def test_bad_containment_rows_are_refused_with_file_and_line(project, dataset, row, message):
    with project.wikidata_containment.open("a", encoding="utf-8") as handle:
        handle.write(row + "\n")
    with pytest.raises(DataError, match=re.escape(message)) as err:
        compare(dataset, project)
    assert err.value.path == project.wikidata_containment and err.value.line == 3


def test_json_is_stable_and_carries_every_field(report, dataset, settings):
    text = report_json(report)
    assert text == report_json(compare(dataset, settings))
    data = json.loads(text)
    assert list(data) == ["checked", "grades", "summary", "entities"]
    claim = next(c for e in data["entities"] for c in e["claims"])
    assert list(claim) == [
        "property", "wikidata_property", "wikidata_property_label", "grade", "reason",
        "more_specific", "document", "wikidata", "notes",
    ]  # fmt: skip
    assert list(claim["document"]) == ["value", "iri", "wikidata", "quotes"]
    assert list(claim["wikidata"][0]) == ["value", "iri", "wikidata", "seen"]


@pytest.mark.parametrize(("fmt", "name"), [("text", "txt"), ("json", "json")])
def test_the_committed_example_report_is_current(report, fmt, name):
    shipped = (ROOT / "docs" / "examples" / f"wikidata-compare.{name}").read_text("utf-8")
    current = report_json(report) if fmt == "json" else report_text(report)
    assert shipped == current, (
        f"docs/examples/wikidata-compare.{name} is stale: run "
        f"`filmgraph wikidata compare --format {fmt} -o docs/examples/wikidata-compare.{name}`"
    )


def test_the_command_prints_text_or_json(run):
    text = run("--no-progress", "wikidata", "compare")
    assert text.exit_code == 0, text.output
    assert "conflicts" in text.output and "1991-07-28" in text.output
    as_json = run("--no-progress", "wikidata", "compare", "--format", "json")
    assert json.loads(as_json.output)["summary"]["conflicts"] >= 1
