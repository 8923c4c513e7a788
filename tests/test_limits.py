"""Bounded cost: the query time limit (a stopped query is a 503, never a cut 200, and the
other requests go on being served), the row cap with its signal, and body size."""

from __future__ import annotations

import threading
import time

import pytest

from filmgraph.web import create_app, state

pytestmark = pytest.mark.every_store

# A three-way cartesian product of the default graph: far beyond any time limit here.
# A cross product of four copies of the default graph (billions of rows): never done in time.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
QUICK = "ASK { fgid:kantemir-balagov a schema:Person }"


@pytest.fixture(scope="module")
def limited(store_settings, backend):
    limits = {"query_timeout": 1.5, "max_rows": 5, "max_body": 10_000, "workers": 2}
    app = create_app(store_settings.with_(**limits, result_cache=0), backend)
    state(app).pool.start()
    yield app
    state(app).close()


def test_a_query_past_the_time_limit_is_stopped_with_a_503(limited):
    client = limited.test_client()
    pool = state(limited).pool
    outcome: dict = {}

    def slow() -> None:
        started = time.monotonic()
        outcome["response"] = client.get("/sparql", query_string={"query": ENDLESS})
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    # While the endless query runs, the other worker keeps answering.
    quick = client.get("/sparql", query_string={"query": QUICK})
    assert quick.status_code == 200 and quick.json["boolean"] is True
    assert thread.is_alive()
    thread.join(30)
    response = outcome["response"]
    assert response.status_code == 503
    assert "time limit of 1.5 s" in response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    assert 1.4 < outcome["seconds"] < 15
    assert pool.timeouts >= 1
    # The stopped worker is replaced; both answer again.
    deadline = time.monotonic() + 60
    while pool.alive() < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert pool.alive() == 2
    for _ in range(4):
        assert client.get("/sparql", query_string={"query": QUICK}).status_code == 200
    metrics = client.get("/metrics").get_data(as_text=True)
    assert f"filmgraph_query_timeouts_total {pool.timeouts}" in metrics


def test_results_are_cut_at_the_row_cap_and_say_so(limited):
    client = limited.test_client()
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert len(response.json["results"]["bindings"]) == 5
    assert response.headers["Filmgraph-Truncated"] == "true"
    assert response.headers["Filmgraph-Max-Rows"] == "5"
    assert "Filmgraph-Truncated" in response.headers["Access-Control-Expose-Headers"]

    graph = client.get(
        "/sparql",
        query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"},
    )
    assert len(graph.get_data(as_text=True).strip().splitlines()) == 5
    assert graph.headers["Filmgraph-Truncated"] == "true"


def test_a_result_within_the_cap_is_not_marked(limited):
    client = limited.test_client()
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert len(response.json["results"]["bindings"]) == 5
    assert "Filmgraph-Truncated" not in response.headers


def test_a_body_over_the_limit_is_a_413(limited):
    client = limited.test_client()
    body = "ASK {}" + " " * 20_000
    response = client.post("/sparql", data=body, content_type="application/sparql-query")
    assert response.status_code == 413
    assert "limit is 10000" in response.get_data(as_text=True)
