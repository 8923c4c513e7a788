"""The seams of the architecture (docs/architecture.md): settings checked when made, the one
failure table, a backend added as one module plus one row of STORES, the notebook and the
endpoint answering through the same backend, and the code's own rules (type ignores)."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path
from urllib.error import URLError

import pytest
from rdflib import URIRef
from rdflib.plugins.sparql.sparql import SPARQLError
from rdflib.query import Result

from filmgraph import Settings, open_store
from filmgraph.analysis import LocalSource
from filmgraph.core import (
    STORES,
    EngineLimitError,
    FilmgraphError,
    ForbiddenError,
    InternalError,
    NotFoundError,
    QueryError,
    QuerySyntaxError,
    SettingError,
    UnavailableError,
    UpstreamError,
)
from filmgraph.core.settings import settings_help
from filmgraph.query import as_error, load_queries, prepare
from filmgraph.store import backend_class
from filmgraph.web import create_app, state

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "filmgraph"


# ---------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"workers": -3}, "workers: must be at least 1, not -3"),
        ({"workers": 2.5}, "workers: not a whole number: 2.5"),
        ({"port": True}, "port: not a whole number: True"),
        ({"query_timeout": 0}, "query_timeout: must be more than 0, not 0"),
        ({"store": "bogus"}, "store: 'bogus' is not a store: oxigraph, memory, remote:URL"),
        ({"store": "remote"}, "store: the remote store needs a URL: remote:URL"),
        ({"store": "remote:ftp://x"}, "store: not an http(s) URL: 'ftp://x'"),
        ({"store": "memory:x"}, "store: the memory store takes no argument: 'memory:x'"),
        ({"reasoner": "hermit"}, "reasoner: 'hermit' is not a reasoner: owlrl, reasonable"),
        ({"store_layout": "stardog"}, "store_layout: 'stardog' is not a store layout"),
        ({"service_allow": ["nope"]}, "service_allow: not an http(s) URL: 'nope'"),
        ({"cache": "perhaps"}, "cache: not a yes/no value: 'perhaps'"),
        ({"root": 5}, "root: not a path: 5"),
        ({"wikidata_reconcile": "x"}, "wikidata_reconcile: not an http(s) URL: 'x'"),
    ],
)
def test_a_bad_setting_is_refused_when_made_naming_it(changes, message):
    with pytest.raises(SettingError) as made:
        Settings(**changes)
    assert str(made.value).startswith(message)
    with pytest.raises(SettingError) as copied:  # a copy is checked as a new object is
        Settings().with_(**changes)
    assert str(copied.value) == str(made.value)


def test_text_is_converted_as_the_environment_gives_it():
    settings = Settings(
        workers="3", cache="off", query_timeout="2.5", service_allow="https://a.example/, ,"
    )
    assert (settings.workers, settings.cache, settings.query_timeout) == (3, False, 2.5)
    assert settings.service_allow == ("https://a.example/",)
    assert isinstance(Settings(root="elsewhere").root, Path)


def test_the_environment_is_read_once_and_a_bad_variable_is_named():
    settings = Settings.from_env({"FILMGRAPH_WORKERS": "5", "FILMGRAPH_STORE": "oxigraph"})
    assert (settings.workers, settings.store_name, settings.store_url) == (5, "oxigraph", None)
    with pytest.raises(SettingError, match=r"^FILMGRAPH_PORT: not a whole number: 'eighty'"):
        Settings.from_env({"FILMGRAPH_PORT": "eighty"})
    # an explicit override wins over the environment; None leaves it be
    assert Settings.from_env({"FILMGRAPH_WORKERS": "5"}, workers=7).workers == 7
    assert Settings.from_env({"FILMGRAPH_WORKERS": "5"}, workers=None).workers == 5


def test_every_setting_has_one_help_text_and_the_cli_shows_it():
    from click.testing import CliRunner

    from filmgraph.cli import main

    rows = settings_help()
    assert len({row.env for row in rows}) == len(rows)
    assert all(row.help.endswith(".") and row.env.startswith("FILMGRAPH_") for row in rows)
    shown = " ".join(CliRunner().invoke(main, ["--help"], terminal_width=1000).output.split())
    for name in ("root", "build_dir", "reasoner", "store"):
        row = next(r for r in rows if r.name == name)
        assert f"{row.help} [env {row.env}; default {row.default}]" in shown


def test_the_cli_checks_an_option_as_the_settings_do():
    from click.testing import CliRunner

    from filmgraph.cli import main

    result = CliRunner().invoke(main, ["--store", "bogus", "stats"])
    assert result.exit_code == 2
    assert "Invalid value for '--store': 'bogus' is not a store" in result.output


# ---------------------------------------------------------------- the failure table


@pytest.mark.parametrize(
    ("engine", "exc", "kind", "status", "message"),
    [
        ("rdflib", SPARQLError("unbound"), EngineLimitError, 501, "in rdflib (unbound)"),
        ("oxigraph", RecursionError(), QueryError, 400, "nested too deeply"),
        ("rdflib", MemoryError(), UnavailableError, 503, "more memory than a worker"),
        (
            "oxigraph",
            SyntaxError("error at 2:7: expected WHERE"),
            QuerySyntaxError,
            400,
            "line 2, column 7: expected WHERE",
        ),
        ("oxigraph", OSError("boom"), EngineLimitError, 501, "Oxigraph cannot answer"),
        ("rdflib", PermissionError("net"), ForbiddenError, 403, "refused: net"),
        ("rdflib", URLError(PermissionError("sandbox")), ForbiddenError, 403, "refused"),
        ("rdflib", URLError("down"), UpstreamError, 502, "a SERVICE endpoint failed"),
        ("remote", UpstreamError("no", "u", 400), QueryError, 400, "by the store: no"),
        ("remote", UpstreamError("no", "u", 503), UpstreamError, 502, "no"),
        ("oxigraph", NotFoundError("gone"), NotFoundError, 404, "gone"),
        ("rdflib", KeyError("mine"), InternalError, 500, "internal error"),
    ],
)
def test_every_failure_becomes_one_error_with_its_status(engine, exc, kind, status, message):
    error = as_error(exc, engine)
    assert type(error) is kind and error.status == status
    assert message in str(error)


def test_a_syntax_error_is_oxigraphs_limit_only_on_oxigraph():
    # rdflib does not raise SyntaxError for a query: one there is a bug of ours
    assert isinstance(as_error(SyntaxError("x"), "rdflib"), InternalError)


def test_a_failure_inside_rdflib_is_its_limit_not_our_bug():
    from rdflib.plugins.sparql.operators import numeric

    try:
        numeric(URIRef("http://example.org/not-a-number"))
    except Exception as raised:  # rdflib raises SPARQLError here: its engine's failure
        assert as_error(raised).status == 501
    try:
        sorted([URIRef("a"), None])  # the failure under test
    except TypeError as raised:  # no rdflib frame: ours
        assert as_error(raised).status == 500


# ---------------------------------------------------------------- adding a backend


@pytest.fixture
def example_store(monkeypatch):
    """The one row that adds tests/example_backend.py as the store ``oxigraph-memory``."""
    row = ("example_backend:OxigraphMemoryBackend", "the build in Oxigraph, in memory")
    monkeypatch.setitem(STORES, "oxigraph-memory", row)
    return "oxigraph-memory"


def test_a_backend_is_one_module_and_one_row(example_store, settings, client):
    chosen = settings.with_(store=example_store)  # the setting accepts the new name
    assert backend_class(example_store).__name__ == "OxigraphMemoryBackend"
    backend = open_store(chosen)
    assert backend.name == example_store and sum(backend.graphs.values()) > 1000
    app = create_app(chosen.with_(workers=1, query_timeout=20.0), backend)
    try:
        served = app.test_client()
        for path in (
            "/sparql?query=SELECT+%3Fn+WHERE+%7B+fgid%3Abeanpole+schema%3Aname+%3Fn+%7D",
            "/page/kantemir-balagov",
            "/data/kantemir-balagov.ttl",
        ):
            ours, memory = served.get(path), client.get(path)
            assert ours.status_code == memory.status_code == 200, path
            if path.startswith("/sparql"):  # answered by a worker that opened the spec
                assert b"Beanpole" in ours.data
                assert state(app).pool.size == 1
        graphs = served.get("/health").json["graphs"]
        assert graphs == {str(name): size for name, size in backend.graphs.items()}
    finally:
        state(app).close()


def test_a_row_that_names_no_backend_is_refused(monkeypatch):
    monkeypatch.setitem(STORES, "nothing", ("filmgraph.core:Settings", "not a backend"))
    with pytest.raises(SettingError, match="is not the Backend of the nothing store"):
        backend_class("nothing")
    with pytest.raises(SettingError, match="no store named 'absent'"):
        backend_class("absent")


# ---------------------------------------------------------------- notebook = endpoint


def _endpoint_rows(client, text: str) -> list[str]:
    reply = client.post(
        "/sparql",
        data={"query": text},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)
    result = Result.parse(io.BytesIO(reply.data), format="json")
    return _rows(result)


def _rows(result: Result) -> list[str]:
    if result.type == "ASK":
        return [str(result.askAnswer)]
    names = [str(v) for v in result.vars or []]
    return sorted(repr([row.get(v) for v in result.vars or []]) for row in result) + names


@pytest.mark.every_store(remote=True)
def test_the_notebook_and_the_endpoint_answer_alike(store_settings, backend, client):
    source = LocalSource(backend, store_settings)
    asked = 0
    for query in load_queries(store_settings.queries_dir).values():
        if query.services or prepare(query.text).kind not in ("SELECT", "ASK"):
            continue
        assert _rows(source.result(query.text)) == _endpoint_rows(client, query.text), query.name
        asked += 1
    assert asked >= 15
    assert repr(source).startswith(f"<LocalSource ({store_settings.store_name}):")


# ---------------------------------------------------------------- the code's rules


def _comments(path: Path) -> list[tuple[int, str]]:
    with path.open("rb") as handle:
        return [
            (token.start[0], token.string)
            for token in tokenize.tokenize(handle.readline)
            if token.type == tokenize.COMMENT
        ]


IGNORE = re.compile(r"#\s*type:\s*ignore(?P<rest>.*)")


def test_every_type_ignore_names_its_code_and_reason():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for line, comment in _comments(path):
            match = IGNORE.search(comment)
            if match:
                found.append(path)
                rest = match["rest"]
                assert re.match(r"\[[a-z-]+(, [a-z-]+)*\]\s+#\s*\S", rest), f"{path}:{line}"
    assert found  # the check reads what it means to


def test_every_error_class_has_a_status():
    errors, todo = [], [FilmgraphError]
    while todo:
        found = todo.pop().__subclasses__()
        errors += found
        todo += found
    assert len(errors) >= 10
    for cls in errors:
        assert 400 <= cls.status <= 599, cls


def test_no_exported_name_hides_a_module_of_its_package():
    """``import filmgraph.reason`` gives the package, not a function of the same name."""
    import importlib
    import pkgutil

    import filmgraph

    packages = [filmgraph.__name__]
    checked = 0
    while packages:
        package = importlib.import_module(packages.pop())
        for info in pkgutil.iter_modules(package.__path__):
            if info.name == "__main__":  # importing it runs the command
                continue
            name = f"{package.__name__}.{info.name}"
            assert info.name not in getattr(package, "__all__", ()), name
            module = importlib.import_module(name)
            assert getattr(package, info.name) is module, name
            checked += 1
            if info.ispkg:
                packages.append(name)
    assert checked > 80
