"""Malformed files are reported with file, line and column, whatever their format."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import replace_in
from filmgraph import DataError, build
from filmgraph.cli import main
from filmgraph.core.namespaces import GRAPHS
from filmgraph.load.parsing import load_files


def test_loaded_graphs_are_named_and_separate(dataset, settings):
    names = {g.identifier for g in dataset.graphs()}
    assert set(GRAPHS.values()) <= names
    asserted = dataset.graph(GRAPHS["asserted"])
    assert len(asserted) == len(load_files([settings.facts_file]))


def test_turtle_syntax_error_names_file_and_line(project):
    replace_in(project.facts_file, 'schema:name "Beanpole" ;', 'schema:name "Beanpole ;')
    with pytest.raises(DataError) as err:
        build(project)
    lines = project.facts_file.read_text(encoding="utf-8").splitlines()
    bad = next(n for n, t in enumerate(lines, 1) if '"Beanpole ;' in t)
    assert err.value.path == project.facts_file
    assert err.value.line is not None and err.value.line >= bad
    assert f"balagov.ttl, line {err.value.line}" in str(err.value)


def test_cli_reports_syntax_error_without_traceback(project):
    replace_in(
        project.ontology_dir / "filmgraph.ttl",
        "fg:Theme a owl:Class ;",
        "fg:Theme a owl:Class ;;;; ]",
    )
    result = CliRunner().invoke(main, ["--root", str(project.root), "build"])
    assert result.exit_code == 1
    assert "filmgraph.ttl, line" in result.output
    assert "Traceback" not in result.output
    assert not (project.output_dir / "filmgraph.trig").exists()


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("bad.nt", "<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n", 2),
        (
            "bad.rdf",
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<oops>\n</rdf:RDF>\n',
            4,
        ),
        ("bad.ttl", "@prefix a: <http://a/> .\n\na:x a:y a:z ,\n", 3),
    ],
)
def test_each_format_reports_the_line(tmp_path, name, text, line):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_files([path])
    assert err.value.path == path
    assert err.value.line is not None and abs(err.value.line - line) <= 1, str(err.value)


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_files([tmp_path / "absent.ttl"])
