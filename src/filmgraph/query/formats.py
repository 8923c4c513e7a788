"""SPARQL results in the standard formats.

SELECT/ASK results use rdflib's own serializers (JSON, XML, CSV); rdflib has no TSV results
serializer, so the W3C SPARQL 1.1 TSV format is written here. CONSTRUCT/DESCRIBE results
are RDF graphs and use rdflib's RDF serializers.
"""

from __future__ import annotations

import json
from typing import Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.query import Result, ResultRow

from ..core import NotAcceptableError, QueryError, bind_prefixes, new_dataset

#: Result formats for SELECT and ASK: name -> (rdflib serializer, media type).
TABULAR = {
    "json": ("json", "application/sparql-results+json"),
    "xml": ("xml", "application/sparql-results+xml"),
    "csv": ("csv", "text/csv"),
    "tsv": ("tsv", "text/tab-separated-values"),
}

#: Result formats for CONSTRUCT and DESCRIBE: name -> (rdflib serializer, media type).
GRAPH = {
    "ttl": ("turtle", "text/turtle"),
    "jsonld": ("json-ld", "application/ld+json"),
    "nt": ("nt", "application/n-triples"),
    "rdf": ("xml", "application/rdf+xml"),
    "xml": ("xml", "application/rdf+xml"),
    "nq": ("nquads", "application/n-quads"),
    "trig": ("trig", "application/trig"),
}

#: The graph formats that name graphs (a graph's triples form their default graph).
QUAD_FORMATS = frozenset({"nq", "trig"})

#: The family of each kind of result: which formats can express it.
FAMILY = {"SELECT": "SELECT", "ASK": "ASK", "CONSTRUCT": "GRAPH", "DESCRIBE": "GRAPH"}

#: The standard formats of each family, preferred first: format name -> media type.
#: (``xml`` for a graph is an alias of ``rdf``.)
MEDIA_TYPES: dict[str, dict[str, str]] = {
    "SELECT": {n: TABULAR[n][1] for n in ("json", "xml", "csv", "tsv")},
    "ASK": {n: TABULAR[n][1] for n in ("json", "xml")},
    "GRAPH": {n: GRAPH[n][1] for n in ("ttl", "jsonld", "nt", "rdf", "nq", "trig")},
}


#: The standard graph formats that hold triples only; each name is also a file extension.
TRIPLE_FORMATS = tuple(name for name in MEDIA_TYPES["GRAPH"] if name not in QUAD_FORMATS)


def not_acceptable(family: str, what: str) -> NotAcceptableError:
    """The 406 for a result of ``family`` that no accepted format can express."""
    return NotAcceptableError(
        f"no format the request accepts can express {what}; it can be sent as "
        f"{', '.join(MEDIA_TYPES[family].values())}"
    )


def format_result(result: Result, fmt: str) -> str:
    """Serialise a query result in the format named ``fmt``.

    Raises:
        QueryError: the format does not exist for this kind of result (e.g. CSV for a graph).
    """
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        if fmt not in GRAPH:
            raise QueryError(f"a {result.type} result can be {', '.join(GRAPH)}, not {fmt!r}")
        return serialize_graph(result.graph if result.graph is not None else Graph(), fmt)
    if fmt not in TABULAR:
        raise QueryError(f"a {result.type} result can be {', '.join(TABULAR)}, not {fmt!r}")
    if fmt == "tsv":
        return tsv(result)
    if result.type == "ASK" and fmt == "csv":
        raise QueryError("SPARQL CSV has no form for an ASK result; use json or xml")
    written = result.serialize(format=TABULAR[fmt][0])  # without a destination: the bytes
    return cast(bytes, written).decode("utf-8")


def serialize_graph(graph: Graph, fmt: str) -> str:
    """A graph in the format named ``fmt`` (a key of :data:`GRAPH`), with our prefixes; in
    the quad formats (N-Quads, TriG) its triples form the default graph."""
    bind_prefixes(graph)
    if fmt == "jsonld":
        return json_ld(graph)
    if fmt in QUAD_FORMATS:
        dataset = new_dataset()
        default = dataset.default_graph
        default += graph
        return dataset.serialize(format=GRAPH[fmt][0])
    return graph.serialize(format=GRAPH[fmt][0])


def json_ld(graph: Graph, context: dict[str, Any] | None = None) -> str:
    """JSON-LD for a graph (compacted against ``context`` when given), its nodes in order of
    their ``@id`` and keys sorted, so that the same graph gives the same text.

    rdflib writes a blank-node type as ``"@type": [{"@id": "_:b"}]``, which JSON-LD does
    not allow (a type is a string, ``"_:b"``; pyoxigraph refuses the object form): such
    types are written as strings.
    """
    data = json.loads(graph.serialize(format="json-ld", context=context))
    return json.dumps(tidy_jsonld(data), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def tidy_jsonld(data: Any) -> Any:
    """JSON-LD as :func:`json_ld` writes it: blank-node types as strings, arrays sorted but
    for ``@list`` items (``data`` is changed in place; the sorted copy is returned)."""
    _string_types(data)
    return _sorted_sets(data)


def _sorted_sets(node: Any, ordered: bool = False) -> Any:
    """Arrays sorted (JSON-LD arrays are sets), but for the items of an ``@list``."""
    if isinstance(node, dict):
        return {k: _sorted_sets(v, ordered=k == "@list") for k, v in node.items()}
    if isinstance(node, list):
        items = [_sorted_sets(item) for item in node]
        return items if ordered else sorted(items, key=lambda i: json.dumps(i, sort_keys=True))
    return node


def _string_types(node: object) -> None:
    if isinstance(node, list):
        for item in node:
            _string_types(item)
    elif isinstance(node, dict):
        types = node.get("@type")
        if isinstance(types, list):
            node["@type"] = [t["@id"] if isinstance(t, dict) and "@id" in t else t for t in types]
        elif isinstance(types, dict) and "@id" in types:
            node["@type"] = types["@id"]
        for value in node.values():
            _string_types(value)


def tsv(result: Result) -> str:
    """SPARQL 1.1 Query Results TSV: a header of ``?var`` names, then terms in Turtle syntax."""
    if result.type == "ASK":
        raise QueryError("SPARQL TSV has no form for an ASK result; use json or xml")
    names = [str(v) for v in result.vars or []]
    lines = ["\t".join(f"?{n}" for n in names)]
    for row in result:
        lines.append("\t".join(_tsv_term(cast(ResultRow, row).get(n)) for n in names))
    return "\n".join(lines) + "\n"


def _tsv_term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        escaped = (
            str(term)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
        if term.language:
            return f'"{escaped}"@{term.language}'
        if term.datatype:
            return f'"{escaped}"^^<{term.datatype}>'
        return f'"{escaped}"'
    raise QueryError(f"cannot write {term!r} as TSV")
