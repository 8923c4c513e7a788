"""Requests framed as RFC 9112 requires, absolute URLs that never come from the request's
Host, and the security headers of every response (issue 22).

The framing tests speak raw HTTP/1.1 to the real server (``filmgraph serve`` on 127.0.0.1,
the ``server`` fixture), each read bounded by a timeout; the others use Flask's test client.
"""

from __future__ import annotations

import socket
import time

import pytest
from rdflib import Graph, URIRef

from filmgraph.web import create_app, description

FORGED = "evil.example"
SD_ENDPOINT = URIRef("http://www.w3.org/ns/sparql-service-description#endpoint")
VOID_ENDPOINT = URIRef("http://rdfs.org/ns/void#sparqlEndpoint")


def exchange(base: str, data: bytes, timeout: float = 5.0) -> tuple[bytes, bool]:
    """Send ``data`` on a new connection to the server at ``base``; everything it answers
    and whether it closed the connection (within ``timeout`` seconds of the last byte)."""
    host, port = base.split("/")[2].split(":")
    answer = b""
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(data)
        deadline = time.monotonic() + 3 * timeout
        while time.monotonic() < deadline:
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                return answer, False
            except ConnectionResetError:
                return answer, True
            if not chunk:
                return answer, True
            answer += chunk
    return answer, False


# ------------------------------------------------------------------ framing (raw HTTP/1.1)

#: A request hidden in the body of a request framed by both Content-Length and
#: Transfer-Encoding: after the chunked body's last chunk ("0"), a second request follows.
SMUGGLED = b"GET /health?smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def test_content_length_and_transfer_encoding_is_400_and_the_connection_closed(server):
    body = b"0\r\n\r\n" + SMUGGLED
    request = (
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    )
    answer, closed = exchange(server.base, request)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert answer.count(b"HTTP/1.1 ") == 1, answer  # the smuggled request is not answered
    assert b'"status"' not in answer
    assert closed, "the connection stays open after a request framed twice"
    # Transfer-Encoding alone is still read (and answered) as ever.
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Type: application/sparql-query\r\nAccept: application/sparql-results+json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n7\r\nASK { }\r\n0\r\n\r\n"
    )
    answer, closed = exchange(server.base, request)
    assert answer.startswith(b"HTTP/1.1 200 ") and b'"boolean":true' in answer, answer[:300]


def test_headers_past_256_kib_are_431_and_the_connection_closed(server):
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Pad: " + b"a" * 300_000
    answer, closed = exchange(server.base, request + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b"the request headers pass 262144 bytes" in answer
    assert closed


def test_a_chunked_body_past_max_body_is_413_and_the_connection_closed(server, settings):
    chunk = b"#" * 65536
    body = (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * (settings.max_body // len(chunk) + 2)
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    try:
        answer, closed = exchange(server.base, request + body + b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):  # closed while the body was sent
        return
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert f"the request body passes {settings.max_body} bytes".encode() in answer
    assert closed


@pytest.mark.parametrize(
    "hosts",
    [
        b"Host: 127.0.0.1\r\nHost: evil.example\r\n",
        b"Host: 127.0.0.1, evil.example\r\n",
    ],
    ids=["two Host headers", "a Host list"],
)
def test_more_than_one_host_is_400(server, hosts):
    answer, closed = exchange(server.base, b"GET /health HTTP/1.1\r\n" + hosts + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert FORGED.encode() not in answer
    assert closed


# ------------------------------------------------------------------ the request's Host

#: Paths whose answers used to name the request's Host (redirects, the descriptions, the
#: query page), and pages.
PATHS = [
    "/id//kantemir-balagov",  # 308: slashes merged
    "/id/kantemir-balagov",  # 303 to the page
    "/favicon.ico",  # 301
    "/resource?iri=https://w3id.org/filmgraph/id/kantemir-balagov",  # 301
    "/sparql",  # the Service Description
    "/.well-known/void",
    "/",
    "/page/",
    "/page/kantemir-balagov",
    "/document",
    "/downloads",
    "/no/such/page",
]


@pytest.mark.parametrize("path", PATHS)
def test_no_answer_names_a_forged_host(client, path):
    response = client.get(path, headers={"Host": FORGED})
    assert response.status_code < 500
    for name, value in response.headers.items():
        assert FORGED not in value, f"{name}: {value}"
    assert FORGED.encode() not in response.get_data()


def test_redirects_are_relative(client):
    response = client.get("/id//kantemir-balagov", headers={"Host": FORGED})
    assert response.status_code == 308
    assert response.headers["Location"] == "/id/kantemir-balagov"


def _endpoints(response) -> set[str]:
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    found = set(graph.objects(None, SD_ENDPOINT)) | set(graph.objects(None, VOID_ENDPOINT))
    return {str(o) for o in found}


def test_the_descriptions_name_the_bound_address_by_default(client, store_settings):
    expected = f"http://{store_settings.host}:{store_settings.port}/sparql"
    for path in ("/sparql", "/.well-known/void"):
        response = client.get(path, headers={"Host": FORGED, "Accept": "text/turtle"})
        assert _endpoints(response) == {expected}, path


@pytest.fixture
def public_app(store_settings, backend, pool):
    """An app whose public URL is set, sharing the session's query workers."""
    settings = store_settings.with_(public_url="https://films.example.org/")
    return create_app(settings, backend, pool=pool)


def test_the_public_url_is_used_when_set(public_app):
    client = public_app.test_client()
    for path in ("/sparql", "/.well-known/void"):
        response = client.get(path, headers={"Host": FORGED, "Accept": "text/turtle"})
        assert _endpoints(response) == {"https://films.example.org/sparql"}, path
    page = client.get("/", headers={"Host": FORGED}).get_data(as_text=True)
    assert "https://films.example.org/sparql" in page and FORGED not in page


def test_the_descriptions_are_made_once_whatever_the_host(public_app, monkeypatch):
    made = []
    for name in ("service_description", "void_description"):
        original = getattr(description, name)
        monkeypatch.setattr(
            description, name, lambda *a, _f=original, _n=name: made.append(_n) or _f(*a)
        )
    client = public_app.test_client()
    for number in range(5):
        for path in ("/sparql", "/.well-known/void"):
            host = f"host-{number}.example"
            assert client.get(path, headers={"Host": host}).status_code == 200
    assert sorted(made) == ["service_description", "void_description"]


def test_the_public_url_must_be_an_http_url():
    from filmgraph import Settings
    from filmgraph.core import SettingError

    with pytest.raises(SettingError, match="public_url"):
        Settings(public_url="films.example.org")
    assert Settings(public_url="").public_url == ""


# ------------------------------------------------------------------ security headers

HTML_PAGES = [
    "/",
    "/page/",
    "/page/kantemir-balagov",
    "/document",
    "/assessments",
    "/downloads",
    "/no/such/page",
    "/sparql",  # the query page, for a browser
]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_html_page_has_the_security_headers(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.mimetype == "text/html", path
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], policy
    assert directives.get("script-src") == ["'self'"], policy  # no 'unsafe-inline'
    assert directives.get("object-src") == ["'none'"], policy
    assert directives.get("default-src") == ["'self'"], policy
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy") == "no-referrer"


@pytest.mark.parametrize(
    "path", ["/health", "/sparql?query=ASK%7B%7D", "/.well-known/void", "/static/index.js"]
)
def test_every_other_answer_has_sensible_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "no-referrer"
    if response.mimetype != "text/html":
        policy = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
