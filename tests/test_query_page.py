"""The query page without a browser: who gets it, what it carries, what it loads.
(Running it in a browser: test_browser.py.)"""

from __future__ import annotations

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
