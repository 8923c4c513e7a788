"""A build on a bad day: a folder where the cache should be, a full disk, data nested too
deeply, a check that is not SPARQL, two builds (or servers) started at once on one folder.
Each ends in a one-line error naming the file, with exit status 1, or in a right build;
never a traceback, never a half-written store."""

from __future__ import annotations

import errno
import hashlib
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from filmgraph import Settings, open_store
from filmgraph.cli import main
from filmgraph.core import UnavailableError

FILMGRAPH = Path(sys.executable).with_name("filmgraph")
NAME = "SELECT ?name WHERE { fgid:closeness schema:name ?name }"


def cli(project: Settings, *args: str, store: str = "oxigraph"):
    return CliRunner().invoke(main, ["--root", str(project.root), "--store", store, *args])


def one_line_error(result, *parts: str) -> str:
    """The error a failed command gave: exit 1, one line starting with ``Error:`` that
    holds every one of ``parts``, and no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    for part in parts:
        assert part in errors[0], errors[0]
    return errors[0]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (the lock file aside), by name, with its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "filmgraph.lock"
    }


def change_an_input(project: Settings) -> None:
    """A new key: the next build is made again."""
    with (project.data_dir / "balagov.ttl").open("a", encoding="utf-8") as handle:
        handle.write("\n# changed\n")


# One-line errors


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_a_folder_where_the_cache_is_kept_is_a_one_line_error(project, store):
    project.cache_file.mkdir(parents=True)
    one_line_error(cli(project, "build", store=store), str(project.cache_file), "a folder")


def test_data_nested_too_deeply_is_a_one_line_error_naming_the_file(project):
    facts = project.data_dir / "balagov.ttl"
    with facts.open("a", encoding="utf-8") as handle:
        handle.write("\nfgid:deep fgid:p " + "(" * 4000 + ")" * 4000 + " .\n")
    one_line_error(cli(project, "build", store="memory"), str(facts), "nested too deeply")


def test_a_check_that_is_not_sparql_says_its_file_line_and_column(project):
    check = project.root / "ontology" / "checks" / "broken.rq"
    check.write_text("# broken\nPREFIX x: <urn:x>\nSELEC ?x WHERE { ?x ?p ?o }\n")
    one_line_error(cli(project, "build", store="memory"), f"{check}, line 3, column 1", "SPARQL")


def full_disk(*args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_a_full_disk_leaves_the_previous_build_whole(project, store, monkeypatch):
    """The cache cannot be written: the error names it, and the cache, the store, its key
    and the TriG written before are as they were, with no temporary file left."""
    assert cli(project, "build", store=store).exit_code == 0
    before = snapshot(project.output_dir)
    change_an_input(project)
    monkeypatch.setattr(os, "fsync", full_disk)
    result = cli(project, "build", store=store)
    one_line_error(result, str(project.cache_file), "No space left on device")
    assert snapshot(project.output_dir) == before


def test_a_full_disk_while_writing_the_store_leaves_the_old_store(project, monkeypatch):
    """The Oxigraph store cannot be written: the error names it; the store, its key and
    companion file are as they were, no ``oxigraph.new`` is left, and the store still
    answers."""
    import filmgraph.store.oxigraph.files as files

    assert cli(project, "build").exit_code == 0
    kept = [project.oxigraph_dir.with_name(f"oxigraph{s}") for s in (".key", ".datatypes.nq")]
    before = snapshot(project.oxigraph_dir), [p.read_bytes() for p in kept]
    change_an_input(project)
    monkeypatch.setattr(files, "union_default_graph", full_disk)
    one_line_error(cli(project, "build"), "oxigraph.new", "No space left on device")
    assert (snapshot(project.oxigraph_dir), [p.read_bytes() for p in kept]) == before
    assert not list(project.output_dir.glob("oxigraph.new*"))
    assert not list(project.output_dir.rglob(".*.tmp"))
    monkeypatch.undo()
    result = cli(project, "query", NAME)
    assert result.exit_code == 0, result.output


# Builds that cannot race


def answers(settings: Settings) -> tuple[dict[str, int], list[str]]:
    """What a build holds: its graphs' sizes, and an answer."""
    backend = open_store(settings.with_(store="oxigraph"))
    try:
        rows = backend.engine().run(NAME).result
        return {str(g): n for g, n in backend.graphs.items()}, sorted(str(r[0]) for r in rows)
    finally:
        backend.close()


def piped(project: Settings, *args: str) -> subprocess.Popen[str]:
    """``filmgraph ARGS`` on the project's Oxigraph store, its output on a pipe."""
    return subprocess.Popen(
        [str(FILMGRAPH), "--root", str(project.root), "--store", "oxigraph", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def started(project: Settings, log: Path, *args: str) -> subprocess.Popen[str]:
    """``filmgraph ARGS`` on the project's Oxigraph store, its output written to ``log``."""
    with log.open("w") as out:
        return subprocess.Popen(
            [str(FILMGRAPH), "--root", str(project.root), "--store", "oxigraph", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )


def test_builds_started_together_on_one_folder_all_succeed_with_the_right_answers(
    project, tmp_path_factory, tmp_path
):
    """Three builds at once, from nothing, then again with the store gone but the cache
    kept (the load itself racing): all exit 0, no stray is left, and the store answers as
    a clean build's does. The test holds the folder's lock while they start, so that they
    must wait for it (and say so), whatever the machine's speed; then lets them race."""
    from filmgraph.store import build_lock

    clean = Settings(root=project.root, build_dir=tmp_path_factory.mktemp("clean"))
    expected = answers(clean)
    for round in range(2):
        if round:
            shutil.rmtree(project.oxigraph_dir)
            project.oxigraph_dir.with_name("oxigraph.key").unlink()
        logs = [tmp_path / f"build-{round}-{i}.log" for i in range(3)]
        with build_lock(project.output_dir):
            builds = [started(project, log, "build") for log in logs]
            deadline = time.monotonic() + 120
            while not all("waiting for another build" in log.read_text() for log in logs):
                assert time.monotonic() < deadline, [log.read_text() for log in logs]
                assert all(build.poll() is None for build in builds), "a build did not wait"
                time.sleep(0.1)
        for build, log in zip(builds, logs, strict=True):
            assert build.wait(timeout=180) == 0, log.read_text()
            assert "Traceback" not in log.read_text()
        assert not list(project.output_dir.glob("oxigraph.new*"))
        assert answers(project) == expected


def test_a_stray_left_by_a_stopped_build_is_removed_by_the_next(project):
    assert cli(project, "build").exit_code == 0
    stray = project.output_dir / "oxigraph.new"
    stray.mkdir()
    (stray / "000001.sst").write_bytes(b"half")
    temporary = project.cache_file.with_name(f".{project.cache_file.name}.x1.tmp")
    temporary.write_bytes(b"half")
    assert cli(project, "build").exit_code == 0
    assert not stray.exists() and not temporary.exists()


def test_a_build_waits_for_the_lock_and_gives_up_in_one_line(tmp_path):
    import fcntl

    from filmgraph.store import build_lock

    held = (tmp_path / "filmgraph.lock").open("w")
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        started_at = time.monotonic()
        with (
            pytest.raises(UnavailableError, match="another filmgraph process"),
            build_lock(tmp_path, wait=0.3),
        ):
            pass
        assert 0.3 <= time.monotonic() - started_at < 5
    finally:
        held.close()
    with build_lock(tmp_path, wait=0.3):  # released with its holder
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def until_serving(server: subprocess.Popen[str], timeout: float) -> list[str]:
    """The lines a server writes until it says it is serving (or ends, or ``timeout``)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            lines.put(line)
            if line.startswith("serving "):
                return
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if line.startswith("serving "):
            break
    return seen


def test_two_servers_on_one_empty_build_folder_both_come_up(project):
    serve = ("serve", "--host", "127.0.0.1", "--workers", "1", "--port")
    servers = [piped(project, *serve, str(free_port())) for _ in range(2)]
    try:
        for server in servers:
            lines = until_serving(server, timeout=120)
            assert lines and lines[-1].startswith("serving "), "".join(lines)
            assert server.poll() is None
        assert not list(project.output_dir.glob("oxigraph.new*"))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
