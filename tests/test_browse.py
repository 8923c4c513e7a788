"""Browsing without knowing a name: the entity index (/page/), the favicon, one label style
(properties and classes by their labels in words, the prefixed name on hover, restriction
classes in words), external links marked, and the downloads with sizes, triple counts and
what each graph holds."""

from __future__ import annotations

import html
import re

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from filmgraph.core import GRAPH_DESCRIPTIONS, GRAPHS
from filmgraph.core.namespaces import FGID, SCHEMA

pytestmark = pytest.mark.every_store(remote=True)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _index_links(page: str) -> set[str]:
    section = page[page.index('id="index-groups"') :]
    return set(re.findall(r'<li data-name="[^"]*"><a href="([^"]+)"', section))


def test_the_index_lists_every_entity_under_each_of_its_types(client, dataset):
    page = client.get("/page/").get_data(as_text=True)
    asserted = dataset.graph(GRAPHS["asserted"])
    entities = {s for s in asserted.subjects() if isinstance(s, URIRef)}
    assert _index_links(page) == {f"/page/{e[len(str(FGID)) :]}" for e in entities}
    for group in re.findall(r'<section class="index-group"[^>]*data-type="([^"]+)"', page):
        members = set(asserted.subjects(RDF.type, URIRef(group)))
        section = page[page.index(f'data-type="{group}"') :].split("</section>", 1)[0]
        assert section.count("<li ") == len(members)
        assert f"({len(members)})" in section
    # types by their labels in words, the prefixed name on hover
    assert '<span title="schema:CollegeOrUniversity">College or university</span>' in page
    assert '<span title="schema:Movie">Movie</span> <span class="count">(2)</span>' in page


def test_the_index_is_reached_from_every_page_and_reaches_every_entity(client):
    for path in ("/", "/page/kantemir-balagov", "/document", "/downloads", "/assessments"):
        assert 'href="/page/"' in client.get(path).get_data(as_text=True), path
    # two clicks from the home page: the index, then the entity
    for link in _index_links(client.get("/page/").get_data(as_text=True)):
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("cannes", {"2017 Cannes Film Festival", "2019 Cannes Film Festival",
                    "Cannes Film Festival"}),
        ("CANNES 2019", {"2019 Cannes Film Festival"}),
        ("balagov", {"Kantemir Balagov"}),
        ("no such name", set()),
    ],
)  # fmt: skip
def test_the_index_filters_by_name_without_javascript(client, query, names):
    page = client.get("/page/", query_string={"q": query}).get_data(as_text=True)
    shown = set(re.findall(r'<li data-name="[^"]*"><a href="[^"]+">([^<]+)</a>', page))
    assert shown == names
    assert f'value="{html.escape(query)}"' in page
    if not names:
        assert "No entity has a name that holds" in page


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert b"<svg" in icon.data
    page = client.get("/page/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


def test_properties_and_classes_by_their_labels_with_the_prefixed_name_on_hover(client):
    page = client.get("/page/kantemir-balagov").get_data(as_text=True)
    assert 'title="schema:alumniOf">alumni of<' in page
    assert 'title="schema:birthDate">birth date<' in page
    assert 'title="schema:hasOccupation">has occupation<' in page
    text = _text(page)
    for raw in ("alumniOf", "birthDate", "hasOccupation", "rdfs:label", "fg:directed"):
        assert raw not in text, raw
    # restriction classes in words (or, where a store's copy loses them, left out), never
    # as [fg:directed some schema:Movie]
    types = text.split("Facts")[0]
    assert "[" not in types and "_:" not in types
    assert "film director" in types


@pytest.mark.every_store(remote=False)
def test_restriction_classes_are_said_in_words(client):
    text = _text(client.get("/page/kantemir-balagov").get_data(as_text=True))
    assert "directed some movie" in text and "has occupation film director" in text


def test_external_links_are_marked_and_ours_stay_local(client):
    page = client.get("/page/kantemir-balagov").get_data(as_text=True)
    anchors = re.findall(r"<a ([^>]*)>", page)
    for attributes in anchors:
        href = re.search(r'href="([^"]*)"', attributes)
        if href is None:
            continue
        url = html.unescape(href.group(1))
        if url.startswith(("http://", "https://")):
            assert 'class="external"' in attributes and 'rel="external' in attributes, url
        else:
            assert "external" not in attributes, url
    # our entities link to their local pages
    assert 'href="/page/nalchik"' in page
    assert f'href="{FGID.nalchik}"' not in page
    assert f'href="{SCHEMA.Person}"' in page  # a schema.org class: external, and marked


def test_every_graph_says_what_it_holds():
    assert set(GRAPH_DESCRIPTIONS) == set(GRAPHS)
    assert all(text.endswith(".") and len(text) > 40 for text in GRAPH_DESCRIPTIONS.values())


def test_downloads_give_sizes_counts_and_what_each_graph_holds(client, app):
    from filmgraph.web import state
    from filmgraph.web.pages import human_size

    page = client.get("/downloads").get_data(as_text=True)
    text = _text(page)
    held = state(app).graphs
    for name, iri in GRAPHS.items():
        if iri in held:
            assert f"{held[iri]:,} triples" in text, name
            assert html.unescape(GRAPH_DESCRIPTIONS[name]) in text, name
    # each size is the size of the file the link gives
    files = re.findall(r'<a href="([^"]+)" download>[^<]+</a> <span class="size">\(([^)]+)\)', page)
    assert len(files) >= 2 + 5 + 4 * len([i for i in GRAPHS.values() if i in held])
    for href, shown in files:
        body = client.get(html.unescape(href)).data
        assert shown == human_size(len(body)), href


def test_void_says_what_each_graph_holds(client):
    from rdflib import Graph, Literal
    from rdflib.namespace import DCTERMS

    void = Graph().parse(data=client.get("/.well-known/void?format=ttl").data, format="turtle")
    sd_name = URIRef("http://www.w3.org/ns/sparql-service-description#name")
    described = {
        str(void.value(subset, sd_name)): void.value(subset, DCTERMS.description)
        for subset in void.subjects(sd_name, None)
    }
    assert described, "no subsets"
    for name, iri in GRAPHS.items():
        if str(iri) in described:
            assert described[str(iri)] == Literal(GRAPH_DESCRIPTIONS[name], lang="en")
