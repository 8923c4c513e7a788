"""The live code path of `filmgraph wikidata link`, against a local HTTP server on 127.0.0.1
that answers with Wikidata-shaped responses (tests/data/wikidata/): the User-Agent, 429
and Retry-After, time-outs, bad answers, and proposals made online."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from filmgraph import Settings
from filmgraph.core.errors import UpstreamError
from filmgraph.link.client import WikidataClient, retry_after
from filmgraph.link.online import candidate_from_entity, live_candidates
from filmgraph.link.proposals import propose_links
from stub_http import serving

RECORDED = Path(__file__).resolve().parent / "data" / "wikidata"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


@dataclass
class FakeWikidata:
    """What the local server answers, and what it was asked."""

    url: str = ""
    #: Answers served first, in order, before the recorded ones: (status, headers, body).
    script: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)
    #: Seconds to hold every answer back (the client should give up first).
    delay: float = 0.0
    requests: list[dict] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def api(self) -> str:
        return self.url + "/w/api.php"

    @property
    def reconcile(self) -> str:
        return self.url + "/reconcile"

    def answer(self, method: str, path: str, query: dict, form: dict) -> tuple[int, bytes]:
        if path == "/w/api.php" and query.get("action") == "wbsearchentities":
            recorded = RECORDED / f"search-{_slug(query['search'])}.json"
            if recorded.is_file():
                return 200, recorded.read_bytes()
            empty = {"searchinfo": {"search": query["search"]}, "search": [], "success": 1}
            return 200, json.dumps(empty).encode()
        if path == "/w/api.php" and query.get("action") == "wbgetentities":
            known = json.loads((RECORDED / "entities.json").read_text(encoding="utf-8"))
            entities = {
                q: known["entities"].get(q, {"id": q, "missing": ""})
                for q in query["ids"].split("|")
            }
            return 200, json.dumps({"entities": entities, "success": 1}).encode()
        if path == "/reconcile" and method == "POST":
            answer = {}
            for key, asked in json.loads(form["queries"]).items():
                recorded = RECORDED / f"reconcile-{_slug(asked['query'])}.json"
                found = json.loads(recorded.read_text()) if recorded.is_file() else {}
                answer[key] = found.get("q0", {"result": []})
            return 200, json.dumps(answer).encode()
        error = {"error": {"code": "badvalue", "info": f"unknown request {path}"}}
        return 200, json.dumps(error).encode()


def _handler(fake: FakeWikidata) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            form = {k: v[0] for k, v in parse_qs(body).items()}
            fake.requests.append(
                {"method": method, "path": parts.path, "query": query, "form": form,
                 "headers": dict(self.headers)}
            )  # fmt: skip
            if fake.delay:
                fake.release.wait(fake.delay)
            if fake.script:
                status, headers, payload = fake.script.pop(0)
            else:
                status, headers = 200, {"Content-Type": "application/json; charset=utf-8"}
                status, payload = fake.answer(method, parts.path, query, form)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up (the time-out test)
                pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def wikidata(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWikidata]:
    """A Wikidata look-alike on 127.0.0.1, stopped at the end of the test; no proxy is used."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    fake = FakeWikidata()
    with serving(_handler(fake)) as fake.url:
        yield fake
        fake.release.set()


def _client(fake: FakeWikidata, **kwargs) -> tuple[WikidataClient, list[float]]:
    slept: list[float] = []
    kwargs.setdefault("timeout", 5.0)
    return WikidataClient(fake.api, sleep=slept.append, **kwargs), slept


def test_the_user_agent_identifies_filmgraph_and_a_contact(wikidata):
    client, _ = _client(wikidata, contact="linker@example.org")
    client.search("Kantemir Balagov")
    [asked] = wikidata.requests
    agent = asked["headers"]["User-Agent"]
    assert re.match(r"^filmgraph/\d+\.\d+\.\d+ \(linker@example\.org\)", agent), agent
    assert asked["query"] == {
        "action": "wbsearchentities",
        "search": "Kantemir Balagov",
        "language": "en",
        "uselang": "en",
        "type": "item",
        "limit": "5",
        "format": "json",
    }


def test_search_and_entities_read_the_recorded_shapes(wikidata):
    client, _ = _client(wikidata)
    assert [hit["id"] for hit in client.search("Kantemir Balagov")] == ["Q30346628", "Q7546"]
    assert client.search("North Caucasus") == []
    found = client.entities(["Q30346628", "Q63985408", "Q29413154"])
    balagov = candidate_from_entity("Q30346628", found["Q30346628"], "search", {})
    assert (balagov.label, balagov.types, str(balagov.dates["P569"])) == (
        "Kantemir Balagov",
        ("Q5",),
        "1991-07-28",
    )
    beanpole = candidate_from_entity("Q63985408", found["Q63985408"], "search", {})
    assert (beanpole.types, beanpole.directors, str(beanpole.dates["P577"])) == (
        ("Q11424",),
        ("Q30346628",),
        "2019",
    )


def test_a_429_with_retry_after_is_honoured_then_retried(wikidata):
    wikidata.script.append((429, {"Retry-After": "2"}, b"slow down"))
    client, slept = _client(wikidata)
    assert [hit["id"] for hit in client.search("Beanpole")] == ["Q63985408"]
    assert slept == [2.0]
    assert len(wikidata.requests) == 2


def test_a_503_without_retry_after_backs_off(wikidata):
    wikidata.script += [(503, {}, b""), (503, {}, b"")]
    client, slept = _client(wikidata)
    client.search("Beanpole")
    assert slept == [1.0, 2.0]


def test_too_many_429s_give_a_clear_error(wikidata):
    wikidata.script += [(429, {"Retry-After": "1"}, b"")] * 4
    client, slept = _client(wikidata, retries=3)
    with pytest.raises(UpstreamError, match=r"\(HTTP 429\): .*after 4 tries") as err:
        client.search("Beanpole")
    assert slept == [1.0, 1.0, 1.0]
    assert err.value.upstream_status == 429 and wikidata.api in err.value.url


def test_a_retry_after_beyond_the_cap_is_an_error_not_a_long_sleep(wikidata):
    wikidata.script.append((429, {"Retry-After": "3600"}, b""))
    client, slept = _client(wikidata, max_wait=30)
    with pytest.raises(UpstreamError, match="asked to wait 3600 s, more than 30"):
        client.search("Beanpole")
    assert slept == []


def test_retry_after_as_an_http_date():
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412478.0) == 2.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412500.0) == 0.0
    assert retry_after("soon", 0.0) is None and retry_after(None, 0.0) is None


def test_a_server_that_never_answers_times_out_quickly(wikidata):
    import time

    wikidata.delay = 10.0
    client, _ = _client(wikidata, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(UpstreamError, match=r"no answer within 0\.3 s") as err:
        client.search("Beanpole")
    assert time.monotonic() - started < 3
    assert err.value.url.startswith(wikidata.api)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, b"<html>not json</html>", "the answer is not JSON"),
        (200, b'{"search": [', "the answer is not JSON"),
        (200, b"[1, 2]", "not a JSON object"),
        (200, b'{"error": {"code": "maxlag", "info": "Waiting for a database"}}', "maxlag"),
        (404, b"", r"\(HTTP 404\)"),
        (500, b"", r"\(HTTP 500\)"),
    ],
)
def test_bad_answers_become_clear_errors(wikidata, status, body, message):
    wikidata.script.append((status, {"Content-Type": "application/json"}, body))
    client, _ = _client(wikidata)
    with pytest.raises(UpstreamError, match=message) as err:
        client.search("Beanpole")
    assert wikidata.api in str(err.value)


def test_nobody_listening_is_a_clear_error():
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = WikidataClient(f"http://127.0.0.1:{port}/w/api.php", timeout=2)
    with pytest.raises(UpstreamError, match="cannot connect"):
        client.search("Beanpole")


def test_the_reconciliation_api_is_asked_with_types(wikidata, dataset):
    client = WikidataClient(wikidata.api, wikidata.reconcile, timeout=5)
    found = propose_links(dataset, online=True, names=("Kantemir Balagov",), client=client)
    [asked] = [r for r in wikidata.requests if r["path"] == "/reconcile"]
    assert asked["method"] == "POST"
    assert json.loads(asked["form"]["queries"]) == {
        "q0": {"query": "Kantemir Balagov", "limit": 5, "type": "Q5"}
    }
    best, other = found.entities[0].proposals
    assert (best.candidate.qid, best.candidate.source, best.verdict) == (
        "Q30346628",
        "reconcile",
        "strong",
    )
    assert (other.candidate.qid, other.verdict) == ("Q7546", "rejected")


def test_the_wrong_award_is_found_online_and_rejected(wikidata, dataset):
    client, _ = _client(wikidata)
    found = live_candidates(client, [e for e in _unlinked(dataset) if "award" in e.iri])
    [candidates] = found.values()
    assert {c.qid for c in candidates} == {"Q510175", "Q1071326"}
    proposals = propose_links(dataset, online=True, client=client)
    for item in proposals.entities:
        for p in item.proposals:
            assert p.verdict == "rejected", (item.entity.short, p.candidate.qid)


def _unlinked(dataset):
    from filmgraph.link.candidates import our_entities

    return [e for e in our_entities(dataset) if e.kind and not e.linked]


def test_link_online_from_the_command_line(wikidata, run, monkeypatch):
    monkeypatch.setenv("FILMGRAPH_WIKIDATA_API", wikidata.api)
    monkeypatch.setenv("FILMGRAPH_WIKIDATA_TIMEOUT", "5")
    result = run(
        "wikidata", "link", "--online", "--entity", "Kantemir Balagov", "--entity", "Beanpole"
    )
    assert result.exit_code == 0, result.output
    assert "(online: search)" in result.output
    assert re.search(r"Q30346628 +0\.92 +strong +Kantemir Balagov", result.output)
    assert re.search(r"Q63985408 +1\.00 +strong +Beanpole", result.output)
    assert re.search(r"Q7546 +0\.\d\d +rejected +Ingmar Bergman", result.output)
    assert "same year, another day" in result.output  # 1991-01-25 against 1991-07-28
    assert "P57 (director) Q30346628, as ours" in result.output
    assert all(r["path"] == "/w/api.php" for r in wikidata.requests)

    result = run("wikidata", "link", "--online", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["mode"] == "online" and report["source"] == "search"
    by_name = {e["name"]: e for e in report["entities"]}
    award = by_name["Un Certain Regard Best Director Award"]
    assert {c["qid"]: c["verdict"] for c in award["candidates"]} == {
        "Q510175": "rejected",
        "Q1071326": "rejected",
    }
    assert by_name["North Caucasus"]["candidates"] == []


def test_link_online_reports_a_failing_service_in_one_line(wikidata, run, monkeypatch):
    monkeypatch.setenv("FILMGRAPH_WIKIDATA_API", wikidata.api)
    wikidata.script += [(500, {}, b"")]
    result = run("wikidata", "link", "--online", "--entity", "Beanpole")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert re.search(r"^Error: http://127\.0\.0\.1:\d+/w/api\.php\?.*\(HTTP 500\)", result.output)


def test_the_default_endpoints_are_wikidata_and_the_tests_never_use_them():
    defaults = Settings()
    assert defaults.wikidata_api == "https://www.wikidata.org/w/api.php"
    assert defaults.wikidata_reconcile == ""
