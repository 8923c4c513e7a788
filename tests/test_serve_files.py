"""`filmgraph serve PATH...`: plain RDF files served as rdflib-endpoint and `oxigraph serve`
serve them (no claims), every format read, reasoning on request, bad files named with line
and column, and the pages saying what has no provenance."""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef

from browser import serving
from filmgraph import Settings, open_files
from filmgraph.cli import main
from filmgraph.core import GRAPHS, DataError, Project
from filmgraph.load import load_rdf_files
from filmgraph.web import create_app, state

EX = "http://example.org/"
TURTLE = f"""@prefix ex: <{EX}> .
@prefix schema: <http://schema.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
ex:directed owl:inverseOf schema:director .
ex:solaris a schema:Movie ; schema:name "Solaris" ; schema:director ex:tarkovsky .
ex:tarkovsky a schema:Person ; schema:name "Andrei Tarkovsky" .
"""

#: One triple in every format, and where it lands.
FORMATS = {
    "a.nt": (f'<{EX}s> <{EX}p> "nt" .\n', None),
    "a.nq": (f'<{EX}s> <{EX}p> "nq" <{EX}g> .\n', f"{EX}g"),
    "a.trig": (f'<{EX}g2> {{ <{EX}s> <{EX}p> "trig" }}\n', f"{EX}g2"),
    "a.jsonld": (
        json.dumps({"@id": f"{EX}s", f"{EX}p": "jsonld"}),
        None,
    ),
    "a.rdf": (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:ex="{EX}"><rdf:Description rdf:about="{EX}s"><ex:p>rdf</ex:p>'
        "</rdf:Description></rdf:RDF>",
        None,
    ),
    "a.ttl": (f'<{EX}s> <{EX}p> "ttl" .\n', None),
}


def test_every_format_is_read_triples_to_asserted_named_graphs_by_their_names(tmp_path):
    for name, (text, _) in FORMATS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    dataset = load_rdf_files([tmp_path])
    for name, (_, graph) in FORMATS.items():
        value = name.split(".")[1]
        where = dataset.graph(URIRef(graph) if graph else GRAPHS["asserted"])
        assert {str(o) for o in where.objects(URIRef(f"{EX}s"), URIRef(f"{EX}p"))} >= {value}


def test_a_filmgraph_export_is_served_as_its_own_graphs(dataset, tmp_path):
    path = tmp_path / "export.trig"
    dataset.serialize(destination=str(path), format="trig")
    loaded = load_rdf_files([path])
    for name in ("asserted", "inferred", "provenance"):
        assert len(loaded.graph(GRAPHS[name])) == len(dataset.graph(GRAPHS[name])), name


@pytest.mark.parametrize(
    ("name", "text", "message", "line", "column"),
    [
        ("bad.ttl", "<a:s> <a:p> <a:o> .\n<a:s> <a:p> .\n", "bad turtle syntax", 2, None),
        ("bad.jsonld", '{"@id": "a:s",\n  "a:p": }\n', "bad JSON", 2, 10),
        ("bad.nt", "<a:s> <a:p> <a:o> .\nnot a triple\n", "bad nt syntax", 2, None),
        (
            "bad.rdf",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '<a b="1" b="2"/>\n</rdf:RDF>\n',
            "bad RDF/XML",
            2,
            None,
        ),
    ],
)
def test_a_syntax_error_names_file_and_line(tmp_path, name, text, message, line, column):
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_rdf_files([tmp_path / name])
    assert err.value.path == tmp_path / name and message in str(err.value)
    assert err.value.line == line
    if column is not None:
        assert err.value.column == column


def test_paths_that_hold_no_rdf_are_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(DataError, match="a folder holding no RDF file"):
        load_rdf_files([tmp_path])
    with pytest.raises(DataError, match="not an RDF file: the extension is not one of"):
        load_rdf_files([tmp_path / "notes.txt"])
    with pytest.raises(DataError, match="not found"):
        load_rdf_files([tmp_path / "missing.ttl"])


@pytest.fixture(scope="module")
def films(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("files") / "films.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def files_app(films: Path, request: pytest.FixtureRequest, tmp_path_factory):
    settings = Settings(store=request.param, build_dir=tmp_path_factory.mktemp("build"))
    backend = open_files(settings, [films], reasoning=True)
    app = create_app(settings, backend, project=Project.of_files([films]))
    yield app
    state(app).close()


def _select(client, query: str) -> list[dict]:
    response = client.get(
        "/sparql",
        query_string={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["results"]["bindings"]


def test_files_are_queried_with_their_inferences(files_app):
    client = files_app.test_client()
    rows = _select(client, f"SELECT ?film WHERE {{ <{EX}tarkovsky> <{EX}directed> ?film }}")
    assert [r["film"]["value"] for r in rows] == [f"{EX}solaris"]


def test_the_pages_are_titled_by_the_files_and_have_no_provenance(files_app):
    client = files_app.test_client()
    html = {"Accept": "text/html"}
    page = client.get("/resource", query_string={"iri": f"{EX}tarkovsky"}, headers=html)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<a class="name" href="/">filmgraph: films.ttl</a>' in text
    assert "Balagov" not in text and "Andrei Tarkovsky" in text
    assert f'href="/resource?iri={EX}solaris"' in text  # the film links to its local page
    data = client.get("/resource", query_string={"iri": f"{EX}solaris", "format": "nt"})
    assert f'<{EX}solaris> <http://schema.org/name> "Solaris" .' in data.get_data(as_text=True)
    document = client.get("/document", headers=html)
    assert document.status_code == 404
    assert "has no source document" in document.get_data(as_text=True)
    assert client.get("/", headers=html).status_code == 200  # the query page, no questions
    assert state(files_app).queries == {}


def test_without_reason_there_are_no_inferences(films, tmp_path):
    settings = Settings(store="memory", build_dir=tmp_path)
    backend = open_files(settings, [films])
    assert GRAPHS["inferred"] not in backend.graphs
    backend.close()


def test_serve_a_file_for_real(films, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILMGRAPH_")}
    command = [sys.executable, "-m", "filmgraph", "--no-progress", "serve", str(films)]
    with serving([*command, "--port", "0"], env, tmp_path, tmp_path / "log") as (_, base):
        query = urllib.parse.urlencode({"query": f"ASK {{ <{EX}solaris> ?p ?o }}"})
        request = urllib.request.Request(
            f"{base}/sparql?{query}", headers={"Accept": "application/sparql-results+json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.load(response)["boolean"] is True
    assert list(tmp_path.iterdir()) == [tmp_path / "log"]  # the build went to a temporary folder


def test_serve_a_bad_file_is_one_error_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a:s> <a:p> .\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", str(bad), "--port", "0"])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: {bad}, line 1") and "bad turtle syntax" in line


def test_the_query_page_links_every_subject_of_the_files_to_its_page(files_app):
    """The IRIs the query page passes as described (asked of the store in one query) are
    the subjects of the asserted and inferred graphs, all outside fgid: here."""
    from filmgraph.core import GRAPHS
    from filmgraph.web.query_page import described

    dataset = state(files_app).dataset
    expected = sorted(
        {
            str(s)
            for name in ("asserted", "inferred")
            for s in dataset.graph(GRAPHS[name]).subjects()
            if isinstance(s, URIRef)
        }
    )
    with files_app.test_request_context("/"):
        assert described() == expected and f"{EX}tarkovsky" in expected
