"""`filmgraph serve`, for real: uvicorn on 127.0.0.1, queried over a socket, stopped by
SIGTERM with its workers; a body over the limit is refused before it is sent.

The server is the shared ``server`` fixture of tests/browser.py (``filmgraph serve --port 0``
over the session's build)."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

pytestmark = [pytest.mark.every_store, pytest.mark.slow]  # real servers on 127.0.0.1


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    if not path.exists():
        pytest.skip("needs /proc to see the worker processes")
    return [int(p) for p in path.read_text().split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def test_serves_queries_over_http(server):
    url = server.base + "/sparql"
    query = urlencode({"query": "SELECT ?n WHERE { fgid:closeness schema:name ?n }"})
    request = urllib.request.Request(
        f"{url}?{query}", headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        assert response.headers["Server"] == "filmgraph"
        data = json.load(response)
    assert data["results"]["bindings"][0]["n"]["value"] == "Closeness"


def test_bounded_load_at_concurrency_16_has_no_errors(server, settings):
    """16 clients, 320 requests of the competency questions (no timing asserted: the
    throughput and latency figures come from benchmarks/load.py)."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    from filmgraph.query.named import load_queries

    url = server.base + "/sparql"
    host, port = url.split("/")[2].split(":")
    queries = load_queries(settings.queries_dir).values()
    texts = [q.text.encode() for q in queries if not q.services]  # federation is off

    def client(worker: int) -> list[int]:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        statuses = []
        for i in range(20):
            conn.request(
                "POST",
                "/sparql",
                texts[(worker + i) % len(texts)],
                {"Content-Type": "application/sparql-query", "Accept": "text/csv"},
            )
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
        conn.close()
        return statuses

    with ThreadPoolExecutor(16) as pool:
        statuses = [s for batch in pool.map(client, range(16)) for s in batch]
    assert len(statuses) == 320 and set(statuses) == {200}


def test_an_oversized_body_is_refused_before_it_is_sent(server):
    url = server.base + "/sparql"
    host, port = url.split("/")[2].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/sparql-query\r\n"
            b"Content-Length: 50000000\r\n\r\n"
        )
        started = time.monotonic()
        answer = conn.recv(4096).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer
    assert time.monotonic() - started < 5


def test_sigterm_stops_the_server_and_its_workers(server):
    process = server.process
    workers = _children(process.pid)
    assert len(workers) >= 2
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)
