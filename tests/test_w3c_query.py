"""The W3C SPARQL 1.1 query evaluation tests (tests/w3c/README.md), through filmgraph's engines.

Every approved evaluation test of the query, federation and result-format manifests
(aggregates ... subquery, service, csv-tsv-res, json-res) runs once per backend: ``memory``
(:class:`~filmgraph.store.memory.RdflibEngine` over an rdflib dataset, the data parsed by
rdflib) and ``oxigraph`` (:class:`~filmgraph.store.oxigraph.OxigraphEngine` over a
pyoxigraph store in memory, the data parsed by Oxigraph). The test's default graph is the
asserted graph and its named graphs keep their names; the engine is asked for that dataset
with the query file's IRI as base (a query with FROM / FROM NAMED chooses its own). Its
``answer.result`` is compared with the expected result (tests/w3c_suite.py), or, for the
result-format tests, its text in that format (``answer.body``).

The tests it fails are listed, each with its cause, in tests/w3c/expected-failures.toml
(``[query.memory]``, ``[query.oxigraph]``), strictly: a listed test that passes fails, as
does an unlisted test that fails. A by-design refusal (SERVICE off the allow-list) must be
the refusal, with the status the list gives. What the list says of plain rdflib and plain
pyoxigraph is checked too. ``python benchmarks/w3c.py`` prints the counts per category.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import w3c_suite as w3c

BACKENDS = ("memory", "oxigraph")
TESTS = w3c.approved(lambda e: e.is_evaluation)
EXPECTED = w3c.expected_failures()["query"]


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest) -> Iterator[dict[tuple[str, str], w3c.Run]]:
    """The runs of this module's tests; their pass counts printed at its end (on the
    terminal, when pytest runs in one process)."""
    done: dict[tuple[str, str], w3c.Run] = {}
    yield done
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    engines = [b for b in BACKENDS if any(key[1] == b for key in done)]
    if reporter is None or capture is None or not engines:
        return
    chosen = [t for t in TESTS if any((t.id, b) in done for b in engines)]
    with capture.global_and_fixture_disabled():
        reporter.write_line("\n\nW3C SPARQL 1.1 evaluation tests passed (tests/w3c):")
        reporter.write_line(w3c.markdown(w3c.counts(chosen, done, engines)))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.id)
def test_w3c_query(test: w3c.Entry, backend: str, runs: dict[tuple[str, str], w3c.Run]) -> None:
    run = w3c.run(test, backend)
    runs[test.id, backend] = run
    w3c.judge(run, EXPECTED[backend].get(test.id), f"{backend}: {test.id}")


def test_the_suite_is_the_one_copied() -> None:
    """The approved tests read from the copy: the evaluation tests of every category of
    the query, federation and result-format manifests (none lost in the copy)."""
    counts = {
        c: sum(t.category == c for t in TESTS) for c in dict.fromkeys(t.category for t in TESTS)
    }
    assert counts == {
        "aggregates": 22,
        "bind": 10,
        "bindings": 10,
        "construct": 4,
        "exists": 5,
        "functions": 57,
        "grouping": 4,
        "negation": 11,
        "project-expression": 7,
        "property-path": 24,
        "subquery": 14,
        "service": 7,
        "csv-tsv-res": 6,
        "json-res": 4,
    }
    assert all(w3c.path_of(t.query or "").exists() for t in TESTS)
    files = [f for t in TESTS for f in (*t.data, *(g for _, g in t.graph_data), t.result or "")]
    assert all(w3c.path_of(f).exists() for f in files)


@pytest.mark.parametrize("kind", ["query", "syntax"])
def test_every_expected_failure_names_an_approved_test_and_says_why(kind: str) -> None:
    tables = w3c.expected_failures()[kind]
    assert set(tables) == set(BACKENDS)
    known = {
        t.id for t in w3c.approved(lambda e: e.is_evaluation if kind == "query" else e.is_syntax)
    }
    for backend, table in tables.items():
        for test_id, entry in table.items():
            assert test_id in known, f"[{kind}.{backend}] {test_id} is no approved {kind} test"
            assert set(entry) <= {"cause", "status", "match", "rdflib", "pyoxigraph"}, entry
            assert entry.get("cause"), f"[{kind}.{backend}] {test_id}: no cause"
            for engine in ("rdflib", "pyoxigraph"):
                assert str(entry.get(engine, "")).startswith(w3c.CLAIMS), (
                    f"[{kind}.{backend}] {test_id}: {engine} = passes, fails or not run ..."
                )


def _listed(kind: str) -> list[tuple[str, str]]:
    tables = w3c.expected_failures()[kind]
    return sorted(
        {
            (test_id, engine)
            for t in tables.values()
            for test_id in t
            for engine in ("rdflib", "pyoxigraph")
        }
    )


@pytest.mark.parametrize(
    ("test_id", "engine"), _listed("query"), ids=[f"{e}:{t}" for t, e in _listed("query")]
)
def test_what_the_list_says_of_the_plain_engines_is_true(test_id: str, engine: str) -> None:
    """For each test filmgraph fails, the list says whether plain rdflib and plain
    pyoxigraph fail it too: it says what they do."""
    w3c.check_claims(EXPECTED, "query", test_id, engine, w3c.run(w3c.by_id()[test_id], engine))


def test_the_comparison_is_strict() -> None:
    """The harness itself: terms by lexical form (a simple literal is an xsd:string), blank
    nodes one to one, rows in order only under ORDER BY (ties interchangeable), graphs by
    isomorphism."""
    integer = "http://www.w3.org/2001/XMLSchema#integer"
    lit, b = w3c.literal, w3c.bnode

    def rows(*found: dict[str, w3c.Term]) -> w3c.Solutions:
        return w3c.Solutions(sorted({k for row in found for k in row}), list(found))

    assert w3c.compare(rows({"x": lit("01", integer)}), rows({"x": lit("1", integer)}))
    assert w3c.compare(rows({"x": lit("a", lang="EN")}), rows({"x": lit("a", lang="en")})) is None
    assert w3c.compare(rows({"x": lit("a")}), rows({"x": lit("a", w3c._STRING)})) is None
    assert w3c.compare(rows({"x": lit("a")}), rows({"x": lit("a", lang="en")}))
    assert w3c.compare(rows({"x": lit("1")}), rows({"x": lit("1", integer)}))
    assert w3c.compare(rows({"x": lit("1")}), rows({"x": lit("1")}, {"x": lit("1")}))
    assert w3c.compare(rows({"x": w3c.uri("a")}), rows({"x": w3c.uri("a")}, {"y": w3c.uri("a")}))
    # one blank node in two rows is not two blank nodes, either way round
    shared = rows({"x": b("a"), "y": w3c.uri("1")}, {"x": b("a"), "y": w3c.uri("2")})
    apart = rows({"x": b("b"), "y": w3c.uri("1")}, {"x": b("c"), "y": w3c.uri("2")})
    assert w3c.compare(shared, apart) and w3c.compare(apart, shared)
    relabelled = rows({"x": b("z"), "y": w3c.uri("1")}, {"x": b("z"), "y": w3c.uri("2")})
    assert w3c.compare(shared, relabelled) is None
    # order: only under ORDER BY, rows with equal keys interchangeable
    one, two = {"k": lit("1", integer), "v": lit("a")}, {"k": lit("2", integer), "v": lit("b")}
    assert w3c.compare(rows(one, two), rows(two, one)) is None
    assert w3c.compare(rows(one, two), rows(two, one), ["k"])
    tie = {"k": lit("1", integer), "v": lit("c")}
    assert w3c.compare(rows(one, tie, two), rows(tie, one, two), ["k"]) is None
    assert w3c.compare(rows(one, tie, two), rows(tie, two, one), ["k"])
    # booleans and graphs
    assert w3c.compare(True, False) and w3c.compare(True, rows())
    triple = (b("s"), w3c.uri("p"), b("o"))
    loop = (b("s"), w3c.uri("p"), b("s"))
    assert w3c.compare(w3c.Triples({triple}), w3c.Triples({(b("t"), w3c.uri("p"), b("u"))})) is None
    assert w3c.compare(w3c.Triples({triple}), w3c.Triples({loop}))


def test_the_result_readers_keep_terms_as_written() -> None:
    tsv = w3c.read_tsv(b'?a\t?b\n"x"@en\t1.0e6\n\t<i>\n_:b\t"2"^^<http://d>\n')
    assert tsv.rows == [
        {"a": w3c.literal("x", lang="en"), "b": w3c.literal("1.0e6", str(w3c.XSD.double))},
        {"b": w3c.uri("i")},
        {"a": w3c.bnode("b"), "b": w3c.literal("2", "http://d")},
    ]
    srx = w3c.expected(w3c.by_id()["aggregates/agg-min-01"])
    assert isinstance(srx, w3c.Solutions)
    assert srx.rows == [{"min": w3c.literal("1.0", str(w3c.XSD.decimal))}]
    result_set = w3c.read_rdf(w3c.SUITE / "bindings" / "graph.ttl")
    found = w3c.read_result_set(result_set)
    assert isinstance(found, w3c.Solutions) and len(found.rows) == 3
    assert {"g": w3c.uri(w3c.BASE + "bindings/data01.ttl"), "t": w3c.literal("foo")} in found.rows
