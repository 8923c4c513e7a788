"""The links graph: confirmed Wikidata items only, as schema:sameAs, checked against the
shipped reference list; bad rows are refused with file and line."""

from __future__ import annotations

import csv
import re

import pytest
from rdflib.namespace import OWL

from conftest import replace_in
from filmgraph import DataError, build
from filmgraph.core.namespaces import FGID, GRAPHS, SCHEMA, WD


def test_links_are_schema_same_as_to_confirmed_items(dataset, settings):
    links = dataset.graph(GRAPHS["links"])
    assert (FGID["kantemir-balagov"], SCHEMA.sameAs, WD.Q30346628) in links
    assert set(links.predicates()) == {SCHEMA.sameAs}
    for name in ("asserted", "inferred", "links"):
        assert (None, OWL.sameAs, None) not in dataset.graph(GRAPHS[name])
    with settings.wikidata_reference.open(encoding="utf-8") as handle:
        reference = {r["qid"]: r["confirmed"] for r in csv.DictReader(handle, delimiter="\t")}
    for item in links.objects():
        assert not reference[item.removeprefix(str(WD))].startswith("not confirmed")


def test_unconfirmed_entities_stay_unlinked(dataset):
    links = dataset.graph(GRAPHS["links"])
    for name in (
        "kabardino-balkarian-state-university",
        "north-caucasus",
        "un-certain-regard-best-director-award",
    ):
        assert (FGID[name], None, None) not in links


def test_links_change_no_inference(dataset):
    inferred = dataset.graph(GRAPHS["inferred"])
    assert not any(str(o).startswith(str(WD)) for o in inferred.objects())


@pytest.mark.parametrize(
    ("old", "new", "message", "line"),
    [
        ("nalchik\tQ5265\tNalchik", "nalchik\tQ5266\tNalchik", "gives 'Q5265'", 3),
        (
            "beanpole\tQ63985408\tBeanpole (Dylda, 2019 film)\n",
            "beanpole\tQ63985408\tBeanpole (Dylda, 2019 film)\n"
            "north-caucasus\tQ63985408\tBeanpole (Dylda, 2019 film)\n",
            "already linked on line 10",
            11,
        ),
        ("russia\tQ159\tRussia", "russia\tQ159\tRossiya", "'Rossiya' is not in qids.tsv", 4),
        ("russia\tQ159\tRussia", "russia\t\tRussia", "needs entity, qid", 4),
        ("russia\tQ159", "tsardom\tQ159", "no entity", 4),
    ],
)
def test_bad_rows_are_refused_with_file_and_line(project, old, new, message, line):
    replace_in(project.links_file, old, new)
    with pytest.raises(DataError, match=re.escape(message)) as err:
        build(project.with_(cache=False))
    assert err.value.path == project.links_file and err.value.line == line


def test_a_not_confirmed_entity_cannot_be_linked(project):
    with project.links_file.open("a", encoding="utf-8") as handle:
        handle.write("north-caucasus\t-\tNorth Caucasus\n")
    with pytest.raises(DataError, match=re.escape("'North Caucasus' is not in qids.tsv")):
        build(project.with_(cache=False))


def test_the_snapshot_is_generated_from_the_checked_statements(settings):
    from filmgraph.link.snapshot import snapshot_text

    shipped = settings.wikidata_snapshot.read_text(encoding="utf-8")
    assert shipped == snapshot_text(settings.wikidata_facts), (
        "data/wikidata/snapshot.ttl is stale: run `filmgraph wikidata snapshot`"
    )


def test_statements_not_seen_on_wikidata_are_marked_in_the_snapshot(dataset, settings):
    from rdflib import Literal
    from rdflib.namespace import RDF

    from filmgraph.core.namespaces import FG, WDT
    from filmgraph.link.snapshot import read_facts

    snapshot = dataset.graph(GRAPHS["wikidata"])
    marked = {
        (snapshot.value(node, RDF.subject), snapshot.value(node, RDF.predicate))
        for node in snapshot.subjects(FG.seenOnWikidata, Literal(False))
    }
    rows = read_facts(settings.wikidata_facts)
    unseen = {(WD[s.item], WDT[s.property]) for s in rows if s.found and not s.seen}
    assert marked == unseen and (WD.Q30346628, WDT.P106) in marked
    assert len(unseen) == len([s for s in rows if "itself was not seen" in s.note])
    # each mark names a triple the snapshot holds, and a statement seen is never marked
    for node in snapshot.subjects(FG.seenOnWikidata, Literal(False)):
        triple = tuple(snapshot.value(node, p) for p in (RDF.subject, RDF.predicate, RDF.object))
        assert triple in snapshot
    assert (WD.Q30346628, WDT.P569) not in marked


def test_the_snapshot_is_wikidata_rdf_in_its_own_graph(dataset, client):
    from rdflib import Literal
    from rdflib.namespace import XSD

    from filmgraph.core.namespaces import WDT

    snapshot = dataset.graph(GRAPHS["wikidata"])
    birth = Literal("1991-07-28T00:00:00Z", datatype=XSD.dateTime, normalize=False)
    assert (WD.Q30346628, WDT.P569, birth) in snapshot
    assert (WD.Q29413154, WDT.P1476, Literal("Теснота", lang="ru")) in snapshot
    # "(no statement found)" rows add nothing: Wikidata states no influences
    assert (WD.Q30346628, WDT.P737, None) not in snapshot
    # never part of the document's facts, nor of the default graph a query sees
    assert not set(snapshot) & set(dataset.graph(GRAPHS["asserted"]))
    ask = "ASK { wd:Q30346628 wdt:P569 ?date }"
    assert client.get("/sparql", query_string={"query": ask}).json["boolean"] is False
    named = f"ASK {{ GRAPH <{GRAPHS['wikidata']}> {{ wd:Q30346628 wdt:P569 ?date }} }}"
    assert client.get("/sparql", query_string={"query": named}).json["boolean"] is True
