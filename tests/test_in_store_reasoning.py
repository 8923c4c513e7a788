"""OWL 2 RL inside the store (filmgraph.reason.in_store): the rules as SPARQL queries that
Oxigraph evaluates to a fixpoint keep exactly what the in-process engines keep, rule by rule
and on real data; refuse what they do not cover; fail as the other engines fail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from benchmarks.reasoning import bnode_labels, canonical_lines, read_nt
from rdflib.compare import isomorphic

from filmgraph.core.errors import DataError, InconsistencyError, SettingError
from filmgraph.core.namespaces import GRAPHS
from filmgraph.core.progress import Step, Steps
from filmgraph.load.parsing import load_files
from filmgraph.query import graph_size
from filmgraph.reason import WorkFiles, rules_into_store, store_graph
from filmgraph.reason.reasoning import reason
from filmgraph.reason.store_rules import RULES, rule_query

INFERRED = ox.NamedNode(str(GRAPHS["inferred"]))

PREFIXES = """@prefix ex: <https://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


class _Details(Steps):
    """The steps' details, as the progress display shows them."""

    def __init__(self) -> None:
        self.details: list[str] = []

    @contextmanager
    def step(self, label: str) -> Iterator[Step]:
        step = Step(label)
        yield step
        self.details.append(step.detail)


def _write(path: Path, text: str) -> Path:
    path.write_text(PREFIXES + text, encoding="utf-8")
    return path


def _in_store(ontology: list[Path], data: list[Path], tmp_path: Path):
    """(report, store, canonical lines of the inferred file) of the rules in a store."""
    store = ox.Store()
    report = rules_into_store(store, ontology, data, folder=tmp_path / "work")
    files = WorkFiles(tmp_path / "work")
    onto = read_nt(files["ontology"])  # as the store names its blank nodes
    assert len(onto) == len(store_graph(store, GRAPHS["ontology"]))
    lines = canonical_lines(read_nt(files["inferred"]), bnode_labels(onto))
    stored = sum(1 for _ in store.quads_for_pattern(None, None, None, INFERRED))
    assert 0 < stored <= report.kept == len(lines)  # loaded (a narrowed twin stored once)
    return report, store, lines


def _in_process(ontology: list[Path], data: list[Path], engine: str):
    onto, asserted = load_files(ontology), load_files(data)
    inferred, report = reason(onto, asserted, engine=engine)
    return report, canonical_lines(inferred, bnode_labels(onto))


#: An ontology and data that make every rule of RULES fire at least once.
EVERY_RULE_ONTOLOGY = """
ex:parent rdfs:domain ex:Person ; rdfs:range ex:Person .
ex:mother rdfs:subPropertyOf ex:parent .
ex:child owl:inverseOf ex:parent .
ex:spouse a owl:SymmetricProperty .
ex:ancestor a owl:TransitiveProperty .
ex:kin owl:equivalentProperty ex:relative .
ex:birthCity a owl:FunctionalProperty .
ex:rank a owl:FunctionalProperty .
ex:passport a owl:InverseFunctionalProperty .
ex:Person rdfs:subClassOf ex:Agent .
ex:Human owl:equivalentClass ex:Person .
ex:Parent owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:child ;
                                owl:someValuesFrom ex:Person ] .
ex:Traveller owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:visited ;
                                   owl:someValuesFrom owl:Thing ] .
ex:Vegan rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:eats ;
                           owl:allValuesFrom ex:Plant ] .
ex:Dutch owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:nationality ;
                               owl:hasValue ex:nl ] .
ex:Athlete owl:intersectionOf ( ex:Person ex:Sporty ) .
ex:Star owl:unionOf ( ex:Actor ex:Singer ) .
"""
EVERY_RULE_DATA = """
ex:ann ex:mother ex:bob ; ex:spouse ex:carl ; ex:ancestor ex:dan ; ex:kin ex:eve .
ex:dan ex:ancestor ex:fay .
ex:bob ex:birthCity ex:york , ex:eboracum ; ex:visited ex:paris .
ex:york ex:mayor ex:gus .
ex:hal ex:passport "P1" . ex:ian ex:passport "P1" . ex:hal ex:age 40 .
ex:jo ex:rank 7 .
ex:liz a ex:Vegan ; ex:eats ex:kale .
ex:max a ex:Dutch . ex:ned ex:nationality ex:nl .
ex:olga a ex:Human , ex:Sporty . ex:pat a ex:Athlete .
ex:quin a ex:Singer .
"""


def test_every_rule_keeps_what_owlrl_keeps(tmp_path):
    """Each rule of RULES fires here (but prp-fp between literals: below), and the kept
    inferences are owlrl's, triple for triple."""
    ontology = [_write(tmp_path / "ontology.ttl", EVERY_RULE_ONTOLOGY)]
    data = [_write(tmp_path / "data.ttl", EVERY_RULE_DATA)]
    report, store, lines = _in_store(ontology, data, tmp_path)
    expected, expected_lines = _in_process(ontology, data, "owlrl")
    assert lines == expected_lines
    assert report.kept == expected.kept == len(lines) > 30
    text = "\n".join(lines)
    for conclusion in (
        "<https://example.org/bob> <http://www.w3.org/2002/07/owl#sameAs> "
        "<https://example.org/ian>",  # not this one: hal and ian
        "<https://example.org/ann> <https://example.org/ancestor> <https://example.org/fay>",
        "<https://example.org/eboracum> <https://example.org/mayor> <https://example.org/gus>",
        "<https://example.org/kale> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://example.org/Plant>",
        "<https://example.org/olga> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://example.org/Athlete>",
        "<https://example.org/quin> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://example.org/Star>",
        "<https://example.org/ned> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://example.org/Dutch>",
    ):
        present = conclusion in text
        assert present == ("bob" not in conclusion or "ian" not in conclusion), conclusion
    assert "<https://example.org/hal> <http://www.w3.org/2002/07/owl#sameAs>" in text
    # The deltas and literals as written are gone; the noise left the inferred graph.
    held = {graph.value for graph in store.named_graphs() if graph_size(store, graph)}
    assert held == {str(GRAPHS[role]) for role in ("ontology", "asserted", "inferred")}
    assert graph_size(store, ox.NamedNode(str(GRAPHS["inferred"]))) == report.kept


def test_the_rules_keep_what_reason_keeps_on_the_balagov_graph(settings, tmp_path):
    ontology, data = list(settings.ontology_files), [settings.facts_file]
    report, store, lines = _in_store(ontology, data, tmp_path)
    expected, expected_lines = _in_process(ontology, data, "owlrl")
    assert lines == expected_lines and report.kept == expected.kept > 100
    assert report.engine == "rules-in-store"
    held = {role: len(store_graph(store, GRAPHS[role])) for role in GRAPHS}
    assert held["inferred"] == report.kept and held["asserted"] == len(load_files(data))


def test_reason_with_the_rules_engine_keeps_what_owlrl_keeps(settings):
    """``reasoner = "rules"`` in process: the rules on a scratch store in memory, the
    literals as written and the ontology's own blank nodes (the restriction memberships)."""
    onto, asserted = load_files(list(settings.ontology_files)), load_files([settings.facts_file])
    inferred, report = reason(onto, asserted, engine="rules")
    expected, _ = reason(onto, asserted, engine="owlrl")
    assert isomorphic(inferred, expected) and report.kept == len(expected) > 100
    assert set(inferred) == set(expected)  # the same blank nodes, not just isomorphic


def test_open_files_reasons_with_the_rules_in_the_store(settings, tmp_path):
    """``filmgraph serve FILES --reasoning`` with ``reasoner = "rules"``: on Oxigraph the
    bounded path with the rules instead of reasonable, in memory the engine in process;
    the inferred graph is owlrl's either way."""
    from filmgraph import Settings, open_files

    files = [*settings.ontology_files, settings.facts_file]
    expected, _ = reason(load_files([]), load_files(files), engine="owlrl")
    for store in ("memory", "oxigraph"):
        config = Settings(store=store, reasoner="rules", build_dir=tmp_path / store)
        backend = open_files(config, files, reasoning=True)
        try:
            held = backend.dataset.graph(GRAPHS["inferred"])
            assert isomorphic(held, expected) and len(held) > 100, store
        finally:
            backend.close()
    assert not list((tmp_path / "oxigraph").glob("reasoning-*"))  # the scratch is removed


def test_the_rules_keep_what_reasonable_keeps_on_a_film_world(tmp_path):
    pytest.importorskip("reasonable")
    from benchmarks.filmworld import generate
    from benchmarks.reasoning import ONTOLOGY_FILES

    data = tmp_path / "world.nt"
    generate(10_000, seed=5).serialize(destination=str(data), format="nt", encoding="utf-8")
    report, _, lines = _in_store(list(ONTOLOGY_FILES), [data], tmp_path)
    expected, expected_lines = _in_process(list(ONTOLOGY_FILES), [data], "reasonable")
    assert lines == expected_lines and report.kept == expected.kept > 8000


def test_what_the_rules_do_not_cover_is_refused(tmp_path):
    ontology = _write(
        tmp_path / "chain.ttl", "ex:grandparent owl:propertyChainAxiom ( ex:parent ex:parent ) ."
    )
    data = _write(tmp_path / "data.ttl", "ex:a ex:parent ex:b . ex:b ex:parent ex:c .")
    with pytest.raises(SettingError, match=r"does not apply prp-spo2.*owl:propertyChainAxiom"):
        rules_into_store(ox.Store(), [ontology], [data])


def test_inconsistent_graphs_raise_as_reason_does(settings, tmp_path):
    """Nalchik given a birth place becomes a Person (rdfs:domain) and stays a Place."""
    data = tmp_path / "data.ttl"
    data.write_text(
        settings.facts_file.read_text(encoding="utf-8")
        + "\n<https://w3id.org/filmgraph/id/nalchik> <http://schema.org/birthPlace> "
        "<https://w3id.org/filmgraph/id/nalchik> .\n",
        encoding="utf-8",
    )
    ontology = list(settings.ontology_files)
    with pytest.raises(InconsistencyError) as in_store:
        rules_into_store(ox.Store(), ontology, [data])
    with pytest.raises(InconsistencyError) as in_process:
        reason(load_files(ontology), load_files([data]), engine="owlrl")
    # the same rule and triples; owlrl adds a line of its own
    assert str(in_process.value).startswith(str(in_store.value) + "\n- owlrl: Disjoint classes")


def test_a_bad_file_is_named_with_its_line(settings, tmp_path):
    data = tmp_path / "bad.ttl"
    data.write_text("<https://example.org/a> <https://example.org/b> .\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        rules_into_store(ox.Store(), list(settings.ontology_files), [data])
    assert caught.value.line == 1 and "bad.ttl" in str(caught.value)


def test_literals_are_copied_as_the_store_holds_them(tmp_path):
    """Two literal values of a functional property are one: what holds of one holds of the
    other (prp-fp, then eq-rep-o, never writing the literals' owl:sameAs). The store keeps
    numbers in canonical form, so the copy is ``"1"^^xsd:decimal`` where the file wrote
    ``1.0`` (the in-process engines copy it as written): documented in the module."""
    ontology = [_write(tmp_path / "o.ttl", "ex:rank a owl:FunctionalProperty .")]
    data = [_write(tmp_path / "d.ttl", "ex:jo ex:rank 1 , 1.0 . ex:kim ex:rank 1 .")]
    report, _, lines = _in_store(ontology, data, tmp_path)
    decimal = "<http://www.w3.org/2001/XMLSchema#decimal>"
    assert lines == [f'<https://example.org/kim> <https://example.org/rank> "1"^^{decimal} .']
    assert report.kept == 1


@pytest.mark.parametrize("name", RULES)
def test_each_rule_is_a_query_oxigraph_reads(name):
    """Every rule parses, whole and with each premise matched in the round before's delta;
    its conclusion is also the pattern that must not hold yet."""
    rule = RULES[name]
    queries = [rule_query(name), *(rule_query(name, n) for n in range(len(rule.premises)))]
    for query in queries:
        assert query.count(rule.conclusion) == 2
        assert isinstance(ox.Store().query(query), ox.QueryTriples)


def test_later_rounds_read_only_what_the_round_before_derived(tmp_path):
    """A chain of subclasses five deep: each round adds one more level, the rounds after the
    first matching the premises in the delta; the result is the whole chain, as owlrl's."""
    chain = "\n".join(f"ex:C{n} rdfs:subClassOf ex:C{n + 1} ." for n in range(5))
    ontology = [_write(tmp_path / "o.ttl", chain)]
    data = [_write(tmp_path / "d.ttl", "ex:a a ex:C0 .")]
    steps = _Details()
    store = ox.Store()
    report = rules_into_store(store, ontology, data, steps=steps)
    assert report.kept == 5 and "5 triples derived in 6 rounds" in steps.details
    expected, _ = _in_process(ontology, data, "owlrl")
    assert expected.kept == 5
    assert not [g for g in store.named_graphs() if "reasoning" in g.value]  # scratch removed
