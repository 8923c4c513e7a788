"""Start-up and memory of ``filmgraph serve --store remote:URL``, and its pages, for two
versions of filmgraph side by side in one run (issue 21: the pages read the store, no copy).

The film world of ``--size`` asserted triples and its closure (as the growth benchmark makes
them, :mod:`benchmarks.growth`) are loaded into one Oxigraph server with the ontology graph,
as ``filmgraph push --graphs all`` leaves a store. Then, for each version (``--before``: the
``src`` folder of another checkout, e.g. a worktree of the commit before; ``after``: this
checkout's), ``filmgraph serve`` is started over that server from an empty folder and:

- start-up: seconds until ``/health`` answers, and the resident memory of its whole process
  tree (main and query workers) then, with the main process's peak (VmHWM);
- an entity page (``/resource?iri=`` a film), its data document (``format=ttl``), one
  ``/explain`` of an inferred type, the entity index (``/page/``), a search of it
  (``/page/?q=film``) and the films' second page (``/page/?type=schema:Movie&page=2``; a
  version before the index was paged ignores ``type`` and ``page`` and gives the whole
  index): seconds each, and the main process's resident memory after each, with its peak
  (VmHWM) and the whole tree's.

:func:`measure` is also the growth benchmark's (:mod:`benchmarks.growth`), with the export
(:data:`EXPORT`) after the pages, over an Oxigraph server or Virtuoso.

Usage::

    python -m benchmarks.serve_pages --size 100000 --before ../before/src
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from benchmarks.endpoints import (
    HOST,
    LOAD_DIR,
    Server,
    TreeMemory,
    free_port,
    limited,
    proc_status,
    start,
    stop,
)
from benchmarks.reasoning import ROOT

#: What is measured after start-up, by name: a path template ({film}: a film's IRI).
PAGES = {
    "entity page": "/resource?iri={film}",
    "data document": "/resource?iri={film}&format=ttl",
    "explain": "/explain?s=<{film}>&p=a&o=schema:CreativeWork&format=json",
    "entity index": "/page/",
    "index search": "/page/?q=film",
    "a type's second page": "/page/?type=schema:Movie&page=2",
}
#: The whole dataset as N-Quads, streamed (the growth benchmark measures it after the pages).
EXPORT = {"export": "/export.nq"}


def _get(port: int, path: str, timeout: float) -> tuple[int, int, bytes]:
    """GET ``path``: the status, the size of the whole body, read as it streams (a
    gigabyte export is counted, never held), and its first kilobyte."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": "text/html, application/json;q=0.9"})
        answer = conn.getresponse()
        size, head = 0, b""
        while chunk := answer.read(1 << 20):
            head = head or chunk[:1024]
            size += len(chunk)
        return answer.status, size, head
    finally:
        conn.close()


def _film(port: int, path: str = "/query") -> str:
    """A film of the store at ``port`` (its query endpoint at ``path``)."""
    query = "SELECT ?s WHERE { GRAPH ?g { ?s a <http://schema.org/Movie> } } LIMIT 1"
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        body = urllib.parse.urlencode({"query": query})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        }
        conn.request("POST", path, body=body, headers=headers)
        rows = json.loads(conn.getresponse().read())["results"]["bindings"]
        return str(rows[0]["s"]["value"])
    finally:
        conn.close()


def measure(
    version: str,
    src: Path,
    store_port: int,
    film: str,
    timeout: float,
    *,
    layout: str = "oxigraph",
    pages: dict[str, str] = PAGES,
    limit_mb: int | None = None,
) -> dict[str, Any]:
    """Start ``filmgraph serve`` from ``src`` over the store at ``store_port`` (of
    ``layout``: oxigraph or virtuoso); what it costs, and each of ``pages``'. The serve
    process's tree is sampled all along (:class:`~benchmarks.endpoints.TreeMemory`, phase by
    phase), each process's address space limited to ``limit_mb`` if given: over it, the
    tree is stopped and the step recorded as failed."""
    out: dict[str, Any] = {"version": version, "src": str(src)}
    empty = Path(tempfile.mkdtemp(prefix="serve-pages-", dir=LOAD_DIR))
    port = free_port()
    env = os.environ | {
        "PYTHONPATH": str(src),
        "FILMGRAPH_ROOT": str(empty),
        "FILMGRAPH_BUILD_DIR": str(empty / "build"),
        "FILMGRAPH_STORE": f"remote:http://{HOST}:{store_port}",
        "FILMGRAPH_STORE_LAYOUT": layout,
        "FILMGRAPH_STORE_TIMEOUT": f"{timeout:g}",
    }
    command = [sys.executable, "-m", "filmgraph", "--no-progress", "serve"]
    command += ["--host", HOST, "--port", str(port)]
    log = (empty / "serve.log").open("wb")
    began = time.perf_counter()
    process = subprocess.Popen(
        limited(command, limit_mb),
        cwd=empty,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    served = Server("filmgraph-remote", process=process)
    memory = TreeMemory(served, limit_mb or float("inf"))
    try:
        memory.__enter__()
        while True:
            if process.poll() is not None:
                out["failure"] = (empty / "serve.log").read_text()[-500:]
                return out
            with contextlib.suppress(OSError, http.client.HTTPException):
                if _get(port, "/health", 5)[0] == 200:
                    break
            if time.perf_counter() - began > timeout:
                out["failure"] = "not ready"
                return out
            time.sleep(0.1)
        out["startup_s"] = time.perf_counter() - began
        out["startup_tree_mb"] = memory.now_mb()
        out["startup_main_peak_mb"] = proc_status(process.pid).get("VmHWM", 0) / 1024
        quoted = urllib.parse.quote(film, safe="")
        for name, template in pages.items():
            path = template.format(film=quoted)
            memory.phase = name
            t0 = time.perf_counter()
            try:
                status, size, head = _get(port, path, timeout)
            except (OSError, http.client.HTTPException) as exc:
                status, size, head = 0, 0, b""
                out[f"{name} error"] = repr(exc)
            main = proc_status(process.pid)
            out[name] = {
                "status": status,
                "bytes": size,
                "seconds": time.perf_counter() - t0,
                "main_mb": main.get("VmRSS", 0) / 1024,
                "main_peak_mb": main.get("VmHWM", 0) / 1024,
                "tree_mb": memory.now_mb(),
                "tree_peak_mb": memory.peaks.get(name),
            }
            if status != 200 and head:  # why, in the page's words (its tags dropped)
                said = re.sub(r"<[^>]+>|\s+", " ", head.decode("utf-8", "replace"))
                out[name]["said"] = " ".join(said.split())[:300]
            if memory.killed or process.poll() is not None:
                out["failure"] = memory.killed or f"exited ({process.returncode}) at {name}"
                break
        out["end_main_peak_mb"] = proc_status(process.pid).get("VmHWM", 0) / 1024
    finally:
        memory.__exit__()
        out["memory"] = memory.summary()
        stop(served)
        log.close()
    return out


def _row(name: str, before: float | None, after: float | None, unit: str) -> str:
    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.2f} {unit}"

    ratio = f"{after / before:.3f}x" if before and after is not None else "-"
    return f"| {name} | {cell(before)} | {cell(after)} | {ratio} |"


def table(results: list[dict[str, Any]]) -> str:
    before, after = results
    lines = [
        f"| {before['triples']} triples | before | after | after / before |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key, name, unit in (
        ("startup_s", "serve: start-up until /health", "s"),
        ("startup_tree_mb", "serve: resident memory at start-up (whole tree)", "MB"),
        ("startup_main_peak_mb", "serve: main process peak at start-up", "MB"),
    ):
        lines.append(_row(name, before.get(key), after.get(key), unit))
    for page in PAGES:
        b, a = before.get(page, {}), after.get(page, {})
        status = f" (HTTP {b.get('status')} / {a.get('status')})"
        lines.append(_row(page + status, b.get("seconds"), a.get("seconds"), "s"))
        lines.append(_row(f"  main process after {page}", b.get("main_mb"), a.get("main_mb"), "MB"))
    lines.append(
        _row(
            "main process peak, end",
            before.get("end_main_peak_mb"),
            after.get("end_main_peak_mb"),
            "MB",
        )
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="asserted triples")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--before", type=Path, required=True, help="the other version's src/")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per start or page")
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    args = parser.parse_args(argv)
    from benchmarks.growth import ontology_quads, reasoning_step, world

    options = argparse.Namespace(
        seed=args.seed,
        reuse_reasoning=True,
        memory_limit_mb=6000,
        reason_timeout=args.timeout,
        work=LOAD_DIR / "serve-pages",
    )
    options.work.mkdir(parents=True, exist_ok=True)
    reasoning, closure = reasoning_step(args.size, options)
    if closure is None:
        print(f"reasoning failed: {reasoning}", file=sys.stderr)
        return 1
    data = world(args.size, closure, options)
    graphs = argparse.Namespace(startup_timeout=args.timeout, oxigraph_extra=(ontology_quads(),))
    backing = Server("oxigraph")
    from dataclasses import replace

    start(backing, replace(data, path=data.graphs_path or data.path), graphs)
    try:
        if backing.failure:
            print(f"the Oxigraph server: {backing.failure}", file=sys.stderr)
            return 1
        film = _film(backing.port)
        results = []
        for version, src in (("before", args.before.resolve()), ("after", ROOT / "src")):
            print(
                f"{version}: serving {sum(data.graphs.values())} triples from {src} ...",
                file=sys.stderr,
            )
            found = measure(version, src, backing.port, film, args.timeout)
            found["triples"] = sum(data.graphs.values())
            results.append(found)
    finally:
        stop(backing)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
