"""No request can make the server reach the network or the file system.

Each path rdflib would otherwise take to the outside (SERVICE, FROM / FROM NAMED and the
dataset parameters, LOAD, JSON-LD contexts) is tried against a local canary HTTP server
that must receive nothing. A positive control (SERVICE allowed by the setting) shows the
canary does hear requests when one is let through.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from canary import Canary
from filmgraph.web import create_app, state

pytestmark = pytest.mark.every_store

EMPTY_RESULTS = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'


@pytest.fixture(scope="module")
def canary():
    server = Canary("application/sparql-results+json", EMPTY_RESULTS)
    yield server
    server.close()


def reaching_out(canary: Canary) -> list[tuple[str, dict]]:
    """Requests that would each make rdflib contact the canary, with the status expected."""
    url = canary.url
    return [
        ("SERVICE", {"query": f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"}),
        ("SERVICE SILENT", {"query": f"ASK {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}"}),
        ("FROM", {"query": f"SELECT * FROM <{url}/g.ttl> WHERE {{ ?s ?p ?o }}"}),
        (
            "FROM NAMED",
            {"query": f"SELECT * FROM NAMED <{url}/g.ttl> {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
        ),
        ("default-graph-uri", {"query": "ASK { ?s ?p ?o }", "default-graph-uri": f"{url}/g"}),
        ("named-graph-uri", {"query": "ASK { ?s ?p ?o }", "named-graph-uri": f"{url}/g"}),
        ("LOAD as a query", {"query": f"LOAD <{url}/data.ttl>"}),
        ("LOAD as an update", {"update": f"LOAD <{url}/data.ttl>"}),
        ("FROM a file", {"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"}),
    ]


@pytest.mark.parametrize("index", range(9))
def test_nothing_reaches_the_canary(client, canary, index):
    name, params = reaching_out(canary)[index]
    response = client.get("/sparql", query_string=params)
    assert response.status_code in (400, 403), (name, response.get_data(as_text=True))
    assert "root:" not in response.get_data(as_text=True)
    time.sleep(0.05)
    assert canary.requests == [], name


def test_json_ld_results_never_fetch_a_context(client, canary):
    query = (
        "CONSTRUCT { <urn:a> <urn:b> ?json } WHERE { BIND(STRDT("
        f'"{{\\"@context\\": \\"{canary.url}/context.jsonld\\"}}", rdf:JSON) AS ?json) }}'
    )
    response = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/ld+json"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "context.jsonld" in response.get_data(as_text=True)
    assert canary.requests == []


def test_describe_of_a_remote_iri_fetches_nothing(client, canary):
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{canary.url}/thing>"})
    assert response.status_code == 200
    assert canary.requests == []


def test_an_allowed_service_is_called(store_settings, backend, canary):
    """The positive control: the canary hears a SERVICE call that the setting allows."""
    endpoint = f"{canary.url}/sparql"
    app = create_app(store_settings.with_(service_allow=(endpoint,), workers=1), backend)
    try:
        query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?x ?p ?o }} }}"
        response = app.test_client().get("/sparql", query_string={"query": query})
        assert response.status_code == 200, response.get_data(as_text=True)
        assert any(r.startswith(("GET /sparql", "POST /sparql")) for r in canary.requests)
        other = app.test_client().get(
            "/sparql",
            query_string={"query": f"ASK {{ SERVICE <{canary.url}/other> {{ ?s ?p ?o }} }}"},
        )
        assert other.status_code == 403
    finally:
        state(app).close()
        canary.requests.clear()


SANDBOXED = """
import sys, urllib.request
from filmgraph.serve import sandbox
sandbox.install()
import json, decimal, fractions   # imports from Python's own installation still work
outcomes = []
for attempt in (
    lambda: urllib.request.urlopen(sys.argv[1] + "/sandbox", timeout=2),
    lambda: __import__("socket").create_connection(("127.0.0.1", int(sys.argv[2])), 2),
    lambda: open("/etc/passwd").read(),
    lambda: open(sys.argv[3] + "/written", "w"),
    lambda: __import__("subprocess").run(["true"]),
):
    try:
        attempt()
        outcomes.append("allowed")
    except PermissionError:
        outcomes.append("refused")
print(",".join(outcomes))
"""


def test_the_worker_sandbox_refuses_network_files_and_processes(canary, tmp_path):
    """The second line of defence, on its own: a process under the audit hook."""
    port = canary.url.rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-c", SANDBOXED, canary.url, port, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "refused,refused,refused,refused,refused"
    assert canary.requests == []
    assert not (tmp_path / "written").exists()
