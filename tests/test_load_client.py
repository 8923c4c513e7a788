"""The benchmarks' HTTP client (benchmarks/load.py ``send``) sends a query again on a new
connection when the server closed the kept-alive one while it was idle (as ``filmgraph serve``
does after ``idle_timeout``): the 10M growth run lost a query of its mix to that."""

from __future__ import annotations

import http.client
import os
from http.server import BaseHTTPRequestHandler
from types import SimpleNamespace
from typing import ClassVar

import pytest
from benchmarks.load import Query, run_level, send

from stub_http import serving


class _Answers(BaseHTTPRequestHandler):
    """Answers every POST with an empty SPARQL JSON result, keeping the connection."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.received()
        body = b'{"head": {"vars": []}, "results": {"bindings": []}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def received(self) -> None:
        """What the handler does with a request before it answers (the client may send the
        next one as soon as the answer is written)."""

    def log_message(self, *args: object) -> None:
        pass


class _ClosesAfterEachAnswer(_Answers):
    """Answers in HTTP/1.1 without saying it closes, then closes: the client's connection
    looks kept alive and is not."""

    paths: ClassVar[list[str]] = []

    def received(self) -> None:
        self.paths.append(self.path)
        self.close_connection = True  # once this answer is written


def test_a_query_on_a_connection_the_server_closed_is_sent_again() -> None:
    with serving(_ClosesAfterEachAnswer) as base:
        port = int(base.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        target = SimpleNamespace(path="/sparql")
        answers = [send(conn, target, "ASK {}", "post") for _ in range(3)]
        assert [status for status, _ in answers] == [200, 200, 200]
        assert _ClosesAfterEachAnswer.paths == ["/sparql"] * 3  # each query answered once
        conn.close()


@pytest.mark.parametrize("processes", [1, 3])
def test_a_level_sends_each_request_once_from_threads_or_processes(processes: int) -> None:
    with serving(_Answers) as base:
        port = int(base.rsplit(":", 1)[1])
        target = SimpleNamespace(
            path="/sparql", port=port, process=SimpleNamespace(pid=os.getpid())
        )
        mix = [Query("ask", "ASK {}"), Query("select", "SELECT * {}")]
        args = SimpleNamespace(
            requests=60, max_seconds=20, timeout=10, method="post", client_processes=processes
        )
        level = run_level(target, mix, 6, args)
    assert (level.requests, level.errors) == (60, 0)  # every request answered, none twice
    assert not level.capped and level.rps > 0
    assert set(level.query_p50_ms) == {"ask", "select"}
