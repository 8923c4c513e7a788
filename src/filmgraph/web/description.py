"""What the endpoint says about itself: the SPARQL 1.1 Service Description (a bare
``GET /sparql``) and a VoID description of the dataset (``/.well-known/void``).

Both are RDF graphs made once (their endpoint IRI is the public base URL,
:func:`~filmgraph.web.headers.public_base`, never the request's Host) and sent in the format
the client accepts (Turtle by default; JSON-LD, N-Triples, RDF/XML, N-Quads, TriG).
"""

from __future__ import annotations

import threading

from flask import Blueprint, Response, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, VOID

from ..core import FGID, GRAPH_DESCRIPTIONS, GRAPHS, SCHEMA, new_graph
from ..query import DEFAULT_GRAPHS, MEDIA_TYPES, prepare, serialize_graph
from .app_state import State, current
from .headers import public_base
from .negotiation import choose_or_406, parse_accept
from .void_stats import describe_graph

blueprint = Blueprint("description", __name__)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
QUERY = Namespace("https://w3id.org/filmgraph/query/")

#: format name -> the W3C's IRI for it (http://www.w3.org/ns/formats/).
FORMAT_IRIS = {
    "json": FORMATS.SPARQL_Results_JSON,
    "xml": FORMATS.SPARQL_Results_XML,
    "csv": FORMATS.SPARQL_Results_CSV,
    "tsv": FORMATS.SPARQL_Results_TSV,
    "ttl": FORMATS.Turtle,
    "jsonld": FORMATS["JSON-LD"],
    "nt": FORMATS["N-Triples"],
    "rdf": FORMATS.RDF_XML,
    "nq": FORMATS["N-Quads"],
    "trig": FORMATS.TriG,
}
EXECUTABLE = {"SELECT": SH.select, "ASK": SH.ask, "CONSTRUCT": SH.construct}
EXECUTABLE_CLASS = {
    "SELECT": SH.SPARQLSelectExecutable,
    "ASK": SH.SPARQLAskExecutable,
    "CONSTRUCT": SH.SPARQLConstructExecutable,
}


def service_description(state: State, endpoint: str) -> Graph:
    """The Service Description of the endpoint at ``endpoint``."""
    graph = new_graph()
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    graph.bind("void", VOID)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    if state.settings.service_allow:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    for family in MEDIA_TYPES.values():
        for name in family:
            graph.add((service, SD.resultFormat, FORMAT_IRIS[name]))
    graph.add((service, DCTERMS.title, Literal(f"filmgraph: {state.project.title}")))
    dataset = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    names = ", ".join(n for n in DEFAULT_GRAPHS if GRAPHS.get(n) in state.default_graphs)
    graph.add(
        (default, DCTERMS.description, Literal(f"The union of the {names} graphs.", lang="en"))
    )
    graphs = " ".join(f"<{name}>" for name in state.default_graphs)
    union = state.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{"
        f" GRAPH ?g {{ ?s ?p ?o }} VALUES ?g {{ {graphs} }} }} }}"
    )
    graph.add((default, VOID.triples, Literal(int(union[0]["n"]["value"]))))
    for name, size in state.graphs.items():
        named, inner = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, name))
        graph.add((named, SD.graph, inner))
        graph.add((inner, RDF.type, SD.Graph))
        graph.add((inner, VOID.triples, Literal(size)))
    for query in state.queries.values():
        example = QUERY[query.name]
        kind = prepare(query.text).kind
        graph.add((example, RDF.type, SH.SPARQLExecutable))
        if kind in EXECUTABLE:
            graph.add((example, RDF.type, EXECUTABLE_CLASS[kind]))
            graph.add((example, EXECUTABLE[kind], Literal(query.text)))
        graph.add((example, RDFS.label, Literal(query.title, lang="en")))
        if query.description:
            graph.add((example, RDFS.comment, Literal(query.description, lang="en")))
        graph.add((example, SCHEMA.target, service))
    return graph


def void_description(state: State, endpoint: str, base: str) -> Graph:
    """VoID for the dataset: one subset per named graph, with class and property partitions."""
    graph = new_graph()
    root = URIRef(base + ".well-known/void#filmgraph")
    graph.add((root, RDF.type, VOID.Dataset))
    project = state.project
    graph.add((root, DCTERMS.title, Literal(f"filmgraph: {project.title}", lang="en")))
    if project.description:
        graph.add((root, DCTERMS.description, Literal(project.description, lang="en")))
    if project.licence:
        graph.add((root, DCTERMS.license, URIRef(project.licence)))
    graph.add((root, VOID.sparqlEndpoint, URIRef(endpoint)))
    graph.add((root, VOID.uriSpace, Literal(str(FGID))))
    graph.add((root, VOID.vocabulary, URIRef(str(SCHEMA))))
    if state.home is not None:
        graph.add((root, VOID.exampleResource, FGID[state.home[0]]))
    graph.add((root, VOID.triples, Literal(sum(state.graphs.values()))))
    for name in state.graphs:
        subset = URIRef(f"{root}-{name.rsplit('/', 1)[-1]}")
        describe_graph(state.select, name, subset, graph)
        graph.add((root, VOID.subset, subset))
        graph.add((subset, SD.name, name))
        short = next((k for k, v in GRAPHS.items() if v == name), None)
        if short in GRAPH_DESCRIPTIONS:
            graph.add((subset, DCTERMS.description, Literal(GRAPH_DESCRIPTIONS[short], lang="en")))
    graph.bind("void", VOID)
    graph.bind("sd", SD)
    return graph


def _send(graph: Graph, what: str) -> Response:
    accept = parse_accept(request.headers.get("Accept"))
    fmt = choose_or_406("GRAPH", accept, request.args.get("format"), what)
    response = Response(serialize_graph(graph, fmt), mimetype=MEDIA_TYPES["GRAPH"][fmt])
    response.headers["Vary"] = "Accept"
    return response


_making = threading.Lock()


def _described(kind: str) -> Graph:
    """The description of this kind, made once (whatever Host a request names)."""
    state = current()
    base = public_base()
    key = (kind, base)
    with _making:
        if key not in state.descriptions:
            endpoint = base + "sparql"
            state.descriptions[key] = (
                service_description(state, endpoint)
                if kind == "sd"
                else void_description(state, endpoint, base)
            )
        return state.descriptions[key]


def service_description_response() -> Response:
    return _send(_described("sd"), "a service description")


@blueprint.route("/.well-known/void")
def void() -> Response:
    return _send(_described("void"), "a VoID description")
