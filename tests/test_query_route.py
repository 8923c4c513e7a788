"""The query operation as `filmgraph serve` answers it on its event loop
(``filmgraph.web.query_route``) and as the Flask view answers it (any other server, the test
client): the same status, headers and body for every kind of request, well-formed or not,
because both are one code (``filmgraph.web.protocol``). And the loop's answers are counted
in ``/metrics`` and logged as the view's are.

The server is the shared ``server`` fixture of tests/browser.py (``filmgraph serve --port 0``
over the session's build); the Flask app serves the same build.
"""

from __future__ import annotations

import http.client
import re
import time
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest

from filmgraph import open_store
from filmgraph.web import create_app, state

SELECT = """PREFIX schema: <http://schema.org/>
SELECT ?film ?name WHERE { ?film a schema:Movie ; schema:name ?name } ORDER BY ?film ?name"""
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = """PREFIX schema: <http://schema.org/>
CONSTRUCT { ?film schema:name ?name } WHERE { ?film a schema:Movie ; schema:name ?name }"""
DIRECT = {"Content-Type": "application/sparql-query"}


def _get(what: str, params, headers: dict[str, str] | None = None):
    query = params if isinstance(params, str) else urlencode(params)
    return (what, "GET", f"/sparql?{query}", headers or {}, b"")


def _post(what: str, content_type: str | None, body: str | bytes):
    headers = {"Content-Type": content_type} if content_type else {}
    return (what, "POST", "/sparql", headers, body.encode() if isinstance(body, str) else body)


SPARQL_QUERY = "application/sparql-query"
FORM = "application/x-www-form-urlencoded"
ASSERTED = "https://w3id.org/filmgraph/graph/asserted"
FAR = "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
LONG = "ASK {}" + " " * 100_000

#: (what it is, method, path, headers, body): answered alike by the loop and the view.
CASES = [
    _get("GET, ASK", {"query": ASK}),
    _post("POST direct", SPARQL_QUERY, SELECT),
    _post("POST direct, charset", f"{SPARQL_QUERY}; charset=UTF-8", SELECT),
    _post("POST form, format=csv", FORM, urlencode({"query": SELECT, "format": "csv"})),
    _get("XML results", {"query": SELECT}, {"Accept": "application/sparql-results+xml"}),
    _get("TSV by q", {"query": SELECT}, {"Accept": "text/csv;q=0.5, text/tab-separated-values"}),
    _get("a graph", {"query": CONSTRUCT}, {"Accept": "application/n-triples"}),
    _get("a default graph", {"query": ASK, "default-graph-uri": ASSERTED}),
    _get("no query", {"format": "json"}),
    _get("empty query", "query=+"),
    _get("two queries", [("query", ASK), ("query", ASK)]),
    _get("update in the URL", "update=CLEAR+ALL"),
    _post("update body", "application/sparql-update", "CLEAR ALL"),
    _post("update in a form", FORM, "update=CLEAR+ALL"),
    _post("no Content-Type", None, SELECT),
    _post("text/plain body", "text/plain", SELECT),
    _post("latin-1 body", f"{SPARQL_QUERY}; charset=latin-1", SELECT),
    _post("not UTF-8", SPARQL_QUERY, b"ASK { ?s ?p \xff }"),
    _get("bad escapes", "query=%ff"),
    _get("syntax error", {"query": "SELEC * WHERE { ?s ?p ?o }"}),
    _get("nothing acceptable", {"query": SELECT}, {"Accept": "image/png"}),
    _get("unknown format", {"query": SELECT, "format": "pdf"}),
    _get("relative graph", {"query": ASK, "default-graph-uri": "asserted"}),
    _get("SERVICE", {"query": FAR}),
    _post("too long in a body", SPARQL_QUERY, LONG),
]

#: Headers that differ by nature: the server's own, and the length the test client omits.
OWN = {"date", "server"}


@pytest.fixture(scope="module")
def view(settings) -> Iterator[object]:
    """The Flask app over the same build, answering with its view."""
    app = create_app(settings, open_store(settings))
    yield app.test_client()
    state(app).close()


def _over_http(base: str, method: str, path: str, headers: dict[str, str], body: bytes):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, path, body or None, headers)
        answer = connection.getresponse()
        got = {name.lower(): value for name, value in answer.getheaders()}
        return answer.status, got, answer.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("what", "method", "path", "headers", "body"), CASES, ids=[c[0] for c in CASES]
)
def test_the_loop_answers_as_the_view(server, view, what, method, path, headers, body):
    status, got, text = _over_http(server.base, method, path, headers, body)
    expected = view.open(path, method=method, headers=headers, data=body)
    want = {name.lower(): value for name, value in expected.headers.items()}
    assert status == expected.status_code, (what, text[:300])
    if got.get("content-type", "").startswith("application/n-triples"):  # a graph: no order
        assert sorted(text.splitlines()) == sorted(expected.data.splitlines()), what
    else:
        assert text == expected.data, what
    assert {k: v for k, v in got.items() if k not in OWN} == want, what
    if status >= 400:  # a plain message saying what was wrong
        assert got["content-type"] == "text/plain; charset=utf-8" and text.endswith(b"\n")
        assert len(text.strip()) > 10


def test_a_url_past_the_parser_s_limit_is_414_saying_to_post(server):
    status, got, text = _over_http(
        server.base, "GET", "/sparql?" + urlencode({"query": LONG}), {}, b""
    )
    assert status == 414, text
    assert b"the limit is 65535: send a long query in the body of a POST" in text
    assert got["connection"] == "close"


def _count(base: str, status: int) -> int:
    _, _, text = _over_http(base, "GET", "/metrics", {}, b"")
    line = rf'filmgraph_requests_total{{route="/sparql",status="{status}"}} (\d+)'
    found = re.search(line, text.decode())
    return int(found.group(1)) if found else 0


def test_the_loop_counts_and_logs_each_answer(server):
    ok, refused = _count(server.base, 200), _count(server.base, 403)
    unique = f"ASK {{ ?s ?p ?o FILTER(?o != {time.time_ns()}) }}"
    assert _over_http(server.base, "POST", "/sparql", DIRECT, unique.encode())[0] == 200
    assert _over_http(server.base, "GET", "/sparql?update=CLEAR+ALL", {}, b"")[0] == 403
    assert _count(server.base, 200) == ok + 1
    assert _count(server.base, 403) == refused + 1
    log = server.log.read_text()
    assert re.search(r"filmgraph\.web POST /sparql 200 [\d.]+ms query=[0-9a-f]{12}", log)
    assert re.search(r"filmgraph\.web GET /sparql 403 [\d.]+ms query=-", log)
    assert unique not in log  # the query's hash, never the query
