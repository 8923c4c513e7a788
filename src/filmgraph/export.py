"""Exports: the dataset, or chosen graphs of it, in the standard RDF formats.

Triple formats (Turtle, JSON-LD, N-Triples, RDF/XML) merge the chosen graphs; the quad
formats (N-Quads, TriG) keep them apart by name. Output is stable, so that diffs between
builds are readable: Turtle groups each subject's triples with our prefixes bound, N-Triples
and N-Quads are sorted line by line, and JSON-LD is compacted against a context embedded in
the file (``@vocab`` schema.org plus only the prefixes the data uses; nothing is fetched).
Framed JSON-LD (``jsonld-framed``, see :mod:`filmgraph.jsonld`) nests each film's and
person's places and events under it, with schema.org's context resolved locally.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Dataset

from .config import Settings
from .errors import QueryError
from .jsonld import framed, jsonld_context
from .namespaces import GRAPHS, new_dataset, new_graph
from .results import GRAPH, MEDIA_TYPES, QUAD_FORMATS, json_ld

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

#: the framed JSON-LD (written by pyld, not rdflib): its export name
FRAMED = "jsonld-framed"

#: every export: format name -> file extension
EXPORTS: dict[str, str] = {**FORMATS, FRAMED: "framed.jsonld"}

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
) -> str:
    """The chosen graphs of ``dataset`` in format ``fmt`` (a key of :data:`EXPORTS`);
    ``settings`` says where schema.org's context is, for ``jsonld-framed``.

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
    if EXPORTS[fmt] in QUAD_FORMATS:
        chosen = new_dataset()
        for name in names:
            target = chosen.graph(GRAPHS[name])
            target += dataset.graph(GRAPHS[name])
        text = chosen.serialize(format=GRAPH[FORMATS[fmt]][0])
        return _sorted_lines(text) if fmt == "nq" else text
    merged = new_graph()
    for name in names:
        merged += dataset.graph(GRAPHS[name])
    if fmt == FRAMED:
        return framed(merged, settings)
    if fmt == "jsonld":
        return json_ld(merged, jsonld_context(merged))
    text = merged.serialize(format=GRAPH[FORMATS[fmt]][0])
    return _sorted_lines(text) if fmt == "nt" else text


def _sorted_lines(text: str) -> str:
    lines = sorted(line for line in text.splitlines() if line.strip())
    return "\n".join(lines) + "\n"
