"""The Oxigraph store and its companion files damaged on disk: a companion file deleted or
cut short, bytes flipped in a store file, a store file deleted. Each is found when the
store is opened (against the manifest written with it), reported in one line, and the
store written again from the sources: the answers and the N-Quads export are the
undamaged store's, and no command ends in a traceback."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset

from filmgraph import Settings
from filmgraph.cli import main
from filmgraph.store.oxigraph import datatypes_file

NAME = "SELECT ?name WHERE { fgid:closeness schema:name ?name }"
#: Answers that read literals Oxigraph narrows (kept in ``oxigraph.datatypes.nq``) and
#: every graph's size.
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def cli(project: Settings, *args: str):
    return CliRunner().invoke(main, ["--root", str(project.root), "--store", "oxigraph", *args])


def ran(project: Settings, *args: str) -> tuple[str, list[str]]:
    """A command's standard output, and the notes it gave; it succeeded, no traceback."""
    result = cli(project, *args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    notes = [line for line in result.stderr.splitlines() if "damaged" in line]
    return result.stdout, notes


def exported(text: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=text, format="nquads")
    return dataset


def same_export(one: str, other: str) -> bool:
    """Whether two N-Quads exports hold the same graphs (blank nodes up to renaming)."""
    from rdflib.compare import isomorphic

    first, second = exported(one), exported(other)
    names = {g.identifier for g in first.graphs()} | {g.identifier for g in second.graphs()}
    return all(isomorphic(first.graph(n), second.graph(n)) for n in names)


def largest_sst(project: Settings) -> Path:
    return max(project.oxigraph_dir.glob("*.sst"), key=lambda p: p.stat().st_size)


def delete_datatypes(project: Settings) -> str:
    datatypes_file(project.oxigraph_dir).unlink()
    return "oxigraph.datatypes.nq is missing"


def truncate_datatypes(project: Settings) -> str:
    path = datatypes_file(project.oxigraph_dir)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    return "oxigraph.datatypes.nq is truncated"


def flip_bytes_in_the_largest_sst(project: Settings) -> str:
    path = largest_sst(project)
    data = bytearray(path.read_bytes())
    for at in range(len(data) // 4, len(data) // 4 + 64):
        data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    return f"oxigraph/{path.name} is changed"


def delete_the_largest_store_file(project: Settings) -> str:
    path = max(
        (p for p in project.oxigraph_dir.iterdir() if p.name != "LOG"),
        key=lambda p: p.stat().st_size,
    )
    path.unlink()
    return f"oxigraph/{path.name} is missing"


def damage_the_cache_too(project: Settings) -> str:
    """The store damaged and the build cache cut short: built again from the files."""
    cache = project.cache_file
    cache.write_bytes(cache.read_bytes()[:-100])
    return flip_bytes_in_the_largest_sst(project)


DAMAGES: dict[str, Callable[[Settings], str]] = {
    "datatypes deleted": delete_datatypes,
    "datatypes truncated": truncate_datatypes,
    "bytes flipped in the largest .sst": flip_bytes_in_the_largest_sst,
    "largest store file deleted": delete_the_largest_store_file,
    "store and cache damaged": damage_the_cache_too,
}


@pytest.fixture
def undamaged(project: Settings) -> tuple[str, str, str]:
    """The project built into its Oxigraph store: two answers and the N-Quads export."""
    name, notes = ran(project, "query", NAME)
    assert notes == []
    counts, _ = ran(project, "query", COUNTS)
    export, _ = ran(project, "export", "--format", "nq", "--graphs", "all")
    return name, counts, export


@pytest.mark.parametrize("how", sorted(DAMAGES))
def test_a_damaged_store_is_reported_in_one_line_and_rebuilt(project, undamaged, how):
    said = DAMAGES[how](project)
    name, notes = ran(project, "query", NAME)
    counts, later = ran(project, "query", COUNTS)
    export, more = ran(project, "export", "--format", "nq", "--graphs", "all")
    assert (name, counts) == undamaged[:2]
    assert export == undamaged[2] or same_export(export, undamaged[2])
    assert len(notes) == 1, notes
    assert "rebuilding it from the sources" in notes[0] and said in notes[0], notes[0]
    assert later == more == []  # written once, then opened as it is


def test_a_missing_or_altered_manifest_rebuilds_the_store(project, undamaged):
    from filmgraph.store.oxigraph.files import damage, manifest_file

    assert damage(project.oxigraph_dir) is None
    manifest_file(project.oxigraph_dir).unlink()
    _, notes = ran(project, "query", NAME)
    assert len(notes) == 1 and "oxigraph.manifest is missing" in notes[0], notes
    manifest_file(project.oxigraph_dir).write_text("{not json", encoding="utf-8")
    name, notes = ran(project, "query", NAME)
    assert len(notes) == 1 and "oxigraph.manifest is unreadable" in notes[0], notes
    assert name == undamaged[0]
    assert damage(project.oxigraph_dir) is None  # whole again, with a new manifest


def test_a_large_store_is_checked_by_size_and_time_and_hashed_where_they_differ(
    project, undamaged, monkeypatch
):
    """Past :data:`FULL_CHECK_BYTES` a store file is hashed only when its modification time
    is not the manifest's: bytes flipped in place (a new time) are still found."""
    import filmgraph.store.oxigraph.files as files
    from filmgraph.store.oxigraph.files import damage

    monkeypatch.setattr(files, "FULL_CHECK_BYTES", 0)
    hashed: list[Path] = []
    real = files._sha256
    monkeypatch.setattr(files, "_sha256", lambda path: hashed.append(path) or real(path))
    assert damage(project.oxigraph_dir) is None
    assert {p.name for p in hashed} == {"oxigraph.datatypes.nq", "oxigraph.key"}
    said = flip_bytes_in_the_largest_sst(project)
    assert said in (damage(project.oxigraph_dir) or "")


def test_a_copied_build_folder_keeps_its_store(project, undamaged, tmp_path):
    """A build folder copied with its times (``cp -a``) is whole where it lands."""
    from filmgraph.store.oxigraph.files import damage

    copy = tmp_path / "copy"
    shutil.copytree(project.output_dir, copy)
    assert damage(copy / "oxigraph") is None
