"""The vocabulary namespaces, graph names and prefix binding, in one place."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, XSD, DefinedNamespace

from .errors import QueryError

BASE = "https://w3id.org/filmgraph/"

SCHEMA = Namespace("http://schema.org/")
FG = Namespace(BASE + "ontology#")
FGID = Namespace(BASE + "id/")
CLAIM = Namespace(BASE + "claim/")
STATEMENT = Namespace(BASE + "statement/")
GRAPH = Namespace(BASE + "graph/")
OA = Namespace("http://www.w3.org/ns/oa#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")

#: The named graphs of a built dataset, by short name.
GRAPHS: dict[str, URIRef] = {
    "ontology": GRAPH.ontology,
    "asserted": GRAPH.asserted,
    "inferred": GRAPH.inferred,
    "provenance": GRAPH.provenance,
    "links": GRAPH.links,
    "wikidata": GRAPH.wikidata,
    "assessments": GRAPH.assessments,
}

#: What each named graph holds, in a sentence (the downloads page, VoID).
GRAPH_DESCRIPTIONS: dict[str, str] = {
    "ontology": "The vocabulary: our OWL terms, their alignments on schema.org, and the part "
    "of schema.org the data uses.",
    "asserted": "What the source document states: one triple per fact, each traced to the "
    "words that state it.",
    "inferred": "What OWL 2 RL reasoning adds to the stated facts and the ontology, each "
    "explainable down to them.",
    "provenance": "Where each fact comes from: a Web Annotation of each quoted span, with "
    "the facts it states as reified statements.",
    "links": "The entities' Wikidata items (schema:sameAs), each confirmed against the "
    "reference list.",
    "wikidata": "The checked Wikidata statements about the linked items, as Wikidata writes "
    "them; those not seen on Wikidata itself are marked.",
    "assessments": "What is known of each claim and fact: corroborated, contradicted, "
    "uncorroborated or unchecked against the reference, or a characterisation.",
}

#: What is known of a claim or fact (the local names of its ``fg:assessment``), gravest
#: first: a claim takes the gravest of its compared facts'.
ASSESSMENTS = ("contradicted", "uncorroborated", "corroborated", "unchecked", "characterisation")

#: The assessments that cast doubt on a fact: marked on the pages, carried by inferences.
DOUBTFUL = ASSESSMENTS[:2]

#: Prefixes bound in every graph we write and accepted in every query we run.
PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
    "schema": SCHEMA,
    "fg": FG,
    "fgid": FGID,
    "oa": OA,
    "claim": CLAIM,
    "stmt": STATEMENT,
    "prov": PROV,
    "dcterms": DCTERMS,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "sh": SH,
    "xsd": XSD,
    "wd": WD,
    "wdt": WDT,
}


def graph_names(selection: Iterable[str]) -> list[str]:
    """Graph short names from a selection such as ``asserted,inferred`` or ``all``.

    >>> graph_names(["links", "all"])[:2]
    ['links', 'ontology']

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


def new_graph(identifier: URIRef | None = None) -> Graph:
    """A graph with only our prefixes bound (rdflib's defaults bind https://schema.org/)."""
    graph = Graph(identifier=identifier, bind_namespaces="none")
    bind_prefixes(graph)
    return graph


def new_dataset() -> Dataset:
    """An empty dataset whose default graph, when queried, is the union of its named graphs."""
    dataset = Dataset(default_union=True)
    bind_prefixes(dataset)
    return dataset


def bind_prefixes(graph: Graph) -> None:
    """Bind the project's prefixes, replacing any other binding of the same prefix."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)


def turtle_prefix_header(only: tuple[str, ...] | None = None) -> str:
    """``@prefix`` lines for the project's prefixes, for Turtle snippets."""
    names = only or tuple(PREFIXES)
    return "".join(f"@prefix {name}: <{PREFIXES[name]}> .\n" for name in names)


def sparql_prefix_header() -> str:
    """``PREFIX`` lines for the project's prefixes, for SPARQL text."""
    return "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in PREFIXES.items())


def expand(name: str) -> URIRef:
    """Expand a prefixed name (``schema:name``) or an ``<IRI>``/bare IRI to a URIRef.

    >>> expand("fgid:closeness")
    rdflib.term.URIRef('https://w3id.org/filmgraph/id/closeness')
    """
    if name.startswith("<") and name.endswith(">"):
        return URIRef(name[1:-1])
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix][local]
    return URIRef(name)
