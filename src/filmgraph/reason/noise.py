"""The noise filter: what OWL 2 RL derives that nobody would call knowledge.

owlrl (and any complete OWL 2 RL engine) derives, besides the facts a reader cares about,
triples that hold of everything or that restate the vocabularies. :data:`NOISE` lists what
is dropped from the inferred graph, in order, with the reason; the README repeats it.

>>> from rdflib.namespace import OWL
>>> from filmgraph.core.namespaces import FGID
>>> noise((FGID.nalchik, OWL.sameAs, FGID.nalchik), set())
'reflexive-sameAs'
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from ..core import Triple

_VOCABULARIES = (str(RDF), str(RDFS), str(OWL), str(XSD))

#: Predicates that relate classes and properties, not individuals.
SCHEMA_PREDICATES = frozenset(
    {
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.inverseOf,
        OWL.disjointWith,
        OWL.propertyDisjointWith,
        OWL.complementOf,
    }
)


def _in_vocabularies(term: object) -> bool:
    # str.startswith: rdflib's Identifier.startswith does not accept a tuple of prefixes.
    return isinstance(term, URIRef) and str.startswith(term, _VOCABULARIES)


#: The noise filter, in the order it is applied: (name, why the triple is dropped).
NOISE: tuple[tuple[str, str], ...] = (
    ("literal-subject", "a literal as subject (owlrl's datatype reasoning): not an RDF triple"),
    ("reflexive-sameAs", "x owl:sameAs x (rule eq-ref): true of everything, says nothing"),
    ("universal-class", "rdf:type owl:Thing or rdfs:Resource: true of every individual"),
    ("vocabulary-term", "a triple about an RDF, RDFS, OWL or XSD term (axiomatic triples)"),
    (
        "vocabulary-class",
        "rdf:type of an RDF/RDFS/OWL/XSD class or datatype, such as owl:ObjectProperty or "
        "xsd:string (owl:Nothing is kept: it marks an inconsistency)",
    ),
    (
        "schema-level",
        "a triple about a class or property our ontology defines, or a schema-level "
        "predicate (rdfs:subClassOf, rdfs:domain, owl:inverseOf, ...): it restates the "
        "ontology, which stays queryable in its own graph",
    ),
)


# The terms the filter compares with, as strings: ``type(t) is URIRef and str.__eq__(t, X)``
# is rdflib's ``t == URIRef(X)`` without its __eq__ in Python (the filter runs on every
# triple the engine adds).
_SAME_AS, _TYPE, _NOTHING = str(OWL.sameAs), str(RDF.type), str(OWL.Nothing)
_THING, _RESOURCE = str(OWL.Thing), str(RDFS.Resource)


def noise(triple: Triple, ontology_terms: set[Node]) -> str | None:
    """The name of the :data:`NOISE` rule that drops ``triple``, or None to keep it."""
    s, p, o = triple
    if isinstance(s, Literal):
        return "literal-subject"
    if type(p) is URIRef and str.__eq__(p, _SAME_AS) and s == o:
        return "reflexive-sameAs"
    typing = type(p) is URIRef and str.__eq__(p, _TYPE)
    if typing and type(o) is URIRef and (str.__eq__(o, _THING) or str.__eq__(o, _RESOURCE)):
        return "universal-class"
    if _in_vocabularies(s):
        return "vocabulary-term"
    if typing and not (type(o) is URIRef and str.__eq__(o, _NOTHING)) and _in_vocabularies(o):
        return "vocabulary-class"
    if s in ontology_terms or p in SCHEMA_PREDICATES:
        return "schema-level"
    return None
