"""A real Oxigraph server for the tests that need a SPARQL 1.1 store (tests/test_push.py,
tests/test_remote_store.py), and what Oxigraph changes in the data it holds.

Its fixtures reach every test module (``conftest.py`` names this module in
``pytest_plugins``):

- ``oxigraph``: the `oxigraph` binary of the dev extra serving a fresh store folder on a free
  port of 127.0.0.1, stopped after the test (restartable on the same folder);
- ``proxy``: a small forwarding proxy in front of it that records each request and answers
  500, drops the connection, rewrites the body or asks for credentials when told to.

Oxigraph 0.5 keeps the value of a literal of an integer type derived from xsd:integer but not
the narrower type: ``"2"^^xsd:positiveInteger`` reads back as ``"2"^^xsd:integer``. That is
the one difference the tests allow between our graphs and the store's (:func:`normal`).
"""

from __future__ import annotations

import base64
import http.client
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import XSD

from filmgraph.store.remote.client import RemoteStore, endpoints

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
HOST = "127.0.0.1"
CHALLENGES = {
    "Basic": 'Basic realm="store"',
    "Digest": 'Digest realm="store", nonce="abc", qop="auth", algorithm=MD5',
}
#: The integer types derived from xsd:integer, which Oxigraph reads back as xsd:integer.
DERIVED = {
    XSD[name]
    for name in [
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
}


def normal(term):
    """``term`` as Oxigraph holds it: a derived integer type as xsd:integer."""
    if isinstance(term, Literal) and term.datatype in DERIVED:
        return Literal(str(int(term.toPython())), datatype=XSD.integer)
    return term


def as_oxigraph_holds(graph: Graph) -> Graph:
    """``graph`` with derived integer types as xsd:integer, as Oxigraph reads them back."""
    out = Graph()
    for triple in graph:
        out.add(tuple(map(normal, triple)))
    return out


def rows(answer) -> list:
    """An engine's answer, comparable across stores: sorted rows (or triples) of normal terms."""
    if answer.kind in ("CONSTRUCT", "DESCRIBE"):
        return sorted(tuple(map(normal, t)) for t in answer.result.graph)
    if answer.kind == "ASK":
        return [answer.result.askAnswer]
    return sorted(tuple(map(normal, row)) for row in answer.result)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class Oxigraph:
    """One `oxigraph serve` process over a store folder; restartable on the same folder."""

    location: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        log = (self.location.parent / "oxigraph.log").open("ab")
        self.process = subprocess.Popen(
            [OXIGRAPH, "serve", "--location", self.location, "--bind", f"{HOST}:{self.port}"],
            stdout=log,
            stderr=log,
        )
        log.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"oxigraph exited with {self.process.returncode}: see {log.name}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/query?query=ASK%7B%7D")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.05)
            finally:
                conn.close()
        self.stop()
        pytest.fail("oxigraph did not answer within 15 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def store(self, **kwargs) -> RemoteStore:
        return RemoteStore(endpoints(self.url, **kwargs), timeout=10)


def start_oxigraph(location: Path) -> Oxigraph:
    """A started server over ``location`` (skips where the binary is missing)."""
    if not OXIGRAPH.is_file():
        pytest.skip(f"no Oxigraph server binary at {OXIGRAPH} (pip install oxigraph: dev extra)")
    server = Oxigraph(location)
    server.start()
    return server


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[Oxigraph]:
    server = start_oxigraph(tmp_path / "store")
    yield server
    server.stop()


# What the proxy does with one request: None forwards it; an int answers that status; "drop"
# closes the connection without an answer; bytes forwards it with this body instead.
Rule = Callable[[str, str, bytes], "int | str | bytes | None"]


@dataclass
class Proxy:
    """Forwards every request to ``target`` (host, port) unless ``rule`` says otherwise."""

    target: tuple[str, int]
    rule: Rule = lambda method, path, body: None
    seen: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    require: str = ""  # an authentication scheme to ask for: Basic or Digest
    authorizations: list[str] = field(default_factory=list)


def authorised(header: str, scheme: str) -> bool:
    """Whether an Authorization header carries the test credentials pusher:s3cret."""
    if scheme == "Basic":
        return header == "Basic " + base64.b64encode(b"pusher:s3cret").decode()
    return header.startswith("Digest ") and 'username="pusher"' in header


def start_proxy(target: tuple[str, int]) -> tuple[Proxy, Callable[[], None]]:
    """A running proxy to ``target`` and the function that stops it."""
    state = Proxy(target)

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.seen.append((self.command, self.path))
            if state.require:
                sent = self.headers.get("Authorization", "")
                state.authorizations.append(sent)
                if not authorised(sent, state.require):
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", CHALLENGES[state.require])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            action = state.rule(self.command, self.path, body)
            if action == "drop":
                self.close_connection = True
                return
            if isinstance(action, int):
                self.send_response(action)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"the proxy says no")
                return
            if isinstance(action, bytes):
                body = action
            headers = {k: v for k, v in self.headers.items() if k.lower() != "content-length"}
            headers["Content-Length"] = str(len(body))
            try:
                conn = http.client.HTTPConnection(*state.target, timeout=10)
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
            except OSError:
                self.close_connection = True
                return
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = _handle

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer((HOST, 0), Handler)
    state.url = f"http://{HOST}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return state, stop


@pytest.fixture
def proxy(oxigraph: Oxigraph) -> Iterator[Proxy]:
    state, stop = start_proxy((HOST, oxigraph.port))
    yield state
    stop()
