"""The OWL 2 RL rules read backwards: which rule instances conclude a given triple.

For each rule of :data:`~.rules.DERIVATION_RULES`, a function of a graph and a triple yields
the premises of every instance of the rule whose conclusion is that triple, in the order the
rule's forward matcher gives them. The graph is only asked for triples by pattern, each
pattern with the terms the conclusion (and the axioms found before) bind, so finding the
instances of one triple reads the triples around it, not the graph. The premises found are
candidates: whether each holds (is stated, or derived in turn) is for the caller to decide
(:mod:`filmgraph.reason.explanations`).

>>> from rdflib import Graph, URIRef
>>> from rdflib.namespace import OWL
>>> g = Graph()
>>> ex = "http://example.org/"
>>> p, q, a, b = (URIRef(ex + n) for n in "pqab")
>>> _ = g.add((p, OWL.inverseOf, q)).add((a, p, b))
>>> [rule for rule, _ in instances(g, (b, q, a))]
['prp-inv1']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from ..core import Triple
from .rules import DERIVATION_RULES, _list_premises, _members, _resource, _sorted

Premises = tuple[Triple, ...]
Backward = Callable[[Graph, Triple], Iterator[Premises]]

_SAME, _TYPE = OWL.sameAs, RDF.type


def _ordered(a: Node, b: Node) -> bool:
    """Would the forward matcher give ``a`` before ``b`` (distinct, in rdflib's order)?"""
    return a != b and _sorted([a, b]) == [a, b]


# ---------------------------------------------------------------- equality


def eq_sym(g: Graph, t: Triple) -> Iterator[Premises]:
    y, p, x = t
    if p == _SAME:
        yield ((x, _SAME, y),)


def eq_trans(g: Graph, t: Triple) -> Iterator[Premises]:
    x, p, z = t
    if p == _SAME:
        for y in g.objects(x, _SAME):
            yield (x, _SAME, y), (y, _SAME, z)


def eq_rep_s(g: Graph, t: Triple) -> Iterator[Premises]:
    s2, p, o = t
    for s in g.subjects(_SAME, s2):
        yield (s, _SAME, s2), (s, p, o)


def eq_rep_p(g: Graph, t: Triple) -> Iterator[Premises]:
    s, p2, o = t
    for p in g.subjects(_SAME, p2):
        yield (p, _SAME, p2), (s, p, o)


def eq_rep_o(g: Graph, t: Triple) -> Iterator[Premises]:
    s, p, o2 = t
    for o in g.subjects(_SAME, o2):
        yield (o, _SAME, o2), (s, p, o)


# ---------------------------------------------------------------- properties


def prp_dom(g: Graph, t: Triple) -> Iterator[Premises]:
    x, p, c = t
    if p == _TYPE:
        for prop in g.subjects(RDFS.domain, c):
            for y in g.objects(x, prop):
                yield (prop, RDFS.domain, c), (x, prop, y)


def prp_rng(g: Graph, t: Triple) -> Iterator[Premises]:
    y, p, c = t
    if p == _TYPE and _resource(y):
        for prop in g.subjects(RDFS.range, c):
            for x in g.subjects(prop, y):
                yield (prop, RDFS.range, c), (x, prop, y)


def prp_fp(g: Graph, t: Triple) -> Iterator[Premises]:
    y1, p, y2 = t
    if p == _SAME and _resource(y1) and _resource(y2) and _ordered(y1, y2):
        for prop in g.subjects(_TYPE, OWL.FunctionalProperty):
            for x in g.subjects(prop, y1):
                yield (prop, _TYPE, OWL.FunctionalProperty), (x, prop, y1), (x, prop, y2)


def prp_ifp(g: Graph, t: Triple) -> Iterator[Premises]:
    x1, p, x2 = t
    if p == _SAME and _ordered(x1, x2):
        for prop in g.subjects(_TYPE, OWL.InverseFunctionalProperty):
            for y in g.objects(x1, prop):
                axiom = (prop, _TYPE, OWL.InverseFunctionalProperty)
                yield axiom, (x1, prop, y), (x2, prop, y)


def prp_symp(g: Graph, t: Triple) -> Iterator[Premises]:
    y, p, x = t
    if _resource(y) and (p, _TYPE, OWL.SymmetricProperty) in g:
        yield (p, _TYPE, OWL.SymmetricProperty), (x, p, y)


def prp_trp(g: Graph, t: Triple) -> Iterator[Premises]:
    x, p, z = t
    if (p, _TYPE, OWL.TransitiveProperty) in g:
        for y in g.objects(x, p):
            yield (p, _TYPE, OWL.TransitiveProperty), (x, p, y), (y, p, z)


def prp_spo1(g: Graph, t: Triple) -> Iterator[Premises]:
    x, p2, y = t
    for p1 in g.subjects(RDFS.subPropertyOf, p2):
        yield (p1, RDFS.subPropertyOf, p2), (x, p1, y)


def prp_eqp1(g: Graph, t: Triple) -> Iterator[Premises]:
    x, p2, y = t
    for p1 in g.subjects(OWL.equivalentProperty, p2):
        yield (p1, OWL.equivalentProperty, p2), (x, p1, y)


def prp_eqp2(g: Graph, t: Triple) -> Iterator[Premises]:
    x, p1, y = t
    for p2 in g.objects(p1, OWL.equivalentProperty):
        yield (p1, OWL.equivalentProperty, p2), (x, p2, y)


def prp_inv1(g: Graph, t: Triple) -> Iterator[Premises]:
    y, p2, x = t
    if _resource(y):
        for p1 in g.subjects(OWL.inverseOf, p2):
            yield (p1, OWL.inverseOf, p2), (x, p1, y)


def prp_inv2(g: Graph, t: Triple) -> Iterator[Premises]:
    y, p1, x = t
    if _resource(y):
        for p2 in g.objects(p1, OWL.inverseOf):
            yield (p1, OWL.inverseOf, p2), (x, p2, y)


# ---------------------------------------------------------------- classes


def cls_int1(g: Graph, t: Triple) -> Iterator[Premises]:
    y, p, c = t
    if p != _TYPE:
        return
    for head in g.objects(c, OWL.intersectionOf):
        classes = _members(g, head)
        if classes:
            axioms = ((c, OWL.intersectionOf, head), *_list_premises(g, head))
            yield (*axioms, *((y, _TYPE, ci) for ci in classes))


def cls_int2(g: Graph, t: Triple) -> Iterator[Premises]:
    y, p, ci = t
    if p != _TYPE:
        return
    for c, head in g.subject_objects(OWL.intersectionOf):
        if ci in _members(g, head):
            yield ((c, OWL.intersectionOf, head), *_list_premises(g, head), (y, _TYPE, c))


def cls_uni(g: Graph, t: Triple) -> Iterator[Premises]:
    y, p, c = t
    if p != _TYPE:
        return
    for head in g.objects(c, OWL.unionOf):
        axioms = ((c, OWL.unionOf, head), *_list_premises(g, head))
        for ci in _members(g, head):
            yield (*axioms, (y, _TYPE, ci))


def _restriction(g: Graph, x: Node, kind: Node) -> Iterator[tuple[Node, Node]]:
    """(filler, property) of the restriction ``x`` of the given kind."""
    for filler in g.objects(x, kind):
        for prop in g.objects(x, OWL.onProperty):
            yield filler, prop


def cls_svf1(g: Graph, t: Triple) -> Iterator[Premises]:
    u, p, x = t
    if p != _TYPE:
        return
    for y, prop in _restriction(g, x, OWL.someValuesFrom):
        if y == OWL.Thing:
            continue
        axioms = ((x, OWL.someValuesFrom, y), (x, OWL.onProperty, prop))
        for v in g.objects(u, prop):
            yield (*axioms, (u, prop, v), (v, _TYPE, y))


def cls_svf2(g: Graph, t: Triple) -> Iterator[Premises]:
    u, p, x = t
    if p != _TYPE:
        return
    for y, prop in _restriction(g, x, OWL.someValuesFrom):
        if y == OWL.Thing:
            axioms = ((x, OWL.someValuesFrom, y), (x, OWL.onProperty, prop))
            for v in g.objects(u, prop):
                yield (*axioms, (u, prop, v))


def cls_avf(g: Graph, t: Triple) -> Iterator[Premises]:
    v, p, y = t
    if p != _TYPE or not _resource(v):
        return
    for x in g.subjects(OWL.allValuesFrom, y):
        for prop in g.objects(x, OWL.onProperty):
            axioms = ((x, OWL.allValuesFrom, y), (x, OWL.onProperty, prop))
            for u in g.subjects(prop, v):
                yield (*axioms, (u, _TYPE, x), (u, prop, v))


def cls_hv1(g: Graph, t: Triple) -> Iterator[Premises]:
    u, p, y = t
    for x in g.subjects(OWL.hasValue, y):
        if (x, OWL.onProperty, p) in g:
            yield (x, OWL.hasValue, y), (x, OWL.onProperty, p), (u, _TYPE, x)


def cls_hv2(g: Graph, t: Triple) -> Iterator[Premises]:
    u, p, x = t
    if p != _TYPE:
        return
    for y, prop in _restriction(g, x, OWL.hasValue):
        yield (x, OWL.hasValue, y), (x, OWL.onProperty, prop), (u, prop, y)


# ---------------------------------------------------------------- class axioms


def cax_sco(g: Graph, t: Triple) -> Iterator[Premises]:
    x, p, c2 = t
    if p == _TYPE:
        for c1 in g.subjects(RDFS.subClassOf, c2):
            yield (c1, RDFS.subClassOf, c2), (x, _TYPE, c1)


def cax_eqc1(g: Graph, t: Triple) -> Iterator[Premises]:
    x, p, c2 = t
    if p == _TYPE:
        for c1 in g.subjects(OWL.equivalentClass, c2):
            yield (c1, OWL.equivalentClass, c2), (x, _TYPE, c1)


def cax_eqc2(g: Graph, t: Triple) -> Iterator[Premises]:
    x, p, c1 = t
    if p == _TYPE:
        for c2 in g.objects(c1, OWL.equivalentClass):
            yield (c1, OWL.equivalentClass, c2), (x, _TYPE, c2)


#: Each derivation rule read backwards, by its W3C name.
BACKWARD: dict[str, Backward] = {
    fn.__name__.replace("_", "-"): fn
    for fn in (
        eq_sym,
        eq_trans,
        eq_rep_s,
        eq_rep_p,
        eq_rep_o,
        prp_dom,
        prp_rng,
        prp_fp,
        prp_ifp,
        prp_symp,
        prp_trp,
        prp_spo1,
        prp_eqp1,
        prp_eqp2,
        prp_inv1,
        prp_inv2,
        cls_int1,
        cls_int2,
        cls_uni,
        cls_svf1,
        cls_svf2,
        cls_avf,
        cls_hv1,
        cls_hv2,
        cax_sco,
        cax_eqc1,
        cax_eqc2,
    )
}
assert set(BACKWARD) == {rule.name for rule in DERIVATION_RULES}


def instances(graph: Graph, triple: Triple) -> Iterator[tuple[str, Premises]]:
    """``(rule, premises)`` for each instance of a derivation rule that concludes ``triple``,
    its premises found in ``graph`` by pattern lookups, the rules in their W3C order."""
    for rule in DERIVATION_RULES:
        for premises in BACKWARD[rule.name](graph, triple):
            yield rule.name, premises
