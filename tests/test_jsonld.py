"""The framed JSON-LD export: it round-trips (pyld and rdflib read back exactly the graph that
was framed), each film and person is one top-level object with its places and events nested,
and schema.org's context is served locally: nothing is ever fetched."""

from __future__ import annotations

import json
import socket
import urllib.request
from collections.abc import Iterator

import pytest
from pyld import jsonld
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from canary import Canary
from conftest import as_written, node_objects
from filmgraph.core.errors import DataError, QueryError
from filmgraph.core.namespaces import FG, FGID, GRAPHS, SCHEMA, new_graph
from filmgraph.core.settings import Settings
from filmgraph.export import schemaorg_view
from filmgraph.export.exports import EXPORTS, export
from filmgraph.export.jsonld import (
    FRAMED_CLASSES,
    SCHEMAORG_CONTEXT,
    SCHEMAORG_CONTEXT_URLS,
    framed,
    schemaorg_loader,
)
from filmgraph.query import DEFAULT_GRAPHS

#: graph selections to frame: the facts, the default graph, everything but the ontology
SELECTIONS = [
    ("asserted",),
    tuple(DEFAULT_GRAPHS),
    ("asserted", "inferred", "links", "provenance", "wikidata"),
]


@pytest.fixture(scope="module")
def loader(settings):
    return schemaorg_loader(settings.schemaorg_context)


def _merged(dataset, names) -> Graph:
    graph = new_graph()
    for name in names:
        graph += dataset.graph(GRAPHS[name])
    return graph


def _tops(graph: Graph) -> set[str]:
    return {str(s) for c in FRAMED_CLASSES for s in graph.subjects(RDF.type, c)}


def _expand_id(data: dict, name: str) -> str:
    """A node's ``id`` (a prefixed name of the output's own context) as a full IRI."""
    prefix, _, local = name.partition(":")
    namespace = data["@context"][1].get(prefix)
    return namespace + local if isinstance(namespace, str) else name


def _with_schemaorg_context(data: dict, loader) -> dict:
    """The document with schema.org's context in place of its reference, for rdflib (which
    would fetch the reference)."""
    shipped = loader.documents[SCHEMAORG_CONTEXT]["@context"]
    context = [shipped if c == SCHEMAORG_CONTEXT else c for c in data["@context"]]
    return {**data, "@context": context}


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a connection or look up a host fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# Round trips


@pytest.mark.parametrize("names", SELECTIONS)
def test_pyld_reads_back_the_graph_that_was_framed(dataset, loader, names, offline):
    graph = _merged(dataset, names)
    data = json.loads(framed(graph))
    options = {"documentLoader": loader, "format": "application/n-quads"}
    back = as_written(Graph(), data=jsonld.to_rdf(data, options), format="nquads")
    assert len(back) == len(graph)
    assert isomorphic(back, graph)


@pytest.mark.parametrize("names", SELECTIONS)
def test_rdflib_reads_back_the_graph_that_was_framed(dataset, loader, names, offline):
    graph = _merged(dataset, names)
    data = _with_schemaorg_context(json.loads(framed(graph)), loader)
    back = as_written(Graph(), data=json.dumps(data), format="json-ld")
    assert isomorphic(back, graph)


def test_the_export_is_the_framed_merge_of_the_chosen_graphs(dataset):
    """With their schema.org consequences (what a schema.org consumer reads; see
    tests/test_schemaorg_readers.py), or alone when asked."""
    names = ("asserted", "links")
    view = schemaorg_view(dataset, names)
    assert export(dataset, "jsonld-framed", names) == framed(view)
    assert export(dataset, "jsonld-framed", names, schemaorg=False) == framed(
        _merged(dataset, names)
    )
    assert len(view) > len(_merged(dataset, names))


def test_blank_nodes_nested_under_a_film_round_trip(loader):
    graph = new_graph()
    film, place = FGID.film, BNode()
    graph.add((film, RDF.type, SCHEMA.Movie))
    graph.add((film, SCHEMA.contentLocation, place))
    graph.add((place, SCHEMA.name, Literal("somewhere")))
    graph.add((FGID.other, FG.setAfter, place))  # the same blank node from elsewhere
    data = json.loads(framed(graph))
    options = {"documentLoader": loader, "format": "application/n-quads"}
    assert isomorphic(
        as_written(Graph(), data=jsonld.to_rdf(data, options), format="nquads"), graph
    )


def test_a_blank_node_nothing_points_to_is_refused(dataset):
    """A frame names its top-level objects by @id, and pyld renames blank nodes: the
    ontology's anonymous axioms have no place in the framed shape. Decided: a clear error
    that names the way out, never a silently incomplete file."""
    with pytest.raises(QueryError, match="export these graphs as jsonld"):
        export(dataset, "jsonld-framed", ("ontology",))
    graph = new_graph()
    graph.add((BNode(), RDF.type, SCHEMA.Movie))
    with pytest.raises(QueryError, match="of type schema:Movie"):
        framed(graph)


# The shape


@pytest.fixture(scope="module")
def default_graph(dataset) -> Graph:
    return _merged(dataset, DEFAULT_GRAPHS)


@pytest.fixture(scope="module")
def default_framed(default_graph) -> dict:
    return json.loads(framed(default_graph))


def test_each_film_and_person_is_one_top_level_object(default_graph, default_framed):
    ids = [_expand_id(default_framed, node["id"]) for node in default_framed["@graph"]]
    assert sorted(ids) == sorted(_tops(default_graph))  # each once, and nothing else


def test_films_and_people_are_referenced_never_nested(default_graph, default_framed):
    tops = _tops(default_graph)
    for top in default_framed["@graph"]:
        for inner in node_objects(top):
            if _expand_id(default_framed, inner["id"]) in tops:
                assert set(inner) == {"id"}, (top["id"], inner)


def test_what_a_film_or_person_points_to_is_nested_under_it(default_graph, default_framed):
    """Places, events, awards, themes: each node a film or person points to is written in
    full (with its name) inside that film's or person's object."""
    tops = _tops(default_graph)
    checked = 0
    for top in default_framed["@graph"]:
        iri = URIRef(_expand_id(default_framed, top["id"]))
        nested = {
            _expand_id(default_framed, o["id"]): o for o in node_objects(top) if set(o) != {"id"}
        }
        for p, o in default_graph.predicate_objects(iri):
            if isinstance(o, URIRef) and str(o) not in tops and (o, None, None) in default_graph:
                assert str(o) in nested, (iri, p, o)
                name = default_graph.value(o, SCHEMA.name)
                assert name is None or nested[str(o)]["name"] == str(name)
                checked += 1
    assert checked > 20


def test_places_and_events_nest_as_deep_as_the_data(default_graph, default_framed):
    """A film's premiere festival carries the festival it is an edition of; a person's
    birthplace, the country it is in."""
    by_id = {_expand_id(default_framed, n["id"]): n for n in default_framed["@graph"]}
    for film, festival in default_graph.subject_objects(FG.premieredAt):
        nested = by_id[str(film)]["fg:premieredAt"]
        edition_of = default_graph.value(festival, SCHEMA.superEvent)
        assert nested["superEvent"]["name"] == str(default_graph.value(edition_of, SCHEMA.name))
    for person, place in default_graph.subject_objects(SCHEMA.birthPlace):
        nested = by_id[str(person)]["birthPlace"]
        country = default_graph.value(place, SCHEMA.containedInPlace)
        assert nested["containedInPlace"]["name"] == str(default_graph.value(country, SCHEMA.name))


def test_nodes_no_film_or_person_reaches_are_top_level_too(dataset, default_graph):
    graph = new_graph()
    graph += default_graph
    graph.add((FGID.festival, RDF.type, SCHEMA.Festival))  # nothing points to it
    graph.add((FGID.festival, SCHEMA.location, FGID.town))
    graph.add((FGID.town, SCHEMA.name, Literal("a town")))
    data = json.loads(framed(graph))
    by_id = {_expand_id(data, n["id"]): n for n in data["@graph"]}
    assert set(by_id) == _tops(graph) | {str(FGID.festival)}
    assert by_id[str(FGID.festival)]["location"]["name"] == "a town"
    links = _merged(dataset, ("links",))  # the sameAs links alone: no film, no person
    data = json.loads(framed(links))
    assert {_expand_id(data, n["id"]) for n in data["@graph"]} == set(map(str, links.subjects()))


def test_context_is_schema_org_by_reference_then_our_prefixes(default_framed):
    context = default_framed["@context"]
    assert context[0] == SCHEMAORG_CONTEXT
    assert {"fg", "fgid", "wd"} <= set(context[1])
    body = json.dumps(default_framed["@graph"])
    for namespace in ("https://w3id.org/filmgraph/", "http://schema.org/", "wikidata.org"):
        assert namespace not in body  # prefixed names and schema.org terms, no full IRIs
    # schema.org types dates as schema:Date; ours keep their own datatype, written plainly
    balagov = next(n for n in default_framed["@graph"] if n["id"] == "fgid:kantemir-balagov")
    assert context[1]["birthDate"]["@type"] == "xsd:date"
    assert isinstance(balagov["birthDate"], str)


def test_output_is_stable(dataset):
    """Sorted keys, and the same text whatever the blank nodes are called."""
    graph = _merged(dataset, ("asserted", "inferred"))  # a blank node: an inferred class
    assert any(isinstance(t, BNode) for triple in graph for t in triple)
    renamed = as_written(Graph(), data=graph.serialize(format="nt"), format="nt")
    text = framed(graph)
    assert framed(renamed) == text
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


# Nothing is fetched


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary("application/ld+json", b'{"@context": {"@vocab": "http://example.org/"}}')
    yield server
    server.close()


def test_the_loader_refuses_a_remote_context_without_a_request(loader, canary):
    document = {"@context": f"{canary.url}/context.jsonld", "name": "x"}
    with pytest.raises(jsonld.JsonLdError) as refused:
        jsonld.expand(document, {"documentLoader": loader})
    assert refused.value.code == "loading remote context failed"
    assert "refused to load" in str(refused.value.details["cause"])
    assert canary.requests == []
    # the control: the canary does hear a request that is let through
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with direct.open(f"{canary.url}/context.jsonld") as answer:
        assert answer.status == 200
    assert canary.requests == ["GET /context.jsonld"]


def test_the_loader_serves_schema_orgs_context_at_each_of_its_urls(loader, offline):
    for url in SCHEMAORG_CONTEXT_URLS:
        answer = loader(url)
        assert answer["document"]["@context"]["@vocab"] == "http://schema.org/", url
    with pytest.raises(jsonld.JsonLdError, match="refused to load"):
        loader("https://schema.org/Movie")


def test_a_missing_context_file_is_named(dataset, tmp_path, monkeypatch):
    # schema.org's context is filmgraph's own file (the bundled project's), for every project
    monkeypatch.setattr("filmgraph.core.settings.bundled_root", lambda: tmp_path)
    with pytest.raises(DataError, match=r"schemaorg-context-30\.0\.jsonld: cannot read"):
        framed(dataset.graph(GRAPHS["asserted"]), Settings(root=tmp_path))


def test_framing_opens_no_socket(dataset, offline):
    assert json.loads(export(dataset, "jsonld-framed", DEFAULT_GRAPHS))["@graph"]


# Command line and HTTP


def test_export_command_writes_framed_json_ld(run, tmp_path, dataset):
    target = tmp_path / "films.framed.jsonld"
    result = run("export", "--format", "jsonld-framed", "-o", str(target))
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    ids = {_expand_id(data, n["id"]) for n in data["@graph"]}
    assert ids == _tops(dataset.graph(GRAPHS["asserted"]))


def test_export_command_says_why_it_cannot_frame(run):
    result = run("export", "--format", "jsonld-framed", "--graphs", "all")
    assert result.exit_code == 1
    assert "export these graphs as jsonld" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_format_names_the_formats(run, dataset):
    result = run("export", "--format", "framed")
    assert result.exit_code == 2 and "jsonld-framed" in result.output
    with pytest.raises(QueryError, match=r"formats: .*jsonld-framed"):
        export(dataset, "jsonld-frame")
    assert "jsonld-framed" in EXPORTS


def test_framed_download(client, app, dataset):
    response = client.get("/export.framed.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="filmgraph.framed.jsonld"'
    )
    assert response.get_data(as_text=True) == export(dataset, "jsonld-framed", DEFAULT_GRAPHS)
    page = client.get("/downloads", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/export.framed.jsonld"' in page
