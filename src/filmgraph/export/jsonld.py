"""JSON-LD: the contexts, a document loader that never fetches, and the framed variant.

The framed variant is what a schema.org consumer reads: one top-level object per film and
person (``schema:Movie``, ``schema:Person``), with the places, events, awards, themes and
other nodes they point to nested under them, and other films and people referenced by
``@id``. Its context is schema.org's, by reference (``https://schema.org/``), followed by our
prefixes; pyld resolves that reference through :class:`LocalLoader`, which serves the copy
shipped in ``data/vendor`` and refuses every other URL, so nothing is ever fetched.

A schema.org consumer knows none of our terms, and reasoning writes the facts in schema.org's
words (by the ontology's alignments: ``fg:theme`` is a kind of ``schema:about``,
``fg:hostedPremiereOf`` of ``schema:workFeatured``, ``fg:Theme`` a ``schema:DefinedTerm``,
...) into the inferred graph: the framed export frames :func:`schemaorg_view`, the chosen
graphs with those schema.org consequences.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyld import jsonld
from rdflib import OWL, RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from ..core import GRAPHS, PREFIXES, SCHEMA, DataError, QueryError, Settings, graph_names, new_graph

#: Where schema.org publishes its context; the local loader serves the shipped copy at each.
SCHEMAORG_CONTEXT_URLS = tuple(
    f"{scheme}://schema.org{path}"
    for scheme in ("https", "http")
    for path in ("", "/", "/docs/jsonldcontext.jsonld", "/docs/jsonldcontext.json")
)

#: The context reference the framed variant is written with.
SCHEMAORG_CONTEXT = "https://schema.org/"

#: The classes whose instances are the framed variant's top-level objects.
FRAMED_CLASSES = (SCHEMA.Movie, SCHEMA.Person)

_NEVER = {"@embed": "@never"}


class LocalLoader:
    """A pyld document loader that serves local files and refuses every other URL.

    ``documents`` maps each URL to the file served for it; each file is read once, here.
    A refusal is pyld's own error (``loading document failed``), raised before any socket
    is opened.

    Raises:
        DataError: a file is missing or is not JSON.

    >>> loader = schemaorg_loader(Settings().schemaorg_context)
    >>> loader("https://schema.org/")["document"]["@context"]["@vocab"]
    'http://schema.org/'
    >>> loader("https://example.org/context.jsonld")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    pyld.jsonld.JsonLdError: refused to load https://example.org/context.jsonld
    """

    def __init__(self, documents: Mapping[str, Path]) -> None:
        self.documents = {url: _read_json(path) for url, path in documents.items()}

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if url not in self.documents:
            raise jsonld.JsonLdError(
                f"refused to load {url}: filmgraph fetches nothing; it holds only "
                f"{', '.join(sorted(self.documents))}",
                "jsonld.LoadDocumentError",
                {"url": url},
                code="loading document failed",
            )
        document = copy.deepcopy(self.documents[url])  # pyld may edit what it is given
        return {"contextUrl": None, "documentUrl": url, "document": document}


@lru_cache(maxsize=4)
def schemaorg_loader(context_file: Path) -> LocalLoader:
    """The loader serving ``context_file`` as schema.org's context, at each of its URLs."""
    return LocalLoader(dict.fromkeys(SCHEMAORG_CONTEXT_URLS, context_file))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"cannot read: {exc.strerror}", path) from exc
    except json.JSONDecodeError as exc:
        raise DataError(f"not JSON: {exc.msg}", path, exc.lineno, exc.colno) from exc


def jsonld_context(graph: Graph) -> dict[str, Any]:
    """``@vocab`` schema.org, and the prefixes of ours that the graph's IRIs use."""
    used: set[str] = set()
    for triple in graph:
        used.update(jsonld_prefixes(triple))
    return context_of(used)


def context_of(used: Iterable[str]) -> dict[str, Any]:
    """The JSON-LD context: ``@vocab`` schema.org, and the prefixes ``used`` but schema."""
    context: dict[str, Any] = {"@vocab": str(SCHEMA)}
    context.update({p: str(PREFIXES[p]) for p in sorted(set(used)) if p != "schema"})
    return context


def jsonld_prefixes(triple: tuple[Node, Node, Node]) -> Iterator[str]:
    """The prefixes of ours whose namespace begins an IRI of ``triple`` (or its literal's
    datatype)."""
    for term in triple:
        if isinstance(term, URIRef):
            yield from _prefixes_within(term[: _cut(term)])
        elif isinstance(term, Literal) and term.datatype:
            yield from _prefixes_within(term.datatype[: _cut(term.datatype)])


def _cut(iri: str) -> int:
    """Where an IRI's namespace ends: after its last ``/`` or ``#`` (each of our namespaces
    ends in one, so it begins an IRI if and only if it begins the IRI up to there)."""
    return max(iri.rfind("/"), iri.rfind("#")) + 1


@lru_cache(maxsize=4096)
def _prefixes_within(head: str) -> tuple[str, ...]:
    return tuple(p for p, ns in PREFIXES.items() if head.startswith(str(ns)))


def framed_context(graph: Graph, schemaorg: Mapping[str, Any]) -> list[Any]:
    """schema.org's context by reference, then our prefixes and date types.

    schema.org types its dates as ``schema:Date``; ours are ``xsd:date`` and ``xsd:gYear``,
    which that term cannot write. Each such term the graph uses is typed here with the one
    datatype its values have (or left untyped), so ``"birthDate": "1991-01-25"`` stays
    readable and still means ``"1991-01-25"^^xsd:date``.
    """
    local = {k: v for k, v in jsonld_context(graph).items() if k != "@vocab"}
    terms = schemaorg["@context"]
    for predicate in sorted({str(p) for p in graph.predicates()}):
        name = predicate.removeprefix(str(SCHEMA))
        term = terms.get(name) if predicate.startswith(str(SCHEMA)) else None
        if not isinstance(term, dict) or term.get("@type") in (None, "@id", "@vocab"):
            continue
        objects = graph.objects(None, URIRef(predicate))
        types = {o.datatype for o in objects if isinstance(o, Literal)}
        local[name] = {"@id": f"schema:{name}"}
        if len(types) == 1 and None not in types:
            local[name]["@type"] = _prefixed(str(types.pop()))
    return [SCHEMAORG_CONTEXT, local]


def _prefixed(iri: str) -> str:
    """``iri`` as a prefixed name with our prefixes, when one fits."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(str(namespace)):
            return f"{prefix}:{iri.removeprefix(str(namespace))}"
    return iri


def frame_for(graph: Graph) -> dict[str, Any]:
    """The frame (without its context): every film and person at the top, what they point
    to nested below them.

    An embedded node's properties inherit its ``@embed``, so the frame is written out along
    every path the graph has from a film or person: a property whose values include a film
    or person is ``@embed: @never`` (a reference) at every depth; any other property embeds
    its values (``@once`` within each top-level object; a cycle is a reference). Nodes that
    no film or person reaches (ontology terms, claims, ... when those graphs are framed) are
    top-level objects too, the ones nothing points to first, so every triple is written.

    Raises:
        QueryError: a blank node would be a top-level object (a frame names those by
            ``@id``, and pyld renames blank nodes): the ontology's anonymous axioms.
    """
    tops = {s for c in FRAMED_CLASSES for s in graph.subjects(RDF.type, c)}
    never = {p for _, p, o in graph if o in tops and p != RDF.type}
    pointed = {o for s, p, o in graph if p not in never and p != RDF.type and s != o}
    subjects = set(graph.subjects())
    while True:  # add the unreached node nothing points to (or the first), until none is left
        reached = set(tops)
        frame = _level(graph, [(t, frozenset([t])) for t in tops], never, reached)
        if not subjects - reached:
            break
        tops.add(min(subjects - reached, key=lambda n: (n in pointed, isinstance(n, BNode), n)))
    for top in sorted(tops, key=str):
        if isinstance(top, BNode):
            types = ", ".join(_prefixed(t) for t in sorted(map(str, graph.objects(top, RDF.type))))
            raise QueryError(
                f"the framed JSON-LD cannot hold a blank node that nothing points to "
                f"(one of type {types or 'none'}); export these graphs as jsonld"
            )
    frame["@id"] = sorted(str(t) for t in tops)
    return frame


def _level(
    graph: Graph,
    entries: Iterable[tuple[Node, frozenset[Node]]],
    never: set[Node],
    reached: set[Node],
) -> dict[str, Any]:
    """The frame for ``entries`` (nodes, each with the nodes above it) at one depth; adds
    the nodes it embeds to ``reached``."""
    below: dict[Node, list[tuple[Node, frozenset[Node]]]] = {}
    for node, above in entries:
        for p, o in graph.predicate_objects(node):
            if p == RDF.type or isinstance(o, Literal):
                continue
            children = below.setdefault(p, [])
            if p not in never and o not in above:  # pyld writes a cycle as a reference
                reached.add(o)
                children.append((o, above | {o}))
    frame: dict[str, Any] = {"@id": {}, "@embed": "@once"}
    for p, children in sorted(below.items(), key=lambda item: str(item[0])):
        frame[str(p)] = _NEVER if p in never else _level(graph, children, never, reached)
    return frame


def framed(graph: Graph, settings: Settings | None = None) -> str:
    """The graph as framed JSON-LD (see the module's summary), with sorted keys.

    Every triple of ``graph`` is in the output: read back, it is isomorphic to ``graph``.

    Raises:
        QueryError: a blank node that nothing points to (see :func:`frame_for`).
        DataError: schema.org's context file is missing or is not JSON.

    >>> from filmgraph import build
    >>> from filmgraph.core.namespaces import GRAPHS
    >>> data = json.loads(framed(build().graph(GRAPHS["asserted"])))
    >>> [node["name"] for node in data["@graph"] if node["type"] == "Movie"]
    ['Beanpole', 'Closeness']
    """
    settings = settings or Settings()
    loader = schemaorg_loader(settings.schemaorg_context)
    expanded = jsonld.from_rdf(_rdf_dataset(graph))
    frame = frame_for(graph)
    frame["@context"] = framed_context(graph, loader.documents[SCHEMAORG_CONTEXT])
    options = {"documentLoader": loader, "omitGraph": False, "omitDefault": True}
    data = jsonld.frame(expanded, frame, options)
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _rdf_dataset(graph: Graph) -> dict[str, list[dict[str, Any]]]:
    """The graph as pyld's RDF dataset: canonical blank node labels and sorted triples, so
    that the output is stable."""
    triples = sorted(to_canonical_graph(graph), key=lambda t: tuple(x.n3() for x in t))
    return {
        "@default": [
            {"subject": _term(s), "predicate": _term(p), "object": _term(o)} for s, p, o in triples
        ]
    }


def _term(term: Any) -> dict[str, str]:
    """An rdflib term as pyld's RDF term."""
    if isinstance(term, BNode):
        return {"type": "blank node", "value": f"_:{term}"}
    if isinstance(term, Literal):
        datatype = term.datatype or (RDF.langString if term.language else XSD.string)
        literal = {"type": "literal", "value": str(term), "datatype": str(datatype)}
        if term.language:
            literal["language"] = term.language
        return literal
    return {"type": "IRI", "value": str(term)}


def schemaorg_view(dataset: Dataset, graphs: Iterable[str] = ("asserted",)) -> Graph:
    """The chosen graphs of ``dataset``, merged, with the schema.org consequences (from its
    inferred graph) about the nodes they describe; what a consumer that knows only schema.org
    understands, and nothing else (no ``owl:sameAs``, no ``fg:`` inverses, no ``rdfs:label``
    copies):

    - every triple whose predicate is a schema.org property, except the twin of one already
      there, read the other way (``schema:subEvent`` beside ``schema:superEvent``: schema.org
      declares the pair ``schema:inverseOf``, so the twin says nothing new and would nest a
      festival's other editions under each film);
    - every ``rdf:type`` whose class is a schema.org class, except a superclass of another
      schema.org type the node has (``schema:DefinedTerm`` for a theme, not also
      ``schema:Intangible`` and ``schema:Thing``): its most specific types, beside our own.

    Raises:
        QueryError: an unknown graph name.

    >>> from filmgraph import build
    >>> from filmgraph.core import FGID
    >>> view = schemaorg_view(build())
    >>> (FGID["cannes-film-festival-2017"], SCHEMA.workFeatured, FGID.closeness) in view
    True
    >>> sorted(view.objects(FGID["theme-trauma"], RDF.type))  # doctest: +NORMALIZE_WHITESPACE
    [rdflib.term.URIRef('http://schema.org/DefinedTerm'),
     rdflib.term.URIRef('https://w3id.org/filmgraph/ontology#Theme')]
    """
    view = new_graph()
    for name in graph_names(graphs):
        view += dataset.graph(GRAPHS[name])
    ontology = dataset.graph(GRAPHS["ontology"])
    inverses = _inverses(ontology)
    described = set(view.subjects())
    facts: list[tuple[Node, Node, Node]] = []
    types: dict[Node, set[Node]] = {}
    for s, p, o in dataset.graph(GRAPHS["inferred"]):
        if s not in described:
            continue
        if p == RDF.type:
            if _is_schema(o):
                types.setdefault(s, set()).add(o)
        elif _is_schema(p) and not any((o, q, s) in view for q in inverses.get(p, ())):
            facts.append((s, p, o))
    for node, inferred in types.items():
        own = inferred | {t for t in view.objects(node, RDF.type) if _is_schema(t)}
        supers = {t: _superclasses(ontology, t) for t in own}
        above = {c for t in own for c in supers[t] if t not in supers.get(c, {c})}
        for type_ in inferred - above:
            view.add((node, RDF.type, type_))
    for triple in facts:
        view.add(triple)
    return view


def _is_schema(term: Node) -> bool:
    return isinstance(term, URIRef) and term.startswith(str(SCHEMA)) and term != SCHEMA


def _inverses(ontology: Graph) -> dict[Node, set[Node]]:
    """Each property -> the properties declared its inverse (``owl:inverseOf`` in our
    ontology, ``schema:inverseOf`` in schema.org's), both ways."""
    inverses: dict[Node, set[Node]] = {}
    for predicate in (OWL.inverseOf, SCHEMA.inverseOf):
        for a, b in ontology.subject_objects(predicate):
            inverses.setdefault(a, set()).add(b)
            inverses.setdefault(b, set()).add(a)
    return inverses


def _superclasses(ontology: Graph, cls: Node) -> set[Node]:
    """``cls`` and every class above it (``rdfs:subClassOf``, transitively)."""
    return {c for c in ontology.transitive_objects(cls, RDFS.subClassOf) if c is not None}
