"""The `filmgraph` command, driven through click's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from filmgraph.cli import main
from filmgraph.core.namespaces import GRAPHS

pytestmark = pytest.mark.every_store(remote=True)


def test_query_text_as_json(run):
    result = run(
        "query", "SELECT ?n WHERE { fgid:beanpole schema:alternateName ?n }", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["results"]["bindings"] == [
        {"n": {"type": "literal", "value": "Dylda"}}
    ]


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv", "table"])
def test_query_file_in_every_format(run, settings, fmt):
    result = run("query", str(settings.queries_dir / "influences.rq"), "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "Kieślowski" in result.output


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("SELECT ?f WHERE { ?f a schema:Movie } ORDER BY ?f", ["fgid:beanpole", "2 row(s)"]),
        ("ASK { fgid:beanpole schema:award ?a }", ["True"]),
        (
            "CONSTRUCT WHERE { fgid:closeness schema:name ?n }",
            ['<https://w3id.org/filmgraph/id/closeness> <http://schema.org/name> "Closeness" .'],
        ),
    ],
)
def test_the_table_is_for_people(run, query, shown):
    """Prefixed names and a row count for SELECT, the boolean for ASK, N-Triples for graphs."""
    result = run("query", query)  # the default format
    assert result.exit_code == 0, result.output
    lines = [line.strip(" |│") for line in result.output.splitlines()]
    for expected in shown:
        assert any(expected in line for line in lines), (expected, result.output)


def test_query_from_stdin(run):
    result = run(
        "query",
        "-",
        "--format",
        "csv",
        input="SELECT ?y WHERE { fgid:closeness schema:datePublished ?y }",
    )
    assert result.output.splitlines() == ["y", "2017"]


def test_construct_as_turtle(run):
    result = run(
        "query", "CONSTRUCT WHERE { fgid:nalchik schema:containedInPlace ?c }", "--format", "ttl"
    )
    assert result.exit_code == 0 and "fgid:russia" in result.output


def test_malformed_query_is_a_clear_error(run):
    result = run("query", "SELECT ?x WHERE {\n ?x ?y \n}")
    assert result.exit_code == 1
    assert "malformed query: line 2, column 2" in result.output
    assert "Traceback" not in result.output


def test_missing_query_file_is_a_usage_error(run):
    result = run("query", "queries/no-such.rq")
    assert result.exit_code == 2 and "no such file" in result.output


def test_a_query_by_the_name_queries_lists(run, settings):
    """`filmgraph query films-directed` runs queries/films-directed.rq (it was read as SPARQL
    and failed); a name no query has is a usage error naming the ones there are."""
    by_name = run("query", "films-directed", "--format", "csv")
    by_file = run("query", str(settings.queries_dir / "films-directed.rq"), "--format", "csv")
    assert by_name.exit_code == 0 and by_name.output == by_file.output
    assert "Closeness" in by_name.output
    unknown = run("query", "no-such-question")
    assert unknown.exit_code == 2
    assert (
        "no query named 'no-such-question'" in unknown.output and "films-directed" in unknown.output
    )


def test_csv_of_a_graph_result_is_refused(run):
    result = run("query", "CONSTRUCT WHERE { ?s a schema:Movie }", "--format", "csv")
    assert result.exit_code == 1 and "CONSTRUCT" in result.output


def test_stats_counts_per_graph_class_and_property(run, dataset):
    data = json.loads(run("stats", "--format", "json").output)
    by_name = {g["name"]: g for g in data}
    assert set(by_name) == {
        "ontology",
        "asserted",
        "inferred",
        "provenance",
        "links",
        "wikidata",
        "assessments",
    }
    from filmgraph.core.namespaces import GRAPHS

    assert by_name["asserted"]["triples"] == len(dataset.graph(GRAPHS["asserted"]))
    assert by_name["asserted"]["classes"]["schema:Movie"] == 2
    assert by_name["asserted"]["properties"]["schema:director"] == 2
    text = run("stats").output
    assert "asserted" in text and "schema:Movie 2" in text


def test_validate_passes(run):
    result = run("validate")
    assert result.exit_code == 0 and "checks passed" in result.output


def test_build_writes_a_dataset_that_parses_back(project):
    from rdflib import Dataset

    result = CliRunner().invoke(main, ["--root", str(project.root), "build"])
    assert result.exit_code == 0, result.output
    written = Dataset().parse(project.output_dir / "filmgraph.trig", format="trig")
    assert len({g.identifier for g in written.graphs()}) >= 3


def test_queries_lists_every_question(run, settings):
    out = run("queries").output
    for path in settings.queries_dir.glob("*.rq"):
        assert path.stem in out


def test_claims_sentences_shows_coverage(run):
    out = run("claims", "sentences").output
    assert "NONE" not in out and "balagov-birth-date" in out


def test_claims_compile_on_a_copy_reproduces_the_files(project):
    before = project.facts_file.read_bytes()
    result = CliRunner().invoke(main, ["--root", str(project.root), "claims", "compile"])
    assert result.exit_code == 0 and project.facts_file.read_bytes() == before


def test_schemaorg_check(run):
    assert run("schemaorg", "check").exit_code == 0


def test_environment_sets_the_root(settings, tmp_path):
    result = CliRunner().invoke(main, ["validate"], env={"FILMGRAPH_ROOT": str(tmp_path)})
    assert result.exit_code != 0  # an empty folder has no data
    result = CliRunner().invoke(main, ["validate"], env={"FILMGRAPH_ROOT": str(settings.root)})
    assert result.exit_code == 0


def test_explain_an_inferred_triple_as_text(run):
    result = run("explain", "fgid:kantemir-balagov", "a", "fg:FilmDirector")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "fgid:kantemir-balagov rdf:type fg:FilmDirector"
    assert lines[1].strip().startswith("inferred by cax-eqc2")
    assert "inferred by cls-hv2" in result.output and "asserted" in result.output
    assert '"Kantemir Balagov—a visionary filmmaker" (sentence 2' in result.output


def test_explain_as_json_with_full_iris(run):
    result = run(
        "explain",
        "<https://w3id.org/filmgraph/id/aleksandr-sokurov>",
        "https://w3id.org/filmgraph/ontology#mentorOf",
        "fgid:kantemir-balagov",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rule"] == "prp-inv1"
    assert [p["kind"] for p in data["premises"]] == ["axiom", "asserted"]
    assert "Sokurov" in data["premises"][1]["quotes"][0]["quote"]


def test_explain_takes_its_bounds_from_options_and_the_environment(run, monkeypatch):
    words = ("fgid:kantemir-balagov", "a", "fg:FilmDirector")  # two rule applications deep
    result = run("explain", *words, "--depth", "1")
    assert result.exit_code == 0, result.output
    assert "no derivation by the rules within 1 rule applications" in result.output
    assert "inferred by" in run("explain", *words, "--depth", "2").output
    result = run("explain", *words, "--time-budget", "0")
    assert result.exit_code == 2 and "--time-budget" in result.output  # must be above 0
    monkeypatch.setenv("FILMGRAPH_EXPLAIN_DEPTH", "1")
    assert "(the depth bound)" in run("explain", *words).output


def test_explain_an_asserted_literal_triple(run):
    result = run("explain", "fgid:beanpole", "schema:alternateName", '"Dylda"')
    assert result.exit_code == 0, result.output
    assert "asserted" in result.output and "Dylda" in result.output.splitlines()[2]


def test_explain_a_triple_not_in_the_dataset_exits_1(run):
    result = run("explain", "fgid:kantemir-balagov", "a", "schema:Movie")
    assert result.exit_code == 1
    assert "is not in the dataset" in result.output
    assert "Traceback" not in result.output


BUILD_STEPS = ("parsing", "checking shapes", "reasoning (owlrl", "filtering noise")


def test_progress_shows_each_step_with_counts(run, store):
    result = run("--progress", "--no-cache", "stats")
    assert result.exit_code == 0, result.output
    if store == "remote":  # the store holds its graphs: nothing is built here
        # which graphs it holds, not their sizes: counting them would scan the store
        held = f"done connecting to the remote store: {len(GRAPHS)} graphs at http"
        assert held in result.output and "(sizes counted when first read)" in result.output
        assert not any(f"done {step}" in result.output for step in BUILD_STEPS)
        return
    for step in BUILD_STEPS:
        assert f"done {step}" in result.output
    assert "kept" in result.output and "derived" in result.output


def test_fast_reasoner_from_the_command_line(run, store):
    pytest.importorskip("reasonable")
    result = run("--reasoner", "reasonable", "--progress", "--no-cache", "query",
                 "ASK { fgid:kantemir-balagov a fg:FilmDirector }", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    reasoned = "reasoning (reasonable" in result.output
    assert reasoned == (store != "remote")  # a remote store was reasoned before its push
    assert json.loads(result.output.splitlines()[-1])["boolean"] is True


def test_query_and_export_take_the_same_format_names(run):
    """`export` took turtle/xml and `query` ttl/rdf: each now takes both."""
    exported = {fmt: run("export", "--format", fmt).output for fmt in ("turtle", "ttl")}
    assert exported["turtle"] == exported["ttl"] and "@prefix" in exported["ttl"]
    assert run("export", "--format", "rdf").output == run("export", "--format", "xml").output
    text = "CONSTRUCT WHERE { fgid:nalchik schema:containedInPlace ?c }"
    queried = {fmt: run("query", text, "--format", fmt).output for fmt in ("turtle", "ttl")}
    assert queried["turtle"] == queried["ttl"] and "fgid:russia" in queried["ttl"]


def test_a_busy_port_is_one_line_before_anything_is_built(run):
    """`serve` on a port another program listens on says so in one line, with how to choose
    another, and exits 1 before building (it was a 15-frame traceback after the build)."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--host", "127.0.0.1", "--port", str(port))
    assert result.exit_code == 1, result.output
    assert f"127.0.0.1:{port} is in use: choose another port with --port" in result.output
    assert "Traceback" not in result.output and "building" not in result.output.lower()


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX schema: <http://schema.org/> SELECT * WHERE { ?a !^schema:director ?b }",
        "SELECT (SUM(?s) AS ?x) WHERE { ?s ?p ?o }",
        "SELECT (EXISTS { ?s ?p ?o } AS ?e) WHERE {}",
    ],
)
def test_a_query_the_engine_cannot_answer_is_one_error_line_not_a_traceback(settings, query):
    """rdflib's engine fails on these (the endpoint answers 501): the CLI says the same, in
    one line. (A real process: pytest's own log capture would hide a traceback printed by
    logging's last-resort handler.)"""
    where = ["--root", str(settings.root), "--build-dir", str(settings.output_dir)]
    result = subprocess.run(
        [sys.executable, "-m", "filmgraph", *where, "--store", "memory", "query", query],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: the SPARQL engine (rdflib ") and "cannot answer" in line
