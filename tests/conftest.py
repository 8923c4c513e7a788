"""Shared fixtures: the built dataset, the stores it is served from, and a throw-away copy of
the project to break.

The fixtures ``store``, ``store_settings``, ``backend``, ``app``, ``client``, ``pool`` and
``run`` serve the build from one store. A test (or module) marked ``every_store`` runs once
per store of :data:`STORES`; any other runs on the default store, Oxigraph.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset

from filmgraph import Backend, Settings, build, open_store

# The browser-test fixtures, `server` (the real server on 127.0.0.1) and `browser_page`; the
# Oxigraph server fixtures, `oxigraph` and `proxy` (a forwarding proxy in front of it); the
# Virtuoso server fixture, `virtuoso`.
pytest_plugins = ["browser", "oxigraph_server", "virtuoso_server"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


#: The stores the tests marked ``every_store`` run on.
STORES = ["memory", "oxigraph"]

#: A remote store too, for the tests marked ``every_store(remote=True)``: a real Oxigraph
#: server holding every graph of the build (``remote_server``); slow.
REMOTE = pytest.param("remote", marks=pytest.mark.slow)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run the tests marked ``every_store`` once per store."""
    marker = metafunc.definition.get_closest_marker("every_store")
    if "store" in metafunc.fixturenames and marker is not None:
        stores = [*STORES, REMOTE] if marker.kwargs.get("remote") else STORES
        metafunc.parametrize("store", stores, indirect=True, scope="session")


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The project itself, building (and caching) into a temporary folder; the default
    store (Oxigraph)."""
    return Settings(root=ROOT, build_dir=tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def dataset(settings: Settings) -> Dataset:
    return build(settings)


@pytest.fixture(scope="session")
def document(settings: Settings) -> str:
    return (settings.data_dir / "sources" / "balagov-biography.txt").read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Settings:
    """A copy of the project (filmgraph.toml, ontology/, data/, queries/) a test may edit."""
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "filmgraph.toml", tmp_path)
    return Settings(root=tmp_path, build_dir=tmp_path / "build")


def as_written(graph, **options):
    """``graph.parse(**options)`` keeping every literal as written, as filmgraph reads RDF
    (:func:`filmgraph.core.literals_as_written`)."""
    from filmgraph.core import literals_as_written

    with literals_as_written():
        return graph.parse(**options)


def node_objects(node: object) -> Iterator[dict]:
    """Every node object (a dict with an ``id``) inside a compacted JSON-LD value ``node``
    (not ``node`` itself), at any depth."""
    values = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for value in values:
        if isinstance(value, dict) and "id" in value:
            yield value
        yield from node_objects(value)


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a file of a project copy; fails loudly if ``old`` is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="session")
def store(request: pytest.FixtureRequest) -> str:
    """The name of the store the build is served from (see ``every_store``)."""
    return getattr(request, "param", "oxigraph")


@pytest.fixture(scope="session")
def remote_server(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory):
    """A real Oxigraph server holding every graph of the build (``filmgraph push``)."""
    from filmgraph.store import push
    from oxigraph_server import start_oxigraph

    server = start_oxigraph(tmp_path_factory.mktemp("remote") / "store")
    try:
        assert push(dataset, server.store(), ["all"]).ok
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def store_settings(settings: Settings, store: str, request: pytest.FixtureRequest) -> Settings:
    """The project's settings on ``store`` (a remote store: ``remote_server``)."""
    if store == "remote":
        return settings.with_(store=f"remote:{request.getfixturevalue('remote_server').url}")
    return settings.with_(store=store)


@pytest.fixture(scope="session")
def held(dataset: Dataset, store: str) -> Dataset:
    """The build as ``store`` gives it back: as built, but on a remote Oxigraph server,
    which keeps a derived integer type as xsd:integer (tests/oxigraph_server.py)."""
    if store != "remote":
        return dataset
    from filmgraph.core import new_dataset
    from oxigraph_server import as_oxigraph_holds

    copy = new_dataset()
    for graph in dataset.graphs():
        target = copy.graph(graph.identifier)
        target += as_oxigraph_holds(graph)
    return copy


@pytest.fixture(scope="session")
def backend(store_settings: Settings) -> Backend:
    """The build, opened on ``store``."""
    return open_store(store_settings)


@pytest.fixture
def run(store_settings: Settings):
    """Run the `filmgraph` command on the project, on ``store``, through click's CliRunner."""
    from click.testing import CliRunner

    from filmgraph.cli import main

    def invoke(*args: str, input: str | None = None):
        where = ["--root", str(store_settings.root), "--build-dir", str(store_settings.output_dir)]
        where += ["--store", store_settings.store]
        return CliRunner().invoke(main, [*where, *args], input=input)

    return invoke


@pytest.fixture
def push_cli(settings: Settings):
    """Run `filmgraph push ...` on the project, with extra environment variables."""
    from click.testing import CliRunner

    from filmgraph.cli import main

    def invoke(*args: str, env: dict[str, str] | None = None):
        where = ["--root", str(settings.root), "--build-dir", str(settings.output_dir)]
        return CliRunner().invoke(main, [*where, "--no-progress", "push", *args], env=env)

    return invoke


@pytest.fixture(scope="session")
def app(store_settings: Settings, backend: Backend):
    """The endpoint over ``backend``, with its query workers; stopped at the end."""
    from filmgraph.web import create_app, state

    web = create_app(store_settings.with_(query_timeout=20.0), backend)
    yield web
    state(web).close()


@pytest.fixture(scope="session")
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def pool(app):
    from filmgraph.web import state

    return state(app).pool
