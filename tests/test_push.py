"""`filmgraph push` against a real Oxigraph server (the `oxigraph` binary of the dev extra),
started on 127.0.0.1 for each test and stopped after it. Failures are made by a small
forwarding proxy in front of it that answers 500, drops the connection, or stops the server
at a chosen request. The server and the proxy are the fixtures of tests/oxigraph_server.py."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import OWL, XSD

from filmgraph import Settings
from filmgraph.core.errors import PushError, SettingError
from filmgraph.core.namespaces import GRAPHS
from filmgraph.store.remote.client import Endpoints, RemoteStore, endpoints
from filmgraph.store.remote.pushing import DEFAULT_PUSH, push
from oxigraph_server import DERIVED, HOST, as_oxigraph_holds, authorised, free_port

pytestmark = pytest.mark.slow

EX = "http://example.org/"
MARK = (URIRef(EX + "old"), URIRef(EX + "version"), Literal("previous"))


def _same(held: Graph, ours: Graph) -> bool:
    """The store holds our graph: isomorphic (blank nodes!) up to Oxigraph's integer types."""
    return isomorphic(held, as_oxigraph_holds(ours))


def _mark_previous(store: RemoteStore, names=DEFAULT_PUSH) -> None:
    """Give each target graph a recognisable previous version: one triple."""
    previous = Graph()
    previous.add(MARK)
    for name in names:
        store.put(str(GRAPHS[name]), previous)


def _is_previous(store: RemoteStore, name: str) -> bool:
    held = store.get(str(GRAPHS[name]))
    return len(held) == 1 and MARK in held


# ---------------------------------------------------------------- endpoints


@pytest.mark.parametrize(
    ("base", "layout", "query", "update", "gsp"),
    [
        ("http://h:7878", "oxigraph", "/query", "/update", "/store"),
        ("http://h:3030/ds/", "fuseki", "/ds/sparql", "/ds/update", "/ds/data"),
        ("http://h:8890", "virtuoso", "/sparql", "/sparql-auth", "/sparql-graph-crud-auth"),
    ],
)
def test_endpoints_follow_the_layout(base, layout, query, update, gsp):
    root = "http://" + urlsplit(base).netloc
    wins = layout == "virtuoso"  # a query's FROM wins over the protocol's dataset there
    found = endpoints(base, layout)
    limit = 1_000_000 if layout == "virtuoso" else None  # its MaxVectorSize: scans in parts
    assert found == Endpoints(root + query, root + gsp, root + update, wins, not wins, limit)


def test_endpoints_given_explicitly_win():
    urls = endpoints("http://h:8890", "virtuoso", gsp="http://h:8890/sparql-graph-crud")
    assert urls.gsp == "http://h:8890/sparql-graph-crud" and urls.query == "http://h:8890/sparql"
    alone = endpoints(query="http://q/sparql", gsp="http://q/data", use_update=False)
    assert alone == Endpoints("http://q/sparql", "http://q/data", None)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base": "localhost:7878"}, "--to: not an http(s) URL: 'localhost:7878'"),
        ({"base": "ftp://h/x"}, "not an http(s) URL"),
        ({"gsp": "http://h/store"}, "give --to, or --query"),
        ({"base": "http://h", "layout": "jena"}, "no store layout 'jena'"),
    ],
)
def test_bad_endpoints_are_refused(kwargs, message):
    with pytest.raises(SettingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        endpoints(**kwargs)


# ---------------------------------------------------------------- the push


@pytest.mark.parametrize("mode", [[], ["--no-update"]], ids=["staged", "graph-by-graph"])
def test_the_store_holds_our_graphs(oxigraph, dataset, push_cli, mode):
    result = push_cli("--to", oxigraph.url, "--graphs", "all", *mode)
    assert result.exit_code == 0, result.output
    assert "every count matches" in result.output
    store = oxigraph.store()
    for name, iri in GRAPHS.items():  # ontology's anonymous axioms: blank nodes
        held = store.get(str(iri))
        assert _same(held, dataset.graph(iri)), name
        _, theirs, ours = graph_diff(to_isomorphic(held), to_isomorphic(dataset.graph(iri)))
        assert {o.datatype for _, _, o in ours} <= DERIVED, name  # the only difference
        assert {o.datatype for _, _, o in theirs} <= {XSD.integer}, name
    assert store.graph_names() == {str(iri) for iri in GRAPHS.values()}  # no staging left


@pytest.mark.parametrize("mode", [[], ["--no-update"]], ids=["staged", "graph-by-graph"])
def test_graphs_share_the_ontologys_blank_nodes_when_staged(oxigraph, push_cli, mode):
    """An inferred membership of a restriction class names the ontology's restriction in
    the store as in the build (a PUT per graph would make it a blank node of its own)."""
    assert push_cli("--to", oxigraph.url, "--graphs", "all", *mode).exit_code == 0
    shared = f"""ASK {{
      GRAPH <{GRAPHS["inferred"]}> {{ ?who a ?restriction }}
      GRAPH <{GRAPHS["ontology"]}> {{ ?restriction <{OWL.onProperty}> ?p }}
    }}"""
    answer = oxigraph.store().query(shared, "application/sparql-results+json")
    assert json.loads(answer.body)["boolean"] is (not mode)


def test_default_graphs_and_report(oxigraph, dataset, push_cli):
    result = push_cli("--to", oxigraph.url)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        lines[0] == f"pushed to {oxigraph.url}/store (staged, then swapped in by one SPARQL Update)"
    )
    for name in DEFAULT_PUSH:
        sent = len(dataset.graph(GRAPHS[name]))
        assert any(line.split() == [name, "0", str(sent), str(sent), "replaced"] for line in lines)
    assert oxigraph.store().graph_names() == {str(GRAPHS[n]) for n in DEFAULT_PUSH}


def test_pushing_twice_changes_nothing(oxigraph, dataset, push_cli):
    assert push_cli("--to", oxigraph.url).exit_code == 0
    store = oxigraph.store()
    first = store.counts(str(GRAPHS[n]) for n in DEFAULT_PUSH)
    again = push_cli("--to", oxigraph.url)
    assert again.exit_code == 0, again.output
    assert store.counts(first) == first
    for name in DEFAULT_PUSH:
        iri = GRAPHS[name]
        assert _same(store.get(str(iri)), dataset.graph(iri))  # no duplicate blank nodes
        assert f"{name:<12}{first[str(iri)]:>8}" in again.output  # "before" = first push


def test_push_replaces_and_leaves_other_graphs_alone(oxigraph, dataset, push_cli):
    store = oxigraph.store()
    stale = Graph()
    stale.add((URIRef(EX + "stale"), URIRef(EX + "p"), Literal("gone after the push")))
    store.put(str(GRAPHS["asserted"]), dataset.graph(GRAPHS["asserted"]))
    store.update(
        f"INSERT DATA {{ GRAPH <{GRAPHS['asserted']}> {{ {stale.serialize(format='nt')} }} }}"
    )
    other = Graph()
    other.add((URIRef(EX + "s"), URIRef(EX + "p"), Literal("theirs")))
    store.put(EX + "other", other)
    store.put(str(GRAPHS["wikidata"]), other)  # one of ours, but not pushed
    store.update(f"INSERT DATA {{ <{EX}d> <{EX}p> <{EX}o> }}")  # the default graph
    result = push_cli("--to", oxigraph.url)
    assert result.exit_code == 0, result.output
    held = store.get(str(GRAPHS["asserted"]))
    assert _same(held, dataset.graph(GRAPHS["asserted"]))
    assert (URIRef(EX + "stale"), None, None) not in held
    assert isomorphic(store.get(EX + "other"), other)
    assert isomorphic(store.get(str(GRAPHS["wikidata"])), other)
    rows = store.select(f"SELECT ?o WHERE {{ <{EX}d> <{EX}p> ?o }}")
    assert rows == [{"o": EX + "o"}]


# ---------------------------------------------------------------- failures


def test_failed_upload_replaces_nothing(oxigraph, proxy, push_cli):
    store = oxigraph.store()
    _mark_previous(store)
    proxy.rule = lambda method, path, body: (
        500 if method == "PUT" and "provenance" in path else None
    )
    # only the Graph Store goes through the proxy; queries and updates reach the store
    direct = ["--query", oxigraph.url + "/query", "--update", oxigraph.url + "/update"]
    result = push_cli("--gsp", proxy.url + "/store", *direct)
    assert result.exit_code == 1
    message = result.output
    assert "push failed while uploading, before any graph was replaced" in message
    assert "(HTTP 500): PUT refused: Internal Server Error: the proxy says no" in message
    for name in DEFAULT_PUSH:
        assert f"  {name}: previous version kept (1 triple)" in message
        assert _is_previous(store, name)
    assert "staging graphs removed" in message
    assert store.graph_names() == {str(GRAPHS[n]) for n in DEFAULT_PUSH}
    assert "Traceback" not in message


def test_failed_swap_replaces_nothing(oxigraph, proxy, push_cli):
    store = oxigraph.store()
    _mark_previous(store)
    proxy.rule = lambda method, path, body: 500 if b"MOVE" in body else None
    result = push_cli("--to", proxy.url)
    assert result.exit_code == 1
    assert "push failed while swapping the graphs in" in result.output
    for name in DEFAULT_PUSH:
        assert f"  {name}: previous version kept (1 triple)" in result.output
        assert _is_previous(store, name)
    assert store.graph_names() == {str(GRAPHS[n]) for n in DEFAULT_PUSH}


def test_short_upload_is_caught_before_the_swap(oxigraph, proxy, push_cli):
    store = oxigraph.store()
    _mark_previous(store)

    def truncate(method: str, path: str, body: bytes):
        if method == "PUT" and "inferred" in path:
            return b"\n".join(body.splitlines()[1:])  # one triple lost on the way
        return None

    proxy.rule = truncate
    result = push_cli("--to", proxy.url)
    assert result.exit_code == 1
    assert "push failed while checking the upload" in result.output
    assert "the store holds too few triples: inferred (" in result.output
    assert all(_is_previous(store, name) for name in DEFAULT_PUSH)


def test_a_count_that_differs_exits_1(oxigraph, proxy, push_cli, dataset):
    def truncate(method: str, path: str, body: bytes):
        if method == "PUT" and "inferred" in path:
            return b"\n".join(body.splitlines()[1:])
        return None

    proxy.rule = truncate
    result = push_cli("--to", proxy.url, "--no-update")
    assert result.exit_code == 1
    sent = len(dataset.graph(GRAPHS["inferred"]))
    row = (
        f"inferred           0 {sent:>7} {sent - 1:>7}  replaced, "
        f"but the store holds {sent - 1} triples, not {sent}"
    )
    assert row in result.output.splitlines()
    assert "every count matches" not in result.output


def test_failure_graph_by_graph_says_what_was_replaced(oxigraph, proxy, dataset, push_cli):
    store = oxigraph.store()
    _mark_previous(store)
    proxy.rule = lambda method, path, body: (
        500 if method == "PUT" and "provenance" in path else None
    )
    result = push_cli("--to", proxy.url, "--no-update")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("Error: push failed at provenance: ")
    assert lines[1:5] == [
        "  asserted: replaced",
        "  inferred: replaced",
        "  provenance: failed (the store now holds 1 triple in it, we sent "
        f"{len(dataset.graph(GRAPHS['provenance']))})",
        "  links: not attempted, previous version kept (1 triple)",
    ]
    assert _same(store.get(str(GRAPHS["asserted"])), dataset.graph(GRAPHS["asserted"]))
    assert _is_previous(store, "provenance") and _is_previous(store, "links")


def test_server_stopped_mid_push(oxigraph, proxy, dataset):
    """The store dies during the third PUT: the report says what is known, and a restarted
    store on the same folder holds exactly that."""
    store = oxigraph.store()
    _mark_previous(store)

    def die(method: str, path: str, body: bytes):
        if method == "PUT" and "provenance" in path:
            oxigraph.stop()
            return "drop"
        return None

    proxy.rule = die
    through = RemoteStore(Endpoints(oxigraph.url + "/query", proxy.url + "/store", None), timeout=5)
    started = time.monotonic()
    with pytest.raises(PushError) as failed:
        push(dataset, through)
    assert time.monotonic() - started < 10
    message = str(failed.value)
    assert message.startswith("push failed at provenance: ")
    assert "connection failed" in message
    assert "  asserted: replaced\n  inferred: replaced\n" in message
    assert "  provenance: failed (the store did not answer a count: its content is unknown)\n" in (
        message
    )
    assert message.endswith("  links: not attempted, previous version kept (1 triple)")
    oxigraph.start()
    store = oxigraph.store()
    for name in ("asserted", "inferred"):
        assert _same(store.get(str(GRAPHS[name])), dataset.graph(GRAPHS[name]))
    assert _is_previous(store, "provenance") and _is_previous(store, "links")


def test_unreachable_store_sends_nothing(push_cli):
    result = push_cli("--to", f"http://{HOST}:{free_port()}")
    assert result.exit_code == 1
    assert result.output.startswith("Error: nothing was sent: the store did not answer a count: ")
    assert "/query: POST: cannot connect: " in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "localhost:7878"], "Error: --to: not an http(s) URL: 'localhost:7878'"),
        ([], "Error: no store to push to: give --to, or --query and --gsp"),
        (["--to", "http://h", "--graphs", "asserted,films"], "Error: no graph named 'films'"),
    ],
)
def test_bad_arguments_are_one_line(push_cli, args, message):
    result = push_cli(*args)
    assert result.exit_code == 1
    assert result.output.startswith(message), result.output


def test_wrong_endpoint_path_names_url_and_status(oxigraph, push_cli):
    result = push_cli("--to", oxigraph.url, "--query", oxigraph.url + "/nothing-here")
    assert result.exit_code == 1
    assert f"{oxigraph.url}/nothing-here (HTTP 404): POST refused: Not Found" in result.output


def test_a_silent_store_times_out(push_cli):
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind((HOST, 0))
        silent.listen()
        url = f"http://{HOST}:{silent.getsockname()[1]}"
        started = time.monotonic()
        result = push_cli("--to", url, env={"FILMGRAPH_PUSH_TIMEOUT": "0.5"})
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert "POST: no answer within 0.5 s" in result.output


@pytest.mark.parametrize("scheme", ["Basic", "Digest"])
def test_credentials_are_given_when_asked(oxigraph, proxy, push_cli, scheme):
    """The password comes from the environment; the store's challenge picks the scheme,
    learned before any body is sent: every upload and query goes once, with credentials."""
    proxy.require = scheme
    refused = push_cli("--to", proxy.url)
    assert refused.exit_code == 1
    assert "(HTTP 401)" in refused.output
    before = len(proxy.seen)
    result = push_cli(
        "--to", proxy.url, "--user", "pusher", env={"FILMGRAPH_PUSH_PASSWORD": "s3cret"}
    )
    assert result.exit_code == 0, result.output
    sent = list(zip(proxy.seen, proxy.authorizations, strict=True))[before:]
    # the proxy answers HEAD 501 (not implemented): a GET learns the challenge, once
    (first, _), said = sent[0]
    assert first == "GET" and not authorised(said, scheme)
    assert {method for (method, _), _ in sent[1:]} >= {"POST", "PUT"}
    assert all(authorised(said, scheme) for _, said in sent[1:])
    assert "s3cret" not in repr(Settings(push_password="s3cret"))
