"""The OWL 2 RL rule matchers, rule by rule, each checked against owlrl (the reference)."""

from __future__ import annotations

import owlrl
import pytest
from rdflib import BNode, Graph, Literal, Namespace
from rdflib.namespace import OWL, RDF, RDFS

from filmgraph.core.namespaces import GRAPHS, new_dataset
from filmgraph.reason.backward import BACKWARD
from filmgraph.reason.explanations import Explainer
from filmgraph.reason.reasoning import OWLRL_ERRORS
from filmgraph.reason.rules import DERIVATION_RULES, INCONSISTENCY_RULES, RULES

EX = Namespace("http://example.org/")
R = BNode("restriction")
L = BNode("list")
LIST = [(L, RDF.first, EX.A), (L, RDF.rest, BNode("l2")), (BNode("l2"), RDF.first, EX.B),
        (BNode("l2"), RDF.rest, RDF.nil)]  # fmt: skip

# rule: (axioms, facts, the conclusion the rule draws)
CASES = {
    "eq-sym": ([], [(EX.a, OWL.sameAs, EX.b)], (EX.b, OWL.sameAs, EX.a)),
    "eq-trans": (
        [],
        [(EX.a, OWL.sameAs, EX.b), (EX.b, OWL.sameAs, EX.c)],
        (EX.a, OWL.sameAs, EX.c),
    ),
    "eq-rep-s": ([], [(EX.a, OWL.sameAs, EX.b), (EX.a, EX.p, EX.c)], (EX.b, EX.p, EX.c)),
    "eq-rep-p": ([], [(EX.p, OWL.sameAs, EX.q), (EX.a, EX.p, EX.c)], (EX.a, EX.q, EX.c)),
    "eq-rep-o": ([], [(EX.c, OWL.sameAs, EX.d), (EX.a, EX.p, EX.c)], (EX.a, EX.p, EX.d)),
    "prp-dom": ([(EX.p, RDFS.domain, EX.C)], [(EX.a, EX.p, EX.b)], (EX.a, RDF.type, EX.C)),
    "prp-rng": ([(EX.p, RDFS.range, EX.C)], [(EX.a, EX.p, EX.b)], (EX.b, RDF.type, EX.C)),
    "prp-fp": (
        [(EX.p, RDF.type, OWL.FunctionalProperty)],
        [(EX.a, EX.p, EX.b), (EX.a, EX.p, EX.c)],
        (EX.b, OWL.sameAs, EX.c),
    ),
    "prp-ifp": (
        [(EX.p, RDF.type, OWL.InverseFunctionalProperty)],
        [(EX.a, EX.p, EX.c), (EX.b, EX.p, EX.c)],
        (EX.a, OWL.sameAs, EX.b),
    ),
    "prp-symp": (
        [(EX.p, RDF.type, OWL.SymmetricProperty)],
        [(EX.a, EX.p, EX.b)],
        (EX.b, EX.p, EX.a),
    ),
    "prp-trp": (
        [(EX.p, RDF.type, OWL.TransitiveProperty)],
        [(EX.a, EX.p, EX.b), (EX.b, EX.p, EX.c)],
        (EX.a, EX.p, EX.c),
    ),
    "prp-spo1": ([(EX.p, RDFS.subPropertyOf, EX.q)], [(EX.a, EX.p, EX.b)], (EX.a, EX.q, EX.b)),
    "prp-eqp1": (
        [(EX.p, OWL.equivalentProperty, EX.q)],
        [(EX.a, EX.p, EX.b)],
        (EX.a, EX.q, EX.b),
    ),
    "prp-eqp2": (
        [(EX.p, OWL.equivalentProperty, EX.q)],
        [(EX.a, EX.q, EX.b)],
        (EX.a, EX.p, EX.b),
    ),
    "prp-inv1": ([(EX.p, OWL.inverseOf, EX.q)], [(EX.a, EX.p, EX.b)], (EX.b, EX.q, EX.a)),
    "prp-inv2": ([(EX.p, OWL.inverseOf, EX.q)], [(EX.a, EX.q, EX.b)], (EX.b, EX.p, EX.a)),
    "cls-int1": (
        [(EX.C, OWL.intersectionOf, L), *LIST],
        [(EX.a, RDF.type, EX.A), (EX.a, RDF.type, EX.B)],
        (EX.a, RDF.type, EX.C),
    ),
    "cls-int2": (
        [(EX.C, OWL.intersectionOf, L), *LIST],
        [(EX.a, RDF.type, EX.C)],
        (EX.a, RDF.type, EX.B),
    ),
    "cls-uni": ([(EX.C, OWL.unionOf, L), *LIST], [(EX.a, RDF.type, EX.B)], (EX.a, RDF.type, EX.C)),
    "cls-svf1": (
        [(R, OWL.someValuesFrom, EX.C), (R, OWL.onProperty, EX.p)],
        [(EX.a, EX.p, EX.b), (EX.b, RDF.type, EX.C)],
        (EX.a, RDF.type, R),
    ),
    "cls-svf2": (
        [(R, OWL.someValuesFrom, OWL.Thing), (R, OWL.onProperty, EX.p)],
        [(EX.a, EX.p, EX.b)],
        (EX.a, RDF.type, R),
    ),
    "cls-avf": (
        [(R, OWL.allValuesFrom, EX.C), (R, OWL.onProperty, EX.p)],
        [(EX.a, RDF.type, R), (EX.a, EX.p, EX.b)],
        (EX.b, RDF.type, EX.C),
    ),
    "cls-hv1": (
        [(R, OWL.hasValue, EX.v), (R, OWL.onProperty, EX.p)],
        [(EX.a, RDF.type, R)],
        (EX.a, EX.p, EX.v),
    ),
    "cls-hv2": (
        [(R, OWL.hasValue, EX.v), (R, OWL.onProperty, EX.p)],
        [(EX.a, EX.p, EX.v)],
        (EX.a, RDF.type, R),
    ),
    "cax-sco": ([(EX.A, RDFS.subClassOf, EX.B)], [(EX.a, RDF.type, EX.A)], (EX.a, RDF.type, EX.B)),
    "cax-eqc1": (
        [(EX.A, OWL.equivalentClass, EX.B)],
        [(EX.a, RDF.type, EX.A)],
        (EX.a, RDF.type, EX.B),
    ),
    "cax-eqc2": (
        [(EX.A, OWL.equivalentClass, EX.B)],
        [(EX.a, RDF.type, EX.B)],
        (EX.a, RDF.type, EX.A),
    ),
}

# rule: (axioms, facts) that are inconsistent by that rule
INCONSISTENT = {
    "eq-diff1": ([], [(EX.a, OWL.sameAs, EX.b), (EX.a, OWL.differentFrom, EX.b)]),
    "prp-irp": ([(EX.p, RDF.type, OWL.IrreflexiveProperty)], [(EX.a, EX.p, EX.a)]),
    "prp-asyp": (
        [(EX.p, RDF.type, OWL.AsymmetricProperty)],
        [(EX.a, EX.p, EX.b), (EX.b, EX.p, EX.a)],
    ),
    "prp-pdw": (
        [(EX.p, OWL.propertyDisjointWith, EX.q)],
        [(EX.a, EX.p, EX.b), (EX.a, EX.q, EX.b)],
    ),
    "cls-nothing2": ([], [(EX.a, RDF.type, OWL.Nothing)]),
    "cls-com": (
        [(EX.A, OWL.complementOf, EX.B)],
        [(EX.a, RDF.type, EX.A), (EX.a, RDF.type, EX.B)],
    ),
    "cax-dw": (
        [(EX.A, OWL.disjointWith, EX.B)],
        [(EX.a, RDF.type, EX.A), (EX.a, RDF.type, EX.B)],
    ),
    "cax-adc": (
        [(BNode("adc"), RDF.type, OWL.AllDisjointClasses), (BNode("adc"), OWL.members, L), *LIST],
        [(EX.a, RDF.type, EX.A), (EX.a, RDF.type, EX.B)],
    ),
}


def _graph(*parts) -> Graph:
    graph = Graph()
    for part in parts:
        for triple in part:
            graph.add(triple)
    return graph


def test_every_rule_has_a_case():
    assert set(CASES) == {rule.name for rule in DERIVATION_RULES}
    assert set(INCONSISTENT) == {rule.name for rule in INCONSISTENCY_RULES}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_draws_its_conclusion_from_its_premises(name):
    axioms, facts, conclusion = CASES[name]
    graph = _graph(axioms, facts)
    found = {c: premises for c, premises in RULES[name].match(graph)}
    assert conclusion in found
    assert all(premise in graph for premise in found[conclusion])


@pytest.mark.parametrize("name", sorted(CASES))
def test_owlrl_draws_the_same_conclusion(name):
    axioms, facts, conclusion = CASES[name]
    graph = _graph(axioms, facts)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    assert conclusion in graph


@pytest.mark.parametrize("name", sorted(CASES))
def test_explainer_names_the_rule(name):
    axioms, facts, conclusion = CASES[name]
    dataset = new_dataset()
    for graph_name, triples in (("ontology", axioms), ("asserted", facts)):
        for triple in triples:
            dataset.graph(GRAPHS[graph_name]).add(triple)
    dataset.graph(GRAPHS["inferred"]).add(conclusion)
    explanation = Explainer(dataset).explain(conclusion)
    assert explanation.kind == "inferred"
    assert explanation.rule == name
    assert {leaf.kind for leaf in explanation.leaves()} <= {"asserted", "axiom"}


@pytest.mark.parametrize("name", sorted(INCONSISTENT))
def test_inconsistency_rule_matches_where_owlrl_reports_an_error(name):
    axioms, facts = INCONSISTENT[name]
    graph = _graph(axioms, facts)
    found = list(RULES[name].match(graph))
    assert found
    for conclusion, premises in found:
        assert conclusion is None and all(p in graph for p in premises)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    assert list(graph.objects(None, OWLRL_ERRORS.error)), "owlrl agrees it is inconsistent"


def test_rules_skip_conclusions_with_a_literal_subject():
    graph = _graph([(EX.p, OWL.inverseOf, EX.q), (EX.a, EX.p, Literal("x"))])
    assert list(RULES["prp-inv1"].match(graph)) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_read_backwards_finds_the_instances_read_forwards(name):
    """For every conclusion the rule draws, reading it backwards from the conclusion finds the
    same premises, in the same order (among candidates whose premises may not all hold)."""
    axioms, facts, _ = CASES[name]
    graph = _graph(axioms, facts)
    forwards: dict = {}
    for conclusion, premises in RULES[name].match(graph):
        forwards.setdefault(conclusion, set()).add(premises)
    assert forwards
    for conclusion, premises in forwards.items():
        found = BACKWARD[name](graph, conclusion)
        assert {ps for ps in found if all(p in graph for p in ps)} == premises
