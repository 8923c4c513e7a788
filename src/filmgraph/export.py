"""Exports: the dataset, or chosen graphs of it, in the standard RDF formats.

Triple formats (Turtle, JSON-LD, N-Triples, RDF/XML) merge the chosen graphs; the quad
formats (N-Quads, TriG) keep them apart by name. Output is stable, so that diffs between
builds are readable: Turtle groups each subject's triples with our prefixes bound, N-Triples
and N-Quads are sorted line by line, and JSON-LD is compacted against a context embedded in
the file (``@vocab`` schema.org plus only the prefixes the data uses; nothing is fetched).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import Dataset, Graph, Literal, URIRef

from .errors import QueryError
from .namespaces import GRAPHS, PREFIXES, SCHEMA, new_dataset, new_graph
from .results import GRAPH, QUAD_FORMATS, json_ld

#: export format name -> its name in :data:`filmgraph.results.GRAPH` (which gives its
#: serializer and media type), which is also its file extension
FORMATS: dict[str, str] = {
    "turtle": "ttl",
    "jsonld": "jsonld",
    "nt": "nt",
    "nq": "nq",
    "trig": "trig",
    "xml": "rdf",
}

DEFAULT_GRAPHS = ("asserted",)


def graph_names(selection: Iterable[str]) -> list[str]:
    """Graph short names from a selection such as ``asserted,inferred`` or ``all``.

    Raises:
        QueryError: a name that is not one of our graphs.
    """
    names: list[str] = []
    for name in selection:
        if name == "all":
            names.extend(GRAPHS)
        elif name in GRAPHS:
            names.append(name)
        else:
            raise QueryError(f"no graph named {name!r}; graphs: {', '.join(GRAPHS)}, all")
    return list(dict.fromkeys(names))


def export(dataset: Dataset, fmt: str = "turtle", graphs: Iterable[str] = DEFAULT_GRAPHS) -> str:
    """The chosen graphs of ``dataset`` in format ``fmt`` (a key of :data:`FORMATS`).

    Raises:
        QueryError: an unknown format or graph name.

    >>> from filmgraph import build
    >>> text = export(build(), "nt")
    >>> text.splitlines()[0].startswith("<https://w3id.org/filmgraph/id/")
    True
    """
    if fmt not in FORMATS:
        raise QueryError(f"no export format {fmt!r}; formats: {', '.join(FORMATS)}")
    serializer = GRAPH[FORMATS[fmt]][0]
    names = graph_names(graphs)
    if FORMATS[fmt] in QUAD_FORMATS:
        chosen = new_dataset()
        for name in names:
            target = chosen.graph(GRAPHS[name])
            target += dataset.graph(GRAPHS[name])
        return (
            _sorted_lines(chosen.serialize(format=serializer))
            if fmt == "nq"
            else (chosen.serialize(format=serializer))
        )
    merged = new_graph()
    for name in names:
        merged += dataset.graph(GRAPHS[name])
    if fmt == "jsonld":
        return json_ld(merged, jsonld_context(merged))
    text = merged.serialize(format=serializer)
    return _sorted_lines(text) if fmt == "nt" else text


def jsonld_context(graph: Graph) -> dict[str, Any]:
    """``@vocab`` schema.org, and the prefixes of ours that the graph's IRIs use."""
    used: set[str] = set()
    for triple in graph:
        for term in triple:
            iris = [term] if isinstance(term, URIRef) else []
            if isinstance(term, Literal) and term.datatype:
                iris.append(term.datatype)
            for iri in iris:
                used.update(p for p, ns in PREFIXES.items() if iri.startswith(str(ns)))
    context: dict[str, Any] = {"@vocab": str(SCHEMA)}
    context.update({p: str(PREFIXES[p]) for p in sorted(used) if p != "schema"})
    return context


def _sorted_lines(text: str) -> str:
    lines = sorted(line for line in text.splitlines() if line.strip())
    return "\n".join(lines) + "\n"
