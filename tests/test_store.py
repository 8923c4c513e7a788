"""The embedded Oxigraph store: the build on disk, answered by Oxigraph's engine under the
same rules as rdflib's (the CLI and route tests also run on it: see the Makefile)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib.namespace import XSD

from conftest import ROOT
from filmgraph.errors import ForbiddenError, QueryError, QuerySyntaxError
from filmgraph.namespaces import GRAPHS
from filmgraph.oxigraph_store import OxigraphEngine, write_store
from filmgraph.queries import load_queries
from filmgraph.sparql import QueryEngine
from filmgraph.store import open_engine
from oxigraph_server import rows  # Oxigraph keeps derived integer types as xsd:integer

# the competency questions but the federated one (federation is off)
LOCAL_QUERIES = [n for n, q in load_queries(ROOT / "queries").items() if not q.services]


@pytest.fixture(scope="module")
def on_disk(dataset, tmp_path_factory):
    return write_store(dataset, tmp_path_factory.mktemp("store") / "oxigraph")


@pytest.fixture(scope="module")
def engines(dataset, on_disk):
    return QueryEngine(dataset), OxigraphEngine(ox.Store.read_only(str(on_disk)))


def test_oxigraph_keeps_values_but_not_derived_integer_types(engines):
    query = "SELECT ?n WHERE { GRAPH ?g { ?s fg:sentenceNumber ?n } } ORDER BY ?n LIMIT 1"
    rdflib, oxigraph = (next(iter(engine.run(query).result))[0] for engine in engines)
    assert rdflib.datatype == XSD.positiveInteger and oxigraph.datatype == XSD.integer
    assert rdflib.toPython() == oxigraph.toPython() == 1


def test_the_store_on_disk_holds_every_graph(dataset, on_disk):
    store = ox.Store.read_only(str(on_disk))
    held = {g.value for g in store.named_graphs()}
    assert held == {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert len(store) == len(dataset)


def test_writing_again_replaces_the_store(dataset, tmp_path):
    path = write_store(dataset, tmp_path / "oxigraph")
    extra = ox.Store(str(path))
    extra.add(ox.Quad(ox.NamedNode("http://example.org/stale"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("x"), ox.NamedNode("http://example.org/g")))  # fmt: skip
    del extra
    write_store(dataset, path)
    assert len(ox.Store.read_only(str(path))) == len(dataset)
    assert not (tmp_path / "oxigraph.new").exists() and not (tmp_path / "oxigraph.nq").exists()


@pytest.mark.parametrize("name", LOCAL_QUERIES)
def test_every_competency_question_gets_the_same_answer(engines, settings, name):
    text = load_queries(settings.queries_dir)[name].text
    rdflib, oxigraph = (engine.run(text) for engine in engines)
    assert rows(oxigraph) == rows(rdflib)


@pytest.mark.parametrize(
    ("query", "default", "named"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", None, None),
        ("SELECT * FROM <https://w3id.org/filmgraph/graph/links> WHERE { ?s ?p ?o }", None, None),
        ("SELECT * FROM NAMED <https://w3id.org/filmgraph/graph/links> "
         "WHERE { GRAPH ?g { ?s ?p ?o } }", None, None),
        ("SELECT * WHERE { ?s ?p ?o }", [str(GRAPHS["ontology"])], []),
        ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", None, None),
        ("ASK { fgid:kantemir-balagov schema:birthDate ?d }", None, None),
    ],
)  # fmt: skip
def test_the_dataset_a_query_sees_is_the_same(engines, query, default, named):
    rdflib, oxigraph = (engine.run(query, default, named) for engine in engines)
    assert len(oxigraph) == len(rdflib) and oxigraph.kind == rdflib.kind
    if oxigraph.kind == "ASK":
        assert rows(oxigraph) == rows(rdflib)


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }", QueryError),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", ForbiddenError),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", ForbiddenError),
        ("SELECT * WHERE { ?s ?p }", QuerySyntaxError),
    ],
)
def test_the_same_rules_refuse_the_same_queries(engines, query, error):
    for engine in engines:
        with pytest.raises(error):
            engine.run(query)


def test_results_are_cut_at_the_row_cap(on_disk):
    engine = OxigraphEngine(ox.Store.read_only(str(on_disk)), max_rows=5)
    answer = engine.run("SELECT * WHERE { ?s ?p ?o }")
    assert answer.truncated and len(answer) == 5


def test_the_setting_chooses_the_engine(settings, dataset):
    assert type(open_engine(settings.with_(store="memory"), dataset)) is QueryEngine
    oxigraph = open_engine(settings.with_(store="oxigraph"), dataset)
    assert type(oxigraph) is OxigraphEngine
    assert (settings.oxigraph_dir / "CURRENT").exists()  # RocksDB's files, on disk


def test_the_command_line_runs_queries_on_oxigraph(run):
    query = "SELECT ?name WHERE { fgid:closeness schema:name ?name }"
    done = run("--no-progress", "--store", "oxigraph", "query", query, "--format", "csv")
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == ["name", "Closeness"]
