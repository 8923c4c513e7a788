"""Repeated queries are answered from the result cache, per query, dataset and format."""

from __future__ import annotations

import pytest

from filmgraph.serve.result_cache import ResultCache
from filmgraph.web import create_app, state

pytestmark = pytest.mark.every_store


def test_lru_by_size():
    cache: ResultCache[str] = ResultCache(max_bytes=10)
    cache.put("a", "A", 4)
    cache.put("b", "B", 4)
    assert cache.get("a") == "A"  # a is now the most recent
    cache.put("c", "C", 4)  # 12 bytes: the least recent (b) goes
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    cache.put("huge", "H", 11)  # larger than the whole cache: not kept
    assert cache.get("huge") is None and len(cache) == 2
    assert (cache.hits, cache.misses) == (3, 2)


def test_a_repeated_query_is_served_from_the_cache(client, app):
    results = state(app).results
    query = {"query": "SELECT ?n WHERE { fgid:beanpole schema:name ?n } # cache test"}
    first = client.get("/sparql", query_string=query)
    hits = results.hits
    again = client.get("/sparql", query_string=query)
    assert results.hits == hits + 1
    assert (
        again.data == first.data and again.headers["Content-Type"] == first.headers["Content-Type"]
    )
    as_csv = client.get("/sparql", query_string=query, headers={"Accept": "text/csv"})
    assert results.hits == hits + 1  # another format is another answer
    assert as_csv.mimetype == "text/csv"
    metrics = client.get("/metrics").get_data(as_text=True)
    assert f"filmgraph_result_cache_hits_total {results.hits}" in metrics


def test_the_cache_can_be_turned_off(store_settings, backend, pool):
    app = create_app(store_settings.with_(result_cache=0), backend, pool=pool)
    client = app.test_client()
    for _ in range(2):
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    assert state(app).results.hits == 0 and len(state(app).results) == 0
