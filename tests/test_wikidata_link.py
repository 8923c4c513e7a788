"""`filmgraph wikidata link` offline (the default): which entities it considers, how it
scores candidates from the shipped reference and snapshot, and that it never writes a link
or guesses one."""

from __future__ import annotations

import csv
import json
import re
import shlex
from pathlib import Path

import pytest

from filmgraph.core.errors import NotFoundError
from filmgraph.core.namespaces import FGID
from filmgraph.link.candidates import (
    KINDS,
    Candidate,
    When,
    our_entities,
    parse_when,
    reference_name,
    snapshot_candidates,
    when_of,
)
from filmgraph.link.proposals import proposals_json, propose_links
from filmgraph.link.scoring import NAME_GATE, STRONG, normalise, score, similarity

UNCONFIRMED = {
    "kabardino-balkarian-state-university",
    "north-caucasus",
    "un-certain-regard-best-director-award",
}


@pytest.fixture(scope="module")
def entities(dataset):
    return {e.iri.removeprefix(str(FGID)): e for e in our_entities(dataset)}


@pytest.fixture(scope="module")
def pool(dataset, settings):
    return {c.qid: c for c in snapshot_candidates(dataset, settings.wikidata_reference)}


def test_the_entities_without_a_link_are_the_unconfirmed_ones(dataset):
    found = propose_links(dataset)
    assert found.mode == "offline" and found.source == "snapshot"
    assert {e.entity.iri.removeprefix(str(FGID)) for e in found.entities} == UNCONFIRMED
    skipped = {iri.removeprefix(str(FGID)) for iri in found.skipped}
    assert "theme-trauma" in skipped and "storytelling" in skipped
    assert "literature" in skipped and not skipped & UNCONFIRMED


def test_offline_nothing_unconfirmed_is_proposed(dataset):
    for item in propose_links(dataset).entities:
        assert all(p.verdict == "rejected" for p in item.proposals), item.entity.short
        assert "Q510175" not in {p.candidate.qid for p in item.proposals}
    by_name = {e.entity.name: e for e in propose_links(dataset).entities}
    assert by_name["North Caucasus"].proposals == ()
    [section] = by_name["Un Certain Regard Best Director Award"].proposals
    assert section.candidate.qid == "Q1071326"
    assert section.vetoes == ("name similarity 0.63 is below 0.8",)


def test_offline_never_reaches_the_network(dataset, monkeypatch):
    import socket
    import urllib.request

    def refuse(*args, **kwargs):
        raise AssertionError("the offline linker opened a connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    assert propose_links(dataset, names=("Kantemir Balagov",)).entities


def test_offline_candidates_are_the_reference_items_with_snapshot_statements(pool):
    assert "Q5" not in pool and "Q11424" not in pool  # classes are never candidates
    balagov = pool["Q30346628"]
    assert (balagov.label, balagov.source, balagov.types) == (
        "Kantemir Balagov",
        "snapshot",
        ("Q5",),
    )
    assert balagov.dates == {"P569": When(1991, 7, 28)}
    closeness = pool["Q29413154"]
    assert (closeness.label, closeness.description) == ("Closeness", "Tesnota, 2017 film")
    assert closeness.dates == {"P577": When(2017)} and closeness.directors == ("Q30346628",)
    assert pool["Q1071326"].types == ()  # the snapshot records no P31 for it


def test_the_confirmed_classes_are_the_references(settings):
    with settings.wikidata_reference.open(encoding="utf-8") as handle:
        reference = {r["entity"]: r["qid"] for r in csv.DictReader(handle, delimiter="\t")}
    classes = {k.name: k.wikidata_class for k in KINDS if k.wikidata_class}
    assert classes == {"film": reference["film (class)"], "person": reference["human (class)"]}


def test_balagov_scores_strong_and_the_birth_date_disagreement_shows(entities, pool):
    proposal = score(entities["kantemir-balagov"], pool["Q30346628"])
    assert (proposal.score, proposal.verdict) == (0.92, "strong")
    components = {c.name: c for c in proposal.components}
    assert {n: c.value for n, c in components.items()} == {"name": 1.0, "type": 1.0, "date": 0.5}
    assert "ours 1991-01-25, Wikidata 1991-07-28" in components["date"].reason


def test_a_wrong_person_scores_low(entities, pool):
    proposal = score(entities["kantemir-balagov"], pool["Q7546"])
    assert proposal.verdict == "rejected" and proposal.score < 0.5
    assert any("below" in v for v in proposal.vetoes)
    assert "already linked to fgid:ingmar-bergman" in " ".join(
        score(entities["kantemir-balagov"], pool["Q7546"], {"Q7546": FGID["ingmar-bergman"]}).vetoes
    )


@pytest.mark.parametrize(("name", "qid"), [("closeness", "Q29413154"), ("beanpole", "Q63985408")])
def test_films_agree_on_every_component(entities, pool, name, qid):
    proposal = score(entities[name], pool[qid])
    assert [(c.name, c.value) for c in proposal.components] == [
        ("name", 1.0),
        ("type", 1.0),
        ("date", 1.0),
        ("director", 1.0),
    ]
    assert (proposal.score, proposal.verdict) == (1.0, "strong")


@pytest.mark.parametrize(
    "label", ["Best Director Award", "Best Director", "Un Certain Regard", "Director Award"]
)
@pytest.mark.parametrize("types", [(), ("Q5",), ("Q11424",)])
def test_the_main_competition_award_is_never_proposed_for_the_un_certain_regard_one(
    entities, label, types
):
    award = entities["un-certain-regard-best-director-award"]
    wrong = Candidate("Q510175", label, "search", "main-competition Best Director award", (), types)
    proposal = score(award, wrong)
    assert proposal.verdict == "rejected" and proposal.score < STRONG
    assert proposal.vetoes


def test_without_a_confirmed_class_nothing_is_strong(entities):
    award = entities["un-certain-regard-best-director-award"]
    same_name = Candidate("Q510175", award.name, "search")
    proposal = score(award, same_name)
    assert (proposal.score, proposal.verdict) == (0.67, "weak")
    assert "no Wikidata class is confirmed for an award" in proposal.components[1].reason


def test_a_candidate_of_another_confirmed_class_is_rejected(entities, pool):
    human = Candidate("Q30346628", "Closeness", "search", types=("Q5",))
    proposal = score(entities["closeness"], human)
    assert proposal.verdict == "rejected"
    assert proposal.vetoes == ("P31 Q5: a person, not a film",)


def test_a_film_from_another_year_or_director_loses_those_components(entities):
    other = Candidate(
        "Q29413154", "Closeness", "search", types=("Q11424",), dates={"P577": When(2015)},
        directors=("Q7546",),
    )  # fmt: skip
    proposal = score(entities["closeness"], other)
    values = {c.name: c.value for c in proposal.components}
    assert values == {"name": 1.0, "type": 1.0, "date": 0.0, "director": 0.0}
    assert (proposal.score, proposal.verdict) == (0.75, "weak")


@pytest.mark.parametrize(
    ("ours", "theirs", "expected"),
    [
        ("Krzysztof Kieślowski", "Krzysztof Kieslowski", 1.0),
        ("KANTEMIR  balagov", "Kantemir Balagov", 1.0),
        ("Balagov, Kantemir", "Kantemir Balagov", 1.0),
        ("Aleksandr Sokurov", "Alexander Sokurov", 0.88),
        ("North Caucasus", "Kabardino-Balkaria", 0.25),
    ],
)
def test_name_similarity(ours, theirs, expected):
    assert similarity(ours, theirs) == pytest.approx(expected, abs=0.01)
    assert (similarity(ours, theirs) >= NAME_GATE) == (expected >= NAME_GATE)


def test_names_are_folded():
    assert (
        normalise("Kabardino-Balkarian State University") == "kabardino balkarian state university"
    )


def test_dates_keep_their_precision(entities):
    assert entities["kantemir-balagov"].date == When(1991, 1, 25)
    assert entities["closeness"].date == When(2017)
    assert parse_when("+2019-05-16T00:00:00Z", 10) == When(2019, 5)
    assert parse_when("+2019-00-00T00:00:00Z", 9) == When(2019)
    assert parse_when("+2019-00-00T00:00:00Z", 7) is None  # a century: too vague to compare
    from rdflib import Literal
    from rdflib.namespace import XSD

    january = Literal("1991-01-01T00:00:00+00:00", datatype=XSD.dateTime)
    assert when_of(january, snapshot=True) == When(1991)  # the snapshot's year-only shape
    assert when_of(january) == When(1991, 1, 1)


def test_reference_names_give_label_and_description():
    assert reference_name("Saint Petersburg (Leningrad in 1924-1991)") == (
        "Saint Petersburg",
        "Leningrad in 1924-1991",
    )
    assert reference_name("Russia") == ("Russia", "")


def test_entities_are_chosen_by_name_prefixed_name_or_iri(dataset):
    for wanted in ("Tesnota", "fgid:closeness", str(FGID.closeness), "closeness"):
        [item] = propose_links(dataset, names=(wanted,)).entities
        assert item.entity.iri == FGID.closeness
        assert item.entity.linked == "Q29413154"
    with pytest.raises(NotFoundError, match="no entity named 'Nobody'"):
        propose_links(dataset, names=("Nobody",))
    with pytest.raises(NotFoundError, match="theme, group or term"):
        propose_links(dataset, names=("trauma",))


def test_link_on_the_command_line_writes_nothing(run, settings):
    before = settings.links_file.read_bytes()
    result = run("wikidata", "link")
    assert result.exit_code == 0, result.output
    assert settings.links_file.read_bytes() == before
    out = result.output
    assert "none is written to links.tsv" in out
    assert "fgid:north-caucasus  'North Caucasus' (place)\n  no candidate" in out
    assert "Q1071326   0.42  rejected Un Certain Regard (Cannes section)" in out
    assert "not linked: 10 themes, groups and terms" in out


def test_link_json_is_stable_and_documented(run, dataset):
    first = run("wikidata", "link", "--format", "json", "--entity", "Kantemir Balagov")
    second = run("wikidata", "link", "--format", "json", "--entity", "Kantemir Balagov")
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    report = json.loads(first.output)
    assert list(report) == ["mode", "source", "weights", "thresholds", "entities", "skipped"]
    [entity] = report["entities"]
    assert list(entity) == ["entity", "name", "kind", "linked", "candidates"]
    [best] = entity["candidates"]
    assert list(best) == [
        "qid", "label", "description", "source", "score", "verdict", "vetoes", "components",
    ]  # fmt: skip
    assert (best["qid"], best["score"], best["verdict"]) == ("Q30346628", 0.92, "strong")
    assert [c["name"] for c in best["components"]] == ["name", "type", "date"]
    assert first.output == proposals_json(propose_links(dataset, names=("Kantemir Balagov",)))


def test_link_for_an_unknown_entity_is_one_line(run):
    result = run("wikidata", "link", "--entity", "Nobody")
    assert result.exit_code == 1
    assert result.output == "Error: no entity named 'Nobody'\n"


def test_the_docs_example_is_the_real_output(run):
    page = Path(__file__).resolve().parents[1] / "docs" / "guide" / "wikidata.md"
    readme = page.read_text(encoding="utf-8")
    [example] = re.findall(r"```console\n(\$ filmgraph wikidata link\n.*?)```", readme, flags=re.S)
    current: list[str] = []
    for line in example.splitlines():
        if line.startswith("$ filmgraph "):
            result = run(*shlex.split(line)[2:])
            assert result.exit_code == 0, result.output
            current = result.output.splitlines()
        elif line != "...":
            assert line in current, line
