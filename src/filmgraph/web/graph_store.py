"""The read side of the SPARQL 1.1 Graph Store HTTP Protocol, and the export downloads.

- ``GET /graph?default``: the default graph (the union of asserted, inferred, links);
  ``GET /graph?graph=IRI``: one named graph (404 if we hold none by that IRI). The format
  comes from the Accept header or ``format=`` (Turtle by default), as for query results.
- ``GET /export.<ext>`` (``ttl``, ``jsonld``, ``nt``, ``nq``, ``trig``, ``rdf``,
  ``framed.jsonld``): the whole dataset as a file; triple formats merge the default graph's
  parts, N-Quads and TriG keep every graph apart. Each answer names a file
  (Content-Disposition).

Writes (PUT, POST, DELETE) are not offered: 405.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request
from rdflib import URIRef

from ..core import GRAPHS, QueryError
from ..export import EXPORTS, export, media_type
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
    held = [n for n in names if GRAPHS[n] in current().graphs]
    text = export(current().dataset, EXPORT_NAMES[fmt], held, current().settings)
    return _file(text, fmt, filename)


@blueprint.route("/export.<extension>")
def export_file(extension: str) -> Response:
    name = EXPORT_NAMES.get(extension)
    if name is None:
        abort(404, f"no export as .{extension}; as: {', '.join(sorted(EXPORT_NAMES))}")
    graphs = list(GRAPHS) if extension in QUAD_FORMATS else list(DEFAULT_GRAPHS)
    held = [n for n in graphs if GRAPHS[n] in current().graphs]
    text = export(current().dataset, name, held, current().settings)
    return _file(text, extension, "filmgraph")


def _file(text: str, extension: str, stem: str) -> Response:
    """``text`` in the graph format named ``extension``, as a file to save."""
    response = Response(text, mimetype=media_type(extension))
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{extension}"'
    response.headers["Vary"] = "Accept"
    return response
