"""The W3C SPARQL 1.1 tests that describe HTTP exchanges, sent to the real server
(tests/w3c/README.md; the helpers are tests/w3c_http.py).

- **Protocol** (``protocol/manifest.ttl``, 34 approved): every request of each test is
  sent, as the manifest writes it (method, path under ``/sparql``, headers, body bytes in
  the body's encoding), to ``filmgraph serve`` over the session's build on a free port of
  127.0.0.1, once per store (memory, oxigraph); the answer must have the status class, the
  media type and the ASK answer the test gives. The tests name example graphs
  (``http://kasei.us/2009/09/sparql/data/dataN.rdf``, each holding ``<dataN.rdf> a
  foaf:Document``) that the build does not hold, so a query request is adapted to graphs it
  does hold (:class:`w3c_http.StandIns`): data1.rdf is the ontology graph, data2.rdf the
  provenance graph, data3.rdf the asserted graph, data0.rdf (from which nothing is read) the
  wikidata graph, and ``<dataN.rdf> a ?type`` a typing that graph alone holds. Each ASK such
  a test expects true is sent again less its last dataset parameter and must then be false.
  Updates are sent as written: the endpoint is read-only, so the update tests are by-design
  refusals (403), listed as such.
- **Service description** (``service-description/manifest.ttl``, 3 approved): a GET of the
  endpoint with no query, on the same server: RDF by content negotiation, an
  ``sd:endpoint`` triple naming the URL requested, the vocabulary used as its schema says.
- **Result formats over HTTP** (csv-tsv-res 6, json-res 4): each test's data served by a real
  server of its own (``filmgraph.web.serve``, uvicorn and a query worker, as ``filmgraph
  serve`` runs; :func:`w3c_http.serve_test_data`) on each store, the data in the asserted
  graph so that it is the default graph: on oxigraph, an Oxigraph store written from the
  data's N-Quads (``load_store``); on memory, an rdflib dataset read from them. The query is
  sent with the Accept header of the expected result's format (text/csv,
  text/tab-separated-values, application/sparql-results+json), and the body read back and
  compared as tests/test_w3c_query.py compares an engine's text.

The tests the server fails are listed in tests/w3c/expected-failures.toml, strictly (a
listed test that passes fails, as an unlisted failure does): ``[protocol.<store>]`` for the
protocol and service description tests, ``[results.<store>]`` for the result formats over
HTTP. Run in one process (``-p no:xdist``), the module prints the pass counts per category
and store at its end.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote

import pytest

import browser
import w3c_http as http
import w3c_suite as w3c
from filmgraph.core import GRAPHS

STORES = ("memory", "oxigraph")
PROTOCOL_TESTS = http.protocol_tests()
DESCRIPTION_TESTS = http.service_description_tests()
RESULT_TESTS = http.result_format_tests()
BY_ID = {t.id: t for t in [*PROTOCOL_TESTS, *DESCRIPTION_TESTS]}
EXPECTED_PROTOCOL = http.expected_failures("protocol")
EXPECTED_RESULTS = http.expected_failures("results")


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest) -> Iterator[dict[tuple[str, str], w3c.Run]]:
    """The runs of this module's tests; their pass counts printed at its end (on the
    terminal, when pytest runs in one process)."""
    done: dict[tuple[str, str], w3c.Run] = {}
    yield done
    http.print_counts(
        request,
        "W3C SPARQL 1.1 protocol and service description tests passed, over HTTP",
        [*PROTOCOL_TESTS, *DESCRIPTION_TESTS],
        done,
    )
    http.print_counts(
        request, "W3C SPARQL 1.1 result-format tests passed, over HTTP", RESULT_TESTS, done
    )


@pytest.fixture(scope="module")
def endpoint(store: str, backend: Any, settings: Any, tmp_path_factory: pytest.TempPathFactory):
    """``filmgraph serve`` over the session's build on ``store``, on a free port of
    127.0.0.1 (the build and, on oxigraph, its store are made first by ``backend``); its
    base URL. Stopped at the end of the module."""
    log = tmp_path_factory.mktemp(f"w3c-server-{store}") / "stderr.log"
    env = {**os.environ, "FILMGRAPH_BUILD_DIR": str(settings.output_dir), "FILMGRAPH_STORE": store}
    with http.serving(browser.FILMGRAPH_SERVE, env, log) as base:
        yield base


@pytest.fixture(scope="module")
def stand_ins(dataset: Any) -> http.StandIns:
    return http.StandIns.of(dataset, GRAPHS)


@pytest.fixture(scope="module")
def data_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[w3c.Entry, str], str]]:
    """The base URL of a real server holding a result-format test's data on a store,
    started on first use (one per data and store) and stopped at the end of the module."""
    with contextlib.ExitStack() as stack:
        started: dict[tuple[Any, ...], str] = {}

        def base(entry: w3c.Entry, store: str) -> str:
            key = (store, entry.data, entry.graph_data)
            if key not in started:
                folder = tmp_path_factory.mktemp(f"w3c-data-{store}")
                started[key] = stack.enter_context(http.serve_test_data(entry, store, folder))
            return started[key]

        yield base


def _listed(table: dict[str, dict[str, dict[str, Any]]], store: str, test_id: str) -> Any:
    return table.get(store, {}).get(test_id)


@pytest.mark.slow
@pytest.mark.every_store
@pytest.mark.parametrize("test", PROTOCOL_TESTS, ids=lambda t: t.id)
def test_w3c_protocol(
    endpoint: str,
    store: str,
    stand_ins: http.StandIns,
    test: w3c.Entry,
    runs: dict[tuple[str, str], w3c.Run],
) -> None:
    run = http.run_protocol(test, endpoint, stand_ins)
    runs[test.id, store] = run
    w3c.judge(run, _listed(EXPECTED_PROTOCOL, store, test.id), f"{store}: {test.id}")


@pytest.mark.slow
@pytest.mark.every_store
@pytest.mark.parametrize("test", DESCRIPTION_TESTS, ids=lambda t: t.id)
def test_w3c_service_description(
    endpoint: str, store: str, test: w3c.Entry, runs: dict[tuple[str, str], w3c.Run]
) -> None:
    run = http.run_service_description(test, endpoint)
    runs[test.id, store] = run
    w3c.judge(run, _listed(EXPECTED_PROTOCOL, store, test.id), f"{store}: {test.id}")


@pytest.mark.slow
@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("test", RESULT_TESTS, ids=lambda t: t.id)
def test_w3c_result_format_over_http(
    data_server: Callable[[w3c.Entry, str], str],
    store: str,
    test: w3c.Entry,
    runs: dict[tuple[str, str], w3c.Run],
) -> None:
    run = http.run_result_format(test, data_server(test, store))
    runs[test.id, store] = run
    w3c.judge(run, _listed(EXPECTED_RESULTS, store, test.id), f"{store}: {test.id}")


# --- the suites, the list and the harness -----------------------------------------------


def test_the_suites_are_the_ones_copied() -> None:
    """The approved tests read from the copy, each protocol test with its requests: the
    update tests are the 7 whose first request is an update that must succeed."""
    assert len(PROTOCOL_TESTS) == 34
    assert {t.type for t in PROTOCOL_TESTS} == {"ProtocolTest"}
    assert [t.id for t in DESCRIPTION_TESTS] == [
        "service-description/has-endpoint-triple",
        "service-description/returns-rdf",
        "service-description/conforms-to-schema",
    ]
    assert {t.category: 0 for t in RESULT_TESTS} == {"csv-tsv-res": 0, "json-res": 0}
    assert len(RESULT_TESTS) == 10
    requests = {t.id: http.requests_of(t) for t in PROTOCOL_TESTS}
    assert all(requests.values())
    updates = {i for i, found in requests.items() if found[0].is_update and 2 in found[0].statuses}
    assert updates == {
        f"protocol/{name}"
        for name in (
            "update_dataset_default_graph",
            "update_dataset_default_graphs",
            "update_dataset_named_graphs",
            "update_dataset_full",
            "update_post_form",
            "update_post_direct",
            "update_base_uri",
        )
    }
    bad = {i for i, found in requests.items() if found[0].statuses == {4}}
    assert len(bad) == 14 and all(i.startswith("protocol/bad_") for i in bad)
    [non_utf8] = requests["protocol/bad_query_non_utf8"]
    assert non_utf8.body == "ASK {}".encode("utf-16")
    assert non_utf8.header("Content-Type") == "application/sparql-query; charset=UTF-16"


def test_every_expected_failure_names_a_test_and_says_why() -> None:
    """``[protocol.<store>]`` and ``[results.<store>]``: a table per store, each entry an
    approved test of its kind with a cause; a protocol entry is a by-design refusal with
    its status, which no plain engine runs."""
    assert set(EXPECTED_PROTOCOL) == set(STORES)
    assert set(EXPECTED_RESULTS) == set(STORES)
    protocol = {t.id for t in [*PROTOCOL_TESTS, *DESCRIPTION_TESTS]}
    results = {t.id for t in RESULT_TESTS}
    for kind, tables, known in (
        ("protocol", EXPECTED_PROTOCOL, protocol),
        ("results", EXPECTED_RESULTS, results),
    ):
        for store, table in tables.items():
            for test_id, entry in table.items():
                where = f"[{kind}.{store}] {test_id}"
                assert test_id in known, f"{where} is no approved {kind} test"
                assert set(entry) <= {"cause", "status", "match", "rdflib", "pyoxigraph"}, where
                assert entry.get("cause"), f"{where}: no cause"
                for engine in ("rdflib", "pyoxigraph"):
                    assert str(entry.get(engine, "")).startswith(w3c.CLAIMS), f"{where}: {engine}"
                if kind == "protocol":
                    assert isinstance(entry.get("status"), int), f"{where}: status"
                    not_run = w3c.Run(False, "a protocol test: no plain engine runs it", ran=False)
                    for engine in ("rdflib", "pyoxigraph"):
                        w3c.check_claims(tables, kind, test_id, engine, not_run)


def _listed_results() -> list[tuple[str, str]]:
    ids = {test_id for table in EXPECTED_RESULTS.values() for test_id in table}
    return [(t, e) for t in sorted(ids) for e in ("rdflib", "pyoxigraph")]


@pytest.mark.parametrize(
    ("test_id", "engine"), _listed_results(), ids=[f"{e}:{t}" for t, e in _listed_results()]
)
def test_what_the_list_says_of_the_plain_engines_is_true(test_id: str, engine: str) -> None:
    """For each result-format test the server fails over HTTP, the list says whether plain
    rdflib and plain pyoxigraph fail it too: it says what they do."""
    run = w3c.run(w3c.by_id()[test_id], engine)
    w3c.check_claims(EXPECTED_RESULTS, "results", test_id, engine, run)


def test_the_stand_ins_are_graphs_we_hold_and_the_typings_theirs_alone(
    stand_ins: http.StandIns, dataset: Any
) -> None:
    from rdflib import RDF, URIRef

    assert set(stand_ins.typings) >= {http.KASEI + f"data{n}.rdf" for n in (1, 2, 3)}
    for example, (subject, kind) in stand_ins.typings.items():
        triple = (URIRef(subject), RDF.type, URIRef(kind))
        holding = [g for g in GRAPHS.values() if triple in dataset.graph(g)]
        assert holding == [URIRef(stand_ins.graphs[example])]
    for test in PROTOCOL_TESTS:
        for written in http.requests_of(test):
            adapted = stand_ins.adapt(written)
            text = unquote(adapted.path) + (adapted.body or b"").decode("utf-8", "replace")
            if written.is_update:  # sent as written
                assert adapted == written
            else:
                assert http.KASEI not in text, (test.id, adapted.show())
    [query] = http.requests_of(BY_ID["protocol/query_dataset_full"])
    adapted = stand_ins.adapt(query)
    assert adapted.body is not None and adapted.body.decode().count(" a <") == 3
    assert f"default-graph-uri={GRAPHS['asserted']}".replace(":", "%3A").replace("/", "%2F") in (
        adapted.path
    )


def test_the_judge_of_answers_is_strict() -> None:
    ask = http.Request("GET", "/sparql?query=ASK%7B%7D", format="boolean", boolean=True)
    json = "application/sparql-results+json"
    true = b'{"head": {}, "boolean": true}'
    assert http.problem(ask, http.Reply(200, json, true)) is None
    assert http.problem(ask, http.Reply(200, json + "; charset=utf-8", true)) is None
    assert http.problem(ask, http.Reply(400, "text/plain", b"no")) is not None
    assert http.problem(ask, http.Reply(200, json, b'{"head": {}, "boolean": false}'))
    assert http.problem(ask, http.Reply(200, "text/csv", b"x\n1\n"))
    assert http.problem(ask, http.Reply(200, json, b"{"))
    assert http.problem(
        ask, http.Reply(200, json, b'{"head": {"vars": []}, "results": {"bindings": []}}')
    )
    bad = http.Request("PUT", "/sparql", statuses=frozenset({4}))
    assert http.problem(bad, http.Reply(405, "text/plain", b"")) is None
    assert http.problem(bad, http.Reply(200, "text/plain", b"")) is not None
    assert http.problem(bad, http.Reply(500, "text/plain", b"")) is not None
    rdf = http.Request("POST", "/sparql", format="RDF")
    assert http.problem(rdf, http.Reply(200, "text/turtle", b"<a:s> <a:p> 1 .")) is None
    assert http.problem(rdf, http.Reply(200, "application/ld+json", b"{}"))
    assert http.problem(rdf, http.Reply(200, "text/turtle", b"<a:s> <a:p> ."))
    two = http.Request("GET", "/sparql?query=x&named-graph-uri=a%3Ab&named-graph-uri=a%3Ac")
    assert (smaller := http.without_last_graph(two)) is not None
    assert smaller.path == "/sparql?query=x&named-graph-uri=a%3Ab"
    assert http.without_last_graph(http.Request("GET", "/sparql?query=x")) is None


def test_the_schema_check_is_strict() -> None:
    from rdflib import Graph

    good = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
    <http://h/sparql> a sd:Service ; sd:endpoint <http://h/sparql> ;
        sd:supportedLanguage sd:SPARQL11Query ;
        sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON> ;
        sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ;
            sd:namedGraph [ a sd:NamedGraph ; sd:name <http://g> ; sd:graph [ a sd:Graph ] ] ] .
    """
    assert http.schema_problems(Graph().parse(data=good, format="turtle"), "http://h/sparql") == []
    for old, new in [
        ("sd:name <http://g>", 'sd:name "g"'),  # a name is an IRI
        ("sd:name <http://g> ;", ""),  # a named graph has a name
        ("a sd:Dataset ;", ""),  # the dataset is typed
        ("sd:SPARQL11Query", "sd:SPARQL12Query"),  # no such term
        ("sd:endpoint <http://h/sparql>", "sd:endpoint <http://other/sparql>"),
        ("sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON> ;", ""),
    ]:
        assert old in good
        graph = Graph().parse(data=good.replace(old, new), format="turtle")
        assert http.schema_problems(graph, "http://h/sparql"), (old, new)
