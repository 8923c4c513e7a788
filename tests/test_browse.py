"""Browsing without knowing a name: the entity index (/page/: the types with their counts
and first entities, a type's listing a page at a time, a search by name in the store), the
favicon, one label style (properties and classes by their labels in words, the prefixed name
on hover, restriction classes in words), external links marked, and the downloads with sizes,
triple counts and what each graph holds."""

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
    section = page[page.index('id="index-results"') :]
    return set(re.findall(r'<li><a href="([^"]+)"', section))


def _names(page: str) -> list[str]:
    """The entities a page of the index lists, in its order."""
    section = page[page.index('id="index-results"') :]
    return [html.unescape(n) for n in re.findall(r'<li><a href="[^"]+">([^<]+)</a>', section)]


def test_the_index_lists_every_entity_under_each_of_its_types(client, dataset):
    page = client.get("/page/").get_data(as_text=True)
    asserted = dataset.graph(GRAPHS["asserted"])
    entities = {s for s in asserted.subjects() if isinstance(s, URIRef)}
    assert _index_links(page) == {f"/page/{e[len(str(FGID)) :]}" for e in entities}
    for group in re.findall(r'<section class="index-group"[^>]*data-type="([^"]+)"', page):
        members = set(asserted.subjects(RDF.type, URIRef(group)))
        section = page[page.index(f'data-type="{group}"') :].split("</section>", 1)[0]
        assert section.count("<li>") == len(members)  # all shown: none has more than 50
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
def test_the_index_searches_by_name_in_the_store_without_javascript(client, query, names):
    page = client.get("/page/", query_string={"q": query}).get_data(as_text=True)
    assert set(_names(page)) == names
    assert f'value="{html.escape(query)}"' in page
    if names:
        entities = "entity" if len(names) == 1 else "entities"
        assert f"{len(names)} {entities} in " in _text(page)
    else:
        assert "No entity has a name that holds" in page


PEOPLE = ["Aleksandr Sokurov", "Andrei Tarkovsky", "Ingmar Bergman", "Kantemir Balagov",
          "Krzysztof Kieślowski"]  # fmt: skip


def test_a_type_s_listing_pages_by_name_with_next_and_previous_links(client):
    seen, path, pages = [], "/page/?type=schema:Person&limit=2", []
    while path:
        page = client.get(html.unescape(path)).get_data(as_text=True)
        pages.append(page)
        seen += _names(page)
        found = re.search(r'<a rel="next" href="([^"]+)"', page)
        path = found.group(1) if found else None
    assert seen == PEOPLE and len(pages) == 3
    assert "Entities 1\N{EN DASH}2 of 5, by name." in _text(pages[0])
    assert "Page 1 of 3" in _text(pages[0])
    assert 'rel="prev"' not in pages[0] and 'rel="next"' not in pages[2]
    assert '<link rel="prev" href="/page/?type=schema:Person&amp;page=2&amp;limit=2">' in pages[2]
    assert '<a rel="prev" href="/page/?type=schema:Person&amp;limit=2">' in pages[1]
    # the type by its IRI too; past the last page, or a type nobody has, is 404
    by_iri = client.get("/page/", query_string={"type": str(SCHEMA.Person), "limit": "2"})
    assert _names(by_iri.get_data(as_text=True)) == PEOPLE[:2]
    assert client.get("/page/?type=schema:Person&limit=2&page=4").status_code == 404
    assert client.get("/page/?type=schema:NoSuchType").status_code == 404


def test_the_overview_links_a_type_s_listing_only_when_it_shows_part_of_it(client):
    page = client.get("/page/").get_data(as_text=True)
    assert "All " not in _text(page)  # no type has more than 50 entities here
    people = client.get("/page/?type=schema:Person").get_data(as_text=True)
    assert _names(people) == PEOPLE and 'rel="next"' not in people
    assert '<input type="hidden" name="type" value="schema:Person">' in people


def test_a_search_within_a_type_pages_its_matches(client):
    page = client.get("/page/?type=schema:Person&q=k&limit=2").get_data(as_text=True)
    assert _names(page) == ["Aleksandr Sokurov", "Andrei Tarkovsky"]
    assert "more on the next page" in _text(page)
    last = client.get("/page/?type=schema:Person&q=k&limit=2&page=2").get_data(as_text=True)
    assert _names(last) == ["Kantemir Balagov", "Krzysztof Kieślowski"]
    none = client.get("/page/?type=schema:Person&q=cannes").get_data(as_text=True)
    assert _names(none) == [] and "No person has a name that holds “cannes”" in _text(none)


@pytest.mark.parametrize(
    "query",
    ["type=a%3Eb", "type=schema:Person&page=0", "type=schema:Person&limit=x", "q=" + "w" * 201],
)
def test_the_index_refuses_malformed_parameters(client, query):
    assert client.get(f"/page/?{query}").status_code == 400


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
