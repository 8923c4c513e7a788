"""The %%sparql cell magic, in an in-process IPython shell (no kernel)."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from rdflib import Graph

from filmgraph.analysis import open_dataset
from filmgraph.analysis.local import LocalSource
from filmgraph.analysis.remote import RemoteSource

FILMS = """SELECT ?title ?year WHERE {
  ?film a schema:Movie ; schema:name ?title ; schema:datePublished ?year
} ORDER BY ?year"""


@pytest.fixture
def shell(dataset, settings):
    """A fresh shell with the extension loaded and ``fg`` bound to the built dataset."""
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "filmgraph.analysis.magic")
    shell.user_ns["fg"] = open_dataset(settings, dataset=dataset)
    yield shell
    shell.run_line_magic("unload_ext", "filmgraph.analysis.magic")
    shell.user_ns.pop("fg", None)
    InteractiveShell.clear_instance()


def magics(shell):
    return shell.magics_manager.registry["SparqlMagics"]


def test_a_cell_on_a_source_variable_gives_the_dataframe(shell):
    result = shell.run_cell(f"%%sparql fg\n{FILMS}\n")
    assert result.success
    expected = shell.user_ns["fg"].query(FILMS)
    pd.testing.assert_frame_equal(result.result, expected)
    assert result.result["year"].tolist() == [2017, 2019]
    assert shell.user_ns["_"] is result.result  # shown, so Jupyter displays it


def test_ask_and_construct(shell):
    assert shell.run_cell("%%sparql fg\nASK { fgid:closeness a schema:Movie }").result is True
    graph = shell.run_cell("%%sparql fg\nCONSTRUCT WHERE { fgid:closeness schema:name ?n }").result
    assert isinstance(graph, Graph) and len(graph) == 1


def test_without_an_argument_it_opens_the_dataset_once(shell, settings, monkeypatch):
    monkeypatch.setenv("FILMGRAPH_ROOT", str(settings.root))
    monkeypatch.setenv("FILMGRAPH_BUILD_DIR", str(settings.output_dir))  # the session's build
    assert magics(shell).dataset is None
    first = shell.run_cell(f"%%sparql\n{FILMS}")
    opened = magics(shell).dataset
    assert isinstance(opened, LocalSource)
    second = shell.run_cell("%%sparql\nASK { fgid:beanpole a schema:Movie }")
    assert magics(shell).dataset is opened and second.result is True
    assert first.result["title"].tolist() == ["Closeness", "Beanpole"]


def test_a_malformed_query_is_one_line_not_a_traceback(shell, capsys):
    result = shell.run_cell("%%sparql fg\nSELECT ?x\nWHERE { ?x")
    assert not result.success
    err = capsys.readouterr().err
    assert err.startswith("UsageError: malformed query: line 2, column")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_an_endpoint_url_runs_the_cell_there(shell, capsys):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/sparql"
    result = shell.run_cell(f"%%sparql {url}\nASK {{ ?s ?p ?o }}")
    assert not result.success
    assert isinstance(magics(shell).endpoints[url], RemoteSource)
    err = capsys.readouterr().err
    assert err.strip() == f"UsageError: {url}: cannot connect: Connection refused"


def test_an_unknown_source_name(shell, capsys):
    result = shell.run_cell("%%sparql nothing_here\nASK {}")
    assert not result.success
    assert "not an endpoint URL" in capsys.readouterr().err


def test_the_docs_cell_runs(shell, settings, monkeypatch):
    page = Path(__file__).resolve().parents[1] / "docs" / "guide" / "notebooks.md"
    readme = page.read_text(encoding="utf-8")
    [cell] = re.findall(r"```ipython\n(.*?)```", readme, flags=re.S)
    monkeypatch.setenv("FILMGRAPH_ROOT", str(settings.root))
    monkeypatch.setenv("FILMGRAPH_BUILD_DIR", str(settings.output_dir))
    result = shell.run_cell(cell)
    assert result.success and set(result.result["title"]) == {"Closeness", "Beanpole"}
