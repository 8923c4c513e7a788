"""Exports stream from the store in bounded memory (issue 21): N-Triples, N-Quads, Turtle,
TriG and JSON-LD are written as the triples are read, their lines sorted in runs kept in
temporary files and merged; N-Triples, N-Quads and JSON-LD are the same text as when the
whole graph was held in rdflib, Turtle and TriG parse back to the same graphs; the routes
send them as they are made, and ``filmgraph export`` writes them as they come."""

from __future__ import annotations

import gc
import re
import tracemalloc
from contextlib import contextmanager

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_canonical_graph
from rdflib.namespace import OWL, RDF, RDFS, XSD

from conftest import as_written
from filmgraph.core import (
    FG,
    FGID,
    GRAPHS,
    SCHEMA,
    ForbiddenError,
    QueryError,
    new_dataset,
    new_graph,
)
from filmgraph.export import STREAMED, export, export_nquads, export_stream
from filmgraph.export.exports import _sorted_lines
from filmgraph.export.jsonld import jsonld_context
from filmgraph.query import json_ld
from filmgraph.store.oxigraph import open_dataset

SELECTIONS = [["all"], ["asserted"], ["inferred", "provenance"], ["ontology"]]
RDFLIB = {
    "turtle": "turtle",
    "jsonld": "json-ld",
    "nt": "nt",
    "nq": "nquads",
    "trig": "trig",
    "xml": "xml",
}
OXIGRAPH = {
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
}
QUADS = ("nq", "trig")


def _names(selection: list[str]) -> list[str]:
    return list(GRAPHS) if selection == ["all"] else selection


def _as_rdflib_writes(dataset, fmt: str, names: list[str]) -> str:
    """The export as it was made before streaming, the chosen graphs held whole in rdflib:
    N-Quads of them copied into one dataset, sorted as if blank nodes had no label; for
    N-Triples and JSON-LD, their merge with blank nodes labelled canonically from the whole
    graph, as rdflib writes it (N-Triples sorted likewise)."""
    if fmt == "nq":
        chosen = new_dataset()
        for name in names:
            target = chosen.graph(GRAPHS[name])
            target += dataset.graph(GRAPHS[name])
        return _sorted_lines(chosen.serialize(format="nquads"))
    merged = new_graph()
    for name in names:
        merged += dataset.graph(GRAPHS[name])
    if any(isinstance(term, BNode) for triple in merged for term in triple):
        canonical = new_graph()
        canonical += to_canonical_graph(merged)
        merged = canonical
    if fmt == "nt":
        return _sorted_lines(merged.serialize(format="nt"))
    return json_ld(merged, jsonld_context(merged))


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: "+".join(s))
@pytest.mark.parametrize("fmt", ["nt", "nq", "jsonld"])
@pytest.mark.parametrize("run", [50, 100_000], ids=["merged-runs", "one-run"])
def test_the_stream_is_the_text_of_the_whole_graph(dataset, fmt, selection, run):
    """The ontology's OWL restrictions and lists are blank nodes: labelled from the blank
    part of the graph alone, they have the labels the whole graph gives them."""
    streamed = "".join(export_stream(dataset, fmt, selection, run=run))
    assert streamed == _as_rdflib_writes(dataset, fmt, _names(selection))
    assert streamed == export(dataset, fmt, selection)
    if fmt == "nq":
        assert streamed == "".join(export_nquads(dataset, selection, run=run))


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: "+".join(s))
@pytest.mark.parametrize("fmt", STREAMED)
def test_every_streamed_format_is_the_same_text_however_it_is_sorted(dataset, fmt, selection):
    spilled = "".join(export_stream(dataset, fmt, selection, run=7))
    assert (
        spilled
        == "".join(export_stream(dataset, fmt, selection))
        == export(dataset, fmt, selection)
    )


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: "+".join(s))
@pytest.mark.parametrize("fmt", ["turtle", "trig", "xml"])
def test_turtle_trig_and_rdf_xml_parse_back_to_the_graphs(dataset, fmt, selection):
    text = "".join(export_stream(dataset, fmt, selection, run=50))
    names = _names(selection)
    if fmt == "trig":
        parsed = as_written(Dataset(), data=text, format="trig")
        for name in names:
            assert isomorphic(parsed.graph(GRAPHS[name]), dataset.graph(GRAPHS[name])), name
        heads = [line for line in text.splitlines() if line.endswith("{")]
        assert heads == [f"<{GRAPHS[n]}> {{" for n in names if len(dataset.graph(GRAPHS[n]))]
    else:
        merged = Graph()
        for name in names:
            merged += dataset.graph(GRAPHS[name])
        assert isomorphic(as_written(Graph(), data=text, format=RDFLIB[fmt]), merged)
    quads = {
        (q.subject, q.predicate, q.object, q.graph_name)
        for q in ox.parse(text.encode(), OXIGRAPH[fmt])
    }
    if fmt == "trig":
        assert len(quads) == sum(len(dataset.graph(GRAPHS[n])) for n in names)
    else:
        assert len(quads) == len(merged)


def test_turtle_is_grouped_by_subject_in_order_with_the_prefixes_it_uses(dataset):
    text = export(dataset, "turtle", ["all"])
    declared = re.findall(r"^@prefix (\w+): ", text, re.M)
    body = text.split("\n\n", 1)[1]
    used = set(re.findall(r"(?<![\w<\"/#:.-])([a-z]+):[\w-]", body))
    assert declared == sorted(declared) and set(declared) == used
    assert "ns1:" not in text and "@prefix vann:" not in text
    blocks = body.strip().split("\n\n")
    subjects = [block.split(" ", 1)[0] for block in blocks]
    assert len(subjects) == len(set(subjects))  # each subject once
    named = [s for s in subjects if not s.startswith("_:")]
    blank = subjects[len(named) :]
    assert blank == sorted(blank) and all(s.startswith("_:cb") for s in blank)
    assert blank, "the ontology's restrictions are blank nodes"
    asserted = export(dataset, "turtle", ["asserted"]).split("\n\n")
    beanpole = next(b for b in asserted if b.startswith("fgid:beanpole "))
    assert beanpole.startswith("fgid:beanpole a schema:Movie ;\n    ")
    assert "fg:theme fgid:theme-friendship,\n        fgid:theme-human-emotion," in beanpole
    assert 'fg:filmographyNumber "2"^^xsd:positiveInteger' in beanpole


def _odd_terms() -> Dataset:
    """A dataset whose asserted graph holds literals and IRIs that Turtle writes in each of
    its ways, and one blank node."""
    data = new_dataset()
    graph = data.graph(GRAPHS["asserted"])
    film = FGID.odd
    literals = [
        Literal("01", datatype=XSD.integer, normalize=False),
        Literal("-12", datatype=XSD.integer, normalize=False),
        Literal("0.0000001", datatype=XSD.decimal, normalize=False),
        Literal("-1.50", datatype=XSD.decimal, normalize=False),
        Literal("1E3", datatype=XSD.double, normalize=False),
        Literal("NaN", datatype=XSD.double, normalize=False),
        Literal("1", datatype=XSD.boolean, normalize=False),
        Literal("true", datatype=XSD.boolean, normalize=False),
        Literal("12", datatype=XSD.positiveInteger, normalize=False),
        Literal("2019", datatype=XSD.gYear),
        Literal("x", datatype=XSD.string),
        Literal('a "quoted" line\nand a \\ back\rslash\t, tab'),
        Literal("Дылда", lang="ru"),
        Literal("odd", datatype=URIRef("https://example.org/dt#odd")),
    ]
    for n, literal in enumerate(literals):
        graph.add((film, FG[f"value{n}"], literal))
    for iri in ("id/a/b", "id/dot.", "id/", "ontology#-x", "ontology#_x"):
        graph.add((film, SCHEMA.sameAs, URIRef(f"https://w3id.org/filmgraph/{iri}")))
    graph.add((film, SCHEMA.sameAs, URIRef("urn:x:y")))
    graph.add((URIRef("https://example.org/elsewhere"), RDF.type, SCHEMA.Movie))
    graph.add((film, RDF.type, SCHEMA.Movie))
    graph.add((film, RDFS.label, Literal("odd")))
    restriction = BNode()
    graph.add((film, RDF.type, restriction))
    graph.add((restriction, RDF.type, OWL.Restriction))
    graph.add((restriction, OWL.onProperty, SCHEMA.director))
    return data


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nt", "nq", "xml"])
def test_literals_and_iris_come_back_as_written(fmt):
    data = _odd_terms()
    text = "".join(export_stream(data, fmt, ["asserted"]))
    parsed = as_written(Dataset(), data=text, format=RDFLIB[fmt])
    target = parsed.graph(GRAPHS["asserted"]) if fmt in QUADS else parsed.default_graph
    assert isomorphic(target, data.graph(GRAPHS["asserted"]))
    assert {str(o) for o in target.objects()} >= {"01", "0.0000001", "-1.50", "1E3", "1", "12"}
    oxigraph = {str(q.object) for q in ox.parse(text.encode(), OXIGRAPH[fmt])}
    assert '"01"^^<http://www.w3.org/2001/XMLSchema#integer>' in oxigraph
    if fmt == "turtle":
        assert 'fg:value0 "01"^^xsd:integer ;' in text and "fg:value1 -12 ;" in text
        assert 'fg:value2 "0.0000001"^^xsd:decimal ;' in text and "fg:value3 -1.50 ;" in text
        assert 'fg:value6 "1"^^xsd:boolean ;' in text and "fg:value7 true ;" in text
        assert "fgid:odd a schema:Movie,\n" in text and "    rdfs:label " in text
        assert "<https://w3id.org/filmgraph/id/a/b>" in text
        assert "<https://w3id.org/filmgraph/id/dot.>" in text


@pytest.mark.parametrize("size", [0, 1, 2])
def test_json_ld_of_none_one_or_two_nodes_is_rdflibs(size):
    """rdflib writes a single node merged with the context, and no node as ``@graph: []``."""
    data = new_dataset()
    graph = data.graph(GRAPHS["asserted"])
    for n in range(size):
        graph.add((FGID[f"film-{n}"], SCHEMA.name, Literal(f"Film {n}")))
    streamed = "".join(export_stream(data, "jsonld", ["asserted"]))
    assert streamed == _as_rdflib_writes(data, "jsonld", ["asserted"])
    for fmt in STREAMED:
        assert export(data, fmt, ["asserted"]) == "".join(export_stream(data, fmt, ["asserted"]))


def test_a_triple_in_two_merged_graphs_is_written_once():
    data = new_dataset()
    triple = (FGID.beanpole, SCHEMA.name, Literal("Beanpole"))
    for name in ("asserted", "inferred"):
        data.graph(GRAPHS[name]).add(triple)
    for fmt in ("nt", "turtle", "jsonld"):
        text = export(data, fmt, ["asserted", "inferred"])
        assert text.count("Beanpole") == 1, fmt
    assert export(data, "nq", ["asserted", "inferred"]).count("Beanpole") == 2
    assert export(data, "trig", ["asserted", "inferred"]).count("Beanpole") == 2


# -- memory -------------------------------------------------------------------------------

#: Triples in the graph exported through an Oxigraph store in the memory test.
GROWN = 100_000


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """An Oxigraph store holding an asserted graph of :data:`GROWN` triples (films with a
    type, a name and a number; and one OWL restriction), read as the pages read a build."""
    path = tmp_path_factory.mktemp("grown") / "oxigraph"
    graph = ox.NamedNode(str(GRAPHS["asserted"]))

    def named(term: URIRef) -> ox.NamedNode:
        return ox.NamedNode(str(term))

    def quads():
        for n in range(GROWN // 3 - 1):
            film = ox.NamedNode(f"{FGID}film-{n}")
            number = ox.Literal(str(n), datatype=named(XSD.integer))
            name = ox.Literal(f"A film with a fairly long name, number {n}")
            yield ox.Quad(film, named(RDF.type), named(SCHEMA.Movie), graph)
            yield ox.Quad(film, named(SCHEMA.name), name, graph)
            yield ox.Quad(film, named(FG.filmographyNumber), number, graph)
        restriction = ox.BlankNode()
        yield ox.Quad(restriction, named(RDF.type), named(OWL.Restriction), graph)
        yield ox.Quad(restriction, named(OWL.onProperty), named(SCHEMA.director), graph)
        yield ox.Quad(named(FG.Film), named(OWL.equivalentClass), restriction, graph)

    store = ox.Store(str(path))
    store.bulk_extend(quads())
    store.flush()
    del store
    gc.collect()
    return open_dataset(path)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", STREAMED)
def test_streaming_holds_runs_not_the_graph(grown, fmt):
    """Exporting 100k triples read from an Oxigraph store, in runs of 2,000 lines: the peak
    of Python's memory stays under a third of the graph's N-Triples text, which holding the
    graph's lines (or its rdflib graph, or the export's text) would pass many times over.
    (Measured: about 1.3 MB for every format, against 13 MB of N-Triples; sorting every
    line at once peaks at 44 MB.)"""
    assert len(grown.graph(GRAPHS["asserted"])) >= GROWN - 3
    tracemalloc.start()
    try:
        written = sum(len(piece) for piece in export_stream(grown, fmt, ["asserted"], run=2_000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    n_triples = 13_000_000  # the graph's N-Triples: 130 characters a line on average
    assert written > 4_000_000
    assert peak < n_triples / 3, (fmt, peak)


def test_streaming_sorts_in_runs_against_all_at_once(dataset):
    """The same export, sorted all at once in memory, peaks several times higher: the
    measure above can fail."""
    grown = new_dataset()
    asserted = grown.graph(GRAPHS["asserted"])
    for n in range(20_000):
        film = URIRef(f"https://example.org/film/{n}")
        asserted.add((film, RDF.type, SCHEMA.Movie))
        asserted.add((film, SCHEMA.name, Literal(f"A film with a fairly long name, number {n}")))

    def peak(run: int) -> tuple[int, int]:
        tracemalloc.start()
        try:
            written = sum(len(piece) for piece in export_stream(grown, "nt", ["asserted"], run=run))
            return written, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    (spilled, in_runs), (whole, at_once) = peak(2_000), peak(10_000_000)
    assert spilled == whole > 3_000_000
    assert in_runs < at_once / 4, (in_runs, at_once)


# -- the routes and the command -----------------------------------------------------------


@pytest.mark.parametrize("extension", ["ttl", "jsonld", "nt", "nq", "trig", "rdf"])
def test_the_export_routes_stream(client, app, extension):
    from filmgraph.web import state
    from filmgraph.web.graph_store import EXPORT_NAMES, download_size

    response = client.get(f"/export.{extension}")
    assert response.status_code == 200 and "Content-Length" not in response.headers
    names = list(GRAPHS) if extension in QUADS else ["asserted", "inferred", "links"]
    held = [n for n in names if GRAPHS[n] in state(app).graphs]
    text = export(state(app).dataset, EXPORT_NAMES[extension], held)
    assert response.get_data(as_text=True) == text
    with app.app_context():
        assert download_size("dataset", extension) == len(text.encode("utf-8"))
    one = client.get(f"/graph?graph={GRAPHS['ontology']}&format={extension}")
    assert one.status_code == 200 and "Content-Length" not in one.headers


def test_framed_json_ld_is_built_whole(client):
    response = client.get("/export.framed.jsonld")
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.get_data())


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "trig"])
def test_the_export_command_writes_the_stream(run, tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    done = run("export", "--format", fmt, "--graphs", "all", "-o", str(target))
    assert done.exit_code == 0, done.output
    printed = run("export", "--format", fmt, "--graphs", "all")
    assert printed.exit_code == 0
    assert target.read_text(encoding="utf-8") == printed.stdout
    assert len(printed.stdout) > 100_000


# -- RDF/XML ------------------------------------------------------------------------------


def test_rdf_xml_names_the_properties_and_keeps_the_odd_literals():
    """Our prefixes name the properties, other namespaces get ``ns1``...; a carriage return
    is a character reference (a raw one would read back as a newline); a blank node is an
    ``rdf:nodeID``; a language tag is ``xml:lang``."""
    data = _odd_terms()
    graph = data.graph(GRAPHS["asserted"])
    graph.add((FGID.odd, URIRef("http://example.org/vocab#score"), Literal("7")))
    text = export(data, "xml", ["asserted"])
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF\n')
    assert 'xmlns:ns1="http://example.org/vocab#"' in text and "<ns1:score>7</ns1:score>" in text
    assert 'xmlns:fg="https://w3id.org/filmgraph/ontology#"' in text
    assert "back&#13;slash" in text and '<fg:value12 xml:lang="ru">Дылда</fg:value12>' in text
    assert re.search(r'<rdf:type rdf:nodeID="\w+"/>', text)
    assert text.endswith("</rdf:RDF>\n")
    parsed = as_written(Graph(), data=text, format="xml")
    assert isomorphic(parsed, graph)


@pytest.mark.parametrize(
    ("triple", "message"),
    [
        (
            (FGID.odd, URIRef("https://example.org/p/1"), Literal("x")),
            "cannot write the property <https://example.org/p/1>",
        ),
        ((FGID.odd, SCHEMA.name, Literal("bell \x07")), "cannot hold the character U+0007"),
    ],
    ids=["property-with-no-xml-name", "control-character"],
)
def test_what_rdf_xml_cannot_write_is_an_error_before_any_text(triple, message):
    """Found while the triples are read, which ends before the first piece is given: the
    call raises, so the route answers 400 with the reason, not a truncated document."""
    data = new_dataset()
    data.graph(GRAPHS["asserted"]).add(triple)
    with pytest.raises(QueryError, match=re.escape(message)):
        export_stream(data, "xml", ["asserted"])
    for fmt in ("turtle", "nt"):  # the other formats write them
        assert "".join(export_stream(data, fmt, ["asserted"]))


@contextmanager
def _client(settings, backend):
    """A test client of an endpoint with one query worker over ``backend``, stopped after."""
    from filmgraph.web import create_app, state

    app = create_app(settings.with_(workers=1), backend)
    try:
        yield app.test_client()
    finally:
        state(app).close()


def test_the_rdf_xml_route_refuses_what_it_cannot_write(store_settings):
    from filmgraph.store import MemoryBackend

    data = new_dataset()
    data.graph(GRAPHS["asserted"]).add((FGID.odd, URIRef("https://example.org/p/1"), FGID.x))
    with _client(store_settings.with_(store="memory"), MemoryBackend(data)) as client:
        response = client.get("/export.rdf")
        assert response.status_code == 400
        assert "cannot write the property <https://example.org/p/1>" in response.get_data(True)
        assert client.get("/export.ttl").status_code == 200


# -- framed JSON-LD, built whole: bounded by a setting --------------------------------------


def test_framed_json_ld_is_refused_above_its_limit(dataset, settings):
    held = len(dataset.graph(GRAPHS["asserted"]))
    assert export(dataset, "jsonld-framed", ["asserted"], settings.with_(framed_limit=held))
    with pytest.raises(ForbiddenError, match=f"hold {held:,} triples, more than framed_limit"):
        export(dataset, "jsonld-framed", ["asserted"], settings.with_(framed_limit=held - 1))


def test_the_framed_route_answers_403_above_the_limit(store_settings, backend):
    with _client(store_settings.with_(framed_limit=10), backend) as client:
        response = client.get("/export.framed.jsonld")
        assert response.status_code == 403
        assert "more than framed_limit (10;" in response.get_data(True)
        assert client.get("/export.jsonld").status_code == 200
