"""Explanations: every inferred triple reaches the document's words and the ontology."""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import OWL, RDF, RDFS

from filmgraph.core import triple_text
from filmgraph.core.errors import NotFoundError
from filmgraph.core.namespaces import FG, FGID, GRAPHS, SCHEMA
from filmgraph.reason import explanations
from filmgraph.reason.explanations import (
    Explainer,
    Explanation,
    derive,
    explanation_json,
    explanation_text,
    parse_triple,
)

BALAGOV = FGID["kantemir-balagov"]


@pytest.fixture(scope="module")
def explainer(dataset) -> Explainer:
    return Explainer(dataset)


def _check_well_founded(node: Explanation, dataset, document, ancestors: tuple) -> None:
    assert node.triple not in ancestors, "a premise depends on its own conclusion"
    if node.kind == "asserted":
        assert node.triple in dataset.graph(GRAPHS["asserted"])
        assert node.quotes, f"no quote for {node.triple}"
        for quote in node.quotes:
            assert document[quote.start : quote.end] == quote.exact
    elif node.kind == "axiom":
        assert node.triple in dataset.graph(GRAPHS["ontology"])
    else:
        assert node.kind == "inferred"
        assert node.triple in dataset.graph(GRAPHS["inferred"]), "premise not in the dataset"
        assert node.premises
        for premise in node.premises:
            _check_well_founded(premise, dataset, document, (*ancestors, node.triple))


def test_every_inferred_triple_is_explained_down_to_quotes_and_axioms(explainer, dataset, document):
    inferred = list(dataset.graph(GRAPHS["inferred"]))
    assert len(inferred) > 50
    for triple in inferred:
        explanation = explainer.explain(triple)
        assert explanation.kind == "inferred"
        _check_well_founded(explanation, dataset, document, ())
        assert any(leaf.kind == "asserted" for leaf in explanation.leaves())


EXAMPLES = [
    ((FGID["aleksandr-sokurov"], FG.mentorOf, BALAGOV), "prp-inv1", 1),
    ((BALAGOV, FG.directed, FGID.beanpole), "prp-inv2", 1),
    ((FGID.russia, SCHEMA.containsPlace, FGID.nalchik), "prp-inv1", 1),
    ((FGID.beanpole, SCHEMA.about, FGID["theme-trauma"]), "prp-spo1", 1),
    ((BALAGOV, RDFS.label, Literal("Kantemir Balagov")), "prp-spo1", 1),
    ((FGID.russia, RDF.type, SCHEMA.AdministrativeArea), "cax-sco", 1),
    ((FGID.closeness, RDF.type, SCHEMA.CreativeWork), "prp-dom", 1),
    ((BALAGOV, RDF.type, FG.FilmDirector), "cax-eqc2", 2),
    ((FGID["ingmar-bergman"], RDF.type, FG.FilmDirector), "cax-eqc2", 2),
]


@pytest.mark.parametrize(
    ("triple", "rule", "depth"), EXAMPLES, ids=[f"{e[1]}-{i}" for i, e in enumerate(EXAMPLES)]
)
def test_explanation_names_the_w3c_rule(triple, rule, depth, explainer):
    explanation = explainer.explain(triple)
    assert explanation.rule == rule
    assert explanation.depth() == depth


def test_film_director_is_explained_by_the_occupation_the_one_definition(explainer, dataset):
    explanation = explainer.explain((BALAGOV, RDF.type, FG.FilmDirector))
    text = explanation_text(explanation, dataset)
    assert "inferred by cax-eqc2" in text and "inferred by cls-hv2" in text
    assert "fg:FilmDirector owl:equivalentClass [schema:hasOccupation value" in text
    assert "fgid:kantemir-balagov schema:hasOccupation fgid:film-director\n" in text


def test_directing_a_movie_is_explained_through_the_restriction(explainer, dataset):
    """The other way in: whoever directed a movie is in [fg:directed some schema:Movie],
    a subclass of fg:FilmDirector."""
    ontology = dataset.graph(GRAPHS["ontology"])
    restriction = next(ontology.subjects(OWL.someValuesFrom, SCHEMA.Movie))
    assert (restriction, RDFS.subClassOf, FG.FilmDirector) in ontology
    text = explanation_text(explainer.explain((BALAGOV, RDF.type, restriction)), dataset)
    assert "inferred by cls-svf1" in text
    assert "schema:director fgid:kantemir-balagov\n" in text
    assert '"Balagov\'s sophomore film, "Beanpole" (Dylda)"' in text


def test_asserted_triple_is_explained_by_its_quote_and_offsets(explainer, dataset, document):
    triple = (BALAGOV, SCHEMA.birthPlace, FGID.nalchik)
    explanation = explainer.explain(triple)
    assert explanation.kind == "asserted" and explanation.rule is None
    [quote] = explanation.quotes
    assert document[quote.start : quote.end] == quote.exact
    assert "Nalchik" in quote.exact
    assert f"characters {quote.start}-{quote.end}" in explanation_text(explanation, dataset)


def test_axiom_is_explained_as_an_axiom(explainer):
    explanation = explainer.explain((FG.directed, OWL.inverseOf, SCHEMA.director))
    assert explanation.kind == "axiom"
    assert list(explanation.leaves()) == [explanation]


def test_json_explanation_nests_premises_with_terms_and_quotes(explainer, dataset):
    data = explanation_json(explainer.explain((BALAGOV, FG.directed, FGID.beanpole)), dataset)
    assert data["kind"] == "inferred" and data["rule"] == "prp-inv2"
    assert data["triple"]["subject"] == {"type": "uri", "value": str(BALAGOV)}
    assert data["text"] == "fgid:kantemir-balagov fg:directed fgid:beanpole"
    axiom, fact = data["premises"]
    assert axiom["kind"] == "axiom" and "premises" not in axiom
    assert fact["kind"] == "asserted"
    assert fact["quotes"][0]["quote"] and fact["quotes"][0]["start"] < fact["quotes"][0]["end"]


def test_unknown_triple_is_not_found(explainer):
    with pytest.raises(NotFoundError, match="not in the dataset") as err:
        explainer.explain((BALAGOV, FG.directed, FGID.nonexistent))
    assert err.value.status == 404


def test_noise_triple_is_not_found_and_says_why(explainer):
    with pytest.raises(
        NotFoundError, match="the inferred graph never keeps it: rdf:type owl:Thing"
    ):
        explainer.explain((BALAGOV, RDF.type, OWL.Thing))


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("fgid:closeness", "a", "schema:Movie"), (FGID.closeness, RDF.type, SCHEMA.Movie)),
        (
            ("<https://w3id.org/filmgraph/id/nalchik>", "schema:name", '"Nalchik"'),
            (FGID.nalchik, SCHEMA.name, Literal("Nalchik")),
        ),
        (
            (str(BALAGOV), "rdfs:label", '"Kantemir Balagov"'),
            (BALAGOV, RDFS.label, Literal("Kantemir Balagov")),
        ),
    ],
)
def test_command_line_words_become_a_triple(words, expected):
    assert parse_triple(*words) == expected


# ---------------------------------------------------------------- computed on demand


def _closure_tree(triple, derivations, stated: Explainer) -> Explanation:
    """The explanation the whole closure gives (:func:`derive`, every triple at once)."""
    if triple not in derivations:
        return stated.explain(triple)
    rule, premises = derivations[triple]
    return Explanation(
        triple, "inferred", rule, tuple(_closure_tree(p, derivations, stated) for p in premises)
    )


def _text(triple, dataset) -> str:
    return triple_text(triple, dataset.graph(GRAPHS["ontology"]), dataset.namespace_manager)


@pytest.mark.every_store(remote=True)
def test_explanations_on_demand_are_those_of_the_whole_closure(held, backend, store):
    """Backward chaining through the store gives, for every inferred triple, the rule
    instance forward chaining over the whole closure keeps (compared as text: a remote store
    names the ontology's blank nodes its own way)."""
    graphs = {name: held.graph(GRAPHS[name]) for name in ("ontology", "asserted", "inferred")}
    derivations = derive(graphs["ontology"], graphs["asserted"])
    reference = Explainer(held)
    expected = {
        _text(t, held): explanation_text(_closure_tree(t, derivations, reference), held)
        for t in graphs["inferred"]
    }
    served = backend.dataset
    explainer = Explainer(served)
    found = {
        _text(t, served): explanation_text(explainer.explain(t), served)
        for t in served.graph(GRAPHS["inferred"])
    }
    assert sum(" rdf:type [" in text for text in found) == 6  # memberships of restrictions
    assert len(found) == len(expected) > 50
    assert found == expected


def test_no_explanation_derives_the_closure(dataset, monkeypatch):
    def refuse(*graphs):
        raise AssertionError("the whole closure derived")

    monkeypatch.setattr(explanations, "derive", refuse)
    monkeypatch.setattr(explanations, "matches", refuse)
    explainer = Explainer(dataset)
    assert all(explainer.explain(t).kind == "inferred" for t in dataset.graph(GRAPHS["inferred"]))


def test_the_depth_bound_is_said(dataset):
    triple = (BALAGOV, RDF.type, FG.FilmDirector)  # two rule applications
    explanation = Explainer(dataset, max_depth=1).explain(triple)
    assert explanation.kind == "bounded" and not explanation.premises
    assert (
        explanation.note
        == "no derivation by the rules within 1 rule applications (the depth bound)"
    )
    text = explanation_text(explanation, dataset)
    assert "bounded\n  no derivation by the rules within 1 rule" in text
    assert explanation_json(explanation, dataset)["note"] == explanation.note
    assert Explainer(dataset, max_depth=2).explain(triple).kind == "inferred"


def test_the_time_budget_is_said(dataset):
    explanation = Explainer(dataset, time_budget=0).explain((BALAGOV, FG.directed, FGID.beanpole))
    assert explanation.kind == "bounded"
    assert explanation.note == "not explained within the time budget (0 s)"


def test_the_endpoint_takes_its_bounds_from_the_settings(store_settings, backend):
    from filmgraph.web import create_app, state

    words = {"s": "fgid:kantemir-balagov", "p": "a", "o": "fg:FilmDirector"}  # two rules deep
    app = create_app(store_settings.with_(explain_depth=1, workers=1), backend)
    try:
        found = app.test_client().get("/explain", query_string=words).json
        assert found["kind"] == "bounded"
        assert (
            found["note"]
            == "no derivation by the rules within 1 rule applications (the depth bound)"
        )
    finally:
        state(app).close()
    app = create_app(store_settings.with_(explain_time=1e-9, workers=1), backend)
    try:
        found = app.test_client().get("/explain", query_string=words).json
        assert found["note"] == "not explained within the time budget (1e-09 s)"
    finally:
        state(app).close()


def _compare_with_the_closure(ontology, facts) -> int:
    """Reason over ``ontology`` and ``facts`` as a build does; every kept inference's
    explanation on demand must be the whole closure's. Returns how many were compared."""
    dataset = _dataset(ontology, facts)
    inferred = dataset.graph(GRAPHS["inferred"])
    derivations = derive(ontology, facts)
    explainer = Explainer(dataset)
    for triple in inferred:
        got = explainer.explain(triple)
        assert got == _closure_tree(triple, derivations, explainer), triple
    return len(inferred)


def test_a_premise_the_noise_filter_drops_is_derived_in_turn(ontology_graph):
    """x a owl:Thing (from a domain) is never kept, yet it is the premise of x a ex:C."""
    from rdflib import Graph, Namespace

    ex = Namespace("http://example.org/")
    ontology = Graph()
    ontology += ontology_graph
    ontology.add((ex.p, RDFS.domain, OWL.Thing))
    ontology.add((OWL.Thing, RDFS.subClassOf, ex.C))
    facts = Graph()
    facts.add((ex.x, ex.p, ex.y))
    assert _compare_with_the_closure(ontology, facts)
    explanation = Explainer(_dataset(ontology, facts)).explain((ex.x, RDF.type, ex.C))
    assert explanation.rule == "cax-sco"
    [_, thing] = explanation.premises
    assert thing.triple == (ex.x, RDF.type, OWL.Thing) and thing.rule == "prp-dom"


def test_equalities_are_explained_as_the_closure_explains_them(ontology_graph):
    """prp-fp equates two debut features; eq-sym, eq-trans and eq-rep-* copy their facts
    (reflexive owl:sameAs, dropped by the noise filter, lies on the way)."""
    from rdflib import Graph

    facts = Graph()
    for triple in (
        (BALAGOV, FG.debutFeature, FGID.closeness),
        (BALAGOV, FG.debutFeature, FGID["closeness-again"]),
        (FGID["closeness-again"], SCHEMA.name, Literal("Tesnota")),
        (FGID.closeness, SCHEMA.director, BALAGOV),
    ):
        facts.add(triple)
    assert _compare_with_the_closure(ontology_graph, facts) > 10
    same = (FGID.closeness, OWL.sameAs, FGID["closeness-again"])
    explanation = Explainer(_dataset(ontology_graph, facts)).explain(
        (FGID.closeness, SCHEMA.name, Literal("Tesnota"))
    )
    assert explanation.rule == "eq-rep-s"
    assert explanation.premises[0].triple == same[::-1]


def test_generated_film_worlds_are_explained_as_the_closure_explains_them(ontology_graph):
    from benchmarks.filmworld import generate

    assert _compare_with_the_closure(ontology_graph, generate(2000, seed=1)) > 1500


def _dataset(ontology, facts):
    from filmgraph.core import new_dataset
    from filmgraph.reason import reason

    inferred, _ = reason(ontology, facts, engine="reasonable")
    dataset = new_dataset()
    for name, graph in (("ontology", ontology), ("asserted", facts), ("inferred", inferred)):
        dataset.graph(GRAPHS[name]).__iadd__(graph)
    return dataset


@pytest.fixture(scope="module")
def ontology_graph(dataset):
    return dataset.graph(GRAPHS["ontology"])
