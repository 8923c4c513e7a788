"""Exports of a film world from the embedded Oxigraph store, in every format, for two
versions of filmgraph side by side in one run (issue 21: exports streamed in bounded
memory).

The film world of ``--size`` asserted triples (:mod:`benchmarks.filmworld`, the file the
growth benchmark uses) and the ontology (whose OWL restrictions and lists are blank nodes)
are bulk-loaded into an Oxigraph store on disk, in the graphs ``asserted`` and ``ontology``.
Then, for each version (``--before``: the ``src`` folder of another checkout, e.g. main's;
``after``: this checkout's) and each format, a fresh process opens the store as a build's
pages do (:func:`filmgraph.store.oxigraph.open_dataset`) and writes both graphs to a file
as ``filmgraph export -o`` does: the formats the version streams piece by piece as they
come (``export_stream``; before it, ``export_nquads`` for N-Quads), the others as
``export``'s whole text. For each: seconds (from the open store to the file written), the
process's peak resident memory (VmHWM), the file's size, and whether both versions wrote
the same bytes. Framed JSON-LD is left out: it is built whole by both versions, and the
ontology's blank nodes that nothing points to cannot be framed.

Usage::

    python -m benchmarks.exports --size 100000 --before ../main/src
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.endpoints import LOAD_DIR
from benchmarks.growth import ontology_quads
from benchmarks.reasoning import ROOT, data_file

#: the formats measured, by export name
FORMATS = ("turtle", "jsonld", "nt", "nq", "trig", "xml")

#: the child: open the store, write the export to a file, say what it cost (as JSON)
CHILD = r"""
import json, sys, time
from pathlib import Path

from filmgraph.store.oxigraph import open_dataset
import filmgraph.export as exports

store, fmt, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
graphs = ["asserted", "ontology"]
dataset = open_dataset(store)
began = time.perf_counter()
with out.open("w", encoding="utf-8", newline="") as file:
    if fmt in getattr(exports, "STREAMED", ()):
        pieces, how = exports.export_stream(dataset, fmt, graphs), "streamed"
    elif fmt == "nq" and hasattr(exports, "export_nquads"):
        pieces, how = exports.export_nquads(dataset, graphs), "streamed"
    else:
        pieces, how = [exports.export(dataset, fmt, graphs)], "whole"
    for piece in pieces:
        file.write(piece)
seconds = time.perf_counter() - began
status = Path("/proc/self/status").read_text().splitlines()
peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "how": how}))
"""


def build_store(size: int, seed: int, work: Path) -> Path:
    """The Oxigraph store of the film world and the ontology (made once per size)."""
    import pyoxigraph as ox

    from filmgraph.core.namespaces import GRAPHS

    world = data_file(size, seed)
    path = work / f"store-{world.stem}"
    if not (path / "done").exists():
        store = ox.Store(str(path))
        asserted = ox.NamedNode(str(GRAPHS["asserted"]))
        store.bulk_load(path=str(world), format=ox.RdfFormat.N_TRIPLES, to_graph=asserted)
        store.bulk_load(path=str(ontology_quads()), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
        (path / "done").write_text("", encoding="utf-8")
    return path


def measure(src: Path, store: Path, fmt: str, out: Path, timeout: float) -> dict[str, Any]:
    """One version's export of the store in ``fmt``, in a fresh process."""
    env = os.environ | {"PYTHONPATH": str(src)}
    command = [sys.executable, "-c", CHILD, str(store), fmt, str(out)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"failure": f"over {timeout:g} s"}
    if done.returncode != 0:
        return {"failure": done.stderr.strip().splitlines()[-1:]}
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    found["bytes"] = out.stat().st_size
    found["sha256"] = hashlib.sha256(out.read_bytes()).hexdigest()
    return found


def table(size: int, results: dict[str, dict[str, dict[str, Any]]]) -> str:
    lines = [
        f"| {size} triples + ontology | before s | after s | after / before | "
        "before peak MB | after peak MB | after / before | MB written | same text |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for fmt, versions in results.items():
        before, after = versions["before"], versions["after"]
        cells = [f"{fmt} ({before.get('how', '-')} -> {after.get('how', '-')})"]
        for key in ("seconds", "peak_mb"):
            b, a = before.get(key), after.get(key)
            cells += [_cell(b), _cell(a), f"{a / b:.3f}x" if a is not None and b else "-"]
        cells.append(_cell((after.get("bytes") or 0) / 1e6))
        same = before.get("sha256") is not None and before.get("sha256") == after.get("sha256")
        cells.append("yes" if same else "no")
        lines.append("| " + " | ".join(cells) + " |")
        for version in ("before", "after"):
            if "failure" in versions[version]:
                lines.append(f"|   {version} failed: {versions[version]['failure']} |")
    return "\n".join(lines)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="asserted triples")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--before", type=Path, required=True, help="the other version's src/")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per export")
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    args = parser.parse_args(argv)
    work = LOAD_DIR / "exports"
    work.mkdir(parents=True, exist_ok=True)
    store = build_store(args.size, args.seed, work)
    results: dict[str, dict[str, dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="exports-", dir=work) as folder:
        for fmt in args.formats.split(","):
            results[fmt] = {}
            for version, src in (("before", args.before.resolve()), ("after", ROOT / "src")):
                print(f"{version}: {fmt} ...", file=sys.stderr, flush=True)
                out = Path(folder) / f"{version}.{fmt}"
                results[fmt][version] = measure(src, store, fmt, out, args.timeout)
                print(f"  {results[fmt][version]}", file=sys.stderr, flush=True)
            for version in ("before", "after"):
                (Path(folder) / f"{version}.{fmt}").unlink(missing_ok=True)
    print(table(args.size, results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
