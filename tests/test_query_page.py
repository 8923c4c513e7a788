"""The query page without a browser: who gets it, what it carries, what it loads.
(Running it in a browser: test_browser.py and test_browser_query.py.)"""

from __future__ import annotations

import html as markup
import json
import re

import pytest

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        (BROWSER, "text/html"),
        ("text/html", "text/html"),
        (None, "text/turtle"),
        ("*/*", "text/turtle"),  # curl
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("text/html;q=0.5, text/turtle", "text/turtle"),
    ],
)
def test_a_bare_get_sparql_is_the_page_for_browsers_only(client, accept, mimetype):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert "Accept" in response.headers["Vary"]


def test_the_page_carries_every_example_query(client, settings):
    from filmgraph.query.named import load_queries

    html = client.get("/").get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="query-examples">(.*?)</script>', html)
    assert found
    tabs = json.loads(found.group(1))
    queries = list(load_queries(settings.queries_dir).values())
    assert [(t["id"], t["name"], t["query"]) for t in tabs] == [
        (q.name, q.title, q.text) for q in queries
    ]
    assert client.get("/sparql", headers={"Accept": BROWSER}).get_data(as_text=True) == html


def test_everything_the_page_loads_comes_from_this_server(client):
    html = client.get("/").get_data(as_text=True)
    loaded = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert loaded and all(url.startswith("/static/") for url in loaded), loaded
    for url in loaded:
        assert client.get(url).status_code == 200, url


def _script(html: str, name: str) -> object:
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', html, re.S)
    assert found, name
    return json.loads(found.group(1))


def test_the_menu_lists_every_example_by_title_and_description(client, settings):
    """The example menu: one option per query, its title and description, in file-name
    order, the first one the editor's to begin with; hidden until the script shows it."""
    from filmgraph.query.named import load_queries

    html = client.get("/").get_data(as_text=True)
    queries = list(load_queries(settings.queries_dir).values())
    menu = re.search(r'<div class="examples-menu" hidden>(.*?)</details>', html, re.S)
    assert menu, "the example menu, hidden without JavaScript"
    options = re.findall(
        r'<li role="option" id="example-([^"]+)" data-id="([^"]+)" aria-selected="false">'
        r'\s*<span class="title">(.*?)</span>(?:<span class="description">(.*?)</span>)?</li>',
        menu.group(1),
        re.S,
    )
    assert [(i, d, markup.unescape(t), markup.unescape(s)) for i, d, t, s in options] == [
        (q.name, q.name, q.title, q.description) for q in queries
    ]
    assert 'role="combobox"' in menu.group(1) and 'aria-controls="example-list"' in menu.group(1)
    assert '<label class="visually-hidden" for="example-filter">' in menu.group(1)
    current = re.search(r'<span class="current" id="example-current">(.*?)</span>', html)
    assert current and markup.unescape(current.group(1)) == queries[0].title


def test_without_javascript_each_example_runs_as_a_link(client, settings):
    from filmgraph.query.named import load_queries

    html = client.get("/").get_data(as_text=True)
    noscript = re.search(r"<noscript>(.*?)</noscript>", html, re.S)
    assert noscript
    links = re.findall(r'<a href="([^"]+)">(.*?)</a>', noscript.group(1))
    queries = list(load_queries(settings.queries_dir).values())
    assert [markup.unescape(title) for _, title in links] == [q.title for q in queries]
    href = markup.unescape(links[0][0])
    assert href.startswith("/sparql?") and "format=csv" in href
    answer = client.get(href)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert len(answer.get_data(as_text=True).splitlines()) >= 2


def test_the_page_tells_its_script_where_the_projects_iris_link(client):
    """Results link the entity namespace's IRIs to /page/NAME, the other IRIs the data
    describes to /resource?iri=IRI (none in this project: everything is in fgid:)."""
    from filmgraph.core import FGID, PREFIXES

    html = client.get("/").get_data(as_text=True)
    root = re.search(r'<div id="yasgui"([^>]*)>', html)
    assert root
    attributes = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', root.group(1)))
    assert attributes == {
        "endpoint": "/sparql",
        "entity-namespace": str(FGID),
        "entity-page": "/page/",
        "resource-page": "/resource",
    }
    assert client.get(attributes["entity-page"] + "kantemir-balagov").status_code == 200
    described = _script(html, "query-described")
    assert described == []
    assert _script(html, "query-prefixes") == {
        name: str(namespace) for name, namespace in PREFIXES.items()
    }


def test_described_iris_are_those_outside_the_entity_namespace(app):
    """What the query page passes as described: subjects of the asserted or inferred graph,
    outside fgid:; each has its page at /resource."""
    from rdflib import URIRef

    from filmgraph.core import FGID
    from filmgraph.web.app_state import current
    from filmgraph.web.query_page import described

    with app.test_request_context("/"):
        found = described()
        describer = current().describer
        assert found == sorted(found)
        assert all(not iri.startswith(str(FGID)) for iri in found)
        assert all(describer.describes(URIRef(iri)) for iri in found)
        assert described() is found  # worked out once per app


@pytest.mark.parametrize(
    "path",
    [
        "vendor/yasgui/yasgui.min.js",
        "vendor/yasgui/yasgui.min.css",
        "vendor/yasgui/LICENSE",
        "vendor/cytoscape/cytoscape.min.js",
        "vendor/cytoscape/LICENSE",
    ],
)
def test_the_vendored_files_are_served_with_their_licenses(client, path):
    response = client.get(f"/static/{path}")
    assert response.status_code == 200 and len(response.data) > 1000
    if path.endswith("LICENSE"):
        assert b"Permission is hereby granted" in response.data
    if path.endswith(".css"):
        assert b"url(http" not in response.data and b"@import" not in response.data
