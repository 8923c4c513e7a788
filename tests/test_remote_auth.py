"""Credentials sent ahead of time by the remote store's client (store/remote/auth.py), against
a real HTTP server on 127.0.0.1 (http.server in a thread, stopped after each test) that
checks HTTP Digest (RFC 7616, qop=auth, its nonces and nonce counts) or Basic itself and
records every request: its method, path, Authorization, the body it received, its answer.

What is asserted is what the server saw: once a challenge is known every request carries
credentials up front, a body is received once and never before authentication (a request
with a body first learns the challenge by a HEAD, or a GET where HEAD is refused), the nonce
count goes up by one a request, a stale or changed nonce costs one retry, wrong credentials
are the store's 401 after at most one retry, and without credentials nothing changes.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit
from urllib.request import parse_http_list, parse_keqv_list

import pytest
from rdflib import Literal, URIRef

from filmgraph.core import UpstreamError
from filmgraph.store.remote.client import RemoteStore, endpoints

HOST = "127.0.0.1"
USER, PASSWORD = "pusher", "s3cret"
REALM = "filmgraph test"
OPAQUE = "5ebe2294ecd0e0f0"
GRAPH = "https://example.org/graph"
HASHES = {"MD5": "md5", "SHA-256": "sha256"}
EMPTY_RESULTS = b'{"head": {"vars": ["g", "n"]}, "results": {"bindings": []}}'


@dataclass
class Seen:
    """One request as the server received it, and its answer's status."""

    method: str
    path: str
    authorization: str
    body: int  # bytes of body received
    status: int = 0

    @property
    def params(self) -> dict[str, str]:
        """The Digest parameters of its Authorization."""
        return parse_keqv_list(parse_http_list(self.authorization.partition(" ")[2]))


@dataclass
class AuthServer:
    """What the server asks for and how, and what it saw."""

    scheme: str = "Digest"  # Digest, Basic or "" (no authentication)
    algorithm: str = "MD5"
    password: str = PASSWORD
    domains: bool = False  # Virtuoso's way: a challenge per path, domain="<path>"
    open_paths: tuple[str, ...] = ()  # paths anyone may use (Virtuoso's /sparql)
    head: bool = True  # False: HEAD is 501, as a server that does not implement it
    rotate_after: int = 0  # >0: a new nonce after that many accepted requests
    say_stale: bool = True  # an old nonce gets stale=true (False: just a new nonce)
    nonce_per_401: bool = False  # a new nonce with every 401, as Virtuoso does
    also_basic: bool = False  # offer Basic too, first, in the same header
    url: str = ""
    nonce: str = field(default_factory=lambda: secrets.token_hex(8))
    nonces: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)  # nonce -> highest nc accepted
    accepted: int = 0
    seen: list[Seen] = field(default_factory=list)

    def challenge(self, path: str, stale: bool = False) -> str:
        if self.scheme == "Basic":
            return f'Basic realm="{REALM}"'
        said = (
            f'Digest realm="{REALM}", nonce="{self.nonce}", opaque="{OPAQUE}", qop="auth", '
            f"algorithm={self.algorithm}"
        )
        if self.domains:
            said += f', domain="{path}"'
        if stale:
            said += ", stale=true"
        return f'Basic realm="{REALM}", {said}' if self.also_basic else said

    def check(self, method: str, target: str, header: str) -> str:
        """``ok``, ``stale`` (a nonce of ours, no longer current) or ``no``."""
        if self.scheme == "Basic":
            pair = base64.b64encode(f"{USER}:{self.password}".encode()).decode()
            return "ok" if header == f"Basic {pair}" else "no"
        if not header.startswith("Digest "):
            return "no"
        said = parse_keqv_list(parse_http_list(header[len("Digest ") :]))
        nonce = said.get("nonce", "")
        if nonce not in self.nonces or said.get("uri") != target:
            return "no"
        if said.get("username") != USER or said.get("opaque") != OPAQUE:
            return "no"
        if said.get("qop") != "auth" or said.get("algorithm", "MD5") != self.algorithm:
            return "no"
        nc, cnonce = int(said.get("nc", "0"), 16), said.get("cnonce", "")
        name = HASHES[self.algorithm.removesuffix("-sess")]

        def h(text: str) -> str:
            return hashlib.new(name, text.encode()).hexdigest()

        secret = h(f"{USER}:{REALM}:{self.password}")
        if self.algorithm.endswith("-sess"):
            secret = h(f"{secret}:{nonce}:{cnonce}")
        expected = h(f"{secret}:{nonce}:{said['nc']}:{cnonce}:auth:{h(f'{method}:{target}')}")
        if said.get("response") != expected or nc <= self.counts.get(nonce, 0):
            return "no"  # wrong credentials, or a nonce count used before
        if nonce != self.nonce:
            return "stale"
        self.counts[nonce] = nc
        return "ok"

    def new_nonce(self) -> None:
        self.nonce = secrets.token_hex(8)
        self.nonces.add(self.nonce)

    @property
    def statuses(self) -> list[tuple[str, int]]:
        return [(s.method, s.status) for s in self.seen]


def start(state: AuthServer) -> tuple[ThreadingHTTPServer, threading.Thread]:
    state.nonces.add(state.nonce)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urlsplit(self.path).path
            sent = self.headers.get("Authorization", "")
            seen = Seen(self.command, self.path, sent, len(body))
            with lock:
                state.seen.append(seen)
                verdict = "ok"
                if state.scheme and path not in state.open_paths:
                    verdict = state.check(self.command, self.path, sent)
                    if verdict == "ok":
                        state.accepted += 1
                        if state.rotate_after and state.accepted % state.rotate_after == 0:
                            state.new_nonce()
                    elif state.nonce_per_401 or (verdict == "stale" and not state.say_stale):
                        state.new_nonce()
                    challenge = state.challenge(path, verdict == "stale" and state.say_stale)
            if verdict != "ok":
                seen.status = 401
                self.send_response(401)
                self.send_header("WWW-Authenticate", challenge)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "21")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(b"who are you, exactly?")
                return
            answer = b""
            if path == "/query" and self.command == "POST":
                seen.status = 200
                answer = EMPTY_RESULTS
            elif path == "/store" and self.command in ("GET", "HEAD"):
                seen.status = 200
                answer = b"<urn:a> <urn:b> <urn:c> .\n"
            elif path in ("/query", "/update"):
                seen.status = 200 if self.command in ("GET", "HEAD") else 204
            else:
                seen.status = 204
            self.send_response(seen.status)
            if seen.status != 204:
                self.send_header("Content-Type", "application/n-triples")
                self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer)

        do_GET = do_PUT = do_POST = _handle

        def do_HEAD(self) -> None:
            if state.head:
                self._handle()
            else:  # as a server that does not implement HEAD: before any check
                self.send_error(501)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((HOST, 0), Handler)
    state.url = f"http://{HOST}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def serve() -> Iterator[Callable[..., AuthServer]]:
    """Starts an :class:`AuthServer` made of the arguments given; stops them all after."""
    running: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def started(**kwargs: object) -> AuthServer:
        state = AuthServer(**kwargs)
        running.append(start(state))
        return state

    yield started
    for server, thread in running:
        server.shutdown()
        server.server_close()
        thread.join(5)


def store(server: AuthServer, user: str = USER, password: str = PASSWORD) -> RemoteStore:
    return RemoteStore(endpoints(server.url), timeout=10, user=user, password=password)


def big() -> list[tuple[URIRef, URIRef, Literal]]:
    """About 1 MB of N-Triples."""
    title = URIRef("https://example.org/title")
    return [
        (URIRef(f"https://example.org/film/{n}"), title, Literal(f"Film number {n}"))
        for n in range(14_000)
    ]


def bodies(server: AuthServer) -> list[tuple[str, bool]]:
    """Each request that brought a body: its method, and whether it was let in."""
    return [(s.method, s.status != 401) for s in server.seen if s.body]


@pytest.mark.parametrize("algorithm", ["MD5", "MD5-sess", "SHA-256", "SHA-256-sess"])
def test_digest_a_body_is_received_once_and_authenticated(serve, algorithm):
    server = serve(algorithm=algorithm)
    remote = store(server)
    triples = big()
    remote.put(GRAPH, triples)
    assert server.statuses == [("HEAD", 401), ("PUT", 204)]  # learned by a HEAD first
    put = server.seen[1]
    assert put.body > 1_000_000 and put.authorization.startswith("Digest ")
    # then every request carries credentials up front, whatever its endpoint
    remote.update("CLEAR SILENT GRAPH <urn:x>")
    assert remote.select("SELECT * WHERE { ?s ?p ?o }") == []
    assert len(remote.get(GRAPH)) == 1
    remote.put(GRAPH, triples)
    assert server.statuses[2:] == [("POST", 204), ("POST", 200), ("GET", 200), ("PUT", 204)]
    assert bodies(server) == [("PUT", True), ("POST", True), ("POST", True), ("PUT", True)]
    sent = [s.params for s in server.seen[1:]]
    assert [p["nc"] for p in sent] == ["00000001", "00000002", "00000003", "00000004", "00000005"]
    assert len({p["cnonce"] for p in sent}) == 5  # a fresh cnonce each time
    assert {p["nonce"] for p in sent} == {server.nonce}
    assert {p["algorithm"] for p in sent} == {algorithm}


def test_basic_is_sent_up_front_after_the_first_challenge(serve):
    server = serve(scheme="Basic")
    remote = store(server)
    remote.put(GRAPH, big())
    remote.update("CLEAR SILENT GRAPH <urn:x>")
    remote.select("SELECT * WHERE { ?s ?p ?o }")
    assert server.statuses == [("HEAD", 401), ("PUT", 204), ("POST", 204), ("POST", 200)]
    assert bodies(server) == [("PUT", True), ("POST", True), ("POST", True)]
    assert {s.authorization for s in server.seen[1:]} == {
        "Basic " + base64.b64encode(b"pusher:s3cret").decode()
    }


def test_digest_is_preferred_to_basic_when_both_are_offered(serve):
    server = serve(also_basic=True)
    store(server).put(GRAPH, big())
    assert server.statuses == [("HEAD", 401), ("PUT", 204)]
    assert server.seen[1].authorization.startswith("Digest ")


def test_a_request_without_a_body_learns_the_challenge_itself(serve):
    server = serve()
    remote = store(server)
    assert len(remote.get(GRAPH)) == 1
    remote.put(GRAPH, big())  # no probe: the challenge is known
    assert server.statuses == [("GET", 401), ("GET", 200), ("PUT", 204)]
    assert [s.params["nc"] for s in server.seen[1:]] == ["00000001", "00000002"]


def test_a_challenge_per_path_is_used_on_its_path_only(serve):
    """Virtuoso's way: each protected endpoint challenges with a domain of its own path;
    the open query endpoint is never sent credentials, and probed once."""
    server = serve(domains=True, open_paths=("/query",))
    remote = store(server)
    remote.put(GRAPH, big())
    remote.update("CLEAR SILENT GRAPH <urn:x>")
    remote.select("SELECT * WHERE { ?s ?p ?o }")
    remote.select("SELECT * WHERE { ?s ?p ?o }")
    remote.put(GRAPH, big())
    assert [(s.method, urlsplit(s.path).path, s.status) for s in server.seen] == [
        ("HEAD", "/store", 401),
        ("PUT", "/store", 204),
        ("HEAD", "/update", 401),
        ("POST", "/update", 204),
        ("HEAD", "/query", 200),  # open: nothing to learn, not probed again
        ("POST", "/query", 200),
        ("POST", "/query", 200),
        ("PUT", "/store", 204),
    ]
    assert [bool(s.authorization) for s in server.seen] == [0, 1, 0, 1, 0, 0, 0, 1]
    assert [method for method, _ in bodies(server)] == ["PUT", "POST", "POST", "POST", "PUT"]
    assert all(let_in for _, let_in in bodies(server))


def test_a_server_that_refuses_head_is_probed_with_get(serve):
    server = serve(head=False)
    store(server).put(GRAPH, big())
    assert server.statuses == [("GET", 401), ("PUT", 204)]  # HEAD: 501, before any check
    assert bodies(server) == [("PUT", True)]


@pytest.mark.parametrize("say_stale", [True, False], ids=["stale=true", "a new nonce"])
def test_an_expired_nonce_costs_one_retry(serve, say_stale):
    server = serve(rotate_after=1, say_stale=say_stale)
    remote = store(server)
    remote.put(GRAPH, big())
    first = server.seen[1].params["nonce"]
    remote.put(GRAPH, big())  # its nonce was retired when the first PUT was let in
    assert server.statuses == [("HEAD", 401), ("PUT", 204), ("PUT", 401), ("PUT", 204)]
    refused, retried = server.seen[2].params, server.seen[3].params
    assert (refused["nonce"], refused["nc"]) == (first, "00000002")
    assert retried["nonce"] != first and retried["nc"] == "00000001"
    assert all(s.authorization for s in server.seen if s.body)  # never a body without


@pytest.mark.parametrize(
    ("scheme", "nonce_per_401", "puts"),
    [("Digest", False, 1), ("Digest", True, 2), ("Basic", False, 1)],
    ids=["digest", "digest, a new nonce each 401", "basic"],
)
def test_wrong_credentials_are_the_stores_401(serve, scheme, nonce_per_401, puts):
    """Refused credentials give the error every 401 gives (the URL, the status, the store's
    words); a request goes again at most once (when the store changed its nonce)."""
    server = serve(scheme=scheme, nonce_per_401=nonce_per_401)
    url = f"{server.url}/store?graph={GRAPH}"
    with pytest.raises(UpstreamError) as refused:
        store(server, password="wrong").put(GRAPH, big())
    assert str(refused.value) == (
        f"{url} (HTTP 401): PUT refused: Unauthorized: who are you, exactly?"
    )
    assert refused.value.upstream_status == 401
    assert server.statuses == [("HEAD", 401)] + [("PUT", 401)] * puts
    assert all(s.authorization for s in server.seen if s.body)


def test_without_credentials_nothing_changes(serve):
    """No probe, no retry: the request goes as it is and a 401 is the answer."""
    server = serve()
    with pytest.raises(UpstreamError) as refused:
        RemoteStore(endpoints(server.url), timeout=10).put(GRAPH, big())
    assert str(refused.value) == (
        f"{server.url}/store?graph={GRAPH} (HTTP 401): PUT refused: Unauthorized: "
        "who are you, exactly?"
    )
    assert server.statuses == [("PUT", 401)]
    assert server.seen[0].authorization == ""
    anyone = serve(scheme="")
    RemoteStore(endpoints(anyone.url), timeout=10).put(GRAPH, big())
    assert anyone.statuses == [("PUT", 204)]


def test_an_open_store_with_credentials_is_probed_once_a_path(serve):
    """Credentials given to a store that asks for none: each endpoint's first request with
    a body costs a HEAD, then nothing is ever sent but the requests."""
    server = serve(scheme="")
    remote = store(server)
    remote.put(GRAPH, big())
    remote.put(GRAPH, big())
    remote.update("CLEAR SILENT GRAPH <urn:x>")
    assert server.statuses == [
        ("HEAD", 200),  # /store
        ("PUT", 204),
        ("PUT", 204),
        ("HEAD", 200),  # /update
        ("POST", 204),
    ]
    assert not any(s.authorization for s in server.seen)


def test_a_silent_store_with_credentials_times_out_once():
    """A probe that gets no answer is the request's time-out: it is not waited for twice."""
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind((HOST, 0))
        silent.listen()
        url = f"http://{HOST}:{silent.getsockname()[1]}"
        remote = RemoteStore(endpoints(url), timeout=2.0, user=USER, password=PASSWORD)
        started = time.monotonic()
        with pytest.raises(UpstreamError, match=r"/store\?graph=.*: PUT: no answer within 2 s"):
            remote.put(GRAPH, big())
    # one time-out, not two (4 s): far enough from both for a busy machine
    assert time.monotonic() - started < 3.0
