"""Each client's queries in progress are limited (issue 22): one more than client_queries
gets 429 with Retry-After at once, other clients are answered meanwhile, and behind a
trusted proxy the client is the one X-Forwarded-For names (never a header from anyone else).

Bounded: one app per test with two workers, and one real server on 127.0.0.1 (stopped by
the test); slow queries stop at a 3-second limit."""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message

import pytest

from browser import FILMGRAPH_SERVE, ROOT, serving
from filmgraph.serve import ClientLimits
from filmgraph.web import create_app, state

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
QUICK = "ASK { fgid:kantemir-balagov a schema:Person }"
PAIRS = "SELECT ?a ?b ?c ?d ?e ?f WHERE { ?a ?b ?c . ?d ?e ?f }"


def test_limits_are_counted_per_client_and_given_back():
    limits = ClientLimits(2)
    limits.take("a")
    limits.take("a")
    limits.take("b")  # another client is not counted with a's
    with pytest.raises(Exception) as refused:
        limits.take("a")
    assert refused.value.status == 429 and "2 queries in progress" in str(refused.value)
    limits.give_back("a")
    limits.take("a")  # room again
    assert limits.in_progress() == 3 and limits.refused == 1
    unlimited = ClientLimits(0)
    for _ in range(100):
        unlimited.take("a")
    assert unlimited.in_progress() == 0  # not even counted


@pytest.fixture
def limited(store_settings, backend):
    app = create_app(
        store_settings.with_(client_queries=1, query_timeout=3.0, result_cache=0), backend
    )
    yield app
    state(app).close()


def _ask(app, query: str, address: str):
    return app.test_client().get(
        "/sparql", query_string={"query": query}, environ_base={"REMOTE_ADDR": address}
    )


@pytest.mark.every_store
def test_a_client_with_a_query_in_progress_gets_429_and_others_are_answered(limited):
    slow = threading.Thread(target=_ask, args=(limited, ENDLESS, "203.0.113.1"))
    slow.start()
    try:
        deadline = time.monotonic() + 10
        while state(limited).clients.in_progress() == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        refused = _ask(limited, QUICK, "203.0.113.1")
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "1"
        assert "203.0.113.1 has 1 query in progress" in refused.text
        assert "client_queries" in refused.text
        other = _ask(limited, QUICK, "203.0.113.2")
        assert other.status_code == 200 and other.json["boolean"] is True
    finally:
        slow.join()
    assert state(limited).clients.in_progress() == 0  # the slow one gave its slot back
    assert _ask(limited, QUICK, "203.0.113.1").status_code == 200


@pytest.mark.every_store
def test_a_streamed_answer_holds_its_slot_until_it_is_sent(store_settings, backend):
    # a long time limit: the query must finish however busy the machine (a 503 is not the point)
    chosen = store_settings.with_(client_queries=1, max_rows=100_000, query_timeout=120.0)
    app = create_app(chosen, backend)
    try:
        response = _ask(app, PAIRS, "203.0.113.3")
        assert response.status_code == 200 and response.is_streamed
        assert state(app).clients.in_progress() == 1  # its body is not sent yet
        assert _ask(app, QUICK, "203.0.113.3").status_code == 429
        assert "Content-Length" not in response.headers  # known only at its end
        assert len(json.loads(response.get_data())["results"]["bindings"]) > 60_000
        response.close()
        assert state(app).clients.in_progress() == 0
        assert _ask(app, QUICK, "203.0.113.3").status_code == 200
    finally:
        state(app).close()


@pytest.fixture(scope="module")
def proxied(settings, dataset, tmp_path_factory) -> Iterator[str]:
    """The server behind a trusted proxy on 127.0.0.1, one query per client."""
    log = tmp_path_factory.mktemp("server") / "stderr.log"
    environ = {
        **os.environ,
        "FILMGRAPH_BUILD_DIR": str(settings.output_dir),
        "FILMGRAPH_CLIENT_QUERIES": "1",
        "FILMGRAPH_TRUSTED_PROXY": "127.0.0.1",
        "FILMGRAPH_QUERY_TIMEOUT": "3",
        "FILMGRAPH_RESULT_CACHE": "0",
    }
    with serving(FILMGRAPH_SERVE, environ, ROOT, log) as (_, base):
        yield base


def _get(base: str, query: str, forwarded: str | None) -> tuple[int, Message, str]:
    """The status, headers (names case-insensitive, RFC 9110 5.1) and text of the answer."""
    url = f"{base}/sparql?{urllib.parse.urlencode({'query': query})}"
    request = urllib.request.Request(url)
    if forwarded:
        request.add_header("X-Forwarded-For", forwarded)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.mark.slow
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(proxied):
    slow = threading.Thread(target=_get, args=(proxied, ENDLESS, "198.51.100.7"))
    slow.start()
    try:
        time.sleep(0.5)  # the slow query is in progress
        status, headers, text = _get(proxied, QUICK, "198.51.100.7")
        assert status == 429 and headers["Retry-After"] == "1"
        assert "198.51.100.7 has 1 query in progress" in text
        assert _get(proxied, QUICK, "198.51.100.8")[0] == 200  # another client behind it
        assert _get(proxied, QUICK, None)[0] == 200  # the proxy's own address
    finally:
        slow.join()
    assert _get(proxied, QUICK, "198.51.100.7")[0] == 200
