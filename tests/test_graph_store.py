"""The Graph Store Protocol's read side (/graph) and the /export.* downloads."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from conftest import as_written
from filmgraph.core.namespaces import GRAPHS

pytestmark = pytest.mark.every_store(remote=True)


def test_the_default_graph(client, held):
    response = client.get("/graph?default")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert 'filename="default.ttl"' in response.headers["Content-Disposition"]
    parsed = as_written(Graph(), data=response.get_data(as_text=True), format="turtle")
    expected = Graph()
    for name in ("asserted", "inferred", "links"):
        expected += held.graph(GRAPHS[name])
    assert isomorphic(parsed, expected)


@pytest.mark.parametrize("name", list(GRAPHS))
def test_each_named_graph_by_accept(client, held, name):
    response = client.get(
        "/graph",
        query_string={"graph": str(GRAPHS[name])},
        headers={"Accept": "application/n-triples"},
    )
    assert response.status_code == 200 and response.mimetype == "application/n-triples"
    parsed = as_written(Graph(), data=response.get_data(as_text=True), format="nt")
    assert isomorphic(parsed, held.graph(GRAPHS[name]))


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 400),
        ("?default&graph=https://w3id.org/filmgraph/graph/asserted", 400),
        ("?graph=http://example.org/elsewhere", 404),
        ("?default&format=csv", 406),
    ],
)
def test_graph_errors(client, query, status):
    response = client.get("/graph" + query)
    assert response.status_code == status
    assert response.get_data(as_text=True).strip()


def test_the_graph_store_is_read_only(client, dataset):
    before = len(dataset)
    for method in ("put", "post", "delete"):
        response = getattr(client, method)("/graph?default", data="<a> <b> <c> .")
        assert response.status_code == 405
    assert len(dataset) == before


def test_export_downloads(client, held):
    quads = client.get("/export.nq")
    assert quads.mimetype == "application/n-quads"
    assert 'filename="filmgraph.nq"' in quads.headers["Content-Disposition"]
    parsed = Dataset()
    as_written(parsed, data=quads.get_data(as_text=True), format="nquads")
    for iri in GRAPHS.values():
        assert isomorphic(parsed.graph(iri), held.graph(iri))
    assert client.get("/export.jsonld").mimetype == "application/ld+json"
    assert client.get("/export.pdf").status_code == 404
