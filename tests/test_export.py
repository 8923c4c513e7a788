"""Exports: every format round-trips, parsed back by rdflib and by pyoxigraph (an
independent parser), isomorphic to what was exported; the output is stable."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from conftest import as_written
from filmgraph.core.errors import QueryError
from filmgraph.core.namespaces import GRAPHS
from filmgraph.export.exports import FORMATS, export
from filmgraph.query.formats import QUAD_FORMATS

RDFLIB = {
    "turtle": "turtle",
    "jsonld": "json-ld",
    "nt": "nt",
    "xml": "xml",
    "nq": "nquads",
    "trig": "trig",
}
OXIGRAPH = {
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
SELECTIONS = [("asserted",), ("asserted", "inferred", "links"), ("all",)]


def _expected(dataset, selection):
    names = list(GRAPHS) if selection == ("all",) else list(selection)
    return names, {t for name in names for t in dataset.graph(GRAPHS[name])}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("selection", SELECTIONS)
def test_round_trip_with_rdflib(dataset, fmt, selection):
    text = export(dataset, fmt, selection)
    names, triples = _expected(dataset, selection)
    if FORMATS[fmt] in QUAD_FORMATS:
        parsed = Dataset()
        as_written(parsed, data=text, format=RDFLIB[fmt])
        for name in names:  # each graph kept apart, under its own name
            assert isomorphic(parsed.graph(GRAPHS[name]), dataset.graph(GRAPHS[name])), name
    else:
        merged = Graph()
        for triple in triples:
            merged.add(triple)
        assert isomorphic(as_written(Graph(), data=text, format=RDFLIB[fmt]), merged)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("selection", SELECTIONS)
def test_round_trip_with_pyoxigraph(dataset, fmt, selection):
    text = export(dataset, fmt, selection)
    names, triples = _expected(dataset, selection)
    quads = list(ox.parse(text.encode(), OXIGRAPH[fmt]))
    if FORMATS[fmt] in QUAD_FORMATS:
        by_graph: dict[str, int] = {}
        for quad in quads:
            by_graph[quad.graph_name.value] = by_graph.get(quad.graph_name.value, 0) + 1
        assert by_graph == {str(GRAPHS[n]): len(dataset.graph(GRAPHS[n])) for n in names}
    else:
        # the same number of distinct triples (blank nodes make isomorphism rdflib's job)
        assert len({(q.subject, q.predicate, q.object) for q in quads}) == len(triples)


STABLE = ("turtle", "jsonld", "nt", "nq", "trig")
_EXPORT_ALL = """
import json, sys
from filmgraph import build
from filmgraph.core.settings import Settings
from filmgraph.export.exports import export
from pathlib import Path
dataset = build(Settings.from_env(build_dir=Path(sys.argv[1])))
print(json.dumps({f: export(dataset, f, ("all",)) for f in sys.argv[2:]}))
"""


def test_output_is_the_same_text_from_run_to_run(settings):
    """The formats people diff are the same text in two processes whose string hashing
    (and so rdflib's set order) differs: Turtle, TriG, JSON-LD and N-Triples blank nodes and
    all (labelled from their content), N-Quads up to blank node labels (the load's).
    RDF/XML follows rdflib's store order; it is compared by isomorphism above."""
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        argv = [sys.executable, "-c", _EXPORT_ALL, str(settings.output_dir), *STABLE]
        done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append(json.loads(done.stdout))
    for fmt in STABLE:
        first, second = outputs[0][fmt], outputs[1][fmt]
        if fmt == "nq":  # a blank node keeps its label from the load
            first, second = (re.sub(r"_:\w+", "_:b", text) for text in (first, second))
        if fmt == "trig":  # the graphs in the order asked for
            assert _graph_heads(first) == [f"<{GRAPHS[n]}> {{" for n in GRAPHS]
        assert first == second, fmt


def _graph_heads(trig: str) -> list[str]:
    return [line for line in trig.splitlines() if line.endswith("{")]


def test_turtle_binds_our_prefixes(dataset):
    text = export(dataset, "turtle", ("asserted", "links"))
    for line in ("@prefix schema: <http://schema.org/> .", "@prefix fgid:", "@prefix wd:"):
        assert line in text
    assert "ns1:" not in text


def test_json_ld_is_compacted_against_an_embedded_context(dataset):
    data = json.loads(export(dataset, "jsonld"))
    context = data["@context"]
    assert context["@vocab"] == "http://schema.org/"
    assert "fgid" in context and "sh" not in context and "claim" not in context
    films = [n for n in data["@graph"] if n.get("@type") == "Movie"]
    assert {f["@id"] for f in films} == {"fgid:closeness", "fgid:beanpole"}


@pytest.mark.parametrize(
    ("fmt", "graphs", "message"),
    [("pdf", ("asserted",), "no export format"), ("nt", ("nope",), "no graph named 'nope'")],
)
def test_bad_choices_say_what_exists(dataset, fmt, graphs, message):
    with pytest.raises(QueryError, match=message):
        export(dataset, fmt, graphs)


def test_export_command_writes_a_file(run, tmp_path):
    target = tmp_path / "out.nq"
    result = run("export", "--format", "nq", "--graphs", "asserted,links", "-o", str(target))
    assert result.exit_code == 0, result.output
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines) and all(line.endswith(" .") for line in lines)
    assert {line.rsplit(" ", 2)[-2] for line in lines} == {
        f"<{GRAPHS['asserted']}>",
        f"<{GRAPHS['links']}>",
    }
