"""Engine growth: how the stores' own query evaluation grows with size, without filmgraph.

The growth benchmark (:mod:`benchmarks.growth`) finds the query mix on filmgraph's embedded
Oxigraph store growing worse than linearly from 100k to 1M asserted triples, and the Oxigraph
server alone growing worse still. This benchmark asks whether that is the engines': it loads
the growth run's own data (the film world and its closure) into bare stores, with no
filmgraph code on the path, one fresh subprocess for each size and store:

``memory`` and ``disk``
    a ``pyoxigraph.Store`` in memory and on disk, with the N-Quads file of the growth run's
    Oxigraph server (default graph too), queried in process (every solution iterated);
``virtuoso``
    a fresh Virtuoso on 127.0.0.1 (Debian's ``virtuoso-opensource``, where installed: see
    :mod:`benchmarks.virtuoso`), with the named graphs alone (its default graph is their
    union), loaded by its bulk loader and queried over HTTP (the whole SPARQL JSON answer
    read and parsed). Its buffers are the 2 GB ones its virtuoso.ini suggests, with no cut of
    long answers and no time limit (:data:`VIRTUOSO_SETTINGS`).

and times

- a **ladder** of queries from a plain scan to joins, a sort and a GROUP BY (:data:`LADDER`),
  to see where the growth begins; and
- the heaviest queries of the growth run's mix (:data:`FROM_THE_MIX`), exactly as it sends
  them.

Each query: one untimed run (its row count; every store must find the same), then up to
``--repeat`` timed runs within ``--budget`` seconds; the best and the median. The report
gives, for each query and store, the time at each size and the growth factor between sizes
over the data factor (1.00 is linear), side by side in the same run. The data come from the
growth run's cache (``benchmarks/.data``), made as it makes them when missing.

    python -m benchmarks.engine_growth                    # 100k and 1M (about 8 minutes)
    python -m benchmarks.engine_growth --sizes 10000,100000 --stores memory,disk
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from benchmarks.endpoints import Data

STORES = {
    "memory": "pyoxigraph in memory",
    "disk": "pyoxigraph on disk",
    "virtuoso": "Virtuoso over HTTP",
}
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


def _timed(run: Callable[[str], int], repeat: int, budget: float) -> dict[str, Any]:
    """Every query: one untimed run (its rows; it warms the caches), then timed runs."""
    out: dict[str, Any] = {}
    for name, text in queries().items():
        rows = run(text)
        times: list[float] = []
        while len(times) < repeat and sum(times) < budget:
            started = time.perf_counter()
            run(text)
            times.append(time.perf_counter() - started)
        out[name] = {
            "rows": rows,
            "best_ms": min(times) * 1000,
            "median_ms": statistics.median(times) * 1000,
        }
    return out


def child(store_kind: str, data: Path, repeat: int, budget: float) -> dict[str, Any]:
    """Load ``data`` into a bare store and time every query (in this process, or over HTTP
    for Virtuoso)."""
    if store_kind == "virtuoso":
        return _virtuoso(data, repeat, budget)
    import pyoxigraph as ox

    with tempfile.TemporaryDirectory(prefix="engine-growth-") as folder:
        store = ox.Store() if store_kind == "memory" else ox.Store(folder)
        started = time.perf_counter()
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        if store_kind == "disk":
            store.optimize()
        load_s = time.perf_counter() - started
        found = _timed(functools.partial(_solutions, store), repeat, budget)
        del store  # closed before its folder goes
    return {"load_s": load_s, "queries": found}


def _solutions(store: Any, text: str) -> int:
    return sum(1 for _ in store.query(text))  # every solution, as Python terms


#: Virtuoso's settings for a million triples: the buffers its packaged virtuoso.ini
#: suggests for 2 GB of memory, no cut of long answers, no time limit.
VIRTUOSO_SETTINGS = {
    "NumberOfBuffers": "170000",
    "MaxDirtyBuffers": "130000",
    "ResultSetMaxRows": "100000000",
    "MaxQueryExecutionTime": "0",
}


def _virtuoso(data: Path, repeat: int, budget: float) -> dict[str, Any]:
    """A fresh Virtuoso on 127.0.0.1: its bulk loader, then every query over HTTP (the whole
    SPARQL JSON answer read and parsed)."""
    from benchmarks.virtuoso import start_virtuoso

    with tempfile.TemporaryDirectory(prefix="engine-growth-virtuoso-") as folder:
        allowed = {"DirsAllowed": f"., {data.resolve().parent}"}
        server = start_virtuoso(Path(folder), VIRTUOSO_SETTINGS | allowed)
        try:
            started = time.perf_counter()
            server.bulk_load(data)
            load_s = time.perf_counter() - started

            def run(text: str) -> int:
                form = urllib.parse.urlencode({"query": text}).encode()
                accept = {"Accept": "application/sparql-results+json"}
                request = urllib.request.Request(f"{server.url}/sparql", form, accept)
                with urllib.request.urlopen(request, timeout=600) as answer:
                    found = json.loads(answer.read())
                return len(found["results"]["bindings"])

            return {"load_s": load_s, "queries": _timed(run, repeat, budget)}
        finally:
            server.stop()


def data_for(size: int, seed: int) -> Data:
    """The growth run's N-Quads files of ``size`` (made when missing): ``path`` with the
    default graph too, for Oxigraph; ``graphs_path`` with the named graphs alone, for
    Virtuoso, whose default graph is the union of its graphs."""
    from benchmarks import growth

    options = argparse.Namespace(
        seed=seed,
        reuse_reasoning=True,
        memory_limit_mb=growth.default_memory_limit_mb(),
        reason_timeout=900,
        work=growth.WORK,
    )
    options.work.mkdir(parents=True, exist_ok=True)  # absent in a fresh clone
    reasoned, closure = growth.reasoning_step(size, options)
    if closure is None:
        why = f"{reasoned.get('failure', '')} {reasoned.get('detail', '')}".strip()
        raise SystemExit(f"no closure for {size}: reasoning failed: {why}")
    return growth.world(size, closure, options, with_default=True)


def measure(sizes: list[int], args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks import growth

    found: dict[str, Any] = {}
    for size in sizes:
        data = data_for(size, args.seed)
        found[str(size)] = {"quads": data.quads}
        for kind in args.stores:
            path = data.graphs_path if kind == "virtuoso" else data.path
            command = [sys.executable, "-m", "benchmarks.engine_growth", "--child", kind]
            command += ["--data", str(path), "--repeat", str(args.repeat)]
            command += ["--budget", str(args.budget)]
            limit = min(growth.CHILD_LIMIT_MB, growth.default_memory_limit_mb())
            command = growth.limited(command, limit)  # the machine is shared
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
    stores = {kind: label for kind, label in STORES.items() if kind in found[sizes[0]]}
    names = list(found[sizes[0]][next(iter(stores))]["queries"])
    for name in ["load", *names]:
        for kind, label in stores.items():
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
    first = next(iter(stores))
    differ = [
        f"{name} at {int(size):,}"
        for name in names
        for size in sizes
        if len({found[size][kind]["queries"][name]["rows"] for kind in stores}) > 1
    ]
    rows = {
        name: [found[s][first]["queries"][name]["rows"] for s in sizes]
        for name in names
        if name not in LADDER or "list" in name or "sort" in name
    }
    lines.append("")
    lines.append("Rows per size: " + "; ".join(f"{n} {r}" for n, r in rows.items()) + ".")
    quads = ", ".join(f"{int(s):,}: {found[s]['quads']:,}" for s in sizes)
    lines.append(f"Quads (default graph and named graphs): {quads}.")
    lines.append(
        "Rows: every store found the same number for every query."
        if not differ
        else "Rows DIFFER between stores: " + ", ".join(differ) + "."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="asserted triples")
    parser.add_argument("--seed", type=int, default=0, help="seed of the film world")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query")
    parser.add_argument("--budget", type=float, default=20, help="seconds of runs per query")
    parser.add_argument(
        "--stores",
        help=f"comma-separated, of {', '.join(STORES)} (default: all; virtuoso if installed)",
    )
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    parser.add_argument("--child", choices=list(STORES), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.data, args.repeat, args.budget)))
        return 0
    sizes = [int(size) for size in args.sizes.split(",") if size]
    if args.stores:
        args.stores = [kind for kind in args.stores.split(",") if kind]
        unknown = sorted(set(args.stores) - set(STORES))
        if unknown:
            parser.error(f"no store {', '.join(unknown)}; stores: {', '.join(STORES)}")
    else:
        from benchmarks.virtuoso import available

        args.stores = [kind for kind in STORES if kind != "virtuoso" or available()]
    found = measure(sizes, args)
    if args.json:
        args.json.write_text(json.dumps(found, indent=1), encoding="utf-8")
    print(report(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
