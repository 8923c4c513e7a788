"""Oxigraph on disk or in memory, for the default store: the same engine over the same data.

The default store (``store=oxigraph``) keeps the build in an Oxigraph store on disk under
the build folder, opened read-only by each query worker. For a small graph an in-memory
store would be possible too (each worker loading the build's N-Quads). This measures both
in one run, side by side, on the data the default serves:

- **open**: the time for a query worker to get its engine (``OxigraphSpec.open``): open
  the store on disk read-only, or that and copy it into a store in memory (what a worker
  does up to ``MEMORY_QUADS`` quads);
- **query mix**: the competency questions (``queries/*.rq``, no SERVICE), evaluated and
  written as SPARQL JSON, round-robin, every query evaluated (no cache of answers),
  repeated ``--rounds`` times; best of ``--repeat`` runs.

Usage::

    python -m benchmarks.oxigraph_storage                       # Balagov
    python -m benchmarks.oxigraph_storage --data filmworld:100000 --rounds 3
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.filmworld import generate
from filmgraph import Settings, build, load_queries
from filmgraph.core import GRAPHS, new_dataset
from filmgraph.query import Engine
from filmgraph.store.oxigraph import OxigraphSpec, write_store


def _dataset(spec: str):
    if spec == "balagov":
        return build(Settings.from_env())
    triples = int(spec.partition(":")[2])
    dataset = new_dataset()
    target = dataset.graph(GRAPHS["asserted"])
    for triple in generate(triples, seed=0):
        target.add(triple)
    return dataset


def _mix(engine: Engine, queries: list[str], rounds: int) -> float:
    began = time.perf_counter()
    for _ in range(rounds):
        for text in queries:
            engine.run(text).body("json")
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="balagov", help="balagov or filmworld:N")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    dataset = _dataset(args.data)
    settings = Settings.from_env()
    queries = [q.text for q in load_queries(settings.queries_dir).values()]
    queries = [q for q in queries if "SERVICE" not in q]
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        path = write_store(dataset, Path(folder) / "oxigraph")
        results: dict[str, tuple[float, float]] = {}
        for name in ("on disk", "in memory"):
            opens, mixes = [], []
            for _ in range(args.repeat):
                began = time.perf_counter()
                spec = OxigraphSpec(str(path), in_memory=name == "in memory")
                engine = spec.open()  # as a query worker opens it
                opens.append(time.perf_counter() - began)
                _mix(engine, queries, 1)  # warm-up
                mixes.append(_mix(engine, queries, args.rounds))
            results[name] = (min(opens), min(mixes))
    count = args.rounds * len(queries)
    print(f"data {args.data}: {len(nquads.splitlines())} quads; {count} queries per run\n")
    print("| store | open s | mix s | queries/s | mix time / on disk |")
    print("|---|---:|---:|---:|---:|")
    disk = results["on disk"][1]
    for name, (opened, mixed) in results.items():
        print(f"| {name} | {opened:.3f} | {mixed:.3f} | {count / mixed:.0f} | {mixed / disk:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
