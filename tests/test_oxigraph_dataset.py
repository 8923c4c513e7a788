"""The build kept in its Oxigraph store and read there (store=oxigraph): the same named
graphs as the in-memory build, literals as written, read-only, reused while the inputs are
unchanged."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, ModificationException
from rdflib.namespace import XSD

from filmgraph import Settings, build, open_store
from filmgraph.core.namespaces import FG, FGID, GRAPHS, SCHEMA
from filmgraph.core.progress import Steps
from filmgraph.store.oxigraph import (
    datatypes_file,
    keep_datatypes,
    load_store,
    open_dataset,
    store_path,
)
from filmgraph.store.oxigraph.backend import LAYOUT, key_file

ROOT = Path(__file__).resolve().parents[1]


class Recorded(Steps):
    """Steps that remember the name of each step."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def step(self, label: str):
        self.seen.append(label)
        return super().step(label)


@pytest.fixture(scope="module")
def memory() -> Dataset:
    return build(Settings(root=ROOT, cache=False))


@pytest.fixture(scope="module")
def stored_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(root=ROOT, build_dir=tmp_path_factory.mktemp("build"), store="oxigraph")


def held(settings: Settings, steps: Steps | None = None) -> Dataset:
    """The build as the Oxigraph backend gives it to the pages."""
    backend = open_store(settings, steps=steps)
    assert backend.name == "oxigraph" and backend.path == settings.oxigraph_dir
    return backend.dataset


@pytest.fixture(scope="module")
def stored(stored_settings: Settings) -> Dataset:
    return held(stored_settings)


def test_the_build_is_read_from_the_store(stored: Dataset, stored_settings: Settings) -> None:
    assert store_path(stored) == stored_settings.oxigraph_dir
    assert key_file(stored_settings.oxigraph_dir).read_text().split()[0] == LAYOUT


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_every_named_graph_is_the_builds(memory: Dataset, stored: Dataset, name: str) -> None:
    held, built = stored.graph(GRAPHS[name]), memory.graph(GRAPHS[name])
    assert len(held) == len(built)
    assert isomorphic(held, built)


def test_the_same_graphs_and_an_empty_default_graph(memory: Dataset, stored: Dataset) -> None:
    def names(dataset: Dataset) -> set[str]:
        return {str(g.identifier) for g in dataset.graphs() if len(g)}

    assert names(stored) == names(memory)
    assert len(stored.graph(DATASET_DEFAULT_GRAPH_ID)) == 0
    assert len(stored) == len(memory)


def test_literals_read_back_as_written(stored: Dataset) -> None:
    """Oxigraph stores "1"^^xsd:positiveInteger as "1"^^xsd:integer; the view gives back
    the literal of the document, and a plain string stays plain."""
    asserted = stored.graph(GRAPHS["asserted"])
    number = asserted.value(FGID.closeness, FG.filmographyNumber)
    assert number == Literal("1", datatype=XSD.positiveInteger)
    assert number.datatype == XSD.positiveInteger
    name = asserted.value(FGID.closeness, SCHEMA.name)
    assert name == Literal("Closeness") and name.datatype is None
    assert (FGID.closeness, FG.filmographyNumber, number) in asserted


def test_only_narrowed_literals_are_kept_beside_the_store(tmp_path: Path) -> None:
    source = tmp_path / "in.nq"
    source.write_text(
        '<urn:s> <urn:p> "01"^^<http://www.w3.org/2001/XMLSchema#positiveInteger> <urn:g> .\n'
        '<urn:s> <urn:p> "2"^^<http://www.w3.org/2001/XMLSchema#integer> <urn:g> .\n'
        '<urn:s> <urn:p> "2017-01-01"^^<http://www.w3.org/2001/XMLSchema#date> <urn:g> .\n'
        '<urn:s> <urn:p> "a \\"^^<urn:x> b" <urn:g> .\n'
        '<urn:s> <urn:p> "7"^^<http://www.w3.org/2001/XMLSchema#int> .\n'
    )
    assert keep_datatypes(source, tmp_path / "store") == 2
    kept = datatypes_file(tmp_path / "store").read_text().splitlines()
    assert [line.split('"')[1] for line in kept] == ["01", "7"]


def test_the_view_is_read_only(stored: Dataset) -> None:
    asserted = stored.graph(GRAPHS["asserted"])
    with pytest.raises(ModificationException):
        asserted.add((FGID.closeness, SCHEMA.name, Literal("Other")))
    with pytest.raises(ModificationException):
        asserted.remove((FGID.closeness, None, None))
    assert asserted.value(FGID.closeness, SCHEMA.name) == Literal("Closeness")


def test_a_pattern_oxigraph_cannot_hold_matches_nothing(stored: Dataset) -> None:
    asserted = stored.graph(GRAPHS["asserted"])
    assert list(asserted.triples((None, Literal("x"), None))) == []
    assert list(stored.store.contexts((None, Literal("x"), None))) == []


def test_rdflib_queries_over_the_view(stored: Dataset, memory: Dataset) -> None:
    text = "SELECT ?n WHERE { ?f <https://w3id.org/filmgraph/ontology#filmographyNumber> ?n }"
    graph = GRAPHS["asserted"]
    found = sorted(row[0] for row in stored.graph(graph).query(text))
    assert found == sorted(row[0] for row in memory.graph(graph).query(text))


def test_a_second_build_opens_the_store_without_building(stored_settings: Settings) -> None:
    held(stored_settings)  # the store exists (the module's fixture may not have run yet)
    steps = Recorded()
    again = held(stored_settings, steps)
    assert steps.seen == ["opening the Oxigraph store"]
    assert store_path(again) == stored_settings.oxigraph_dir


def test_a_store_of_other_inputs_is_written_again(tmp_path: Path) -> None:
    settings = Settings(root=ROOT, build_dir=tmp_path, store="oxigraph")
    held(settings)
    marker = key_file(settings.oxigraph_dir)
    layout, key = marker.read_text().split()
    marker.write_text(f"{layout} {'0' * len(key)}\n")  # as if the inputs had changed
    steps = Recorded()
    rebuilt = held(settings, steps)
    assert "writing the Oxigraph store" in steps.seen
    assert marker.read_text().split() == [layout, key]
    assert len(rebuilt.graph(GRAPHS["asserted"])) > 100


def test_loading_other_data_into_the_store_drops_its_key(tmp_path: Path) -> None:
    """A store loaded with anything else is no longer taken for the build: the next open
    writes the build again (a benchmark once loaded a film world over a kept build)."""
    from filmgraph.store.oxigraph import load_store

    settings = Settings(root=ROOT, build_dir=tmp_path, store="oxigraph")
    held(settings)
    other = tmp_path / "other.nq"
    other.write_text("<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n", encoding="utf-8")
    load_store(other, settings.oxigraph_dir)
    assert not key_file(settings.oxigraph_dir).exists()
    steps = Recorded()
    rebuilt = held(settings, steps)
    assert "writing the Oxigraph store" in steps.seen
    assert len(rebuilt.graph(GRAPHS["asserted"])) > 100


def test_a_missing_store_behind_its_key_is_written_again(tmp_path: Path) -> None:
    import shutil

    settings = Settings(root=ROOT, build_dir=tmp_path, store="oxigraph")
    held(settings)
    shutil.rmtree(settings.oxigraph_dir)
    steps = Recorded()
    rebuilt = held(settings, steps)
    assert "writing the Oxigraph store" in steps.seen
    assert (URIRef(FGID.closeness), SCHEMA.name, Literal("Closeness")) in rebuilt.graph(
        GRAPHS["asserted"]
    )


def test_open_dataset_without_a_store_fails_with_the_path(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        open_dataset(tmp_path / "nothing")


def test_load_store_reads_a_file_without_rdflib(tmp_path: Path) -> None:
    """The named graphs of an N-Quads file, its default graph dropped and made the union of
    the default graphs, the narrowed literal read back as written."""
    asserted, inferred = GRAPHS["asserted"], GRAPHS["inferred"]
    source = tmp_path / "in.nq"
    source.write_text(
        f'<urn:a> <urn:p> "01"^^<{XSD.positiveInteger}> <{asserted}> .\n'
        f"<urn:a> <urn:q> <urn:b> <{inferred}> .\n"
        f"<urn:a> <urn:q> <urn:b> <{asserted}> .\n"
        "<urn:stray> <urn:p> <urn:o> .\n"
    )
    path = load_store(source, tmp_path / "store")
    store = ox.Store.read_only(str(path))
    default = {
        (q.subject.value, q.predicate.value)
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }
    assert default == {("urn:a", "urn:p"), ("urn:a", "urn:q")}
    del store
    view = open_dataset(path)
    assert (URIRef("urn:a"), URIRef("urn:p"), Literal("01", datatype=XSD.positiveInteger)) in (
        view.graph(asserted)
    )
    assert len(view.graph(asserted)) == 2 and len(view.graph(inferred)) == 1
    assert len(view.graph(DATASET_DEFAULT_GRAPH_ID)) == 0


def test_a_kept_build_is_loaded_from_its_cache_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache already holds the build as N-Quads: the store is loaded from that file,
    and the dataset is not serialised a second time."""
    import filmgraph.pipeline as pipeline
    import filmgraph.store.oxigraph.backend as backend

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("the build was serialised again")

    monkeypatch.setattr(backend, "write_store", refused)
    monkeypatch.setattr(pipeline.tempfile, "NamedTemporaryFile", refused)
    settings = Settings(root=ROOT, build_dir=tmp_path, store="oxigraph")
    dataset = held(settings)
    assert store_path(dataset) == settings.oxigraph_dir
    assert dataset.graph(GRAPHS["asserted"]).value(FGID.closeness, FG.filmographyNumber) == Literal(
        "1", datatype=XSD.positiveInteger
    )


def test_a_stale_store_is_loaded_from_a_current_cache_without_parsing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store is missing or stale, the cache current: the cache file goes into the store
    as it is; rdflib neither parses it nor builds."""
    import filmgraph.pipeline as pipeline

    settings = Settings(root=ROOT, build_dir=tmp_path, store="oxigraph")
    held(settings)
    key_file(settings.oxigraph_dir).unlink()  # the store no longer says which build it holds

    def refused(*args: object) -> None:
        raise AssertionError("the cache was parsed or the build made again")

    monkeypatch.setattr(pipeline._Build, "dataset", refused)
    steps = Recorded()
    dataset = held(settings, steps)
    assert store_path(dataset) == settings.oxigraph_dir
    assert steps.seen == ["opening the Oxigraph store", "writing the Oxigraph store"]
    assert dataset.graph(GRAPHS["asserted"]).value(FGID.closeness, SCHEMA.name) == Literal(
        "Closeness"
    )
    monkeypatch.undo()

    settings.cache_file.write_bytes(settings.cache_file.read_bytes()[:-10])  # cut short
    key_file(settings.oxigraph_dir).unlink()
    rebuilt = held(settings, steps := Recorded())
    assert "parsing" in steps.seen  # not trusted: built again from the files
    assert len(rebuilt.graph(GRAPHS["asserted"])) == len(dataset.graph(GRAPHS["asserted"]))


def test_workers_copy_a_small_store_into_memory_and_answer_alike(stored_settings: Settings) -> None:
    """A query worker's engine (``spec().open()``) holds the Balagov store in memory; the
    engine of this process reads it in place; both give the same answer."""
    from filmgraph.store.oxigraph import OxigraphSpec

    backend = open_store(stored_settings)
    spec = backend.spec()
    assert isinstance(spec, OxigraphSpec) and spec.in_memory
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    worker, here = spec.open(), backend.engine()
    assert worker.run(query).body("json") == here.run(query).body("json")
    assert not OxigraphSpec(spec.path).in_memory  # on disk unless the backend says so
