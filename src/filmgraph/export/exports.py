"""Exports: the dataset, or chosen graphs of it, in the standard RDF formats.

Triple formats (Turtle, JSON-LD, N-Triples, RDF/XML) merge the chosen graphs; the quad
formats (N-Quads, TriG) keep them apart by name. Output is stable, so that diffs between
builds are readable: Turtle groups each subject's triples with our prefixes bound, N-Triples
and N-Quads are sorted line by line, TriG writes the graphs in a fixed order, and JSON-LD is
compacted against a context embedded in the file (``@vocab`` schema.org plus only the
prefixes the data uses; nothing is fetched), nodes and keys sorted. Blank nodes in the
triple formats are labelled from their content (rdflib's canonical labels).
Framed JSON-LD (``jsonld-framed``, see :mod:`filmgraph.export.jsonld`) nests each film's and
person's places and events under it, with schema.org's context resolved locally; it is what a
schema.org consumer reads, so it holds the chosen graphs with their schema.org consequences
(:func:`filmgraph.export.jsonld.schemaorg_view`) unless asked for the graphs alone.
"""

from __future__ import annotations

import heapq
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO, cast

from rdflib import BNode, Dataset, Graph
from rdflib.compare import to_canonical_graph
from rdflib.plugins.serializers.nquads import _nq_row
from rdflib.term import Node

from ..core import GRAPHS, QueryError, Settings, graph_names, new_dataset, new_graph
from ..query import GRAPH, MEDIA_TYPES, QUAD_FORMATS, json_ld
from .jsonld import framed, jsonld_context, schemaorg_view

#: export format name -> its name in :data:`filmgraph.query.formats.GRAPH` (which gives its
#: serializer and media type), which is also its file extension
FORMATS: dict[str, str] = {
    "turtle": "ttl",
    "jsonld": "jsonld",
    "nt": "nt",
    "nq": "nq",
    "trig": "trig",
    "xml": "rdf",
}

#: the framed JSON-LD (written by pyld, not rdflib): its export name
FRAMED = "jsonld-framed"

#: every export: format name -> file extension
EXPORTS: dict[str, str] = {**FORMATS, FRAMED: "framed.jsonld"}

DEFAULT_GRAPHS = ("asserted",)


def media_type(extension: str) -> str:
    """The media type of an export's file extension (``framed.jsonld`` is JSON-LD).

    >>> media_type("framed.jsonld")
    'application/ld+json'
    """
    return MEDIA_TYPES["GRAPH"][extension.rpartition(".")[2]]


def export(
    dataset: Dataset,
    fmt: str = "turtle",
    graphs: Iterable[str] = DEFAULT_GRAPHS,
    settings: Settings | None = None,
    *,
    schemaorg: bool = True,
) -> str:
    """The chosen graphs of ``dataset`` in format ``fmt`` (a key of :data:`EXPORTS`);
    ``settings`` says where schema.org's context is, for ``jsonld-framed``, which also holds
    the schema.org consequences (from the inferred graph) of what the chosen graphs say,
    unless ``schemaorg`` is false (see :func:`~filmgraph.export.jsonld.schemaorg_view`).

    Raises:
        QueryError: an unknown format or graph name; for ``jsonld-framed``, graphs with a
            blank node that nothing points to (the ontology's axioms).

    >>> from filmgraph import build
    >>> text = export(build(), "nt")
    >>> text.splitlines()[0].startswith("<https://w3id.org/filmgraph/id/")
    True
    """
    if fmt not in EXPORTS:
        raise QueryError(f"no export format {fmt!r}; formats: {', '.join(EXPORTS)}")
    names = graph_names(graphs)
    if fmt == "nq":
        return "".join(export_nquads(dataset, names))
    if EXPORTS[fmt] in QUAD_FORMATS:
        chosen = new_dataset()
        for name in names:
            target = chosen.graph(GRAPHS[name])
            target += dataset.graph(GRAPHS[name])
        return _trig([chosen.graph(GRAPHS[name]) for name in names])
    if fmt == FRAMED and schemaorg:
        merged = schemaorg_view(dataset, names)
    else:
        merged = new_graph()
        for name in names:
            merged += dataset.graph(GRAPHS[name])
    if any(isinstance(term, BNode) for triple in merged for term in triple):
        merged = _canonical(merged)
    if fmt == FRAMED:
        return framed(merged, settings)
    if fmt == "jsonld":
        return json_ld(merged, jsonld_context(merged))
    text = merged.serialize(format=GRAPH[FORMATS[fmt]][0])
    return _sorted_lines(text) if fmt == "nt" else text


#: rdflib's N-Quads line for a triple in a named graph (as its serializer writes it).
_quad_line = cast(Callable[[tuple[Node, Node, Node], Node], str], _nq_row)

#: Lines of N-Quads sorted in memory at once; more are sorted in runs of this many, kept in
#: temporary files, and merged (:func:`export_nquads`).
SORT_RUN = 100_000


def export_nquads(
    dataset: Dataset, graphs: Iterable[str] = DEFAULT_GRAPHS, *, run: int = SORT_RUN
) -> Iterator[str]:
    """The chosen graphs as N-Quads, a line at a time, in the order :func:`export` gives
    them (sorted as if blank nodes had no label), in bounded memory: the quads are read from
    the store as they come, sorted in runs of ``run`` lines kept in temporary files, and the
    runs merged as the lines are taken. ``export(dataset, "nq", graphs)`` is their text.

    Raises:
        QueryError: an unknown graph name.
    """
    names = graph_names(graphs)
    lines = (
        _quad_line(triple, GRAPHS[name]) for name in names for triple in dataset.graph(GRAPHS[name])
    )
    any_line = False
    for line in _merge_sorted(lines, run):
        any_line = True
        yield line
    if not any_line:
        yield "\n"  # as rdflib writes an empty dataset


def _line_key(line: str) -> tuple[str, str]:
    text = line.rstrip("\n")
    return (_BLANK.sub("_:", text), text)


def _merge_sorted(lines: Iterable[str], run: int) -> Iterator[str]:
    """``lines`` sorted by :func:`_line_key`: in memory up to ``run`` of them, else in sorted
    runs spilled to temporary files and merged (an external merge sort)."""
    runs: list[IO[str]] = []
    try:
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= run:
                runs.append(_spill(sorted(batch, key=_line_key)))
                batch = []
        batch.sort(key=_line_key)
        if not runs:
            yield from batch
            return
        runs.append(_spill(batch))
        yield from heapq.merge(*runs, key=_line_key)
    finally:
        for spilled in runs:
            spilled.close()


def _spill(lines: list[str]) -> IO[str]:
    """A temporary file holding ``lines`` (each ending in a newline), read from its start."""
    spilled = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115  (the caller closes it)
    spilled.writelines(lines)
    spilled.seek(0)
    return spilled


def _sorted_lines(text: str) -> str:
    """Lines sorted as if blank nodes had no label, so that their order does not depend
    on the labels a load gave them."""
    lines = [line for line in text.splitlines() if line.strip()]
    lines.sort(key=_line_key)
    return "\n".join(lines) + "\n"


_BLANK = re.compile(r"_:[A-Za-z0-9]+")


def _trig(graphs: list[Graph]) -> str:
    """TriG with the graphs in the order given, each grouped by subject as in Turtle
    (rdflib's own order of graphs changes from run to run), blank nodes labelled from their
    content; prefixes once, at the top."""
    prefixes: set[str] = set()
    bodies = []
    for graph in graphs:
        single = new_dataset()
        blank = any(isinstance(term, BNode) for triple in graph for term in triple)
        single.graph(graph.identifier).__iadd__(_canonical(graph) if blank else graph)
        lines = single.serialize(format="trig").splitlines()
        prefixes.update(line for line in lines if line.startswith("@prefix"))
        bodies.append("\n".join(line for line in lines if not line.startswith("@prefix")))
    return "\n".join(sorted(prefixes)) + "\n" + "".join(bodies).rstrip() + "\n"


def _canonical(graph: Graph) -> Graph:
    """The graph with blank nodes labelled from their content, not at random, so that
    exports of the same data are the same text."""
    canonical = new_graph()
    canonical += to_canonical_graph(graph)
    return canonical
