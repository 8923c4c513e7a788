"""The read side of the SPARQL 1.1 Graph Store HTTP Protocol, and the export downloads.

- ``GET /graph?default``: the default graph (the union of asserted, inferred, links);
  ``GET /graph?graph=IRI``: one named graph (404 if we hold none by that IRI). The format
  comes from the Accept header or ``format=`` (Turtle by default), as for query results.
- ``GET /export.<ext>`` (``ttl``, ``jsonld``, ``nt``, ``nq``, ``trig``, ``rdf``,
  ``framed.jsonld``): the whole dataset as a file; triple formats merge the default graph's
  parts, N-Quads and TriG keep every graph apart. Each answer names a file
  (Content-Disposition).

Every format but framed JSON-LD is streamed: written from the store as it is read, in
bounded memory (:func:`~filmgraph.export.export_stream`), sent chunked. Framed JSON-LD is
built whole, and refused (403) above the ``framed_limit`` setting.

Writes (PUT, POST, DELETE) are not offered: 405.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, abort, request
from rdflib import URIRef

from ..core import GRAPHS, QueryError
from ..export import EXPORTS, STREAMED, export, export_stream, media_type
from ..query import DEFAULT_GRAPHS, QUAD_FORMATS
from .app_state import current
from .negotiation import choose_or_406, parse_accept

blueprint = Blueprint("graph_store", __name__)

#: a graph format's name (as negotiated, and as a file extension) -> its export name
EXPORT_NAMES = {extension: name for name, extension in EXPORTS.items()}


@blueprint.route("/graph")
def graph() -> Response:
    has_default = "default" in request.args
    iri = request.args.get("graph")
    if has_default == (iri is not None):
        raise QueryError("ask for exactly one graph: /graph?default or /graph?graph=IRI")
    if has_default:
        names, filename = list(DEFAULT_GRAPHS), "default"
    else:
        by_iri = {str(v): k for k, v in GRAPHS.items()}
        if iri not in by_iri or URIRef(iri) not in current().graphs:
            abort(404, f"the dataset holds no graph named <{iri}>")
        names, filename = [by_iri[iri]], by_iri[iri]
    accept = parse_accept(request.headers.get("Accept"))
    fmt = choose_or_406("GRAPH", accept, request.args.get("format"), "a graph")
    return _file(graph_body(names, fmt), fmt, filename)


@blueprint.route("/export.<extension>")
def export_file(extension: str) -> Response:
    name = EXPORT_NAMES.get(extension)
    if name is None:
        abort(404, f"no export as .{extension}; as: {', '.join(sorted(EXPORT_NAMES))}")
    return _file(graph_body(_dataset_graphs(extension), extension), extension, "filmgraph")


def graph_body(names: list[str], extension: str) -> str | Iterator[str]:
    """The graphs ``names`` (those held) as the file ``/graph`` gives in format ``extension``:
    Turtle, JSON-LD, N-Triples, N-Quads, TriG and RDF/XML as pieces streamed from the store
    in bounded memory (:func:`~filmgraph.export.export_stream`), framed JSON-LD as one
    text."""
    held = [n for n in names if GRAPHS[n] in current().graphs]
    name = EXPORT_NAMES[extension]
    if name in STREAMED:
        return export_stream(current().dataset, name, held)
    return export(current().dataset, name, held, current().settings)


def _dataset_graphs(extension: str) -> list[str]:
    """The graphs of ``/export.EXT``: every graph (quad formats) or the default graph's."""
    return list(GRAPHS) if extension in QUAD_FORMATS else list(DEFAULT_GRAPHS)


#: Up to how many triples the downloads page gives each file's size (it writes each file
#: once to measure it, then keeps the figure).
SIZED_UP_TO = 200_000


def download_size(graph: str, extension: str) -> int | None:
    """The size in bytes of a download: ``graph`` is a graph's short name, ``default`` or
    ``dataset`` (``/export.EXT``); None when the dataset is too large to measure here."""
    state = current()
    key = (graph, extension)
    if key not in state.sizes:
        if sum(state.graphs.values()) > SIZED_UP_TO:
            return None
        if graph == "dataset":
            names = _dataset_graphs(extension)
        else:
            names = list(DEFAULT_GRAPHS) if graph == "default" else [graph]
        body = graph_body(names, extension)
        parts = (body,) if isinstance(body, str) else body  # a streamed format: counted as it comes
        state.sizes[key] = sum(len(part.encode("utf-8")) for part in parts)
    return state.sizes[key]


def _file(body: str | Iterator[str], extension: str, stem: str) -> Response:
    """``body`` (a text, or lines streamed) in the graph format named ``extension``, as a
    file to save."""
    response = Response(body, mimetype=media_type(extension))
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{extension}"'
    response.headers["Vary"] = "Accept"
    return response
