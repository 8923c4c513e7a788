"""Virtuoso, the README's second real store: its documented steps, run against a real
``virtuoso-t`` (Debian's ``virtuoso-opensource``, with its packaged configuration) on
127.0.0.1, started once for the module and stopped after it (tests/virtuoso_server.py).

The steps are the README's: push every graph with the ``dba`` user's Digest credentials to the
``-auth`` endpoints; push again; push graph by graph; query the store and serve it with
``--store remote:URL`` and ``store_layout=virtuoso``; then let the anonymous user write and
push to the plain endpoints. Virtuoso holds every graph exactly as we do (even the derived
integer types Oxigraph narrows). The module skips where Virtuoso is not installed."""

from __future__ import annotations

import json
import os
import urllib.request
from urllib.parse import urlencode

import pytest
from benchmarks.virtuoso import PASSWORD, Virtuoso
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from browser import FILMGRAPH_SERVE, serving
from filmgraph import open_store
from filmgraph.core.errors import QueryError
from filmgraph.core.namespaces import GRAPHS
from filmgraph.query import to_rdflib
from filmgraph.query.named import load_queries
from filmgraph.store import RdflibEngine
from filmgraph.store.remote.client import RemoteStore, endpoints
from filmgraph.store.remote.engine import RemoteEngine
from oxigraph_server import rows
from store_cases import DATASET_CASES, LOCAL_QUERIES, anonymous

pytestmark = pytest.mark.slow

EX = "http://example.org/"
OTHER = EX + "theirs"  # a graph of the store that is not ours
STALE = (URIRef(EX + "old"), URIRef(EX + "version"), Literal("previous"))
DBA = {"FILMGRAPH_PUSH_PASSWORD": PASSWORD}
# A SELECT of 117 x 1,409 rows: more than Virtuoso's packaged ResultSetMaxRows (10,000).
CROSS = (
    f"SELECT * WHERE {{ GRAPH <{GRAPHS['inferred']}> {{ ?a ?b ?c }} "
    f"GRAPH <{GRAPHS['provenance']}> {{ ?s ?p ?o }} }}"
)


def _dba(server: Virtuoso) -> RemoteStore:
    """The store as the README's first push reaches it: dba's credentials, -auth endpoints."""
    return RemoteStore(
        endpoints(server.url, layout="virtuoso"), timeout=30, user="dba", password=PASSWORD
    )


def _ours(store: RemoteStore) -> set[str]:
    """The store's graphs that are filmgraph's (Virtuoso holds graphs of its own)."""
    return {g for g in store.graph_names() if "filmgraph" in g}


def _holds_ours(store: RemoteStore, dataset, names=GRAPHS) -> None:
    for name in names:
        iri = GRAPHS[name]
        assert isomorphic(store.get(str(iri)), dataset.graph(iri)), name  # exactly


@pytest.fixture(scope="module")
def pushed(virtuoso: Virtuoso, dataset) -> Virtuoso:
    """The server once the README's first command has pushed every graph, with one graph
    that is not ours beside them."""
    from filmgraph.store.remote.pushing import push

    store = _dba(virtuoso)
    assert push(dataset, store, ["all"]).ok
    theirs = Graph()
    theirs.add((URIRef(EX + "s"), URIRef(EX + "p"), Literal("not ours")))
    store.put(OTHER, theirs)
    return virtuoso


# ---------------------------------------------------------------- the push


def test_the_readme_push_with_dba_credentials(virtuoso, dataset, push_cli):
    done = push_cli(
        "--layout", "virtuoso", "--to", virtuoso.url, "--user", "dba", "--graphs", "all", env=DBA
    )
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0] == (
        f"pushed to {virtuoso.url}/sparql-graph-crud-auth "
        "(staged, then swapped in by one SPARQL Update)"
    )
    assert lines[-2].endswith("every count matches")
    assert lines[-1].startswith("note: this store cannot give two graphs one blank node")
    store = _dba(virtuoso)
    _holds_ours(store, dataset)
    assert _ours(store) == {str(iri) for iri in GRAPHS.values()}  # no staging graph left
    # the README's check: the anonymous endpoint lists the graphs with the pushed counts
    check = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        'FILTER(STRSTARTS(STR(?g), "https://w3id.org/filmgraph/graph/")) } GROUP BY ?g'
    )
    anonymous_store = RemoteStore(endpoints(virtuoso.url, layout="virtuoso"), timeout=30)
    counted = {row["g"]: int(row["n"]) for row in anonymous_store.select(check)}
    assert counted == {str(iri): len(dataset.graph(iri)) for iri in GRAPHS.values()}
    for name, iri in GRAPHS.items():  # before, sent, after
        sent = str(len(dataset.graph(iri)))
        assert [name, "0", sent, sent, "replaced"] in [line.split() for line in lines]


def test_without_credentials_nothing_is_replaced(virtuoso, dataset, push_cli):
    store = _dba(virtuoso)
    before = store.counts(str(iri) for iri in GRAPHS.values())
    done = push_cli("--layout", "virtuoso", "--to", virtuoso.url, "--graphs", "all")
    assert done.exit_code == 1
    assert f"{virtuoso.url}/sparql-graph-crud-auth" in done.output and "401" in done.output
    assert "Traceback" not in done.output
    assert store.counts(before) == before
    _holds_ours(store, dataset)


def test_pushing_again_replaces_and_leaves_other_graphs(pushed, dataset, push_cli):
    store = _dba(pushed)
    stale = Graph()
    stale.add(STALE)
    triples = stale.serialize(format="nt")  # a triple our build no longer has
    store.update(f"INSERT DATA {{ GRAPH <{GRAPHS['asserted']}> {{ {triples} }} }}")
    assert STALE in store.get(str(GRAPHS["asserted"]))
    done = push_cli("--layout", "virtuoso", "--to", pushed.url, "--user", "dba", env=DBA)
    assert done.exit_code == 0, done.output
    assert STALE not in store.get(str(GRAPHS["asserted"]))  # replaced, not merged
    _holds_ours(store, dataset)
    assert len(store.get(OTHER)) == 1  # not ours: untouched


def test_graph_by_graph(pushed, dataset, push_cli):
    done = push_cli(
        "--layout", "virtuoso", "--to", pushed.url, "--user", "dba", "--no-update", env=DBA
    )
    assert done.exit_code == 0, done.output
    assert "every count matches" in done.output
    _holds_ours(_dba(pushed), dataset)


# ---------------------------------------------------------------- queries over the store


@pytest.fixture(scope="module")
def engines(pushed, dataset, settings):
    remote = open_store(
        settings.with_(store=f"remote:{pushed.url}", store_layout="virtuoso", store_timeout=30.0)
    )
    return RdflibEngine(dataset), remote.engine()


def test_the_engine_serves_our_graphs_only(engines):
    _, remote = engines
    assert set(remote.held) == set(GRAPHS.values())
    assert remote.store.endpoints.query.endswith("/sparql")


@pytest.mark.parametrize("name", LOCAL_QUERIES)
def test_every_competency_question_gets_the_same_answer(engines, settings, name):
    text = load_queries(settings.queries_dir)[name].text
    memory, remote = (engine.run(text) for engine in engines)
    assert remote.kind == memory.kind
    assert rows(remote) == rows(memory)


def _overridden(query: str, default, named) -> bool:
    """The query has a FROM / FROM NAMED of its own and the protocol's dataset too."""
    return " FROM " in query and (default is not None or named is not None)


# Where Virtuoso 7.2 answers otherwise than the SPARQL 1.1 spec (the README lists these).
DEVIATIONS = {"SELECT ?g WHERE { GRAPH ?g { } }", "DESCRIBE fgid:closeness"}
SAME = [case for case in DATASET_CASES if case[0] not in DEVIATIONS and not _overridden(*case)]


@pytest.mark.parametrize(("query", "default", "named"), SAME)
def test_the_dataset_a_query_sees_is_the_same(engines, query, default, named):
    memory, remote = (engine.run(query, default, named) for engine in engines)
    assert remote.kind == memory.kind
    assert anonymous(remote) == anonymous(memory)


@pytest.mark.parametrize(
    ("query", "default", "named"), [case for case in DATASET_CASES if _overridden(*case)]
)
def test_a_from_the_protocol_overrides_is_refused(engines, query, default, named):
    """Virtuoso lets the query's FROM win over the protocol's dataset: refused, not answered
    over another dataset than the protocol chose. Either one alone is answered."""
    memory, remote = engines
    with pytest.raises(QueryError, match="give the dataset one way"):
        remote.run(query, default, named)
    assert anonymous(remote.run(query)) == anonymous(memory.run(query))


def test_virtuoso_finds_no_graph_for_an_empty_group(engines):
    """SPARQL 1.1 binds ?g to each named graph in ``GRAPH ?g {}``; Virtuoso 7.2 to none."""
    memory, remote = engines
    query = "SELECT ?g WHERE { GRAPH ?g { } }"
    assert len(memory.run(query)) == len(GRAPHS) and len(remote.run(query)) == 0
    assert len(remote.run("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")) == len(GRAPHS)


def test_virtuoso_describes_more(engines, dataset):
    """DESCRIBE is the store's own (SPARQL 1.1, 16.4). Virtuoso's holds rdflib's (the triples
    whose subject is the resource, in the default graph) and those that point at it, from
    every graph the query sees, ours alone."""
    memory, remote = (engine.run("DESCRIBE fgid:closeness") for engine in engines)
    ours, theirs = set(memory.result.graph), set(remote.result.graph)
    closeness = URIRef("https://w3id.org/filmgraph/id/closeness")
    assert ours < theirs
    assert all(closeness in (s, o) for s, _, o in theirs)
    assert all(any(t in dataset.graph(iri) for iri in GRAPHS.values()) for t in theirs)


def test_a_cut_by_the_store_is_said(engines):
    """Virtuoso's packaged configuration cuts a SELECT answer at 10,000 rows and says so only
    in a header (X-SPARQL-MaxRows): the answer says it is cut, even under our own row cap."""
    _, remote = engines
    store = remote.store
    wide = RemoteEngine(store, graphs=remote.held, max_rows=50_000)
    cut = wide.run(CROSS)
    assert len(cut) == 10_000 and cut.truncated
    capped = RemoteEngine(store, graphs=remote.held, max_rows=10_000).run(CROSS)
    assert len(capped) == 10_000 and capped.truncated
    whole = wide.run("SELECT * WHERE { ?s a schema:Movie }")
    assert len(whole) == 2 and not whole.truncated


class _Counted(RemoteStore):
    """The store's client, counting the CONSTRUCT queries it sends."""

    sent: list[str]

    def construct(self, text, default_graphs=(), named_graphs=()):
        self.sent.append(text)
        return super().construct(text, default_graphs, named_graphs)


@pytest.fixture(scope="module")
def big(pushed):
    """A graph of 15,200 triples in the store (removed after): 14,000 of one predicate on
    named subjects, 600 of it on blank nodes, 600 of another predicate. Put in one request
    of 1.1 MB to the Digest endpoint: the credentials go ahead of the body (a HEAD learns
    the challenge first), so the body is sent once and Virtuoso never answers 401 while
    reading it (which closed the connection under it: a broken pipe on a busy machine)."""
    iri = URIRef(EX + "big")
    graph = Graph(identifier=iri)
    for n in range(14_000):
        graph.add((URIRef(f"{EX}film/{n}"), URIRef(EX + "title"), Literal(f"Film {n}")))
    for n in range(600):
        graph.add((URIRef(f"{EX}film/{n}"), URIRef(EX + "year"), Literal(1900 + n % 120)))
        graph.add((BNode(f"b{n}"), URIRef(EX + "title"), Literal(f"Untitled {n}")))
    store = _dba(pushed)
    store.put(str(iri), graph)
    yield graph
    store.update(f"DROP SILENT GRAPH <{iri}>")


def _scanned(pushed, graph, limit):
    """The triples of ``graph`` a scan reads with the answer limit ``limit``, and the
    CONSTRUCT queries it sent."""
    from filmgraph.store.remote.scan import scan

    urls = endpoints(pushed.url, layout="virtuoso", answer_limit=limit)
    counted = _Counted(urls, timeout=30, user="dba", password=PASSWORD)
    counted.sent = []
    found = scan(counted, graph.identifier, (None, None, None))
    return [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in found], (
        counted.sent
    )


def test_a_graph_larger_than_the_store_answers_is_scanned_in_parts(big, pushed):
    """With the store's limit (the packaged ResultSetMaxRows, 10,000) a scan of a larger
    graph is read by predicate, and a predicate over it by the first hex digits of its
    subjects' MD5, its blank-node subjects apart: each triple once."""
    read, sent = _scanned(pushed, big, 10_000)
    assert len(read) == len(set(read)) == len(big) == 15_200  # each triple once
    named = {t for t in big if not isinstance(t[0], BNode)}
    assert {t for t in read if not isinstance(t[0], BNode)} == named
    blanks = [t for t in read if isinstance(t[0], BNode)]
    assert len(blanks) == 600 and len({t[0] for t in blanks}) == 600
    # year whole; title's blank-node subjects, then its 16 first hex digits of MD5 (912 of
    # its 14,000 named subjects each) in parts of up to 5 (half the limit): 4 parts
    assert len(sent) == 1 + 1 + 4 and sum("MD5" in text for text in sent) == 4
    assert any('IN ("0", "1", "2", "3", "4"))' in text for text in sent)


def test_a_scan_the_store_cuts_without_a_word_is_an_error(big, pushed):
    """Virtuoso cuts a CONSTRUCT at ResultSetMaxRows + 1 triples and says nothing: with a
    limit above the store's, the scan fails saying so, never a shorter graph."""
    from filmgraph.core.errors import UpstreamError

    with pytest.raises(UpstreamError, match=r"gave 10,001 of the 15,200 triples .*ResultSetMax"):
        _scanned(pushed, big, 0)  # the layout's: 1,000,000


# ---------------------------------------------------------------- `filmgraph serve`


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.status, answer.read().decode()


def test_serve_over_virtuoso(pushed, tmp_path):
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    env = {
        **os.environ,
        "FILMGRAPH_ROOT": str(empty),
        "FILMGRAPH_BUILD_DIR": str(empty / "build"),
        "FILMGRAPH_STORE": f"remote:{pushed.url}",
        "FILMGRAPH_STORE_LAYOUT": "virtuoso",
    }
    with serving(FILMGRAPH_SERVE, env, empty, empty / "stderr.log") as (_, base):
        query = "SELECT ?n WHERE { fgid:closeness schema:name ?n }"
        status, body = _get(f"{base}/sparql?{urlencode({'query': query})}")
        assert status == 200
        assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "Closeness"
        status, body = _get(f"{base}/page/kantemir-balagov")
        assert status == 200 and "Kantemir Balagov" in body
        status, body = _get(f"{base}/page/")  # the types, their capped counts, their pages
        assert status == 200 and "Kantemir Balagov" in body and "Movie" in body
        status, body = _get(f"{base}/page/?q=cannes")  # a search: found, then named
        assert status == 200 and "Cannes Film Festival" in body, body[-2000:]
        status, body = _get(f"{base}/page/?type=schema:Person&q=k&limit=2")
        assert status == 200 and "Aleksandr Sokurov" in body and 'rel="next"' in body
    assert not (empty / "build").exists()  # nothing was built


# ---------------------------------------------------------------- the anonymous grant


def test_the_anonymous_grant_and_the_plain_endpoints(pushed, dataset, push_cli):
    """The README's second way: grant SPARQL_UPDATE to the anonymous user, then push to
    /sparql and /sparql-graph-crud without credentials. Last: it opens the store to anyone."""
    plain = ["--update", f"{pushed.url}/sparql", "--gsp", f"{pushed.url}/sparql-graph-crud"]
    refused = push_cli("--layout", "virtuoso", "--to", pushed.url, *plain)
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    pushed.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
    done = push_cli("--layout", "virtuoso", "--to", pushed.url, *plain)
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[0].startswith(f"pushed to {pushed.url}/sparql-graph-crud ")
    _holds_ours(_dba(pushed), dataset)
