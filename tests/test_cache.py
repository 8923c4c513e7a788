"""The build cache: reused when nothing changed, rebuilt (never served) when damaged."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from filmgraph import build
from filmgraph.core.errors import SettingError
from filmgraph.core.namespaces import GRAPHS
from filmgraph.core.progress import Step, Steps
from filmgraph.core.settings import Settings
from filmgraph.store.cache import FORMAT, fingerprint, read_cache, write_cache


class Recorder(Steps):
    """Remembers the labels of the steps a build ran and the notes it made."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.notes: list[str] = []

    @contextmanager
    def step(self, label: str) -> Iterator[Step]:
        self.labels.append(label)
        yield Step(label)

    def note(self, message: str) -> None:
        self.notes.append(message)

    def reasoned(self) -> bool:
        return any(label.startswith("reasoning") for label in self.labels)


def _build(settings: Settings) -> tuple[Dataset, Recorder]:
    steps = Recorder()
    return build(settings, steps=steps), steps


def _same(a: Dataset, b: Dataset) -> bool:
    """Same graphs, each isomorphic (blank node labels are fresh in every parse)."""
    return all(isomorphic(a.graph(iri), b.graph(iri)) for iri in GRAPHS.values())


@pytest.fixture
def cold(project) -> Dataset:
    """A project copy built once, so that its cache exists."""
    dataset, steps = _build(project)
    assert steps.reasoned() and project.cache_file.is_file()
    return dataset


def test_unchanged_inputs_are_read_from_the_cache_not_reasoned_again(project, cold):
    warm, steps = _build(project)
    assert steps.labels == ["reading the cache"]
    assert _same(warm, cold)
    assert len(warm.graph(GRAPHS["inferred"])) == len(cold.graph(GRAPHS["inferred"])) > 50


def test_a_changed_input_file_rebuilds(project, cold):
    with project.facts_file.open("a", encoding="utf-8") as facts:
        facts.write("# an edit\n")
    _, steps = _build(project)
    assert steps.reasoned()


@pytest.mark.parametrize(
    "change",
    [lambda s: s.with_(reasoner="reasonable"), lambda s: s.with_(build_dir=s.root / "other")],
    ids=["other engine", "other build folder"],
)
def test_other_settings_use_their_own_cache(project, cold, change):
    pytest.importorskip("reasonable")
    _, steps = _build(change(project))
    assert steps.reasoned()


def test_cache_off_never_reads_or_writes(project, cold):
    before = project.cache_file.read_bytes()
    _, steps = _build(project.with_(cache=False))
    assert steps.reasoned() and "reading the cache" not in steps.labels
    assert project.cache_file.read_bytes() == before


CORRUPTIONS = {
    "truncated": lambda data: data[: len(data) // 2],
    "one byte altered": lambda data: data[:-40] + bytes([data[-40] ^ 1]) + data[-39:],
    "not ours": lambda data: b"<html>proxy error</html>\n",
    "empty": lambda data: b"",
    "header only": lambda data: data.partition(b"\n")[0],
}


@pytest.mark.parametrize("corrupt", sorted(CORRUPTIONS))
def test_a_damaged_cache_is_reported_and_rebuilt_never_served(project, cold, corrupt):
    path = project.cache_file
    path.write_bytes(CORRUPTIONS[corrupt](path.read_bytes()))
    assert read_cache(path, fingerprint(project)).status == "corrupt"
    rebuilt, steps = _build(project)
    assert steps.reasoned()
    assert steps.notes and "rebuilding" in steps.notes[0] and str(path) in steps.notes[0]
    assert _same(rebuilt, cold)
    assert read_cache(path, fingerprint(project)).status == "hit"


def test_a_cache_with_a_valid_checksum_but_bad_nquads_is_corrupt(project, cold, tmp_path):
    import hashlib

    body = b"this is not n-quads\n"
    key = fingerprint(project)
    header = f"# {FORMAT} key={key} sha256={hashlib.sha256(body).hexdigest()}\n".encode()
    path = tmp_path / "cache.nq"
    path.write_bytes(header + body)
    result = read_cache(path, key)
    assert result.status == "corrupt" and "cannot be parsed" in result.detail


def test_a_cache_of_other_inputs_is_stale(project, cold):
    assert read_cache(project.cache_file, "0" * 64).status == "stale"


def test_a_failed_write_leaves_the_previous_cache_intact(project, cold, monkeypatch):
    """A full disk during the write: the old file stays, no temporary file is left."""
    path = project.cache_file
    before = path.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("filmgraph.core.files.os.fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_cache(path, fingerprint(project), cold)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.parametrize(("value", "expected"), [("0", False), ("no", False), ("1", True)])
def test_cache_setting_from_the_environment(value, expected):
    assert Settings.from_env({"FILMGRAPH_CACHE": value}).cache is expected


def test_a_bad_cache_setting_names_the_variable():
    with pytest.raises(SettingError, match="FILMGRAPH_CACHE: not a yes/no value: 'maybe'"):
        Settings.from_env({"FILMGRAPH_CACHE": "maybe"})
