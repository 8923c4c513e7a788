"""Engine growth: how Oxigraph's own query evaluation grows with size, without filmgraph.

The growth benchmark (:mod:`benchmarks.growth`) finds the query mix on filmgraph's embedded
Oxigraph store growing worse than linearly from 100k to 1M asserted triples, and the Oxigraph
server alone growing worse still. This benchmark asks whether that is the engine: it loads
the same N-Quads file as the growth run's Oxigraph server (the film world, its closure, and
the default graph) into a bare ``pyoxigraph.Store``, in memory and on disk, in a fresh
subprocess for each size and store, and times

- a **ladder** of queries from a plain scan to joins, a sort and a GROUP BY (:data:`LADDER`),
  to see where the growth begins; and
- the heaviest queries of the growth run's mix (:data:`FROM_THE_MIX`), exactly as it sends
  them.

Each query: one untimed run, then up to ``--repeat`` timed runs within ``--budget`` seconds
(the whole answer iterated); the best and the median. The report gives, for each query and
store, the time at each size and the growth factor between sizes over the data factor
(1.00 is linear), side by side in the same run. The data come from the growth run's cache
(``benchmarks/.data``), made as it makes them when missing.

    python -m benchmarks.engine_growth                    # 100k and 1M (about 5 minutes)
    python -m benchmarks.engine_growth --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

STORES = {"memory": "pyoxigraph in memory", "disk": "pyoxigraph on disk"}
SCHEMA = "PREFIX schema: <http://schema.org/>\n"

#: From a scan to the mix's shapes: name -> query over the default graph.
LADDER: dict[str, str] = {
    "scan: count every triple": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "one pattern: count films": SCHEMA + "SELECT (COUNT(*) AS ?n) WHERE { ?f a schema:Movie }",
    "join: count films with titles": SCHEMA
    + "SELECT (COUNT(*) AS ?n) WHERE { ?f a schema:Movie ; schema:name ?t }",
    "join: list films with titles": SCHEMA
    + "SELECT ?f ?t WHERE { ?f a schema:Movie ; schema:name ?t }",
    "join + sort: titles in order": SCHEMA
    + "SELECT ?t WHERE { ?f a schema:Movie ; schema:name ?t } ORDER BY ?t",
}
#: The heaviest queries of the growth run's mix (by their time at 1M).
FROM_THE_MIX = ["films-per-director", "premieres-and-awards", "film-themes", "film-settings"]


def queries() -> dict[str, str]:
    """The ladder, then the mix's heaviest queries as the growth run sends them."""
    from benchmarks.growth import the_mix

    mix = {query.name: query.text for query in the_mix()}
    return LADDER | {name: mix[name] for name in FROM_THE_MIX}


def child(store_kind: str, data: Path, repeat: int, budget: float) -> dict[str, Any]:
    """Load ``data`` into a bare store and time every query (in this process)."""
    import pyoxigraph as ox

    with tempfile.TemporaryDirectory(prefix="engine-growth-") as folder:
        store = ox.Store() if store_kind == "memory" else ox.Store(folder)
        started = time.perf_counter()
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        if store_kind == "disk":
            store.optimize()
        out: dict[str, Any] = {"load_s": time.perf_counter() - started, "queries": {}}
        for name, text in queries().items():
            rows = sum(1 for _ in store.query(text))  # untimed: warms the caches
            times: list[float] = []
            while len(times) < repeat and sum(times) < budget:
                started = time.perf_counter()
                sum(1 for _ in store.query(text))
                times.append(time.perf_counter() - started)
            out["queries"][name] = {
                "rows": rows,
                "best_ms": min(times) * 1000,
                "median_ms": statistics.median(times) * 1000,
            }
        del store
    return out


def data_for(size: int, seed: int) -> tuple[Path, int]:
    """The growth run's N-Quads file of ``size`` and its quads (made when missing)."""
    from benchmarks import growth

    options = argparse.Namespace(
        seed=seed,
        reuse_reasoning=True,
        memory_limit_mb=growth.default_memory_limit_mb(),
        reason_timeout=900,
        work=growth.WORK,
    )
    _, closure = growth.reasoning_step(size, options)
    if closure is None:
        raise SystemExit(f"no closure for {size}: reasoning failed (see benchmarks.growth)")
    data = growth.world(size, closure, options)
    return data.path, data.quads


def measure(sizes: list[int], args: argparse.Namespace) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for size in sizes:
        path, quads = data_for(size, args.seed)
        found[str(size)] = {"quads": quads}
        for kind in STORES:
            command = [sys.executable, "-m", "benchmarks.engine_growth", "--child", kind]
            command += ["--data", str(path), "--repeat", str(args.repeat)]
            command += ["--budget", str(args.budget)]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            found[str(size)][kind] = json.loads(done.stdout)
            print(f"{size:,} {kind}: measured", file=sys.stderr)
    return found


def report(found: dict[str, Any]) -> str:
    """The growth of each query on each store between consecutive sizes, over linear."""
    sizes = sorted(found, key=int)
    lines = ["| query | store | " + " | ".join(f"{int(s):,} ms" for s in sizes)]
    pairs = list(itertools.pairwise(sizes))
    lines[0] += "".join(f" | {int(a):,} -> {int(b):,}: x / linear" for a, b in pairs) + " |"
    lines.append("|---|---|" + "---:|" * (len(sizes) + len(pairs)))
    names = list(found[sizes[0]]["memory"]["queries"])
    for name in ["load", *names]:
        for kind, label in STORES.items():
            cells, costs = [], []
            for size in sizes:
                measured = found[size][kind]
                ms = measured["load_s"] * 1000 if name == "load" else None
                if ms is None:
                    ms = measured["queries"][name]["best_ms"]
                costs.append(ms)
                cells.append(f"{ms:,.1f}")
            for (a, b), (ca, cb) in zip(pairs, itertools.pairwise(costs), strict=True):
                data_factor = found[b]["quads"] / found[a]["quads"]
                cells.append(f"{cb / ca:.1f}x / {cb / ca / data_factor:.2f}")
            lines.append(f"| {name} | {label} | " + " | ".join(cells) + " |")
    rows = {
        name: [found[s]["memory"]["queries"][name]["rows"] for s in sizes]
        for name in names
        if name not in LADDER or "list" in name or "sort" in name
    }
    lines.append("")
    lines.append("Rows per size: " + "; ".join(f"{n} {r}" for n, r in rows.items()) + ".")
    quads = ", ".join(f"{int(s):,}: {found[s]['quads']:,}" for s in sizes)
    lines.append(f"Quads loaded (default graph and named graphs): {quads}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="asserted triples")
    parser.add_argument("--seed", type=int, default=0, help="seed of the film world")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query")
    parser.add_argument("--budget", type=float, default=20, help="seconds of runs per query")
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    parser.add_argument("--child", choices=list(STORES), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.data, args.repeat, args.budget)))
        return 0
    sizes = [int(size) for size in args.sizes.split(",") if size]
    found = measure(sizes, args)
    if args.json:
        args.json.write_text(json.dumps(found, indent=1), encoding="utf-8")
    print(report(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
