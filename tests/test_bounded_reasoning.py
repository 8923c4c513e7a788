"""Bounded reasoning (filmgraph.reason.bounded): from files into an Oxigraph store, reasonable
in a child process. It keeps exactly what ``reason(..., engine="reasonable")`` keeps, fails
as it fails, and names a bad file with its line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from benchmarks.reasoning import bnode_labels, canonical_lines, read_nt, write_canonical
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD

from filmgraph import Settings, open_files
from filmgraph.core.errors import DataError, InconsistencyError
from filmgraph.core.namespaces import FG, FGID, GRAPHS, SCHEMA
from filmgraph.core.progress import Step, Steps
from filmgraph.load.parsing import load_files
from filmgraph.reason import WorkFiles, reason_into_store, store_graph
from filmgraph.reason import child as bounded_child
from filmgraph.reason.reasoning import reason

pytest.importorskip("reasonable")

BALAGOV = FGID["kantemir-balagov"]


def _bounded(tmp_path: Path, ontology: list[Path], data: list[Path]):
    """Reason in a store in memory; (report, store, canonical lines of the inferred file)."""
    store = ox.Store()
    folder = tmp_path / "work"
    report = reason_into_store(store, ontology, data, folder=folder)
    files = WorkFiles(folder)
    inferred = read_nt(files["inferred"])
    return report, store, canonical_lines(inferred, bnode_labels(read_nt(files["ontology"])))


def _in_process(ontology: list[Path], data: list[Path]):
    """``reason()`` on the same files, parsed as filmgraph parses them."""
    onto = load_files(ontology)
    asserted = load_files(data)
    inferred, report = reason(onto, asserted, engine="reasonable")
    return report, canonical_lines(inferred, bnode_labels(onto)), onto, asserted


def _same(bounded, in_process) -> None:
    report, _, lines = bounded
    expected, expected_lines = in_process[0], in_process[1]
    assert lines == expected_lines
    assert (report.derived, report.kept, report.dropped) == (
        expected.derived,
        expected.kept,
        expected.dropped,
    )


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


PREFIXES = """@prefix fg: <https://w3id.org/filmgraph/ontology#> .
@prefix fgid: <https://w3id.org/filmgraph/id/> .
@prefix schema: <http://schema.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def test_bounded_path_keeps_what_reason_keeps_on_the_balagov_graph(settings, tmp_path):
    ontology, data = settings.ontology_files, [settings.facts_file]
    expected = _in_process(ontology, data)
    bounded = _bounded(tmp_path, ontology, data)
    _same(bounded, expected)
    report, store, _ = bounded
    counts = {
        role: len(store_graph(store, GRAPHS[role])) for role in ("ontology", "asserted", "inferred")
    }
    assert counts == {
        "ontology": len(expected[2]),
        "asserted": len(expected[3]),
        "inferred": report.kept,
    }
    # The blank nodes the inferred graph names are the ontology graph's own (the restrictions).
    inferred = store_graph(store, GRAPHS["inferred"])
    steps = [o for o in inferred.objects(BALAGOV, RDF.type) if not isinstance(o, type(BALAGOV))]
    assert len(steps) == 2
    ontology_graph = store_graph(store, GRAPHS["ontology"])
    assert all((step, OWL.onProperty, None) in ontology_graph for step in steps)


def test_bounded_path_keeps_what_reason_keeps_on_a_film_world(tmp_path):
    from benchmarks.filmworld import generate
    from benchmarks.reasoning import ONTOLOGY_FILES

    data = tmp_path / "world.nt"
    generate(10_000, seed=3).serialize(destination=str(data), format="nt", encoding="utf-8")
    expected = _in_process(list(ONTOLOGY_FILES), [data])
    bounded = _bounded(tmp_path, list(ONTOLOGY_FILES), [data])
    assert bounded[0].kept > 8000
    _same(bounded, expected)


def test_functional_properties_run_the_engine_again_as_in_process(settings, tmp_path):
    """prp-fp applied outside the engine, in the child as in process: a chain that needs three
    runs, and literal values equated through a blank node no triple shows."""
    extra = _write(
        tmp_path / "extra.ttl",
        PREFIXES
        + """fg:nextPart a owl:ObjectProperty, owl:FunctionalProperty .
fg:rank a owl:DatatypeProperty, owl:FunctionalProperty .
""",
    )
    data = _write(
        tmp_path / "data.ttl",
        PREFIXES
        + """fgid:kantemir-balagov fg:debutFeature fgid:closeness, fgid:closeness-twin .
fgid:someone-else fg:debutFeature fgid:closeness-twin, fgid:closeness-third .
fgid:closeness schema:name "Closeness" .
fgid:a fg:nextPart fgid:b1, fgid:b2 .
fgid:b1 fg:nextPart fgid:c1 .
fgid:b2 fg:nextPart fgid:c2 .
fgid:x fg:rank 1, "1"^^xsd:int .
fgid:y fg:rank 1 .
""",
    )
    ontology = [*settings.ontology_files, extra]
    expected = _in_process(ontology, [data])
    _, _, lines = bounded = _bounded(tmp_path, ontology, [data])
    _same(bounded, expected)
    assert any("closeness-third> <http://schema.org/name>" in line for line in lines)
    assert not [line for line in lines if "_:unnamed" in line]  # no pivot shows
    said = (tmp_path / "work" / "equal.ttl").read_text(encoding="utf-8")
    assert "owl#sameAs" in said  # prp-fp's conclusions went back to the engine


def test_a_hash_collision_makes_the_child_reason_again_on_the_triples(
    settings, tmp_path, monkeypatch, capsys
):
    """The child tells input triples from inferred ones by 64-bit hashes, and checks them:
    a collision (forced here) makes it run again on the triples themselves, same result."""
    job = {
        "ontology": [str(p) for p in settings.ontology_files],
        "data": [str(settings.facts_file)],
    }
    reports, outputs = [], []
    for verified in (True, False):
        folder = tmp_path / f"verified-{verified}"
        folder.mkdir()
        monkeypatch.setattr(bounded_child.HashedBase, "verified", lambda self, v=verified: v)
        reports.append(bounded_child.run(job | {"folder": str(folder)}))
        ontology = read_nt(folder / "ontology.ttl")
        outputs.append(canonical_lines(read_nt(folder / "inferred.nt"), bnode_labels(ontology)))
    assert json.loads(capsys.readouterr().out.splitlines()[0]) == {
        "event": "normalized",
        "triples": reports[0]["triples"],
    }
    assert [r["base"] for r in reports] == ["hashed", "exact"]
    assert reports[1]["runs"] == 2 * reports[0]["runs"]
    assert outputs[0] == outputs[1] and len(outputs[0]) == reports[0]["kept"] > 50
    assert {k: reports[0][k] for k in ("derived", "dropped")} == {
        k: reports[1][k] for k in ("derived", "dropped")
    }


def test_hashes_of_input_triples_are_those_of_the_engines_terms():
    """Every kind of term hashes alike from Oxigraph's parser and as reasonable's rdflib term;
    a literal rdflib rewrites (``"01"^^xsd:integer``) is known never to be met as written."""
    text = (
        '<http://a/s> <http://a/p> "plain" .\n'
        '<http://a/s> <http://a/p> "tagged"@EN .\n'
        '<http://a/s> <http://a/p> "2019"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n'
        '<http://a/s> <http://a/p> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        "_:b1 <http://a/p> <http://a/o> .\n"
    )
    base = bounded_child.HashedBase()
    for quad in ox.parse(text.encode(), format=ox.RdfFormat.N_TRIPLES):
        base.add(quad)
    s, p, o = URIRef("http://a/s"), URIRef("http://a/p"), URIRef("http://a/o")
    # as reasonable gives them (a plain literal as plain: filmgraph's _consume makes it so)
    members = [
        (s, p, Literal("plain")),
        (s, p, Literal("tagged", lang="en")),
        (s, p, Literal("2019", datatype=XSD.gYear)),
        (BNode("b1"), p, o),
    ]
    assert all(triple in base for triple in members)
    assert base.hits == 4 and base.verified()  # "01" is the one never met
    assert (s, p, Literal("01", datatype=XSD.integer)) not in base  # rdflib makes it "1"
    assert (s, p, Literal("1", datatype=XSD.integer)) not in base
    assert (s, p, Literal("other")) not in base
    assert len(base.rewritten) == 1


def test_inconsistent_files_raise_as_reason_does_naming_the_rule_and_triples(settings, tmp_path):
    """Nalchik given a birth place becomes a Person (rdfs:domain) and stays a Place: the
    check runs on the store, with the same message and matches as in process."""
    data = _write(
        tmp_path / "data.ttl",
        settings.facts_file.read_text(encoding="utf-8")
        + "\n<https://w3id.org/filmgraph/id/nalchik> <http://schema.org/birthPlace> "
        "<https://w3id.org/filmgraph/id/russia> .\n",
    )
    with pytest.raises(InconsistencyError) as in_process:
        _in_process(settings.ontology_files, [data])
    with pytest.raises(InconsistencyError) as bounded:
        reason_into_store(ox.Store(), settings.ontology_files, [data])
    text = str(bounded.value)
    assert "- cax-adc:" in text
    assert "fgid:nalchik rdf:type schema:Person    [inferred]" in text
    assert "from fgid:nalchik schema:birthPlace fgid:russia    [asserted]" in text
    assert text == str(in_process.value)

    def named(matches):  # blank nodes (the list of disjoint classes) are named anew per parse
        return [
            (r, [t for t in ts if not any(isinstance(x, BNode) for x in t)]) for r, ts in matches
        ]

    assert named(bounded.value.matches) == named(in_process.value.matches)
    [(rule, premises)] = bounded.value.matches
    assert rule == "cax-adc" and (FGID.nalchik, RDF.type, SCHEMA.Person) in premises


def test_two_literal_values_of_a_functional_property_are_inconsistent_in_the_store(
    settings, tmp_path
):
    extra = _write(
        tmp_path / "extra.ttl", PREFIXES + "fg:filmographyNumber a owl:FunctionalProperty .\n"
    )
    data = _write(
        tmp_path / "data.ttl",
        PREFIXES
        + """fgid:closeness fg:filmographyNumber "1"^^xsd:positiveInteger .
fgid:closeness fg:filmographyNumber "2"^^xsd:positiveInteger .
fgid:beanpole fg:filmographyNumber "2"^^xsd:positiveInteger .
""",
    )
    with pytest.raises(InconsistencyError) as err:
        reason_into_store(ox.Store(), [*settings.ontology_files, extra], [data])
    assert {rule for rule, _ in err.value.matches} == {"prp-fp+dt-diff"}
    assert len(err.value.matches) == 2  # closeness (asserted) and beanpole (inferred)
    assert "- prp-fp+dt-diff:" in str(err.value)
    assert (FGID.beanpole, FG.filmographyNumber) in {m[1][1][:2] for m in err.value.matches}


@pytest.mark.parametrize(
    ("name", "text", "line", "says"),
    [
        ("bad.ttl", PREFIXES + "fgid:a schema:name \"unterminated .\n", 6, "bad Turtle syntax"),
        ("bad.nt", "<http://a/s> <http://a/p> <http://a/o> .\n<http://a/s> <http://a/p> .\n", 2,
         "bad N-Triples syntax"),
    ],
)  # fmt: skip
def test_a_bad_input_file_is_named_with_its_line(settings, tmp_path, name, text, line, says):
    bad = _write(tmp_path / name, text)
    with pytest.raises(DataError) as err:
        reason_into_store(ox.Store(), settings.ontology_files, [bad])
    assert err.value.path == bad and err.value.line == line and err.value.column
    assert says in str(err.value) and str(err.value).startswith(f"{bad}, line {line}, column ")


def test_a_missing_file_or_one_of_named_graphs_is_refused_before_reasoning(settings, tmp_path):
    with pytest.raises(DataError, match="not found"):
        reason_into_store(ox.Store(), settings.ontology_files, [tmp_path / "missing.ttl"])
    quads = _write(tmp_path / "g.nq", "<http://a/s> <http://a/p> <http://a/o> <http://a/g> .\n")
    with pytest.raises(DataError, match="not a triple file"):
        reason_into_store(ox.Store(), settings.ontology_files, [quads])


def test_the_store_graphs_are_replaced_and_named_as_asked(settings, tmp_path):
    store = ox.Store()
    names = {role: GRAPHS[role] for role in ("ontology", "asserted", "inferred")}
    names["inferred"] = FGID["my-inferred-graph"]
    stale = ox.Quad(
        *(ox.NamedNode(str(t)) for t in (BALAGOV, RDF.type, OWL.Thing, names["inferred"]))
    )
    store.add(stale)
    first = reason_into_store(store, settings.ontology_files, [settings.facts_file], graphs=names)
    again = reason_into_store(store, settings.ontology_files, [settings.facts_file], graphs=names)
    assert stale not in store
    assert len(store_graph(store, names["inferred"])) == first.kept == again.kept
    assert not list(
        store.quads_for_pattern(None, None, None, ox.NamedNode(str(GRAPHS["inferred"])))
    )


class _Labels(Steps):
    def __init__(self) -> None:
        self.labels: list[str] = []

    @contextmanager
    def step(self, label: str) -> Iterator[Step]:
        self.labels.append(label)
        yield Step(label)


def test_files_served_on_oxigraph_are_reasoned_by_the_bounded_path(settings, tmp_path):
    """``filmgraph serve PATH --reason`` with reasonable and the Oxigraph store: the same
    graphs as the in-memory build, made without rdflib graphs of the files."""
    films = _write(
        tmp_path / "films.ttl",
        PREFIXES
        + """fg:directed owl:inverseOf schema:director .
fgid:solaris a schema:Movie ; schema:name "Solaris" ; schema:director fgid:tarkovsky ;
    schema:dateCreated "1972"^^xsd:gYear .
fgid:tarkovsky a schema:Person ; schema:name "Andrei Tarkovsky"@EN .
""",
    )
    graphs, steps = {}, {}
    for store in ("memory", "oxigraph"):
        steps[store] = _Labels()
        config = Settings(store=store, reasoner="reasonable", build_dir=tmp_path / store)
        backend = open_files(config, [films], reasoning=True, steps=steps[store])
        graphs[store] = dict(backend.graphs)
        backend.close()
    assert graphs["oxigraph"] == graphs["memory"]
    assert graphs["memory"][GRAPHS["inferred"]] > 0
    assert "writing the N-Quads" in steps["oxigraph"].labels
    assert any("in a child process" in label for label in steps["oxigraph"].labels)
    assert not any("in a child process" in label for label in steps["memory"].labels)
    assert not list((tmp_path / "oxigraph").glob("reasoning-*"))  # the scratch is removed


def test_the_streamed_canonical_file_is_the_sorted_lines_byte_for_byte(tmp_path: Path) -> None:
    """The benchmark's closure file at 10M is written without an rdflib graph of it; it
    must be what ``canonical_lines`` gives (literals with quotes, new lines, non-ASCII text,
    language tags, datatypes; blank nodes named from the ontology or left unnamed)."""
    ontology = tmp_path / "ontology.nt"
    ontology.write_text("_:r <http://ex/onProperty> <http://ex/p> .\n", encoding="utf-8")
    triples = tmp_path / "inferred.nt"
    triples.write_text(
        "\n".join(
            [
                '<http://ex/b> <http://ex/p> "line\\none \\"quoted\\"" .',
                '<http://ex/a> <http://ex/p> "Нальчик"@ru .',
                '<http://ex/a> <http://ex/p> "01"^^<http://www.w3.org/2001/XMLSchema#integer> .',
                "<http://ex/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> _:r .",
                "_:other <http://ex/p> <http://ex/é> .",
                '<http://ex/a> <http://ex/p> "zebra" .',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    names = bnode_labels(read_nt(ontology))
    out = tmp_path / "closure.nt"
    write_canonical(triples, names, out)
    expected = canonical_lines(read_nt(triples), names)
    assert len(expected) == 6 and any(line.startswith("_:unnamed-") for line in expected)
    assert out.read_text("utf-8") == "".join(line + "\n" for line in expected)
    assert not (tmp_path / "closure.nt.unsorted").exists()
