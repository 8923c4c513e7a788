"""Terms and triples for people and for JSON: prefixed names, readable class expressions.

>>> from filmgraph.core.namespaces import FGID, SCHEMA
>>> g = Graph()
>>> triple_text((FGID.closeness, RDF.type, SCHEMA.Movie), g)
'fgid:closeness rdf:type schema:Movie'
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import cast

import rdflib
from rdflib import BNode, Graph, Literal
from rdflib.namespace import OWL, RDF, NamespaceManager
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.term import Node

from .namespaces import new_graph

#: An RDF triple as rdflib gives one: subject, predicate, object.
Triple = tuple[Node, Node, Node]

#: A triple as a line of N-Triples, as rdflib's serializer writes it (its escapes); also
#: valid in SPARQL.
nt_line = cast(Callable[[Triple], str], _nt_row)

_AS_WRITTEN = threading.RLock()


@contextmanager
def literals_as_written() -> Iterator[None]:
    """While inside, rdflib's parsers keep every literal's lexical form as written: no
    rewriting of ``"01"^^xsd:integer`` as ``"1"`` or dropping a date's timezone
    (``"2006-08-24Z"^^xsd:date``). Every parse of sources, caches and stores goes through
    this, so literals reach the store as the sources write them.

    rdflib's switch is global, so the switch is held under a lock while inside.

    >>> from rdflib.namespace import XSD
    >>> text = '<a:s> <a:p> "01"^^<%s> .' % XSD.integer
    >>> with literals_as_written():
    ...     graph = Graph().parse(data=text, format="nt")
    >>> [str(o) for o in graph.objects()]
    ['01']
    >>> [str(o) for o in Graph().parse(data=text, format="nt").objects()]  # rdflib's default
    ['1']
    """
    with _AS_WRITTEN:
        before = rdflib.NORMALIZE_LITERALS
        rdflib.NORMALIZE_LITERALS = False
        try:
            yield
        finally:
            rdflib.NORMALIZE_LITERALS = before


_RESTRICTION_WORDS = (
    (OWL.someValuesFrom, "some"),
    (OWL.allValuesFrom, "only"),
    (OWL.hasValue, "value"),
)


def _namespaces() -> NamespaceManager:
    return new_graph().namespace_manager


def term_text(term: Node, graph: Graph, namespaces: NamespaceManager | None = None) -> str:
    """``term`` as a prefixed name or N3 literal; a blank node that is an RDF list as
    ``( a b )``, one that is an OWL restriction as ``[p some C]``, any other by (up to
    three of) its properties, ``[p o; ...]``.

    ``graph`` is where a blank node's description is looked up.
    """
    namespaces = namespaces or _namespaces()
    if isinstance(term, BNode):
        if (term, RDF.first, None) in graph:
            items = (term_text(item, graph, namespaces) for item in graph.items(term))
            return "(" + " ".join(items) + ")"
        prop = graph.value(term, OWL.onProperty)
        for predicate, word in _RESTRICTION_WORDS:
            filler = graph.value(term, predicate)
            if prop is not None and filler is not None:
                p, f = term_text(prop, graph, namespaces), term_text(filler, graph, namespaces)
                return f"[{p} {word} {f}]"
        described = sorted(
            (term_text(p, graph, namespaces), term_text(o, graph, namespaces))
            for p, o in graph.predicate_objects(term)
            if p != RDF.type and o != term
        )
        if described:
            return "[" + "; ".join(f"{p} {o}" for p, o in described[:3]) + "]"
    return term.n3(namespaces)


def triple_text(
    triple: tuple[Node, Node, Node], graph: Graph, namespaces: NamespaceManager | None = None
) -> str:
    """``s p o`` with :func:`term_text` for each term."""
    namespaces = namespaces or _namespaces()
    return " ".join(term_text(term, graph, namespaces) for term in triple)


def term_json(term: Node) -> dict[str, str]:
    """A term in the SPARQL 1.1 JSON results encoding (``type``, ``value``, ...).

    >>> from rdflib.namespace import XSD
    >>> term_json(Literal("1991-01-25", datatype=XSD.date))["datatype"]
    'http://www.w3.org/2001/XMLSchema#date'
    """
    if isinstance(term, Literal):
        encoded = {"type": "literal", "value": str(term)}
        if term.language:
            encoded["xml:lang"] = term.language
        elif term.datatype:
            encoded["datatype"] = str(term.datatype)
        return encoded
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    return {"type": "uri", "value": str(term)}
