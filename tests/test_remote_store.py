"""`store=remote:URL`: queries answered by a real Oxigraph server that `filmgraph push` filled,
under the same rules as the other stores; `filmgraph serve` over it without a local build.

One server (and one push of every graph) serves the module; the forwarding proxy of
tests/oxigraph_server.py in front of it counts the requests that reach it, or fails them."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.query import Result

import browser
from filmgraph import RemoteBackend, open_store
from filmgraph.core.errors import (
    ForbiddenError,
    QueryError,
    QuerySyntaxError,
    SettingError,
    UpstreamError,
)
from filmgraph.core.namespaces import FGID, GRAPHS
from filmgraph.export import Describer
from filmgraph.query import OxigraphAnswer, read_results
from filmgraph.query.named import load_queries
from filmgraph.serve.sandbox import Sandbox
from filmgraph.store import RdflibEngine
from filmgraph.store.remote import RemoteSpec
from filmgraph.store.remote.client import RemoteStore, endpoints
from filmgraph.store.remote.engine import EMPTY, RemoteEngine, _results
from filmgraph.store.remote.pushing import push
from oxigraph_server import (
    HOST,
    Oxigraph,
    Proxy,
    as_oxigraph_holds,
    free_port,
    normal,
    start_oxigraph,
    start_proxy,
)
from oxigraph_server import rows as normal_rows
from store_cases import DATASET_CASES, LOCAL_QUERIES, A, L, anonymous

pytestmark = pytest.mark.slow

EX = "http://example.org/"
OTHER = EX + "theirs"  # a graph of the store that is not ours


@pytest.fixture(scope="module")
def served(dataset, tmp_path_factory) -> Iterator[Oxigraph]:
    """An Oxigraph server holding every graph of ours, and one that is not ours."""
    server = start_oxigraph(tmp_path_factory.mktemp("remote") / "store")
    try:
        store = server.store()
        assert push(dataset, store, ["all"]).ok
        theirs = Graph()
        theirs.add((URIRef(EX + "s"), URIRef(EX + "p"), Literal("not ours")))
        store.put(OTHER, theirs)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def counting(served) -> Iterator[Proxy]:
    """A proxy in front of the server, recording every request that reaches it."""
    proxy, stop = start_proxy((HOST, served.port))
    yield proxy
    stop()


@pytest.fixture(scope="module")
def engines(dataset, settings, served):
    remote = open_store(settings.with_(store=f"remote:{served.url}", store_timeout=10.0))
    return RdflibEngine(dataset), remote.engine()


def _store(url: str, timeout: float = 10.0) -> RemoteStore:
    return RemoteStore(endpoints(url, use_update=False), timeout=timeout)


# ---------------------------------------------------------------- the same answers


def test_the_engine_serves_our_graphs_only(engines, dataset):
    _, remote = engines
    ours = {g.identifier for g in dataset.graphs() if len(g) and g.identifier in GRAPHS.values()}
    assert set(remote.held) == ours == set(GRAPHS.values())
    assert URIRef(OTHER) not in remote.held  # the store holds it; we do not serve it


@pytest.mark.parametrize("name", LOCAL_QUERIES)
def test_every_competency_question_gets_the_same_answer(engines, settings, name):
    text = load_queries(settings.queries_dir)[name].text
    memory, remote = (engine.run(text) for engine in engines)
    assert remote.kind == memory.kind
    assert normal_rows(remote) == normal_rows(memory)


@pytest.mark.parametrize(("query", "default", "named"), DATASET_CASES)
def test_the_dataset_a_query_sees_is_the_same(engines, query, default, named):
    memory, remote = (engine.run(query, default, named) for engine in engines)
    assert remote.kind == memory.kind
    assert len(remote) == len(memory)
    assert anonymous(remote) == anonymous(memory)


def test_the_empty_default_graph_is_a_graph_that_names_nothing_to_fetch(engines):
    _, remote = engines
    assert EMPTY.startswith("urn:") and URIRef(EMPTY) not in remote.held
    assert len(remote.run(f"SELECT * FROM NAMED <{L}> WHERE {{ ?s ?p ?o }}")) == 0


# ---------------------------------------------------------------- the same rules


def _through(proxy: Proxy, **options) -> RemoteEngine:
    """An engine whose requests go through the proxy, which is then cleared."""
    engine = RemoteEngine(_store(proxy.url), **options)
    assert proxy.seen  # it asked the store which graphs it holds
    proxy.seen.clear()
    return engine


@pytest.mark.parametrize(
    ("query", "default", "named", "error"),
    [
        (f"SELECT * FROM <{EX}elsewhere> WHERE {{ ?s ?p ?o }}", None, None, QueryError),
        (f"SELECT * FROM NAMED <{EX}elsewhere> WHERE {{ ?s ?p ?o }}", None, None, QueryError),
        (f"SELECT * FROM <{OTHER}> WHERE {{ ?s ?p ?o }}", None, None, QueryError),
        ("SELECT * WHERE { ?s ?p ?o }", [f"{EX}elsewhere"], None, QueryError),
        ("SELECT * WHERE { ?s ?p ?o }", None, [OTHER], QueryError),
        # the protocol's dataset would override it, but a FROM we do not hold is refused still
        (f"SELECT * FROM <{EX}elsewhere> WHERE {{ ?s ?p ?o }}", [A], None, QueryError),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", None, None,
         ForbiddenError),
        ("SELECT * WHERE { ?s ?p }", None, None, QuerySyntaxError),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", None, None, ForbiddenError),
        ("LOAD <http://example.org/data.ttl>", None, None, ForbiddenError),
    ],
)  # fmt: skip
def test_refused_before_any_request_reaches_the_store(counting, query, default, named, error):
    engine = _through(counting)
    with pytest.raises(error) as refused:
        engine.run(query, default, named)
    assert not isinstance(refused.value, UpstreamError)
    assert counting.seen == []


def test_updates_leave_the_store_unchanged(counting, served):
    store = served.store()
    before = store.counts([*map(str, GRAPHS.values()), OTHER])
    engine = _through(counting)
    for update in (
        "DROP ALL",
        f"CLEAR GRAPH <{A}>",
        f"DELETE WHERE {{ GRAPH <{A}> {{ ?s ?p ?o }} }}",
        "INSERT DATA { <http://a> <http://b> <http://c> }",
    ):
        with pytest.raises(ForbiddenError):
            engine.run(update)
    assert counting.seen == []
    assert store.counts(before) == before


def test_results_are_cut_at_the_row_cap(counting):
    engine = _through(counting, max_rows=5)
    selected = engine.run("SELECT * WHERE { ?s ?p ?o }")
    assert selected.truncated and len(selected) == 5
    constructed = engine.run("CONSTRUCT WHERE { ?s ?p ?o }")
    assert constructed.truncated and len(constructed) == 5
    assert not engine.run("SELECT * WHERE { ?s a schema:Movie }").truncated


def _pages_dataset(settings, url):
    """The remote backend's dataset, and every query text it sends to the store."""
    backend = open_store(settings.with_(store=f"remote:{url}", store_timeout=10.0))
    sent: list[str] = []
    store = backend.dataset.store.engine.store
    asked = store.query

    def recording(text, *args, **kwargs):
        sent.append(text)
        return asked(text, *args, **kwargs)

    store.query = recording
    return backend.dataset, sent


def _named(triples):
    return {t for t in triples if not any(isinstance(term, BNode) for term in t)}


def test_the_pages_dataset_looks_up_the_build(settings, served, dataset):
    remote, sent = _pages_dataset(settings, served.url)
    for name in ("asserted", "inferred", "provenance"):
        build = as_oxigraph_holds(dataset.graph(GRAPHS[name]))
        for subject in (FGID.beanpole, FGID["kantemir-balagov"]):
            for pattern in ((subject, None, None), (None, None, subject)):
                expected = _named(build.triples(pattern))  # a blank node is named anew
                assert _named(remote.graph(GRAPHS[name]).triples(pattern)) == expected
    assert len(remote.graph(GRAPHS["asserted"])) == len(dataset.graph(GRAPHS["asserted"]))
    assert URIRef(OTHER) not in {g.identifier for g in remote.graphs()}
    assert not list(remote.graph(URIRef(OTHER)).triples((None, None, None)))
    assert all("GRAPH ?g { ?s ?p ?o }" not in text for text in sent)
    assert dict(remote.namespaces())["fgid"] == URIRef(str(FGID))  # /explain writes fgid:...


def test_a_description_asks_no_whole_graph(settings, served):
    remote, sent = _pages_dataset(settings, served.url)
    describer = Describer(remote)
    description = describer.describe(FGID["kantemir-balagov"])
    describer.neighbourhood(description)
    assert description.facts and description.incoming
    whole = [t for t in sent if "GRAPH ?g { ?s ?p ?o }" in t]
    assert whole == [
        f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ <{GRAPHS['ontology']}> }} "
        "GRAPH ?g { ?s ?p ?o } }"
    ]  # the ontology alone, read once
    assert 0 < len(sent) < 400  # lookups of its facts, quotes, labels: none of a graph


def test_a_whole_graph_is_read_as_a_stream_of_n_triples(settings, served, dataset):
    """A scan (an export) asks one CONSTRUCT a graph and parses its N-Triples as they come:
    the answer is read in pieces, never whole; the triples are the build's."""
    remote, sent = _pages_dataset(settings, served.url)
    store = remote.store.engine.store
    reads: list[int] = []
    opened = store._opener.open

    def open_counting(request, timeout=None):
        answer = opened(request, timeout=timeout)
        read = answer.read

        def read_some(size=-1, *args):
            assert size is not None and size >= 0, "the whole answer read at once"
            reads.append(size)
            return read(size, *args)

        answer.read = read_some
        return answer

    store._opener.open = open_counting
    asserted = remote.graph(GRAPHS["asserted"])
    assert set(asserted) == set(as_oxigraph_holds(dataset.graph(GRAPHS["asserted"])))
    assert not sent  # no SELECT: the scan is the CONSTRUCT
    assert len(reads) >= 2
    from filmgraph.core import new_dataset
    from filmgraph.export import export

    held = new_dataset()
    target = held.graph(GRAPHS["asserted"])
    target += as_oxigraph_holds(dataset.graph(GRAPHS["asserted"]))
    assert export(remote, "nt", ["asserted"]) == export(held, "nt", ["asserted"])


def test_a_worker_may_reach_the_store_and_nothing_else(served):
    spec = RemoteSpec(endpoints(served.url, use_update=False), (A,), 10.0, "filmgraph/test")
    policy = Sandbox(spec.reachable(["https://query.wikidata.org/sparql"]))
    policy("urllib.Request", (f"{served.url}/query", None, {}, "POST"))
    policy("socket.getaddrinfo", (HOST, served.port, 0, 0, 0))
    for event, args in [
        ("urllib.Request", ("https://query.wikidata.org/sparql", None, {}, "GET")),
        ("urllib.Request", (f"{served.url}/store", None, {}, "GET")),  # not the query endpoint
        ("socket.getaddrinfo", ("query.wikidata.org", 443, 0, 0, 0)),
        ("socket.connect", (None, ("192.0.2.1", 80))),
    ]:
        with pytest.raises(PermissionError):
            policy(event, args)


# ---------------------------------------------------------------- failures


def test_a_failing_store_is_a_502_naming_url_and_status(counting):
    engine = _through(counting)
    counting.rule = lambda method, path, body: 500
    try:
        with pytest.raises(UpstreamError) as failed:
            engine.run("SELECT * WHERE { ?s ?p ?o }")
    finally:
        counting.rule = lambda method, path, body: None
    assert failed.value.status == 502 and failed.value.upstream_status == 500
    assert str(failed.value).startswith(f"{counting.url}/query (HTTP 500): POST refused: ")


def test_a_store_that_stops_answering_is_a_502():
    down = f"http://{HOST}:{free_port()}"
    engine = RemoteEngine(_store(down), graphs=[A])
    with pytest.raises(UpstreamError, match=r"/query: POST: cannot connect: ") as failed:
        engine.run("SELECT * WHERE { ?s ?p ?o }")
    assert failed.value.status == 502 and down in str(failed.value)
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind((HOST, 0))
        silent.listen()
        engine = RemoteEngine(_store(f"http://{HOST}:{silent.getsockname()[1]}", 0.5), graphs=[A])
        started = time.monotonic()
        with pytest.raises(UpstreamError, match=r"POST: no answer within 0\.5 s"):
            engine.run("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("media_type", "body", "message"),
    [
        ("text/html", b"<html>", "the answer is text/html, not SPARQL results"),
        ("application/sparql-results+json", b'{"head":{"vars":["o"]},"results":{"bind',
         "the answer is not SPARQL results"),
        ("application/sparql-results+json", b'{"head":{},"boolean":true}',
         "a SELECT query was answered with ASK results"),
    ],
)  # fmt: skip
def test_an_unreadable_answer_is_a_502(media_type, body, message):
    with pytest.raises(UpstreamError, match=message):
        _results(media_type, body, "http://store/query", "SELECT")


def test_a_store_without_our_graphs_is_refused(oxigraph, settings):
    with pytest.raises(SettingError, match="holds none of filmgraph's graphs"):
        open_store(settings.with_(store=f"remote:{oxigraph.url}"))


def test_serving_needs_the_graphs_the_pages_read(oxigraph, dataset, run):
    assert push(dataset, oxigraph.store()).ok  # the default graphs: no ontology
    done = run("--no-progress", "--store", f"remote:{oxigraph.url}", "serve", "--port", "0")
    assert done.exit_code == 1
    assert done.output == (
        f"Error: the remote store at {oxigraph.url}/query lacks the graphs the pages read "
        "(ontology); push every graph: `filmgraph push --to URL --graphs all`\n"
    )
    query = "SELECT ?name WHERE { fgid:closeness schema:name ?name }"
    done = run("--no-progress", "--store", f"remote:{oxigraph.url}", "query", query)
    assert done.exit_code == 0 and "Closeness" in done.output  # queries need no ontology


def test_the_setting_chooses_the_backend(engines, settings, served):
    backend = open_store(settings.with_(store=f"remote:{served.url}"))
    assert type(backend) is RemoteBackend and not backend.cacheable
    engine = backend.engine()
    assert type(engine) is RemoteEngine and engine.held == engines[1].held
    assert engine.store.endpoints.query == f"{served.url}/query"
    assert backend.spec().endpoints.query == f"{served.url}/query"


def test_a_remote_store_s_graphs_are_counted_when_a_size_is_first_read(settings, counting, dataset):
    """Opening the store asks which of our graphs it holds (FILTER EXISTS: no scan); the
    sizes, a scan of every graph, are counted once, by the first reader of one."""
    sent: list[str] = []

    def record(method: str, path: str, body: bytes) -> None:
        sent.append(parse_qs(body.decode()).get("query", [""])[0])

    counting.rule = record
    try:
        backend = open_store(settings.with_(store=f"remote:{counting.url}"))
        assert len(sent) == 1 and "FILTER EXISTS" in sent[0] and "COUNT" not in sent[0]
        ours = {g.identifier: len(g) for g in dataset.graphs() if g.identifier in GRAPHS.values()}
        assert set(backend.graphs) == {name for name, n in ours.items() if n}
        assert set(backend.known_sizes().values()) == {None}  # /health's, before a count
        assert dict(backend.graphs) == {name: n for name, n in ours.items() if n}
        assert dict(backend.graphs) == backend.known_sizes()
        assert sum("COUNT" in query for query in sent) == 1
    finally:
        counting.rule = lambda method, path, body: None


@pytest.mark.parametrize(("workers", "heavy", "lane"), [(2, 1, 2), (3, 1, 3), (2, 4, 4), (2, 0, 0)])
def test_over_a_remote_store_the_heavy_lane_is_as_wide_as_the_regular_one(
    settings, served, workers, heavy, lane
):
    """The store evaluates the queries: one heavy worker would send heavy queries to it one
    at a time. Over a local store the setting is kept (its workers do the work)."""
    from filmgraph.web import create_app, state

    options = settings.with_(workers=workers, heavy_workers=heavy)
    remote = create_app(options, open_store(options.with_(store=f"remote:{served.url}")))
    local = create_app(options, open_store(options))
    assert (state(remote).pool.heavy, state(local).pool.heavy) == (lane, heavy)


# ---------------------------------------------------------------- the command line


def test_the_command_line_queries_the_store(run, served):
    query = "SELECT ?name WHERE { fgid:closeness schema:name ?name }"
    done = run(
        "--no-progress", "--store", f"remote:{served.url}", "query", query, "--format", "csv"
    )
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == ["name", "Closeness"]


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["query", "ASK {}"]])
def test_an_unreachable_store_is_one_line_and_exit_1(run, command):
    down = f"http://{HOST}:{free_port()}"
    done = run("--no-progress", "--store", f"remote:{down}", *command)
    assert done.exit_code == 1
    assert done.output.startswith(
        f"Error: {down}/query: the remote store did not answer: POST: cannot connect: "
    )
    assert len(done.output.strip().splitlines()) == 1 and "Traceback" not in done.output


@pytest.mark.parametrize("value", ["remote:localhost:7878", "remote:ftp://h/x", "postgres"])
def test_a_bad_store_setting_is_a_usage_error(run, value):
    done = run("--store", value, "queries")
    assert done.exit_code == 2
    assert "Invalid value for '--store'" in done.output


# ---------------------------------------------------------------- `filmgraph serve`


@dataclass
class Serving:
    process: subprocess.Popen[str]
    base: str
    proxy: Proxy
    stop_proxy: object
    build_dir: Path


@pytest.fixture(scope="module")
def serving(served, tmp_path_factory) -> Iterator[Serving]:
    """`filmgraph serve --store remote:URL` on a free port, from an empty project folder (no
    data files, nothing built), the store behind a proxy of its own."""
    proxy, stop_proxy = start_proxy((HOST, served.port))
    empty = tmp_path_factory.mktemp("elsewhere")
    log = empty / "stderr.log"
    env = {
        **os.environ,
        "FILMGRAPH_ROOT": str(empty),
        "FILMGRAPH_BUILD_DIR": str(empty / "build"),
        "FILMGRAPH_STORE": f"remote:{proxy.url}",
        "FILMGRAPH_STORE_TIMEOUT": "5",
    }
    try:
        with browser.serving(browser.FILMGRAPH_SERVE, env, empty, log) as (process, base):
            yield Serving(process, base, proxy, stop_proxy, empty / "build")
    finally:
        stop_proxy()


def _get(url: str, accept: str = "*/*") -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


def _sparql(base: str, query: str, **params: str) -> tuple[int, str, str]:
    return _get(f"{base}/sparql?{urlencode({'query': query, **params})}")


def test_serve_answers_queries_from_the_store(serving):
    serving.proxy.seen.clear()
    query = "SELECT ?n WHERE { fgid:closeness schema:name ?n }"
    status, media_type, body = _sparql(serving.base, query)
    assert status == 200 and media_type.startswith("application/sparql-results+json"), body
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "Closeness"
    assert [method for method, _ in serving.proxy.seen] == ["POST"]  # live, from a worker
    _sparql(serving.base, query)
    assert len(serving.proxy.seen) == 2  # asked again: a remote store's answers are not kept
    assert not serving.build_dir.exists()  # nothing was built


def test_serve_applies_the_same_rules(serving):
    serving.proxy.seen.clear()
    refused = [
        (f"SELECT * FROM <{EX}elsewhere> WHERE {{ ?s ?p ?o }}", 400),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 403),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", 403),
    ]
    for query, expected in refused:
        status, _, body = _sparql(serving.base, query)
        assert status == expected, body
    status, _, body = _sparql(
        serving.base, "SELECT * WHERE { ?s ?p ?o }", **{"named-graph-uri": OTHER}
    )
    assert status == 400 and f"no graph named <{OTHER}>" in body
    assert serving.proxy.seen == []


def test_serve_renders_pages_from_the_store(serving):
    serving.proxy.seen.clear()
    status, media_type, body = _get(f"{serving.base}/page/kantemir-balagov", "text/html")
    assert status == 200 and media_type.startswith("text/html")
    assert "Kantemir Balagov" in body and "inferred" in body
    status, _, body = _get(f"{serving.base}/data/beanpole.ttl")
    assert status == 200 and "Beanpole" in body
    status, _, body = _get(f"{serving.base}/explain?s=fgid:kantemir-balagov&p=a&o=fg:FilmDirector")
    assert status == 200 and json.loads(body)["kind"] == "inferred"
    status, _, body = _get(f"{serving.base}/health")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok"
    assert serving.proxy.seen  # the pages look up what they show in the store
    status, _, body = _get(f"{serving.base}/document", "text/plain")
    assert status == 404 and "the source document is not available here" in body


def test_serve_says_502_when_the_store_is_down(serving):
    serving.stop_proxy()  # the store's address now refuses connections
    status, media_type, body = _sparql(serving.base, "ASK { ?s ?p ?o }")
    assert status == 502 and media_type.startswith("text/plain")
    assert body.startswith(f"{serving.proxy.url}/query: POST: cannot connect: "), body
    status, _, body = _get(f"{serving.base}/page/beanpole", "text/html")
    assert status == 502 and "cannot connect" in body  # the pages read the store too


def test_result_parsing_keeps_plain_literals_plain():
    body = json.dumps(
        {
            "head": {"vars": ["x"]},
            "results": {
                "bindings": [
                    {"x": {"type": "literal", "value": "a", "datatype": str(XSD_STRING)}},
                    {"x": {"type": "literal", "value": "b", "xml:lang": "en"}},
                ]
            },
        }
    ).encode()
    result: Result = _results("application/sparql-results+json", body, "http://s/q", "SELECT")
    assert [row[0] for row in result] == [Literal("a"), Literal("b", lang="en")]


XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


@pytest.mark.parametrize("name", LOCAL_QUERIES)
def test_oxigraph_writes_the_store_answers_as_rdflib_reads_them(engines, settings, name):
    """SELECT and ASK answers are read by Oxigraph's parser and written by its writers: each
    format's body holds the memory store's solutions (plain strings plain)."""
    text = load_queries(settings.queries_dir)[name].text
    memory, remote = (engine.run(text) for engine in engines)
    if memory.kind not in ("SELECT", "ASK"):
        return
    assert isinstance(remote, OxigraphAnswer) and len(remote) == len(memory)
    for fmt in ("json", "xml"):
        again = Result.parse(io.BytesIO(remote.body(fmt)), format=fmt)
        if memory.kind == "ASK":
            assert again.askAnswer == memory.result.askAnswer
        else:
            assert sorted(tuple(map(normal, row)) for row in again) == normal_rows(memory)
            assert str(XSD_STRING).encode() not in remote.body(fmt)


@pytest.mark.parametrize(
    ("kind", "body", "fmt"),
    [
        ("SELECT", b"not json", "json"),
        ("SELECT", b'{"head": {}, "boolean": true}', "json"),  # an ASK's answer
        ("ASK", b'{"head": {"vars": []}, "results": {"bindings": []}}', "json"),
        ("SELECT", b"<sparql/>", "turtle"),
    ],
)
def test_answers_oxigraph_cannot_read_go_to_rdflib(kind, body, fmt):
    """None: rdflib's parsers then read the answer and say what is wrong (a 502)."""
    assert read_results(kind, body, fmt, 10) is None
    with pytest.raises(UpstreamError):
        _results("application/sparql-results+json", body, "http://store/query", kind)
