"""An OWL 2 RL profile check of a graph of OWL in RDF.

The graph is read under the mapping of OWL 2 to RDF graphs
(https://www.w3.org/TR/owl2-mapping-to-rdf/): ``rdfs:subClassOf``, ``owl:equivalentClass``,
``rdfs:domain``, ``rdfs:range`` and the other axiom triples, blank-node class expressions
(``owl:Restriction``, ``owl:intersectionOf`` and the like) and RDF lists. Each axiom is
checked against the grammar of OWL 2 RL in the OWL 2 Profiles recommendation
(https://www.w3.org/TR/owl2-profiles/#OWL_2_RL):

- §4.2.1 (entities): the datatypes OWL 2 RL supports (:data:`RL_DATATYPES`), against every
  datatype used as a data range and every typed literal;
- §4.2.3 (class expressions): ``subClassExpression``, ``superClassExpression`` and
  ``equivClassExpression``, each in the positions that take it;
- §4.2.4 (data ranges): a datatype or an intersection of data ranges, nothing else;
- §4.2.5 (axioms): no ``DisjointUnion`` and no ``ReflexiveObjectProperty``.

It reports what it finds and nothing else: which findings a project accepts, and why, is for
the project to say (filmgraph's are in ``docs/guide/reasoning.md``).

>>> from rdflib import Graph
>>> graph = Graph().parse(format="turtle", data='''
...     @prefix : <http://example.org/> .
...     @prefix owl: <http://www.w3.org/2002/07/owl#> .
...     @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
...     :Parent rdfs:subClassOf [ a owl:Restriction ;
...         owl:onProperty :hasChild ; owl:someValuesFrom :Person ] .
... ''')
>>> [violation] = rl_profile_violations(graph)
>>> violation.rule, violation.message.split(" (")[0]
('superclass-expression', 'ObjectSomeValuesFrom in superclass position')

The same existential as a subclass is OWL 2 RL (rule ``cls-svf1`` reasons with it):

>>> graph = Graph().parse(format="turtle", data='''
...     @prefix : <http://example.org/> .
...     @prefix owl: <http://www.w3.org/2002/07/owl#> .
...     @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
...     [ a owl:Restriction ; owl:onProperty :directed ; owl:someValuesFrom :Movie ]
...         rdfs:subClassOf :Director .
... ''')
>>> rl_profile_violations(graph)
[]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

#: The OWL 2 RL part of the OWL 2 Profiles recommendation, cited by every message.
RL_PROFILE = "https://www.w3.org/TR/owl2-profiles/#OWL_2_RL"

#: The datatypes OWL 2 RL supports (OWL 2 Profiles §4.2.1), and ``rdf:langString``, the
#: datatype RDF 1.1 gives the literals with a language tag that OWL 2 reads as
#: ``rdf:PlainLiteral``.
RL_DATATYPES: frozenset[URIRef] = frozenset(
    {
        RDF.PlainLiteral,
        RDF.XMLLiteral,
        RDF.langString,
        RDFS.Literal,
        OWL.real,
        OWL.rational,
        XSD.decimal,
        XSD.integer,
        XSD.nonNegativeInteger,
        XSD.nonPositiveInteger,
        XSD.positiveInteger,
        XSD.negativeInteger,
        XSD.long,
        XSD.int,
        XSD.short,
        XSD.byte,
        XSD.unsignedLong,
        XSD.unsignedInt,
        XSD.unsignedShort,
        XSD.unsignedByte,
        XSD.double,
        XSD.float,
        XSD.string,
        XSD.normalizedString,
        XSD.token,
        XSD.language,
        XSD.Name,
        XSD.NCName,
        XSD.NMTOKEN,
        XSD.boolean,
        XSD.hexBinary,
        XSD.base64Binary,
        XSD.anyURI,
        XSD.dateTime,
        XSD.dateTimeStamp,
    }
)

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class ProfileViolation:
    """One way a graph leaves OWL 2 RL.

    Attributes:
        rule: what kind of violation: ``subclass-expression``, ``superclass-expression``,
            ``equivalent-class-expression``, ``data-range``, ``datatype-not-in-rl``,
            ``disjoint-union`` or ``reflexive-property``.
        triple: the triple of the graph where it occurs (the axiom, or the triple holding
            the literal).
        term: the term at fault: the class expression in the wrong position, the data
            range, or the datatype.
        message: what is wrong, in words, citing the section of OWL 2 Profiles.
    """

    rule: str
    triple: Triple
    term: Node
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


# ---------------------------------------------------------------- reading the graph


def _one(graph: Graph, node: Node, predicate: URIRef) -> Node | None:
    return graph.value(node, predicate)


def _members(graph: Graph, head: Node | None) -> list[Node]:
    """The items of the RDF list at ``head`` (none for a missing or malformed list)."""
    if head is None:
        return []
    try:
        return list(graph.items(head))
    except ValueError:  # a list whose rdf:rest loops
        return []


def _cardinality(literal: Node | None) -> int | None:
    if isinstance(literal, Literal):
        try:
            return int(str(literal))
        except ValueError:
            return None
    return None


_CARDINALITIES = {
    OWL.maxCardinality: "MaxCardinality",
    OWL.maxQualifiedCardinality: "MaxCardinality",
    OWL.minCardinality: "MinCardinality",
    OWL.minQualifiedCardinality: "MinCardinality",
    OWL.cardinality: "ExactCardinality",
    OWL.qualifiedCardinality: "ExactCardinality",
}


def _is_data_range(graph: Graph, node: Node) -> bool:
    """Whether ``node`` reads as a data range (a datatype or a data range expression)."""
    if isinstance(node, URIRef):
        return (
            node in RL_DATATYPES
            or node.startswith(str(XSD))
            or (node, RDF.type, RDFS.Datatype) in graph
        )
    if isinstance(node, BNode):
        if (node, RDF.type, RDFS.Datatype) in graph:
            return True
        if any(
            _one(graph, node, p) is not None for p in (OWL.onDatatype, OWL.datatypeComplementOf)
        ):
            return True
        listed = _members(graph, _one(graph, node, OWL.oneOf))
        return bool(listed) and all(isinstance(item, Literal) for item in listed)
    return False


def _is_data_restriction(graph: Graph, node: Node) -> bool:
    """Whether the restriction at ``node`` is on a data property."""
    prop = _one(graph, node, OWL.onProperty)
    if prop is not None and (prop, RDF.type, OWL.DatatypeProperty) in graph:
        return True
    if (
        _one(graph, node, OWL.onProperties) is not None
        or _one(graph, node, OWL.onDataRange) is not None
    ):
        return True
    if isinstance(_one(graph, node, OWL.hasValue), Literal):
        return True
    fillers = (_one(graph, node, p) for p in (OWL.someValuesFrom, OWL.allValuesFrom))
    return any(f is not None and _is_data_range(graph, f) for f in fillers)


@dataclass(frozen=True)
class _Expression:
    """A class expression as OWL 2's functional syntax names it, with its parts."""

    kind: str  # "Class", "ObjectSomeValuesFrom", "DataHasValue", ... or "unknown"
    operands: tuple[Node, ...] = ()  # of intersections, unions, complements; the filler
    cardinality: int | None = None


def _expression(graph: Graph, node: Node) -> _Expression:
    """Read the class expression at ``node`` (OWL 2 Mapping to RDF Graphs, Table 13)."""
    if isinstance(node, URIRef):
        return _Expression("owl:Thing" if node == OWL.Thing else "Class")
    for predicate, kind in (
        (OWL.intersectionOf, "ObjectIntersectionOf"),
        (OWL.unionOf, "ObjectUnionOf"),
    ):
        head = _one(graph, node, predicate)
        if head is not None:
            return _Expression(kind, tuple(_members(graph, head)))
    complement = _one(graph, node, OWL.complementOf)
    if complement is not None:
        return _Expression("ObjectComplementOf", (complement,))
    if _one(graph, node, OWL.oneOf) is not None:
        return _Expression("ObjectOneOf")
    if _one(graph, node, OWL.onProperty) is None and _one(graph, node, OWL.onProperties) is None:
        return _Expression("unknown")
    side = "Data" if _is_data_restriction(graph, node) else "Object"
    for predicate, kind in (
        (OWL.someValuesFrom, "SomeValuesFrom"),
        (OWL.allValuesFrom, "AllValuesFrom"),
    ):
        filler = _one(graph, node, predicate)
        if filler is not None:
            return _Expression(side + kind, (filler,))
    if _one(graph, node, OWL.hasValue) is not None:
        return _Expression(side + "HasValue")
    if _one(graph, node, OWL.hasSelf) is not None:
        return _Expression("ObjectHasSelf")
    for predicate, kind in _CARDINALITIES.items():
        number = _one(graph, node, predicate)
        if number is not None:
            qualifier = _one(graph, node, OWL.onClass)
            qualified = () if qualifier is None else (qualifier,)
            return _Expression(side + kind, qualified, _cardinality(number))
    return _Expression("unknown")


# ---------------------------------------------------------------- the RL grammar (§4.2.3)
# Each function returns None when the expression at ``node`` may stand in its position, else
# the name of the construct that may not (the expression itself or one inside it).

_Check = Callable[[Graph, Node, frozenset[Node]], str | None]


def _first(
    check: _Check, graph: Graph, nodes: tuple[Node, ...], seen: frozenset[Node]
) -> str | None:
    for node in nodes:
        found = check(graph, node, seen)
        if found is not None:
            return found
    return None


def _sub(graph: Graph, node: Node, seen: frozenset[Node] = frozenset()) -> str | None:
    """``subClassExpression``: a class other than owl:Thing, an intersection or union of
    them, ObjectOneOf, ObjectSomeValuesFrom of one (or of owl:Thing), ObjectHasValue,
    DataSomeValuesFrom, DataHasValue."""
    if node in seen:
        return None
    seen = seen | {node}
    expression = _expression(graph, node)
    if expression.kind in ("Class", "ObjectOneOf", "ObjectHasValue"):
        return None
    if expression.kind in ("DataSomeValuesFrom", "DataHasValue"):
        return None
    if expression.kind in ("ObjectIntersectionOf", "ObjectUnionOf"):
        return _first(_sub, graph, expression.operands, seen)
    if expression.kind == "ObjectSomeValuesFrom":
        (filler,) = expression.operands
        return None if filler == OWL.Thing else _sub(graph, filler, seen)
    return expression.kind


def _super(graph: Graph, node: Node, seen: frozenset[Node] = frozenset()) -> str | None:
    """``superClassExpression``: a class other than owl:Thing, an intersection of them,
    ObjectComplementOf of a subClassExpression, ObjectAllValuesFrom of one, ObjectHasValue,
    ObjectMaxCardinality 0 or 1 (of a subClassExpression or owl:Thing), DataAllValuesFrom,
    DataHasValue, DataMaxCardinality 0 or 1."""
    if node in seen:
        return None
    seen = seen | {node}
    expression = _expression(graph, node)
    if expression.kind in ("Class", "ObjectHasValue", "DataAllValuesFrom", "DataHasValue"):
        return None
    if expression.kind == "ObjectIntersectionOf":
        return _first(_super, graph, expression.operands, seen)
    if expression.kind == "ObjectComplementOf":
        return _first(_sub, graph, expression.operands, seen)
    if expression.kind == "ObjectAllValuesFrom":
        return _first(_super, graph, expression.operands, seen)
    if expression.kind in ("ObjectMaxCardinality", "DataMaxCardinality"):
        if expression.cardinality not in (0, 1):
            return f"{expression.kind} {expression.cardinality}"
        if expression.kind == "DataMaxCardinality":
            return None
        fillers = tuple(f for f in expression.operands if f != OWL.Thing)
        return _first(_sub, graph, fillers, seen)
    return expression.kind


def _equivalent(graph: Graph, node: Node, seen: frozenset[Node] = frozenset()) -> str | None:
    """``equivClassExpression``: a class other than owl:Thing, an intersection of them,
    ObjectHasValue, DataHasValue."""
    if node in seen:
        return None
    seen = seen | {node}
    expression = _expression(graph, node)
    if expression.kind in ("Class", "ObjectHasValue", "DataHasValue"):
        return None
    if expression.kind == "ObjectIntersectionOf":
        return _first(_equivalent, graph, expression.operands, seen)
    return expression.kind


_POSITIONS: dict[str, tuple[_Check, str, str]] = {
    # rule: (check, the grammar's name for the position, the section)
    "subclass-expression": (_sub, "subclass", "§4.2.3"),
    "superclass-expression": (_super, "superclass", "§4.2.3"),
    "equivalent-class-expression": (_equivalent, "equivalent-class", "§4.2.3"),
}


def _class_position(
    graph: Graph, rule: str, node: Node, triple: Triple, role: str
) -> Iterator[ProfileViolation]:
    check, position, section = _POSITIONS[rule]
    found = check(graph, node, frozenset())
    if found is not None:
        yield ProfileViolation(
            rule,
            triple,
            node,
            f"{found} in {position} position ({role}): OWL 2 RL allows only a "
            f"{position} expression there (OWL 2 Profiles {section}, {RL_PROFILE})",
        )


# ---------------------------------------------------------------- data ranges (§4.2.4)


def _datatype(triple: Triple, datatype: URIRef, what: str) -> Iterator[ProfileViolation]:
    if datatype not in RL_DATATYPES:
        yield ProfileViolation(
            "datatype-not-in-rl",
            triple,
            datatype,
            f"{datatype} ({what}) is not an OWL 2 RL datatype (OWL 2 Profiles §4.2.1, "
            f"{RL_PROFILE}); it is not in the OWL 2 datatype map either (OWL 2 Structural "
            "Specification §4)",
        )


def _data_range(
    graph: Graph, node: Node, triple: Triple, seen: frozenset[Node] = frozenset()
) -> Iterator[ProfileViolation]:
    """A datatype of :data:`RL_DATATYPES`, or an intersection of such data ranges."""
    if node in seen:
        return
    seen = seen | {node}
    if isinstance(node, URIRef):
        yield from _datatype(triple, node, "a data range")
        return
    parts = _members(graph, _one(graph, node, OWL.intersectionOf))
    if parts:
        for part in parts:
            yield from _data_range(graph, part, triple, seen)
        return
    base = _one(graph, node, OWL.onDatatype)
    construct = (
        "DatatypeRestriction"
        if base is not None
        else "DataComplementOf"
        if _one(graph, node, OWL.datatypeComplementOf) is not None
        else "DataUnionOf"
        if _one(graph, node, OWL.unionOf) is not None
        else "DataOneOf"
        if _one(graph, node, OWL.oneOf) is not None
        else "an unknown data range"
    )
    yield ProfileViolation(
        "data-range",
        triple,
        node,
        f"{construct}: an OWL 2 RL data range is a datatype or an intersection of data "
        f"ranges (OWL 2 Profiles §4.2.4, {RL_PROFILE})",
    )
    if isinstance(base, URIRef):
        yield from _datatype(triple, base, "restricted by a DatatypeRestriction")


def _restriction_data_ranges(graph: Graph) -> Iterator[ProfileViolation]:
    """The data ranges of data restrictions, wherever the restriction stands."""
    for node in set(graph.subjects(OWL.onProperty, None)) | set(
        graph.subjects(OWL.onProperties, None)
    ):
        if not _is_data_restriction(graph, node):
            continue
        for predicate in (OWL.someValuesFrom, OWL.allValuesFrom, OWL.onDataRange):
            for filler in graph.objects(node, predicate):
                yield from _data_range(graph, filler, (node, predicate, filler))


# ---------------------------------------------------------------- axioms (§4.2.5)


def _axioms(graph: Graph) -> Iterator[ProfileViolation]:
    for s, _, o in graph.triples((None, RDFS.subClassOf, None)):
        triple: Triple = (s, RDFS.subClassOf, o)
        if _is_data_range(graph, s) or _is_data_range(graph, o):
            continue  # not a class axiom
        yield from _class_position(
            graph, "subclass-expression", s, triple, "subject of rdfs:subClassOf"
        )
        yield from _class_position(
            graph, "superclass-expression", o, triple, "object of rdfs:subClassOf"
        )
    for s, _, o in graph.triples((None, OWL.equivalentClass, None)):
        triple = (s, OWL.equivalentClass, o)
        if _is_data_range(graph, s):  # a datatype definition
            yield from _data_range(graph, o, triple)
            continue
        for node, side in ((s, "subject"), (o, "object")):
            yield from _class_position(
                graph, "equivalent-class-expression", node, triple, f"{side} of owl:equivalentClass"
            )
    for s, _, o in graph.triples((None, OWL.disjointWith, None)):
        triple = (s, OWL.disjointWith, o)
        for node, side in ((s, "subject"), (o, "object")):
            yield from _class_position(
                graph, "subclass-expression", node, triple, f"{side} of owl:disjointWith"
            )
    for s in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        head = _one(graph, s, OWL.members)
        for member in _members(graph, head):
            yield from _class_position(
                graph,
                "subclass-expression",
                member,
                (s, OWL.members, head),  # type: ignore[arg-type]  # head is set: there are members
                "member of owl:AllDisjointClasses",
            )
    for s, _, o in graph.triples((None, OWL.hasKey, None)):
        yield from _class_position(
            graph, "subclass-expression", s, (s, OWL.hasKey, o), "subject of owl:hasKey"
        )
    for s, _, o in graph.triples((None, RDFS.domain, None)):
        yield from _class_position(
            graph, "superclass-expression", o, (s, RDFS.domain, o), "object of rdfs:domain"
        )
    for s, _, o in graph.triples((None, RDFS.range, None)):
        triple = (s, RDFS.range, o)
        if (s, RDF.type, OWL.DatatypeProperty) in graph or _is_data_range(graph, o):
            yield from _data_range(graph, o, triple)
        else:
            yield from _class_position(
                graph, "superclass-expression", o, triple, "object of rdfs:range"
            )
    for s, _, o in graph.triples((None, RDF.type, None)):
        if (isinstance(o, BNode) and not _is_data_range(graph, o)) or o == OWL.Thing:
            yield from _class_position(
                graph,
                "superclass-expression",
                o,
                (s, RDF.type, o),
                "class of an rdf:type assertion",
            )
    for s, _, o in graph.triples((None, OWL.disjointUnionOf, None)):
        yield ProfileViolation(
            "disjoint-union",
            (s, OWL.disjointUnionOf, o),
            s,
            "owl:disjointUnionOf (DisjointUnion) is not an OWL 2 RL axiom "
            f"(OWL 2 Profiles §4.2.5, {RL_PROFILE})",
        )
    for s in graph.subjects(RDF.type, OWL.ReflexiveProperty):
        yield ProfileViolation(
            "reflexive-property",
            (s, RDF.type, OWL.ReflexiveProperty),
            s,
            "owl:ReflexiveProperty (ReflexiveObjectProperty) is not an OWL 2 RL axiom "
            f"(OWL 2 Profiles §4.2.5, {RL_PROFILE})",
        )


def _literals(graph: Graph) -> Iterator[ProfileViolation]:
    """Every typed literal's datatype (a literal with a language tag is rdf:langString)."""
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None:
            yield from _datatype((s, p, o), o.datatype, "the datatype of a literal")


def rl_profile_violations(graph: Graph) -> list[ProfileViolation]:
    """Every way ``graph`` (OWL 2 in RDF) leaves the OWL 2 RL profile, each once, in a
    stable order (by rule, then triple).

    The class expressions of the axioms are checked in the positions the RL grammar gives
    them (subclass, superclass, equivalent class), the data ranges and typed literals
    against the RL datatypes, and the two axioms RL leaves out are reported. An empty list
    means none of these checks found anything, not that every condition of OWL 2 DL holds
    (declarations, punning and the global restrictions are not checked).
    """
    found = dict.fromkeys([*_axioms(graph), *_restriction_data_ranges(graph), *_literals(graph)])
    return sorted(found, key=lambda v: (v.rule, tuple(str(n) for n in v.triple), str(v.term)))
