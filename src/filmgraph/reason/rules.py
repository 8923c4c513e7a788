"""The OWL 2 RL rules, by their names in the W3C rule tables, as matchers over a graph.

Each rule finds its instances in a graph and yields ``(conclusion, premises)``; the
conclusion is ``None`` for the rules that detect an inconsistency (their conclusion is
*false*). Names and shapes follow *OWL 2 Web Ontology Language Profiles*, section 4.3,
tables 4 to 9 (https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules).

The rules here are those that draw conclusions about individuals (the schema-level ``scm-*``
rules only restate the ontology and are not needed to explain them). owlrl and
``reasonable`` compute the closure; these matchers let :mod:`filmgraph.reason.explanations`
say *why* each inferred triple holds and let :mod:`filmgraph.reason.reasoning` name the
triples behind an inconsistency.

>>> from rdflib import Graph, URIRef
>>> from rdflib.namespace import OWL
>>> g = Graph()
>>> ex = "http://example.org/"
>>> p, q, a, b = (URIRef(ex + n) for n in "pqab")
>>> _ = g.add((p, OWL.inverseOf, q)).add((a, p, b))
>>> [(c[2], rule) for rule, c, _ in matches(g, DERIVATION_RULES)]
[(rdflib.term.URIRef('http://example.org/a'), 'prp-inv1')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import combinations

from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from ..core import Triple

Match = tuple[Triple | None, tuple[Triple, ...]]


@dataclass(frozen=True)
class Rule:
    """An OWL 2 RL rule: its W3C name, what it says, and its matcher."""

    name: str
    summary: str
    match: Callable[[Graph], Iterator[Match]]


def _pairs(graph: Graph, predicate: Node) -> Iterator[tuple[Node, Node]]:
    return graph.subject_objects(predicate)


def _sorted(nodes: Iterable[Node]) -> list[Node]:
    """``nodes`` in rdflib's order of terms (so every match comes out in the same order)."""
    return sorted(nodes)  # type: ignore[type-var]  # rdflib's terms are ordered (Identifier.__lt__); Node does not say so


def _resource(term: Node) -> bool:
    """Can ``term`` be the subject of a triple (not a literal)?"""
    return not isinstance(term, Literal)


def _members(graph: Graph, head: Node) -> list[Node]:
    """The items of the RDF list starting at ``head``."""
    return list(graph.items(head))


def _list_premises(graph: Graph, head: Node) -> tuple[Triple, ...]:
    """The rdf:first / rdf:rest triples that make up the list at ``head``."""
    found: list[Triple] = []
    node: Node | None = head
    while node != RDF.nil and node is not None:
        for p in (RDF.first, RDF.rest):
            value = graph.value(node, p)
            if value is not None:
                found.append((node, p, value))
        node = graph.value(node, RDF.rest)
    return tuple(found)


# ---------------------------------------------------------------- equality (table 4)


def eq_sym(g: Graph) -> Iterator[Match]:
    for x, y in _pairs(g, OWL.sameAs):
        yield (y, OWL.sameAs, x), ((x, OWL.sameAs, y),)


def eq_trans(g: Graph) -> Iterator[Match]:
    for x, y in _pairs(g, OWL.sameAs):
        for z in g.objects(y, OWL.sameAs):
            yield (x, OWL.sameAs, z), ((x, OWL.sameAs, y), (y, OWL.sameAs, z))


def eq_rep_s(g: Graph) -> Iterator[Match]:
    for s, s2 in _pairs(g, OWL.sameAs):
        for p, o in g.predicate_objects(s):
            yield (s2, p, o), ((s, OWL.sameAs, s2), (s, p, o))


def eq_rep_p(g: Graph) -> Iterator[Match]:
    for p, p2 in _pairs(g, OWL.sameAs):
        for s, o in _pairs(g, p):
            yield (s, p2, o), ((p, OWL.sameAs, p2), (s, p, o))


def eq_rep_o(g: Graph) -> Iterator[Match]:
    for o, o2 in _pairs(g, OWL.sameAs):
        for s, p in g.subject_predicates(o):
            yield (s, p, o2), ((o, OWL.sameAs, o2), (s, p, o))


def eq_diff1(g: Graph) -> Iterator[Match]:
    for x, y in _pairs(g, OWL.differentFrom):
        if (x, OWL.sameAs, y) in g:
            yield None, ((x, OWL.sameAs, y), (x, OWL.differentFrom, y))


# ---------------------------------------------------------------- properties (table 5)


def prp_dom(g: Graph) -> Iterator[Match]:
    for p, c in _pairs(g, RDFS.domain):
        for x, y in _pairs(g, p):
            yield (x, RDF.type, c), ((p, RDFS.domain, c), (x, p, y))


def prp_rng(g: Graph) -> Iterator[Match]:
    for p, c in _pairs(g, RDFS.range):
        for x, y in _pairs(g, p):
            if _resource(y):
                yield (y, RDF.type, c), ((p, RDFS.range, c), (x, p, y))


def prp_fp(g: Graph) -> Iterator[Match]:
    for p in g.subjects(RDF.type, OWL.FunctionalProperty):
        for x in set(g.subjects(p, None)):
            values = [y for y in g.objects(x, p) if _resource(y)]
            for y1, y2 in combinations(_sorted(values), 2):
                axiom = (p, RDF.type, OWL.FunctionalProperty)
                yield (y1, OWL.sameAs, y2), (axiom, (x, p, y1), (x, p, y2))


def prp_ifp(g: Graph) -> Iterator[Match]:
    for p in g.subjects(RDF.type, OWL.InverseFunctionalProperty):
        for y in set(g.objects(None, p)):
            for x1, x2 in combinations(_sorted(g.subjects(p, y)), 2):
                axiom = (p, RDF.type, OWL.InverseFunctionalProperty)
                yield (x1, OWL.sameAs, x2), (axiom, (x1, p, y), (x2, p, y))


def prp_irp(g: Graph) -> Iterator[Match]:
    for p in g.subjects(RDF.type, OWL.IrreflexiveProperty):
        for x, y in _pairs(g, p):
            if x == y:
                yield None, ((p, RDF.type, OWL.IrreflexiveProperty), (x, p, x))


def prp_symp(g: Graph) -> Iterator[Match]:
    for p in g.subjects(RDF.type, OWL.SymmetricProperty):
        for x, y in _pairs(g, p):
            if _resource(y):
                yield (y, p, x), ((p, RDF.type, OWL.SymmetricProperty), (x, p, y))


def prp_asyp(g: Graph) -> Iterator[Match]:
    for p in g.subjects(RDF.type, OWL.AsymmetricProperty):
        for x, y in _pairs(g, p):
            if (y, p, x) in g:
                yield None, ((p, RDF.type, OWL.AsymmetricProperty), (x, p, y), (y, p, x))


def prp_trp(g: Graph) -> Iterator[Match]:
    for p in g.subjects(RDF.type, OWL.TransitiveProperty):
        for x, y in _pairs(g, p):
            for z in g.objects(y, p):
                axiom = (p, RDF.type, OWL.TransitiveProperty)
                yield (x, p, z), (axiom, (x, p, y), (y, p, z))


def prp_spo1(g: Graph) -> Iterator[Match]:
    for p1, p2 in _pairs(g, RDFS.subPropertyOf):
        for x, y in _pairs(g, p1):
            yield (x, p2, y), ((p1, RDFS.subPropertyOf, p2), (x, p1, y))


def prp_eqp1(g: Graph) -> Iterator[Match]:
    for p1, p2 in _pairs(g, OWL.equivalentProperty):
        for x, y in _pairs(g, p1):
            yield (x, p2, y), ((p1, OWL.equivalentProperty, p2), (x, p1, y))


def prp_eqp2(g: Graph) -> Iterator[Match]:
    for p1, p2 in _pairs(g, OWL.equivalentProperty):
        for x, y in _pairs(g, p2):
            yield (x, p1, y), ((p1, OWL.equivalentProperty, p2), (x, p2, y))


def prp_pdw(g: Graph) -> Iterator[Match]:
    for p1, p2 in _pairs(g, OWL.propertyDisjointWith):
        for x, y in _pairs(g, p1):
            if (x, p2, y) in g:
                yield None, ((p1, OWL.propertyDisjointWith, p2), (x, p1, y), (x, p2, y))


def prp_inv1(g: Graph) -> Iterator[Match]:
    for p1, p2 in _pairs(g, OWL.inverseOf):
        for x, y in _pairs(g, p1):
            if _resource(y):
                yield (y, p2, x), ((p1, OWL.inverseOf, p2), (x, p1, y))


def prp_inv2(g: Graph) -> Iterator[Match]:
    for p1, p2 in _pairs(g, OWL.inverseOf):
        for x, y in _pairs(g, p2):
            if _resource(y):
                yield (y, p1, x), ((p1, OWL.inverseOf, p2), (x, p2, y))


# ---------------------------------------------------------------- classes (table 6)


def cls_nothing2(g: Graph) -> Iterator[Match]:
    for x in g.subjects(RDF.type, OWL.Nothing):
        yield None, ((x, RDF.type, OWL.Nothing),)


def cls_int1(g: Graph) -> Iterator[Match]:
    for c, head in _pairs(g, OWL.intersectionOf):
        classes = _members(g, head)
        if not classes:
            continue
        candidates = set(g.subjects(RDF.type, classes[0]))
        for y in _sorted(candidates):
            if all((y, RDF.type, ci) in g for ci in classes[1:]):
                memberships = tuple((y, RDF.type, ci) for ci in classes)
                axioms = ((c, OWL.intersectionOf, head), *_list_premises(g, head))
                yield (y, RDF.type, c), (*axioms, *memberships)


def cls_int2(g: Graph) -> Iterator[Match]:
    for c, head in _pairs(g, OWL.intersectionOf):
        axioms = ((c, OWL.intersectionOf, head), *_list_premises(g, head))
        for y in g.subjects(RDF.type, c):
            for ci in _members(g, head):
                yield (y, RDF.type, ci), (*axioms, (y, RDF.type, c))


def cls_uni(g: Graph) -> Iterator[Match]:
    for c, head in _pairs(g, OWL.unionOf):
        axioms = ((c, OWL.unionOf, head), *_list_premises(g, head))
        for ci in _members(g, head):
            for y in g.subjects(RDF.type, ci):
                yield (y, RDF.type, c), (*axioms, (y, RDF.type, ci))


def cls_com(g: Graph) -> Iterator[Match]:
    for c1, c2 in _pairs(g, OWL.complementOf):
        for x in g.subjects(RDF.type, c1):
            if (x, RDF.type, c2) in g:
                axiom = (c1, OWL.complementOf, c2)
                yield None, (axiom, (x, RDF.type, c1), (x, RDF.type, c2))


def _restrictions(g: Graph, kind: Node) -> Iterator[tuple[Node, Node, Node]]:
    """(restriction, filler, property) for each restriction of the given kind."""
    for x, filler in _pairs(g, kind):
        for p in g.objects(x, OWL.onProperty):
            yield x, filler, p


def cls_svf1(g: Graph) -> Iterator[Match]:
    for x, y, p in _restrictions(g, OWL.someValuesFrom):
        if y == OWL.Thing:
            continue
        axioms = ((x, OWL.someValuesFrom, y), (x, OWL.onProperty, p))
        for u, v in _pairs(g, p):
            if (v, RDF.type, y) in g:
                yield (u, RDF.type, x), (*axioms, (u, p, v), (v, RDF.type, y))


def cls_svf2(g: Graph) -> Iterator[Match]:
    for x, y, p in _restrictions(g, OWL.someValuesFrom):
        if y == OWL.Thing:
            axioms = ((x, OWL.someValuesFrom, y), (x, OWL.onProperty, p))
            for u, v in _pairs(g, p):
                yield (u, RDF.type, x), (*axioms, (u, p, v))


def cls_avf(g: Graph) -> Iterator[Match]:
    for x, y, p in _restrictions(g, OWL.allValuesFrom):
        axioms = ((x, OWL.allValuesFrom, y), (x, OWL.onProperty, p))
        for u in g.subjects(RDF.type, x):
            for v in g.objects(u, p):
                if _resource(v):
                    yield (v, RDF.type, y), (*axioms, (u, RDF.type, x), (u, p, v))


def cls_hv1(g: Graph) -> Iterator[Match]:
    for x, y, p in _restrictions(g, OWL.hasValue):
        axioms = ((x, OWL.hasValue, y), (x, OWL.onProperty, p))
        for u in g.subjects(RDF.type, x):
            yield (u, p, y), (*axioms, (u, RDF.type, x))


def cls_hv2(g: Graph) -> Iterator[Match]:
    for x, y, p in _restrictions(g, OWL.hasValue):
        axioms = ((x, OWL.hasValue, y), (x, OWL.onProperty, p))
        for u in g.subjects(p, y):
            yield (u, RDF.type, x), (*axioms, (u, p, y))


# ---------------------------------------------------------------- class axioms (table 7)


def cax_sco(g: Graph) -> Iterator[Match]:
    for c1, c2 in _pairs(g, RDFS.subClassOf):
        for x in g.subjects(RDF.type, c1):
            yield (x, RDF.type, c2), ((c1, RDFS.subClassOf, c2), (x, RDF.type, c1))


def cax_eqc1(g: Graph) -> Iterator[Match]:
    for c1, c2 in _pairs(g, OWL.equivalentClass):
        for x in g.subjects(RDF.type, c1):
            yield (x, RDF.type, c2), ((c1, OWL.equivalentClass, c2), (x, RDF.type, c1))


def cax_eqc2(g: Graph) -> Iterator[Match]:
    for c1, c2 in _pairs(g, OWL.equivalentClass):
        for x in g.subjects(RDF.type, c2):
            yield (x, RDF.type, c1), ((c1, OWL.equivalentClass, c2), (x, RDF.type, c2))


def cax_dw(g: Graph) -> Iterator[Match]:
    for c1, c2 in _pairs(g, OWL.disjointWith):
        both = set(g.subjects(RDF.type, c1)) & set(g.subjects(RDF.type, c2))
        for x in _sorted(both):
            axiom = (c1, OWL.disjointWith, c2)
            yield None, (axiom, (x, RDF.type, c1), (x, RDF.type, c2))


def cax_adc(g: Graph) -> Iterator[Match]:
    for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses):
        for head in g.objects(axiom, OWL.members):
            axioms = (
                (axiom, RDF.type, OWL.AllDisjointClasses),
                (axiom, OWL.members, head),
                *_list_premises(g, head),
            )
            classes = _members(g, head)
            members = {c: set(g.subjects(RDF.type, c)) for c in classes}  # once per class
            for ci, cj in combinations(classes, 2):
                both = members[ci] & members[cj]
                for z in _sorted(both):
                    yield None, (*axioms, (z, RDF.type, ci), (z, RDF.type, cj))


def _rule(fn: Callable[[Graph], Iterator[Match]], summary: str) -> Rule:
    return Rule(fn.__name__.replace("_", "-"), summary, fn)


#: Rules that add triples, in the order the W3C tables list them.
DERIVATION_RULES: tuple[Rule, ...] = (
    _rule(eq_sym, "owl:sameAs is symmetric"),
    _rule(eq_trans, "owl:sameAs is transitive"),
    _rule(eq_rep_s, "a subject can be replaced by one owl:sameAs it"),
    _rule(eq_rep_p, "a predicate can be replaced by one owl:sameAs it"),
    _rule(eq_rep_o, "an object can be replaced by one owl:sameAs it"),
    _rule(prp_dom, "the subject of a property belongs to its rdfs:domain"),
    _rule(prp_rng, "the object of a property belongs to its rdfs:range"),
    _rule(prp_fp, "two values of a functional property are the same individual"),
    _rule(prp_ifp, "two subjects of an inverse-functional property value are the same"),
    _rule(prp_symp, "a symmetric property holds both ways"),
    _rule(prp_trp, "a transitive property chains"),
    _rule(prp_spo1, "a sub-property implies its super-property"),
    _rule(prp_eqp1, "equivalent properties imply each other (left to right)"),
    _rule(prp_eqp2, "equivalent properties imply each other (right to left)"),
    _rule(prp_inv1, "a property implies its owl:inverseOf read backwards"),
    _rule(prp_inv2, "the owl:inverseOf of a property implies it read backwards"),
    _rule(cls_int1, "membership of every class of an intersection"),
    _rule(cls_int2, "membership of an intersection implies each of its classes"),
    _rule(cls_uni, "membership of one class of a union implies the union"),
    _rule(cls_svf1, "a value of the property in the class satisfies someValuesFrom"),
    _rule(cls_svf2, "any value of the property satisfies someValuesFrom owl:Thing"),
    _rule(cls_avf, "values of the property of an allValuesFrom member are in the filler"),
    _rule(cls_hv1, "a hasValue member has the value"),
    _rule(cls_hv2, "having the value makes a hasValue member"),
    _rule(cax_sco, "a member of a class is a member of its superclasses"),
    _rule(cax_eqc1, "equivalent classes share members (left to right)"),
    _rule(cax_eqc2, "equivalent classes share members (right to left)"),
)

#: Rules whose conclusion is *false*: a match is an inconsistency.
INCONSISTENCY_RULES: tuple[Rule, ...] = (
    _rule(eq_diff1, "an individual is owl:sameAs one it is owl:differentFrom"),
    _rule(prp_irp, "an irreflexive property relates something to itself"),
    _rule(prp_asyp, "an asymmetric property holds both ways"),
    _rule(prp_pdw, "disjoint properties relate the same pair"),
    _rule(cls_nothing2, "something is a member of owl:Nothing"),
    _rule(cls_com, "something is a member of a class and of its complement"),
    _rule(cax_dw, "something is a member of two disjoint classes"),
    _rule(cax_adc, "something is a member of two classes of an owl:AllDisjointClasses"),
)

RULES: dict[str, Rule] = {rule.name: rule for rule in DERIVATION_RULES + INCONSISTENCY_RULES}


def matches(
    graph: Graph, rules: Iterable[Rule]
) -> Iterator[tuple[str, Triple | None, tuple[Triple, ...]]]:
    """Every instance of ``rules`` in ``graph``, as ``(rule name, conclusion, premises)``."""
    for rule in rules:
        for conclusion, premises in rule.match(graph):
            if conclusion is not None and isinstance(conclusion[0], Literal):
                continue  # a literal cannot be a subject: RDF has no such triple
            yield rule.name, conclusion, premises
