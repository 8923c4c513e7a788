"""The OWL 2 RL profile (docs/guide/reasoning.md, "OWL 2 profile"): the project's ontology
and facts leave OWL 2 RL only where the documentation's table says, and the checker
(filmgraph.check.profile) catches each kind of violation and accepts the allowed shapes.

The expectations of the hand-written cases come from the RL grammar of OWL 2 Profiles §4.2,
not from the checker's output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from filmgraph.check import RL_DATATYPES, ProfileViolation, rl_profile_violations
from filmgraph.core import Settings
from filmgraph.load import load_files

ROOT = Path(__file__).resolve().parents[1]
REASONING = ROOT / "docs" / "guide" / "reasoning.md"

PREFIXES = """
@prefix : <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
EX = "http://example.org/"


# ---------------------------------------------------------------- the project, against its docs


def _documented() -> set[tuple[str, str, str]]:
    """(datatype, "range"/"values", property) for every use the docs table names, as
    prefixed names."""
    text = REASONING.read_text(encoding="utf-8")
    section = text.split("## OWL 2 profile", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert rows, "the OWL 2 profile section has no table of datatypes"
    uses = set()
    for row in rows:
        datatype_cell, where_cell, why_cell = (cell.strip() for cell in row.strip("|").split("|"))
        (datatype,) = re.findall(r"`([^`]+)`", datatype_cell)
        assert why_cell, f"{datatype}: the table must say why"
        for part in where_cell.split(";"):
            kind = re.match(r"\s*(range|values) of ", part)
            assert kind, f"{datatype}: cannot read {part!r} (write 'range of' or 'values of')"
            for prop in re.findall(r"`([^`]+)`", part):
                uses.add((datatype, kind.group(1), prop))
    return uses


def _where(violation: ProfileViolation) -> tuple[str, URIRef] | None:
    """("range", property) for a datatype range, ("values", property) for typed values;
    None for anything else, which the docs never name."""
    s, p, o = violation.triple
    if violation.rule != "datatype-not-in-rl":
        return None
    if p == RDFS.range and isinstance(s, URIRef):
        return ("range", s)
    if isinstance(o, Literal) and isinstance(p, URIRef):
        return ("values", p)
    return None


@pytest.fixture(scope="module")
def project_graph() -> Graph:
    """What OWL 2 RL reasoning reads: the ontology files (ours and the schema.org subset)
    and the facts, loaded as the build loads them."""
    settings = Settings()
    return load_files([*settings.ontology_files, settings.facts_file])


def test_the_project_leaves_owl2_rl_only_where_the_docs_say(project_graph):
    violations = rl_profile_violations(project_graph)
    unexplained = [v for v in violations if _where(v) is None]
    assert not unexplained, "\n".join(map(str, unexplained))
    names = project_graph.namespace_manager
    found = set()
    for violation in violations:
        where = _where(violation)
        assert where is not None
        kind, prop = where
        found.add((names.curie(str(violation.term)), kind, names.curie(str(prop))))
    assert found == _documented()


def test_the_documented_datatypes_are_outside_owl2_rl(project_graph):
    expand = project_graph.namespace_manager.expand_curie
    for datatype, _, _ in _documented():
        assert expand(datatype) not in RL_DATATYPES, datatype


def test_the_schemaorg_subset_has_no_owl2_rl_finding():
    # RDFS only: in scope because the reasoner reads it, and it adds nothing.
    (subset,) = [p for p in Settings().ontology_files if p.name == "schemaorg-subset.ttl"]
    assert rl_profile_violations(load_files([subset])) == []


def test_the_ontology_header_points_at_the_docs():
    header = (ROOT / "ontology" / "filmgraph.ttl").read_text(encoding="utf-8").splitlines()[:5]
    comment = " ".join(line for line in header if line.startswith("#"))
    assert "docs/guide/reasoning.md" in comment and "OWL 2 RL" in comment
    assert "Every axiom here stays within" not in comment


# ---------------------------------------------------------------- the checker, case by case


def _findings(turtle: str) -> set[tuple[str, str]]:
    """(rule, what) for each violation: the construct the message names for a class
    expression, else the term (a datatype or the subject of the axiom)."""
    graph = Graph().parse(data=PREFIXES + turtle, format="turtle")
    found = set()
    for violation in rl_profile_violations(graph):
        assert "https://www.w3.org/TR/owl2-profiles/#OWL_2_RL" in violation.message
        if violation.rule.endswith("-expression"):
            what = violation.message.split(" in ")[0]
        else:
            term = violation.term
            what = "_:blank" if isinstance(term, BNode) else str(term).replace(EX, ":")
        found.add((violation.rule, what))
    return found


VIOLATIONS = {
    "existential in superclass position": (
        ":Parent rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :hasChild ;"
        " owl:someValuesFrom :Person ] .",
        {("superclass-expression", "ObjectSomeValuesFrom")},
    ),
    "union in superclass position": (
        ":Person rdfs:subClassOf [ a owl:Class ; owl:unionOf ( :Man :Woman ) ] .",
        {("superclass-expression", "ObjectUnionOf")},
    ),
    "owl:Thing as subclass": (
        "owl:Thing rdfs:subClassOf :Entity .",
        {("subclass-expression", "owl:Thing")},
    ),
    "disjoint union": (
        ":Person owl:disjointUnionOf ( :Man :Woman ) .",
        {("disjoint-union", ":Person")},
    ),
    "reflexive property": (
        ":knows a owl:ObjectProperty, owl:ReflexiveProperty .",
        {("reflexive-property", ":knows")},
    ),
    "max cardinality 2": (
        ":Parent rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :hasParent ;"
        ' owl:maxCardinality "2"^^xsd:nonNegativeInteger ] .',
        {("superclass-expression", "ObjectMaxCardinality 2")},
    ),
    "typed literal with xsd:gYear": (
        ':festival2019 :editionYear "2019"^^xsd:gYear .',
        {("datatype-not-in-rl", str(XSD.gYear))},
    ),
    "xsd:gYear as the range of a data property": (
        ":editionYear a owl:DatatypeProperty ; rdfs:range xsd:gYear .",
        {("datatype-not-in-rl", str(XSD.gYear))},
    ),
    "existential nested in an intersection in superclass position": (
        ":A rdfs:subClassOf [ owl:intersectionOf ( :B [ a owl:Restriction ;"
        " owl:onProperty :p ; owl:someValuesFrom :C ] ) ] .",
        {("superclass-expression", "ObjectSomeValuesFrom")},
    ),
    "universal in subclass position": (
        "[ a owl:Restriction ; owl:onProperty :p ; owl:allValuesFrom :C ] rdfs:subClassOf :A .",
        {("subclass-expression", "ObjectAllValuesFrom")},
    ),
    "existential in an equivalence": (
        ":Director owl:equivalentClass [ a owl:Restriction ; owl:onProperty :directed ;"
        " owl:someValuesFrom :Movie ] .",
        {("equivalent-class-expression", "ObjectSomeValuesFrom")},
    ),
    "union in an equivalence": (
        ":Parent owl:equivalentClass [ owl:unionOf ( :Mother :Father ) ] .",
        {("equivalent-class-expression", "ObjectUnionOf")},
    ),
    "existential as a domain": (
        ":p rdfs:domain [ a owl:Restriction ; owl:onProperty :q ; owl:someValuesFrom :C ] .",
        {("superclass-expression", "ObjectSomeValuesFrom")},
    ),
    "union as a range": (
        ":p a owl:ObjectProperty ; rdfs:range [ owl:unionOf ( :B :C ) ] .",
        {("superclass-expression", "ObjectUnionOf")},
    ),
    "universal in a disjointness": (
        ":A owl:disjointWith [ a owl:Restriction ; owl:onProperty :p ; owl:allValuesFrom :C ] .",
        {("subclass-expression", "ObjectAllValuesFrom")},
    ),
    "complement of a universal as superclass": (
        ":A rdfs:subClassOf [ owl:complementOf [ a owl:Restriction ; owl:onProperty :p ;"
        " owl:allValuesFrom :C ] ] .",
        {("superclass-expression", "ObjectAllValuesFrom")},
    ),
    "a datatype restriction as a range": (
        ":age a owl:DatatypeProperty ; rdfs:range [ a rdfs:Datatype ;"
        " owl:onDatatype xsd:integer ;"
        ' owl:withRestrictions ( [ xsd:minInclusive "0"^^xsd:integer ] ) ] .',
        {("data-range", "_:blank")},
    ),
    "an existential as a class assertion": (
        ":x a [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :C ] .",
        {("superclass-expression", "ObjectSomeValuesFrom")},
    ),
}


@pytest.mark.parametrize("case", VIOLATIONS, ids=list(VIOLATIONS))
def test_the_checker_catches(case):
    turtle, expected = VIOLATIONS[case]
    assert _findings(turtle) == expected


ALLOWED = {
    "existential in subclass position": (
        "[ a owl:Restriction ; owl:onProperty :directed ; owl:someValuesFrom :Movie ]"
        " rdfs:subClassOf :Director ."
    ),
    "existential of owl:Thing in subclass position": (
        "[ a owl:Restriction ; owl:onProperty :directed ; owl:someValuesFrom owl:Thing ]"
        " rdfs:subClassOf :Director ."
    ),
    "hasValue in an equivalence": (
        ":Director owl:equivalentClass [ a owl:Restriction ; owl:onProperty :occupation ;"
        " owl:hasValue :film-director ] ."
    ),
    "data hasValue in an equivalence": (
        ":Twenty owl:equivalentClass [ a owl:Restriction ; owl:onProperty :age ;"
        ' owl:hasValue "20"^^xsd:integer ] .'
    ),
    "intersection of hasValues in an equivalence": (
        ":A owl:equivalentClass [ owl:intersectionOf ( :B [ a owl:Restriction ;"
        " owl:onProperty :p ; owl:hasValue :v ] ) ] ."
    ),
    "allValuesFrom as superclass": (
        ":Person rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :child ;"
        " owl:allValuesFrom :Person ] ."
    ),
    "max cardinality 1": (
        ":Movie rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :debut ;"
        ' owl:maxCardinality "1"^^xsd:nonNegativeInteger ] .'
    ),
    "qualified max cardinality 0 of a subclass expression": (
        ":A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ;"
        ' owl:maxQualifiedCardinality "0"^^xsd:nonNegativeInteger ;'
        " owl:onClass [ owl:unionOf ( :B :C ) ] ] ."
    ),
    "data max cardinality 1": (
        ":year a owl:DatatypeProperty . :Film rdfs:subClassOf [ a owl:Restriction ;"
        ' owl:onProperty :year ; owl:maxCardinality "1"^^xsd:nonNegativeInteger ] .'
    ),
    "union in subclass position": ("[ owl:unionOf ( :Mother :Father ) ] rdfs:subClassOf :Parent ."),
    "complement of a class as superclass": (":A rdfs:subClassOf [ owl:complementOf :B ] ."),
    "named classes, disjointness and keys": (
        ":A rdfs:subClassOf :B ; owl:disjointWith :C ; owl:hasKey ( :id ) ."
        " [] a owl:AllDisjointClasses ; owl:members ( :A :C :D ) ."
    ),
    "RL datatypes and literals": (
        ":name a owl:DatatypeProperty ; rdfs:range xsd:string ."
        ' :x :name "x", "x"@en, "1"^^xsd:integer, "2024-01-01T00:00:00"^^xsd:dateTime ;'
        " :p :y . :y a :B ."
    ),
    "properties RL allows": (
        ":p a owl:ObjectProperty, owl:TransitiveProperty, owl:FunctionalProperty,"
        " owl:IrreflexiveProperty ; owl:inverseOf :q ; rdfs:domain :A ; rdfs:range :B ."
    ),
}


@pytest.mark.parametrize("case", ALLOWED, ids=list(ALLOWED))
def test_the_checker_accepts(case):
    assert _findings(ALLOWED[case]) == set()


def test_a_violation_says_where_it_is():
    graph = Graph().parse(
        data=PREFIXES + ":Person rdfs:subClassOf [ owl:unionOf ( :Man :Woman ) ] .",
        format="turtle",
    )
    [violation] = rl_profile_violations(graph)
    s, p, o = violation.triple
    assert (s, p) == (URIRef(EX + "Person"), RDFS.subClassOf)
    assert violation.term == o and isinstance(o, BNode)
    assert "§4.2.3" in violation.message
    assert str(violation).startswith("superclass-expression: ObjectUnionOf")


def test_a_looping_rdf_list_does_not_hang():
    graph = Graph().parse(
        data=PREFIXES + ":A rdfs:subClassOf _:u . _:u owl:unionOf _:l ."
        " _:l rdf:first :B ; rdf:rest _:l .",
        format="turtle",
    )
    # a malformed list names no operand; the union itself is still not a superclass
    assert [v.rule for v in rl_profile_violations(graph)] == ["superclass-expression"]


#: OWL 2 Profiles §4.2.1, as the recommendation lists them, and rdf:langString (RDF 1.1).
PROFILE_DATATYPES = (
    "rdf:PlainLiteral, rdf:XMLLiteral, rdfs:Literal, owl:real, owl:rational, xsd:decimal, "
    "xsd:integer, xsd:nonNegativeInteger, xsd:nonPositiveInteger, xsd:positiveInteger, "
    "xsd:negativeInteger, xsd:long, xsd:int, xsd:short, xsd:byte, xsd:unsignedLong, "
    "xsd:unsignedInt, xsd:unsignedShort, xsd:unsignedByte, xsd:double, xsd:float, xsd:string, "
    "xsd:normalizedString, xsd:token, xsd:language, xsd:Name, xsd:NCName, xsd:NMTOKEN, "
    "xsd:boolean, xsd:hexBinary, xsd:base64Binary, xsd:anyURI, xsd:dateTime, "
    "xsd:dateTimeStamp, rdf:langString"
)


def test_the_rl_datatypes_are_the_profiles():
    names = Graph().parse(data=PREFIXES, format="turtle").namespace_manager
    expected = {names.expand_curie(name) for name in re.findall(r"\w+:\w+", PROFILE_DATATYPES)}
    assert len(expected) == 35
    assert expected == RL_DATATYPES
    for outside in ("gYear", "date", "time", "duration", "gYearMonth"):
        assert XSD[outside] not in RL_DATATYPES
        assert _findings(f':x :p "1"^^xsd:{outside} .') == {
            ("datatype-not-in-rl", str(XSD[outside]))
        }
