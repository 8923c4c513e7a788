"""Memory and stack limits of the query workers (issue 22): a query that needs more memory
than a worker may use gets a 503 naming the limit, on every store, and the workers answer
again; a long string within the limit is answered; deep nesting and long chains never kill
a worker (Oxigraph's Rust code overflowed the worker's stack: a dead worker, 503).

The workers run under 1024 MB here: a worker holds some 150 MB of address space once its
Oxigraph store is open (100 MB on the memory store), and a limit that leaves less than
128 MB beside that is refused (:func:`test_a_limit_that_leaves_no_room_refuses_to_start`)."""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest

from filmgraph.core import UnavailableError
from filmgraph.query import read_long_rows, to_rdflib
from filmgraph.serve import WorkerOptions, WorkerPool
from filmgraph.web import create_app, state

pytestmark = pytest.mark.every_store

MEMORY_MB = 1024  # room for the 300 MB stack of a 100,000-character query
QUICK = "ASK { fgid:kantemir-balagov a schema:Person }"
NAMED = (
    f"the query needed more than the worker's memory limit of {MEMORY_MB} MB "
    "(setting worker_memory, env FILMGRAPH_WORKER_MEMORY)"
)


def doubled(times: int, seed: str = "x" * 40) -> tuple[str, str]:
    """(the SPARQL expression chain binding ?sN to ``seed`` doubled ``times`` times, ?sN)."""
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(times))
    return f'BIND("{seed}" AS ?s0) {binds}', f"?s{times}"


def group_concat(rows: int, times: int) -> str:
    """A GROUP_CONCAT of ``rows`` strings of 40 * 2**times characters."""
    binds = " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(times))
    values = " ".join(str(i) for i in range(rows))
    return (
        f"SELECT (STRLEN(GROUP_CONCAT(?s{times})) AS ?n) WHERE {{ VALUES ?i {{ {values} }} "
        f'BIND(CONCAT("{"x" * 39}", STR(?i)) AS ?s0) {binds} }}'
    )


# 40 * 2**25 characters: 1.3 GB, past the limit on every store.
CHAIN, LAST = doubled(25)
TOO_LARGE = {
    "string doubling": f"SELECT (STRLEN({LAST}) AS ?n) WHERE {{ {CHAIN} }}",
    "GROUP_CONCAT": group_concat(40, 20),  # 40 strings of 42 MB
}


@pytest.fixture(scope="module")
def limited(store_settings, backend):
    limits = {"worker_memory": MEMORY_MB, "workers": 1, "query_timeout": 60.0}
    app = create_app(store_settings.with_(**limits, result_cache=0), backend)
    state(app).pool.start()
    yield app
    state(app).close()


def _all_alive(pool: WorkerPool) -> bool:
    """Whether every regular worker is back and idle within a minute (a query sent while
    one restarts would take the reserve lane, with its 2 s limit)."""
    deadline = time.monotonic() + 60
    while len(pool._idle) < pool.size and time.monotonic() < deadline:
        time.sleep(0.1)
    return pool.alive() == pool.size and len(pool._idle) == pool.size


@pytest.mark.parametrize("case", TOO_LARGE)
def test_a_query_past_the_memory_limit_is_a_503_naming_it(limited, case):
    client = limited.test_client()
    response = client.get("/sparql", query_string={"query": TOO_LARGE[case]})
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.get_data(as_text=True).strip() == NAMED
    # The worker that ran it is replaced, and answers again.
    assert _all_alive(state(limited).pool)
    quick = client.get("/sparql", query_string={"query": QUICK})
    assert quick.status_code == 200 and quick.json["boolean"] is True


@pytest.mark.every_store(remote=True)
@pytest.mark.parametrize("fmt", ["application/sparql-results+json", "text/csv"])
def test_a_long_string_within_the_limit_is_answered(limited, fmt):
    # 40 * 2**19 characters (21 MB): longer than a line Oxigraph's TSV reader holds (16 MiB),
    # and than a value its JSON reader holds (8 MiB: a remote store's answer).
    chain, last = doubled(19)
    query = f"SELECT {last} (STRLEN({last}) AS ?n) WHERE {{ {chain} }}"
    client = limited.test_client()
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": fmt})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    if fmt == "text/csv":
        header, row = response.get_data(as_text=True).splitlines()
        assert header == f"{last[1:]},n"
        assert row == "x" * (40 << 19) + f",{40 << 19}"
    else:
        (binding,) = response.json["results"]["bindings"]
        assert binding[last[1:]]["value"] == "x" * (40 << 19)


DEEP = {
    "1+1+...+1 ten thousand times": "SELECT ((" + "+".join(["1"] * 10_000) + ") AS ?n) {}",
    "30,000 nested parentheses": "SELECT (" + "(" * 30_000 + "1" + ")" * 30_000 + " AS ?n) {}",
    "49,000 nested groups": "ASK " + "{" * 49_000 + "}" * 49_000,
}


@pytest.mark.parametrize("case", DEEP)
def test_deep_nesting_and_long_chains_never_kill_a_worker(limited, store, case):
    pool = state(limited).pool
    restarts = pool.restarts
    client = limited.test_client()
    response = client.post("/sparql", data=DEEP[case], content_type="application/sparql-query")
    text = response.get_data(as_text=True)
    if store == "oxigraph":  # Oxigraph answers them (on a stack that holds them)
        assert response.status_code == 200, text
    else:  # rdflib answers the chain, and says its parser stops the nesting
        assert response.status_code in (200, 501), text
        assert response.status_code == 200 or "recursion" in text
    assert pool.restarts == restarts
    assert client.get("/sparql", query_string={"query": QUICK}).status_code == 200


def test_a_limit_that_leaves_no_room_refuses_to_start(backend):
    pool = WorkerPool(backend.spec(), size=1, reserve=0, options=WorkerOptions(memory_mb=64))
    try:
        with pytest.raises(UnavailableError, match="worker_memory: 64 MB leaves no room"):
            pool.start()
    finally:
        pool.close()


@pytest.mark.parametrize("longest", [1 << 30, 40, 5])
def test_rows_too_long_for_oxigraphs_reader_are_read_back_whole(longest):
    # Every kind of value Oxigraph writes in TSV, read back by read_long_rows as Oxigraph's
    # own reader reads it, whichever values are "long" (longer than `longest` bytes).
    query = r"""SELECT ?a ?b ?c ?d WHERE { VALUES (?a ?b ?c ?d) {
      ("tab\tnl\nret\rquote\"back\\slash\\t\\\\x" "x"@en 1 <http://example.org/a>)
      (UNDEF "y"@en--ltr 1.5 "1.0E3"^^<http://www.w3.org/2001/XMLSchema#double>)
      ("é 漢字 \u0001 \\\"" "2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date> true -7)
      (UNDEF UNDEF UNDEF UNDEF)
      ("a long string, past the limit of this test"@fr "0012"^^<http://www.w3.org/2001/XMLSchema#integer>
       "+1"^^<http://www.w3.org/2001/XMLSchema#integer> <http://example.org/a-long-iri-past-the-limit>)
    } }"""
    tsv = ox.QueryResultsFormat.TSV
    data = ox.Store().query(query).serialize(format=tsv)
    expected = [
        {v: to_rdflib(row[v]) for v in "abcd" if row[v] is not None}
        for row in ox.parse_query_results(data, tsv)
    ]
    names, rows = read_long_rows(data, longest)
    assert [str(name) for name in names] == list("abcd")
    assert [{str(k): v for k, v in row.items()} for row in rows] == expected
