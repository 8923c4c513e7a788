"""Relative IRIs in a query resolve against the documented base (setting ``base_iri``) on
every store, over HTTP, in the CLI and in the library; a query's own BASE wins."""

from __future__ import annotations

import pytest

from filmgraph import run_query
from filmgraph.query import DEFAULT_BASE

pytestmark = pytest.mark.every_store(remote=True)

RELATIVE = "SELECT ?name WHERE { <kantemir-balagov> schema:name ?name }"
OWN_BASE = (
    "BASE <https://w3id.org/filmgraph/> SELECT ?name WHERE { <id/beanpole> schema:name ?name }"
)
ELSEWHERE = "SELECT (COUNT(*) AS ?n) WHERE { <nowhere> ?p ?o }"


def _csv(client, text: str) -> list[str]:
    reply = client.get("/sparql", query_string={"query": text}, headers={"Accept": "text/csv"})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return reply.get_data(as_text=True).split("\r\n")[1:-1]


def test_a_relative_iri_is_an_entity_of_ours(client):
    assert _csv(client, RELATIVE) == ["Kantemir Balagov"]
    assert _csv(client, OWN_BASE) == ["Beanpole"]
    assert _csv(client, ELSEWHERE) == ["0"]


def test_the_cli_and_the_library_resolve_alike(run, backend, dataset):
    assert run("query", "--format", "csv", RELATIVE).output.split() == [
        "name",
        "Kantemir",
        "Balagov",
    ]
    assert [str(r.name) for r in backend.engine().run(RELATIVE).result] == ["Kantemir Balagov"]
    assert [str(r.name) for r in run_query(dataset, OWN_BASE)] == ["Beanpole"]
    other = backend.engine().run(
        "SELECT ?s WHERE { VALUES ?s { <x> } }", base="http://example.org/a/"
    )
    assert [str(r.s) for r in other.result] == ["http://example.org/a/x"]
    assert DEFAULT_BASE == "https://w3id.org/filmgraph/id/"


def test_the_setting_chooses_the_base(store_settings, backend):
    from filmgraph.web import create_app, state

    app = create_app(store_settings.with_(base_iri="http://example.org/", workers=1), backend)
    try:
        text = "SELECT ?s WHERE { VALUES ?s { <x> } }"
        assert _csv(app.test_client(), text) == ["http://example.org/x"]
    finally:
        state(app).close()
