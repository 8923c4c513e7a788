"""The embedded Oxigraph store: the build on disk, answered by Oxigraph's engine under the
same rules as rdflib's (the CLI and route tests also run on it: see the Makefile).

Every comparison runs on the store as written now (its default graph the union of the
default graphs, materialised) and on a store written before that (its default graph
empty: the engine makes the union from the named graphs per query)."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
from rdflib import BNode, URIRef
from rdflib.namespace import RDF, XSD

from conftest import ROOT
from filmgraph import MemoryBackend, OxigraphBackend, open_store
from filmgraph.core.errors import ForbiddenError, QueryError, QuerySyntaxError
from filmgraph.core.namespaces import GRAPHS, new_dataset
from filmgraph.query import DEFAULT_GRAPHS
from filmgraph.query.named import load_queries
from filmgraph.store import RdflibEngine
from filmgraph.store.oxigraph import OxigraphEngine, memory_store, write_store
from oxigraph_server import normal, rows  # Oxigraph keeps derived integer types as xsd:integer

# the competency questions but the federated one (federation is off)
LOCAL_QUERIES = [n for n, q in load_queries(ROOT / "queries").items() if not q.services]


@pytest.fixture(scope="module")
def on_disk(dataset, tmp_path_factory):
    return write_store(dataset, tmp_path_factory.mktemp("store") / "oxigraph")


@pytest.fixture(scope="module")
def old_layout(on_disk, tmp_path_factory):
    """The store as filmgraph wrote it before the default graph was materialised."""
    path = tmp_path_factory.mktemp("old") / "oxigraph"
    shutil.copytree(on_disk, path)
    store = ox.Store(str(path))
    store.clear_graph(ox.DefaultGraph())
    del store
    return path


@pytest.fixture(scope="module", params=["materialised", "old layout", "in memory"])
def engines(request, dataset, on_disk, old_layout):
    """rdflib's engine and Oxigraph's, on each kind of store."""
    if request.param == "in memory":
        oxigraph = OxigraphEngine(memory_store(dataset))
    else:
        path = on_disk if request.param == "materialised" else old_layout
        oxigraph = OxigraphEngine(ox.Store.read_only(str(path)))
    assert oxigraph.materialised == (request.param != "old layout")
    return RdflibEngine(dataset), oxigraph


def test_oxigraph_keeps_values_but_not_derived_integer_types(engines):
    query = "SELECT ?n WHERE { GRAPH ?g { ?s fg:sentenceNumber ?n } } ORDER BY ?n LIMIT 1"
    rdflib, oxigraph = (next(iter(engine.run(query).result))[0] for engine in engines)
    assert rdflib.datatype == XSD.positiveInteger and oxigraph.datatype == XSD.integer
    assert rdflib.toPython() == oxigraph.toPython() == 1


def _triples(store: ox.Store, graph: object) -> set[tuple]:
    quads = store.quads_for_pattern(None, None, None, graph)
    return {(q.subject, q.predicate, q.object) for q in quads}


def test_the_store_on_disk_holds_every_graph(dataset, on_disk):
    store = ox.Store.read_only(str(on_disk))
    held = {g.value for g in store.named_graphs()}
    assert held == {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert sum(len(_triples(store, g)) for g in store.named_graphs()) == len(dataset)


@pytest.mark.parametrize("where", ["on disk", "in memory"])
def test_the_default_graph_is_the_union_of_the_default_graphs(dataset, on_disk, where):
    store = ox.Store.read_only(str(on_disk)) if where == "on disk" else memory_store(dataset)
    union = set().union(*(_triples(store, ox.NamedNode(str(GRAPHS[n]))) for n in DEFAULT_GRAPHS))
    assert union and _triples(store, ox.DefaultGraph()) == union
    assert len(store) == len(dataset) + len(union)


def test_a_triple_in_two_default_graphs_is_in_the_default_graph_once():
    dataset = new_dataset()
    film, kind = URIRef("https://w3id.org/filmgraph/id/closeness"), URIRef(str(RDF.type))
    for name, extra in (("asserted", "Movie"), ("inferred", "CreativeWork")):
        dataset.graph(GRAPHS[name]).add((film, kind, URIRef(f"http://schema.org/{extra}")))
        dataset.graph(GRAPHS[name]).add((film, kind, URIRef("http://schema.org/Thing")))
    dataset.graph(GRAPHS["ontology"]).add((film, kind, URIRef("http://schema.org/Ontology")))
    store = memory_store(dataset)
    assert len(_triples(store, ox.DefaultGraph())) == 3  # Movie, CreativeWork, Thing
    answer = OxigraphEngine(store).run("SELECT ?t WHERE { ?f a ?t }")
    assert sorted(str(row.t).rsplit("/", 1)[-1] for row in answer.result) == [
        "CreativeWork",
        "Movie",
        "Thing",
    ]


def test_blank_nodes_are_the_same_nodes_in_the_default_graph_and_the_named_graphs(engines):
    # an inferred type that is a restriction of the ontology (a blank node there)
    query = """SELECT ?x ?b ?g ?h ?p ?o WHERE {
      ?x a ?b FILTER(isBlank(?b)) GRAPH ?g { ?x a ?b } GRAPH ?h { ?b ?p ?o } }"""
    rdflib, oxigraph = (engine.run(query) for engine in engines)
    assert len(rdflib) > 1
    assert unlabelled(oxigraph) == unlabelled(rdflib)


def test_the_default_graph_is_never_a_named_graph(engines):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    rdflib, oxigraph = (engine.run(query) for engine in engines)
    assert rows(oxigraph) == rows(rdflib)
    assert {str(row[0]) for row in oxigraph.result} == {str(g) for g in engines[1].held}


ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
FROM_ASSERTED = ALL.replace("WHERE", "FROM <https://w3id.org/filmgraph/graph/asserted> WHERE")


def unlabelled(answer) -> list:
    """An answer's rows as :func:`rows` makes them, but each a set of (variable, term) (the
    order of ``SELECT *`` is each engine's own), every blank node the same (each store
    labels them its own way)."""
    if answer.kind != "SELECT":
        return rows(answer)
    blank = BNode("b")
    return sorted(
        sorted(
            (str(k), blank if isinstance(v, BNode) else normal(v)) for k, v in row.asdict().items()
        )
        for row in answer.result
    )


@pytest.mark.parametrize(
    ("query", "default", "named"),
    [
        (
            ALL.replace("WHERE", "FROM <https://w3id.org/filmgraph/graph/asserted> WHERE"),
            None,
            None,
        ),
        (ALL, [str(GRAPHS["asserted"])], None),
        (ALL, [str(GRAPHS["inferred"]), str(GRAPHS["asserted"])], []),
    ],
)
def test_a_chosen_default_graph_is_only_the_graphs_chosen(engines, dataset, query, default, named):
    rdflib, oxigraph = (engine.run(query, default, named) for engine in engines)
    chosen = {str(GRAPHS["asserted"])} | set(default or ())
    expected = set().union(*(set(dataset.graph(URIRef(g))) for g in chosen))
    assert len(oxigraph) == len(rdflib) == len(expected)
    assert unlabelled(oxigraph) == unlabelled(rdflib)


@pytest.mark.parametrize(
    "query",
    [
        ALL,
        ALL.replace(
            "WHERE",
            "FROM <https://w3id.org/filmgraph/graph/asserted> "
            "FROM <https://w3id.org/filmgraph/graph/links> "
            "FROM <https://w3id.org/filmgraph/graph/inferred> WHERE",
        ),
    ],
)
def test_the_default_graphs_named_in_any_order_are_the_default_graph(engines, query):
    rdflib, oxigraph = (engine.run(query) for engine in engines)
    assert unlabelled(oxigraph) == unlabelled(rdflib)


def test_writing_again_replaces_the_store(dataset, tmp_path):
    path = write_store(dataset, tmp_path / "oxigraph")
    extra = ox.Store(str(path))
    extra.add(ox.Quad(ox.NamedNode("http://example.org/stale"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("x"), ox.NamedNode("http://example.org/g")))  # fmt: skip
    del extra
    write_store(dataset, path)
    store = ox.Store.read_only(str(path))
    assert sum(len(_triples(store, g)) for g in store.named_graphs()) == len(dataset)
    assert not _triples(store, ox.NamedNode("http://example.org/g"))
    for scratch in ("oxigraph.new", "oxigraph.nq", "oxigraph.nt"):
        assert not (tmp_path / scratch).exists()


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
        (ALL, None, [str(GRAPHS["links"])]),  # an empty default graph
        (ALL, [], None),
        ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", None, None),
        ("ASK { fgid:kantemir-balagov schema:birthDate ?d }", None, None),
    ],
)  # fmt: skip
def test_the_dataset_a_query_sees_is_the_same(engines, query, default, named):
    rdflib, oxigraph = (engine.run(query, default, named) for engine in engines)
    assert len(oxigraph) == len(rdflib) and oxigraph.kind == rdflib.kind
    assert unlabelled(oxigraph) == unlabelled(rdflib)


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


def test_the_setting_chooses_the_backend_and_its_engine(settings):
    memory = open_store(settings.with_(store="memory"))
    assert type(memory) is MemoryBackend and type(memory.engine()) is RdflibEngine
    oxigraph = open_store(settings.with_(store="oxigraph"))
    assert type(oxigraph) is OxigraphBackend and type(oxigraph.engine()) is OxigraphEngine
    assert (settings.oxigraph_dir / "CURRENT").exists()  # RocksDB's files, on disk
    assert oxigraph.graphs == memory.graphs


def test_the_command_line_runs_queries_on_oxigraph(run):
    query = "SELECT ?name WHERE { fgid:closeness schema:name ?name }"
    done = run("--no-progress", "--store", "oxigraph", "query", query, "--format", "csv")
    assert done.exit_code == 0, done.output
    assert done.output.splitlines() == ["name", "Closeness"]
