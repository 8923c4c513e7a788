"""queries/wikidata-federated.rq: our films joined with Wikidata through SERVICE.

No test reaches Wikidata. The query's shape is tested against a stand-in on 127.0.0.1: a
SPARQL endpoint (the SPARQL 1.1 Protocol's GET, JSON results) over the offline snapshot,
which holds the checked statements as the Wikidata Query Service returns them.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from rdflib import Graph

from filmgraph import run_query
from filmgraph.core.errors import ForbiddenError
from filmgraph.core.namespaces import FGID, GRAPHS, WD
from filmgraph.query import prepare
from filmgraph.query.named import get_query
from filmgraph.web import create_app, state

pytestmark = pytest.mark.every_store

WDQS = "https://query.wikidata.org/sparql"


class StandIn(ThreadingHTTPServer):
    """A SPARQL endpoint over one graph (query by GET or by POSTed form, JSON results),
    recording the queries it was sent."""

    def __init__(self, graph: Graph) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.graph = graph
        self.queries: list[str] = []
        self.agents: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"


class _Handler(BaseHTTPRequestHandler):
    server: StandIn

    def do_GET(self) -> None:
        self._answer(parse_qs(urlsplit(self.path).query))

    def do_POST(self) -> None:  # a form (rdflib, for long queries) or the query itself
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        if self.headers.get_content_type() == "application/sparql-query":
            self._answer({"query": [body]})
        else:
            self._answer(parse_qs(body))

    def _answer(self, form: dict[str, list[str]]) -> None:
        if urlsplit(self.path).path != "/sparql":
            self.send_error(404)
            return
        [query] = form["query"]
        self.server.queries.append(query)
        self.server.agents.append(self.headers.get("User-Agent", ""))
        body = self.server.graph.query(query).serialize(format="json")
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def wikidata(dataset) -> Iterator[StandIn]:
    server = StandIn(dataset.graph(GRAPHS["wikidata"]))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(scope="module")
def federated(settings) -> str:
    return get_query(settings.queries_dir, "wikidata-federated").text


def test_the_query_calls_only_the_wikidata_query_service(federated):
    assert prepare(federated).services == (WDQS,)


def test_federation_is_off_by_default(federated, dataset):
    with pytest.raises(ForbiddenError, match="service_allow"):
        run_query(dataset, federated)


def test_the_join_with_wikidata_has_the_expected_shape(federated, dataset, wikidata):
    text = federated.replace(WDQS, wikidata.url)
    rows = list(run_query(dataset, text, services=[wikidata.url]))
    answers = {
        (row.film, str(row.year), row.item, str(row.wikidataDate)[:4], row.wikidataSetting)
        for row in rows
    }
    assert answers == {
        (FGID.closeness, "2017", WD.Q29413154, "2017", WD.Q5265),
        (FGID.beanpole, "2019", WD.Q63985408, "2019", WD.Q656),
    }
    # one call per film, each carrying that film's item: Wikidata is never asked for
    # every film it holds
    assert len(wikidata.queries) == 2
    for item in (WD.Q29413154, WD.Q63985408):
        assert sum(item.n3() in query for query in wikidata.queries) == 1


def test_an_endpoint_off_the_allow_list_is_still_refused(federated, dataset, wikidata):
    with pytest.raises(ForbiddenError):
        run_query(dataset, federated, services=[wikidata.url])
    assert wikidata.queries == []


def test_the_endpoint_federates_when_allowed_and_says_who_it_is(
    store_settings, backend, wikidata, federated
):
    app = create_app(store_settings.with_(service_allow=(wikidata.url,), workers=1), backend)
    try:
        response = app.test_client().post(
            "/sparql",
            data=federated.replace(WDQS, wikidata.url),
            headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_data(as_text=True).count("http://www.wikidata.org/entity/Q") == 4
        # on every store rdflib's engine joins with the service: one call per film, each
        # with that film's item (Oxigraph would ask once for every item), through urllib,
        # which sends our User-Agent
        assert len(wikidata.agents) == 2
        for item in (WD.Q29413154, WD.Q63985408):
            assert sum(item.n3() in query for query in wikidata.queries) == 1
        assert all(a.startswith("filmgraph/") for a in wikidata.agents), wikidata.agents
    finally:
        state(app).close()


def test_a_failing_service_is_a_502_naming_it(store_settings, backend, wikidata):

    broken = wikidata.url.replace("/sparql", "/broken")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/sparql"
    app = create_app(store_settings.with_(service_allow=(broken, closed), workers=1), backend)
    try:
        for endpoint, says in ((broken, "404"), (closed, "refused")):
            query = f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"
            response = app.test_client().get("/sparql", query_string={"query": query})
            assert response.status_code == 502
            assert says in response.get_data(as_text=True)
    finally:
        state(app).close()
