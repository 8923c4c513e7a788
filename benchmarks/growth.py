"""Growth benchmark: how load, reasoning, queries, HTTP, the pages and memory grow with size.

For each size N (``--sizes``, default 10k, 100k and 1M asserted triples; issue 21 runs
``--sizes 1M,10M``) the synthetic film world of N triples (:mod:`benchmarks.filmworld`) and
its OWL 2 RL closure are measured on every backend of the plan, side by side in the same run
(:data:`benchmarks.growth_plan.BACKENDS`; which of them a size runs:
:func:`benchmarks.growth_plan.plan`):

``memory``
    rdflib's memory store and engine: filmgraph's ``store=memory``. Up to 100k by default
    (:data:`~benchmarks.growth_plan.MEMORY_MAX_SIZE`): at 1M its server outgrew 12 GB.
``oxigraph``
    the embedded Oxigraph store, filmgraph's default (``store=oxigraph``): written from the
    named graphs' N-Quads by filmgraph's own ``load_store``, queried by :class:`OxigraphEngine`
    in process and served by ``filmgraph serve`` over that store.
``engine``
    the same store with no filmgraph code: a bare ``pyoxigraph.Store`` over it, every answer
    written as SPARQL JSON by Oxigraph itself. The embedded backend's engine alone.
``server``
    the Oxigraph server alone (``oxigraph load`` and ``optimize`` of the named graphs and the
    ontology graph, as ``filmgraph push --graphs all`` leaves a store, then ``oxigraph
    serve-read-only``), every query sent with the dataset filmgraph sends it (the
    protocol's ``default-graph-uri`` asserted and inferred, ``named-graph-uri`` each graph).
``remote``
    ``filmgraph serve --store remote:URL`` over an Oxigraph server on that same store. The
    server above is its store alone: the ratio remote / server is filmgraph's cost.
``virtuoso``, ``remote-virtuoso``
    the same pair over Virtuoso (its bulk loader; :mod:`benchmarks.virtuoso`), where
    ``virtuoso-t`` is installed.

Steps, each measurement in a fresh process whose address space is limited (``prlimit`` or
``RLIMIT_AS``: ``--memory-limit-mb`` for the children, ``--server-memory-limit-mb`` for each
server process), so that a step too large for the machine fails, recorded, and the run goes
on:

1. **Reasoning**, once per size: ``--reasoner`` (default: the bounded path,
   ``filmgraph.reason.bounded.reason_into_store`` through the child of
   :mod:`benchmarks.reasoning` (kind ``pipeline-bounded``), reasonable in a child process,
   its peak that of both processes together; ``rules-in-store``: the OWL 2 RL rules as
   SPARQL queries evaluated by an Oxigraph store on disk to a fixpoint,
   ``filmgraph.reason.rules_into_store``, kind ``pipeline-in-store``, which holds no graph
   in an engine's memory; or ``MODULE:FUNCTION``, a function
   like :func:`reasoning_step`). Its
   closure is cached under ``benchmarks/.data/`` keyed by size, seed, and a hash of the
   generator, the ontology, the reasoning code and the engine's version. Past the memory
   limit it is recorded as over the limit; the size then goes on with ``--closure FILE``,
   or a closure cached by an earlier run, or else the asserted triples alone (reported as
   such: not comparable with a size that has its closure; ``--asserted-only`` measures
   every size so, for a growth on the same kind of data).
2. **Load**, once per store (:data:`~benchmarks.growth_plan.STORES`): embedded Oxigraph by
   ``load_store``, the Oxigraph server's store by ``oxigraph load`` + ``optimize``,
   Virtuoso's by its bulk loader; rdflib memory parses the N-Quads.
3. **Query mix**: five typical film-graph queries (:data:`TYPICAL`) and the competency
   questions (``queries/*.rq`` without SERVICE): one untimed run (its row count is the
   answer), then up to ``--repeat`` timed runs within ``--query-budget`` seconds per query;
   median and p95 per query. In process for memory, embedded and the engine alone (a run is
   the answer written as SPARQL JSON, as a query worker sends it), over HTTP one request at
   a time for the servers and filmgraph over them. Each run is limited to
   ``--query-timeout`` seconds. The row counts of every backend must agree.
4. **HTTP**: each served backend in turn, warmed up with the mix, then whole passes of the
   mix round-robin from ``--concurrency`` threads for about ``--http-seconds``
   (:func:`benchmarks.load.run_level`); filmgraph without its result cache unless
   ``--result-cache``. The resident memory of each server's process tree is sampled every
   0.2 s, each process's own peak (VmHWM) too, and the store a remote backend serves over.
5. **Pages** of filmgraph over a remote store, as :mod:`benchmarks.serve_pages` measures
   them (its :func:`~benchmarks.serve_pages.measure`): start-up until ``/health`` and the
   tree's memory then, an entity page, its data document, an ``/explain``, the entity
   index ``/page/`` and the streamed export ``/export.nq``: seconds each, and the serve
   process's peak (VmHWM) and its tree after each.

Report: a table per size with ratios against the stores alone, the pages, the per-query
latencies, a growth table (each cost's factor from one size to the next over the data's,
1.00 linear) beside the growth of its engine alone, and the targets, PASS or FAIL.

Pieces: ``--json FILE`` keeps the raw numbers, written after each size; ``--resume`` skips
the sizes FILE holds already; ``--from-json A.json B.json`` reports runs together (sizes and
backends merged). ``--backends`` and ``--steps`` run a part.

Usage::

    python -m benchmarks.growth                          # 10k, 100k, 1M
    python -m benchmarks.growth --quick                  # 1k and 10k, short HTTP runs
    python -m benchmarks.growth --sizes 1M,10M --query-timeout 300 \
        --json benchmarks/.data/growth-10M.json          # issue 21 (hours)
    python -m benchmarks.growth --sizes 10M --closure closure-10M.nt --resume \
        --json benchmarks/.data/growth-10M.json          # 10M again, with a closure
    python -m benchmarks.growth --reuse-reasoning        # the cached closure and its timing
    python -m benchmarks.growth --from-json benchmarks/.data/growth.json   # the report again
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import importlib
import io
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.endpoints import (
    DEFAULT_FILMGRAPH_COMMAND,
    HOST,
    LOAD_DIR,
    Data,
    Server,
    TreeMemory,
    _write_quads,
    limited,
    machine_busy_seconds,
    start,
    stop,
)
from benchmarks.growth_plan import BACKENDS, ENGINE, TYPICAL, plan, stores_of
from benchmarks.growth_report import report
from benchmarks.load import (
    Query,
    code_fingerprint,
    count_rows,
    percentile,
    query_mix,
    run_level,
    send,
    versions,
    warm_up,
    with_prefixes,
)
from benchmarks.reasoning import (
    DATA_DIR,
    ONTOLOGY_FILES,
    ROOT,
    code_version,
    data_file,
    default_memory_limit_mb,
    label,
    limit_memory,
    peak_mb,
)
from benchmarks.reasoning import measure as measure_reasoning

#: How the closure is computed: the bounded path (see step 1 above).
REASONING = "pipeline-bounded"
GROWTH_DIR = DATA_DIR / "growth"
WORK = GROWTH_DIR / "runs"
BIN = Path(sys.executable).parent
#: The children's default address-space limit: the machine is shared.
CHILD_LIMIT_MB = 12_000
#: What every step is: ``--steps`` runs a part of them.
STEPS = ("reasoning", "load", "mix", "http", "pages")


def the_mix() -> list[Query]:
    """The typical queries, then the competency questions (without SERVICE)."""
    typical = [Query(name, with_prefixes(text)) for name, text in TYPICAL.items()]
    return typical + query_mix()


# ---------------------------------------------------------------- subprocesses


@dataclass
class Ran:
    """How a child process ended, and what it cost (from ``wait4``)."""

    code: int
    seconds: float
    cpu_s: float
    peak_mb: float
    other_cpu: float | None  # the rest of the machine, as a share of one core
    timed_out: bool = False


def _kill(process: subprocess.Popen[Any]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def wait_measured(
    process: subprocess.Popen[Any], began: float, busy: float, timeout: float | None = None
) -> Ran:
    """Wait for ``process`` (killing its session after ``timeout`` s); its rusage."""
    timed_out = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if timeout is not None and time.perf_counter() - began > timeout and not timed_out:
            timed_out = True
            _kill(process)
        time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - began
    cpu = usage.ru_utime + usage.ru_stime
    other = (machine_busy_seconds() - busy - cpu) / seconds if seconds >= 0.5 else None
    return Ran(process.returncode, seconds, cpu, usage.ru_maxrss / 1024, other and max(0.0, other))


def popen(command: list[str], log: Path, **options: Any) -> tuple[subprocess.Popen, float, float]:
    """Start ``command`` in a session of its own, stderr to ``log``; (process, start, busy)."""
    with log.open("ab") as err:
        process = subprocess.Popen(command, cwd=ROOT, stderr=err, start_new_session=True, **options)
    return process, time.perf_counter(), machine_busy_seconds()


def _tail(path: Path) -> str:
    lines = [x for x in path.read_text("utf-8", "replace").splitlines() if x.strip()]
    return " / ".join(lines[-2:])[:240]


def child_command(kind: str, args: argparse.Namespace, *rest: str) -> list[str]:
    command = [sys.executable, "-m", "benchmarks.growth", "--child", kind]
    return [*command, "--memory-limit-mb", str(args.memory_limit_mb), *rest]


# ---------------------------------------------------------------- data


def closure_key(seed: int) -> str:
    """What a closure depends on: generator, ontology, reasoning code, engine version."""
    from filmgraph.reason.reasoning import engine_version

    digest = hashlib.sha256(f"{seed} {engine_version(ENGINE)}".encode())
    reason = ROOT / "src" / "filmgraph" / "reason"
    paths = [ROOT / "benchmarks" / "filmworld.py", *ONTOLOGY_FILES]
    paths += sorted(reason.glob("*.py"))
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def cached_closure(size: int, seed: int) -> Path:
    """Where the closure of the film world of ``size`` is cached (it may not exist)."""
    return DATA_DIR / f"closure-{size}-seed{seed}-{closure_key(seed)}.nt"


def rules_step(size: int, args: argparse.Namespace) -> tuple[dict[str, Any], Path | None]:
    """:func:`reasoning_step` by the OWL 2 RL rules evaluated in an Oxigraph store
    (``filmgraph.reason.rules_into_store``, kind ``pipeline-in-store``): no engine holds
    the graph in memory."""
    return reasoning_step(size, args, kind="pipeline-in-store")


def reasoning_step(
    size: int, args: argparse.Namespace, kind: str = REASONING
) -> tuple[dict[str, Any], Path | None]:
    """Reason over the film world of ``size`` (measured, in a child under the address-space
    limit ``args.memory_limit_mb``); the closure's cached file, or None if it failed.

    The record says what it cost (``reason_s``, ``peak_mb``, ...), or why it failed:
    ``failure`` (``over the limit`` when the child ran out of its address space) and
    ``detail``."""
    data = data_file(size, args.seed)
    closure = cached_closure(size, args.seed)
    record = closure.with_suffix(".json")
    if args.reuse_reasoning and closure.exists() and record.exists():
        return json.loads(record.read_text()) | {"cached": True}, closure
    options = argparse.Namespace(
        repeat=1,
        strip_functional=False,
        profile=False,
        memory_limit_mb=args.memory_limit_mb,
        timeout=args.reason_timeout,
    )
    found = measure_reasoning(kind, size, data, options, args.work)
    engine = ENGINE if kind == REASONING else "rules in the store"
    best = found.best
    if best is None or found.canonical is None:
        failure = found.failure
        if failure == "out of memory":
            failure = f"over the limit: out of memory within {args.memory_limit_mb:,} MB"
        return {"engine": engine, "failure": failure, "detail": found.failure_detail}, None
    out = {k: best[k] for k in ("load_s", "reason_s", "peak_mb", "derived", "kept")}
    # Two processes at once (the bounded path's child reasons while this one loads the
    # store): the peak is their sum, an upper bound of what the machine held.
    out |= {"parent_peak_mb": best["peak_mb"], "child_peak_mb": best["child_peak_mb"]}
    out["peak_mb"] = best["peak_mb"] + best["child_peak_mb"]
    out |= {"engine": engine, "asserted": found.triples, "measured": time.strftime("%Y-%m-%d")}
    if closure.exists() and closure.read_bytes() != found.canonical.read_bytes():
        out["note"] = "the cached closure differed from this run's and was replaced"
    found.canonical.replace(closure)
    record.write_text(json.dumps(out), encoding="utf-8")
    return out, closure


#: The reasoning steps ``--reasoner`` names: name -> function (size, args) -> (record,
#: closure or None). ``--reasoner MODULE:FUNCTION`` takes any other such function.
REASONERS: dict[str, Callable[[int, argparse.Namespace], tuple[dict[str, Any], Path | None]]] = {
    ENGINE: reasoning_step,
    "rules-in-store": rules_step,
}


def reasoner(name: str) -> Callable[[int, argparse.Namespace], tuple[dict[str, Any], Path | None]]:
    """The reasoning step ``name``: one of :data:`REASONERS`, or ``MODULE:FUNCTION``.

    >>> reasoner("reasonable") is reasoning_step
    True
    >>> reasoner("benchmarks.growth:reasoning_step") is reasoning_step
    True
    """
    if name in REASONERS:
        return REASONERS[name]
    module, _, function = name.partition(":")
    if not function:
        raise ValueError(f"no reasoner {name!r}: {', '.join(REASONERS)} or MODULE:FUNCTION")
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


def closure_step(size: int, args: argparse.Namespace) -> tuple[dict[str, Any], Path | None]:
    """The closure of ``size`` and the reasoning's record: ``--closure`` if given for this
    size (not reasoned); else ``--reasoner``'s; if that fails, a closure an earlier run
    cached; else None (the size goes on with the asserted triples alone)."""
    given = args.closure.get(size)
    if given is not None:
        return {"closure_from": str(given), "detail": "given with --closure: not reasoned"}, given
    if "reasoning" not in args.steps:
        cached = cached_closure(size, args.seed)
        saved = cached.with_suffix(".json")
        found = json.loads(saved.read_text()) | {"cached": True} if saved.exists() else {}
        if cached.exists():
            return found, cached
        return {"failure": "not run (--steps) and no closure cached"}, None
    record, closure = reasoner(args.reasoner)(size, args)
    record["reasoner"] = args.reasoner
    if closure is None:
        cached = cached_closure(size, args.seed)
        if cached.exists():
            record["closure_from"] = f"{cached.name}, cached by an earlier run"
            return record, cached
    return record, closure


def _lines(path: Path, counts: dict[str, int], name: str) -> Any:
    """The non-blank lines of ``path`` (without their newline), counted in ``counts``."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                counts[name] = counts.get(name, 0) + 1
                yield line.rstrip("\n")


def world(
    size: int, closure: Path | None, args: argparse.Namespace, with_default: bool = False
) -> Data:
    """The film world and its closure (none: the asserted graph alone) as N-Quads, written
    once, streamed (never whole in memory): ``graphs_path`` the named graphs; ``path`` the
    same file, or with ``with_default`` another with the default graph (asserted + inferred)
    too, as the engine-growth benchmark's bare stores read it."""
    from filmgraph.core.namespaces import GRAPHS

    asserted = data_file(size, args.seed)
    if closure is None:
        key = "asserted"
    elif closure.name.startswith(f"closure-{size}-"):
        key = closure.stem.rsplit("-", 1)[-1]
    else:  # given: named by where it is and what it holds
        stat = closure.stat()
        text = f"{closure.resolve()} {stat.st_size} {stat.st_mtime_ns}"
        key = "given-" + hashlib.sha256(text.encode()).hexdigest()[:8]
    stem = f"world-{size}-seed{args.seed}-{key}"
    path, graphs_path = GROWTH_DIR / f"{stem}.nq", GROWTH_DIR / f"{stem}-graphs.nq"
    sources = {str(GRAPHS["asserted"]): asserted}
    if closure is not None:
        sources[str(GRAPHS["inferred"])] = closure
    GROWTH_DIR.mkdir(parents=True, exist_ok=True)  # absent in a fresh clone
    counts: dict[str, int] = {}
    if not graphs_path.exists():
        _write_quads(graphs_path, [], {n: _lines(p, counts, n) for n, p in sources.items()})
    else:
        for name, source in sources.items():
            with source.open("rb") as lines:
                counts[name] = sum(1 for line in lines if line.strip())
    total = sum(counts.values())
    if with_default and not path.exists():
        default = (line for p in sources.values() for line in _lines(p, {}, ""))
        _write_quads(path, default, {n: _lines(p, {}, n) for n, p in sources.items()})
    if not with_default:
        return Data(f"filmworld+closure:{size}", graphs_path, total, total, counts, graphs_path)
    return Data(f"filmworld+closure:{size}", path, 2 * total, total, counts, graphs_path)


def ontology_quads() -> Path:
    """The ontology as our ontology graph, in N-Quads (written once): a remote store holds
    it beside the world's graphs, as the pages of ``filmgraph serve`` need."""
    from rdflib import Graph

    from filmgraph.core.namespaces import GRAPHS

    path = GROWTH_DIR / f"ontology-{closure_key(0)}.nq"
    if not path.exists():
        graph = Graph()
        for source in ONTOLOGY_FILES:
            graph.parse(source, format="turtle")
        lines = [line for line in graph.serialize(format="nt").splitlines() if line.strip()]
        GROWTH_DIR.mkdir(parents=True, exist_ok=True)
        _write_quads(path, [], {str(GRAPHS["ontology"]): lines})
    return path


def protocol_dataset(data: Data) -> str:
    """The dataset filmgraph over a remote store sends with every query (the protocol's
    parameters, URL-encoded): its default graphs held as ``default-graph-uri``, every graph
    held (the ontology's too) as ``named-graph-uri``. The stores alone get it too."""
    from filmgraph.core.namespaces import GRAPHS
    from filmgraph.query import DEFAULT_GRAPHS

    held = [iri for iri, n in data.graphs.items() if n] + [str(GRAPHS["ontology"])]
    default = [str(GRAPHS[name]) for name in DEFAULT_GRAPHS if str(GRAPHS[name]) in held]
    params = [("default-graph-uri", iri) for iri in default]
    params += [("named-graph-uri", iri) for iri in sorted(held)]
    return urllib.parse.urlencode(params)


# ---------------------------------------------------------------- the children


class QueryTimeout(BaseException):
    """A query ran past its time limit (BaseException: no engine's handler swallows it)."""


def _dataset(path: Path) -> Any:
    from filmgraph.core.namespaces import new_dataset

    dataset = new_dataset()
    dataset.parse(str(path), format="nquads")
    return dataset


def child_load(kind: str, data: Path, store: Path | None, result: Path) -> None:
    """Load ``data`` (named graphs, N-Quads) as the backend ``kind`` does; timings as JSON.
    rdflib memory parses it as filmgraph reads its build; embedded Oxigraph writes the store
    from the file with filmgraph's ``load_store``, as filmgraph writes its build's store
    (nothing through rdflib)."""
    started = time.perf_counter()
    out: dict[str, Any] = {}
    if kind == "memory":
        dataset = _dataset(data)
        out["quads"] = len(dataset)
    else:
        from filmgraph.store.oxigraph.files import load_store

        assert store is not None
        written = load_store(data, store)
        out["store_mb"] = sum(f.stat().st_size for f in written.rglob("*") if f.is_file()) / 2**20
    out["load_s"] = time.perf_counter() - started
    out["peak_mb"] = peak_mb()
    result.write_text(json.dumps(out), encoding="utf-8")


def time_query(run: Callable[[], tuple[int, float]], repeat: int, budget: float) -> dict[str, Any]:
    """One untimed run (its rows are the answer), then up to ``repeat`` timed runs while the
    query's time stays within ``budget`` seconds; a first run over half the budget is the
    only sample. ``run`` answers the query once: (rows, seconds it took)."""
    rows, first = run()
    times: list[float] = []
    if first * 2 <= budget:
        while len(times) < repeat and first + sum(times) < budget:
            times.append(run()[1])
    samples = sorted(times or [first])
    return {
        "status": "ok",
        "rows": rows,
        "first_ms": first * 1000,
        "runs": len(samples),
        "median_ms": (percentile(samples, 50) or 0) * 1000,
        "p95_ms": (percentile(samples, 95) or 0) * 1000,
    }


def _emit(tag: str, value: Any) -> None:
    print(f"@@ {tag} {json.dumps(value)}", flush=True)


def _bare(source: Path) -> Callable[[str], tuple[int, float]]:
    """The engine alone over the store at ``source``: a bare ``pyoxigraph.Store``, each
    answer written as SPARQL JSON by Oxigraph (rows counted from it, untimed)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(source))
    json_format = ox.QueryResultsFormat.JSON

    def run(text: str) -> tuple[int, float]:
        began = time.perf_counter()
        answer = store.query(text)
        if isinstance(answer, ox.QueryTriples):
            body = answer.serialize(format=ox.RdfFormat.N_TRIPLES)
            seconds = time.perf_counter() - began
            return body.count(b"\n"), seconds
        body = answer.serialize(format=json_format)
        seconds = time.perf_counter() - began
        if isinstance(answer, ox.QueryBoolean):
            return 1, seconds
        return _json_rows(body), seconds

    return run


def _json_rows(body: bytes) -> int:
    """The rows of a SELECT answer in SPARQL JSON (read by Oxigraph)."""
    import pyoxigraph as ox

    return sum(1 for _ in ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))


def child_queries(kind: str, source: Path, queries: Path, options: argparse.Namespace) -> None:
    """Open the backend ``kind`` over ``source`` and time each query of ``queries`` (JSON),
    reporting on stdout as it goes: ``ready``, then ``start`` and ``done`` per query."""
    import warnings

    warnings.simplefilter("ignore", DeprecationWarning)
    started = time.perf_counter()
    if kind == "engine":
        answer = _bare(source)
    else:
        if kind == "memory":
            from filmgraph.store import RdflibEngine

            engine: Any = RdflibEngine(_dataset(source))
            engine.view()  # the default graph's view, made once (as a query worker does)
        else:
            import pyoxigraph as ox

            from filmgraph.store.oxigraph import OxigraphEngine

            engine = OxigraphEngine(ox.Store.read_only(str(source)))  # as a worker opens it

        def answer(text: str) -> tuple[int, float]:
            began = time.perf_counter()
            found = engine.run(text)
            body = io.BytesIO()
            found.write("json", body)  # what a query worker does (worker_process._write)
            seconds = time.perf_counter() - began
            if found.kind != "SELECT":
                return len(found), seconds
            return _json_rows(body.getvalue()), seconds  # counted as for the bare engine

    _emit("ready", {"setup_s": time.perf_counter() - started, "peak_mb": peak_mb()})

    def alarm(*_: Any) -> None:
        raise QueryTimeout

    signal.signal(signal.SIGALRM, alarm)
    for item in json.loads(queries.read_text("utf-8")):
        name, text = item["name"], item["text"]

        def run(text: str = text) -> tuple[int, float]:
            signal.setitimer(signal.ITIMER_REAL, options.query_timeout)
            try:
                return answer(text)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)

        _emit("start", name)
        try:
            found = time_query(run, options.repeat, options.query_budget)
        except QueryTimeout:
            found = {"status": "timeout", "detail": f"over {options.query_timeout:g} s"}
        except Exception as exc:
            found = {"status": "error", "detail": f"{type(exc).__name__}: {exc}"[:200]}
        _emit("done", {"name": name} | found)
    _emit("end", {"peak_mb": peak_mb()})


# ---------------------------------------------------------------- the parent: loads


def _folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def _ran(out: dict[str, Any], ran: Ran, log: Path, args: argparse.Namespace) -> dict[str, Any]:
    """``out`` with how the process ended: a failure if it timed out, ran out of its address
    space (over the limit) or failed."""
    out["other_cpu"] = ran.other_cpu
    if ran.timed_out:
        out["failure"] = f"timeout > {args.startup_timeout:g} s"
    elif ran.code != 0:
        said = _tail(log)
        over = any(word in said for word in ("MemoryError", "memory allocation", "bad_alloc"))
        out["failure"] = f"over the limit ({args.memory_limit_mb:,} MB): " if over else ""
        out["failure"] += f"exit {ran.code}: {said}"
    return out


def load_memory(data: Data, args: argparse.Namespace) -> dict[str, Any]:
    """rdflib memory's load: the named graphs parsed as filmgraph reads its build."""
    return _load_child("memory", data, None, args)


def _load_child(kind: str, data: Data, store: Path | None, args: argparse.Namespace) -> dict:
    log = args.work / f"load-{kind}.log"
    log.write_bytes(b"")
    result = args.work / f"load-{kind}.json"
    result.unlink(missing_ok=True)
    command = child_command(f"load-{kind}", args, "--data", str(data.graphs_path))
    if store is not None:
        command += ["--store", str(store)]
    command += ["--result", str(result)]
    process, began, busy = popen(command, log, stdout=subprocess.DEVNULL)
    ran = wait_measured(process, began, busy, args.startup_timeout)
    out = json.loads(result.read_text()) if result.exists() else {}
    out.setdefault("peak_mb", ran.peak_mb)
    return _ran(out, ran, log, args)


def load_store_step(name: str, data: Data, folder: Path, args: argparse.Namespace) -> dict:
    """Load the store ``name`` (:data:`~benchmarks.growth_plan.STORES`) into ``folder``:
    seconds, the peak resident memory of the loading process, the store's size on disk.
    The Oxigraph and Virtuoso stores hold the named graphs and the ontology graph, as
    ``filmgraph push --graphs all`` leaves a store."""
    shutil.rmtree(folder, ignore_errors=True)
    if name == "embedded":
        out = _load_child("oxigraph", data, folder / "oxigraph", args)
        out["path"] = str(folder / "oxigraph")
        return out
    if name == "virtuoso":
        return _load_virtuoso(data, folder, args)
    oxigraph = BIN / "oxigraph"
    if not oxigraph.exists():
        return {"failure": f"{oxigraph} does not exist"}
    log = args.work / "load-oxigraph-server.log"
    log.write_bytes(b"")
    files = [str(data.graphs_path), str(ontology_quads())]
    out: dict[str, Any] = {"path": str(folder), "load_s": 0.0, "peak_mb": 0.0}
    for step in (["load", "--file", *files], ["optimize"]):
        command = [str(oxigraph), step[0], "--location", str(folder), *step[1:]]
        process, began, busy = popen(
            limited(command, args.memory_limit_mb), log, stdout=subprocess.DEVNULL
        )
        ran = wait_measured(process, began, busy, args.startup_timeout)
        out[f"{step[0]}_s"] = ran.seconds
        out["load_s"] += ran.seconds
        out["peak_mb"] = max(out["peak_mb"], ran.peak_mb)
        _ran(out, ran, log, args)
        if "failure" in out:
            return out
    out["store_mb"] = _folder_mb(folder)
    return out


def virtuoso_settings() -> dict[str, str]:
    """Virtuoso's settings: the engine-growth benchmark's (2 GB of buffers, no cut of long
    answers, no time limit), reading files from the growth data's folder."""
    from benchmarks.engine_growth import VIRTUOSO_SETTINGS

    return VIRTUOSO_SETTINGS | {"DirsAllowed": f"., {GROWTH_DIR.resolve()}"}


def _load_virtuoso(data: Data, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    """A fresh Virtuoso database in ``folder``, loaded by its bulk loader and checkpointed;
    the server stopped after (its peak is the load's)."""
    from benchmarks.virtuoso import available, start_virtuoso

    if not available():
        return {"failure": "Virtuoso is not installed"}
    try:
        server = start_virtuoso(
            folder, virtuoso_settings(), args.startup_timeout, args.server_memory_limit_mb
        )
    except RuntimeError as exc:
        return {"failure": str(exc)}
    out: dict[str, Any] = {"path": str(folder)}
    try:
        began = time.perf_counter()
        for path in (data.graphs_path, ontology_quads()):
            assert path is not None
            server.bulk_load(path, timeout=args.startup_timeout)
        out["load_s"] = time.perf_counter() - began
        out["peak_mb"] = server.peak_mb()
    except (RuntimeError, subprocess.SubprocessError) as exc:
        out["failure"] = f"bulk load failed: {exc}"[:300]
    finally:
        server.stop()
    out["store_mb"] = _folder_mb(folder)
    return out


def _reader(stream: Any, lines: queue.Queue[str | None]) -> None:
    for line in stream:
        if line.startswith("@@ "):
            lines.put(line[3:].rstrip("\n"))
    lines.put(None)


def mix_in_child(
    backend: str, source: Path, mix: list[Query], args: argparse.Namespace
) -> dict[str, Any]:
    """Time the mix on ``backend`` in a fresh process, watched: a query that outlives its
    limit (plus 30 s of grace) has its process killed and a new one does the rest."""
    results: dict[str, dict[str, Any]] = {}
    out: dict[str, Any] = {"queries": results, "setup_s": None, "peak_mb": 0.0, "restarts": 0}
    remaining = list(mix)
    log = args.work / f"queries-{backend}.log"
    log.write_bytes(b"")
    grace = 30.0
    while remaining:
        todo = args.work / f"queries-{backend}.json"
        todo.write_text(json.dumps([{"name": q.name, "text": q.text} for q in remaining]))
        command = child_command(f"queries-{backend}", args, "--data", str(source))
        command += ["--queries", str(todo), "--query-timeout", str(args.query_timeout)]
        command += ["--repeat", str(args.repeat), "--query-budget", str(args.query_budget)]
        process, began, busy = popen(command, log, stdout=subprocess.PIPE, text=True)
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
        current, deadline = None, time.perf_counter() + args.startup_timeout
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.perf_counter()))
            except queue.Empty:
                _kill(process)
                if current is None:
                    line = None  # setup took too long: reported below
                else:
                    results[current] = {"status": "timeout", "detail": "killed by the watchdog"}
                    out["restarts"] += 1
                    current = None
                    break
            if line is None:
                break
            tag, _, body = line.partition(" ")
            value = json.loads(body)
            if tag == "ready":
                out["setup_s"] = out["setup_s"] or value["setup_s"]
            elif tag == "start":
                current = value
                limit = args.query_timeout + 2 * args.query_budget + grace
                deadline = time.perf_counter() + limit
            elif tag == "done":
                results[value.pop("name")] = value
                current = None
                deadline = time.perf_counter() + args.query_timeout + grace
        ran = wait_measured(process, began, busy, 10)
        out["peak_mb"] = max(out["peak_mb"], ran.peak_mb)
        out["other_cpu"] = ran.other_cpu
        if current is not None:  # the process died in the middle of a query
            results[current] = {"status": "error", "detail": f"exit {ran.code}: {_tail(log)}"}
        done_now = [q for q in remaining if q.name in results]
        if not done_now:  # it could not even start, or died before its first query
            for query in remaining:
                results[query.name] = {
                    "status": "error",
                    "detail": f"exit {ran.code}: {_tail(log)}",
                }
            out["failure"] = f"exit {ran.code}: {_tail(log)}"
        remaining = [q for q in remaining if q.name not in results]
    return out


def mix_over_http(server: Server, mix: list[Query], args: argparse.Namespace) -> dict[str, Any]:
    """Time the mix on a running server, one request at a time on one connection."""
    results: dict[str, dict[str, Any]] = {}
    conn = [http.client.HTTPConnection(HOST, server.port, timeout=args.query_timeout)]

    def run(text: str) -> tuple[int, float]:
        began = time.perf_counter()
        try:
            status, body = send(conn[0], server, text, "post")
        except TimeoutError:
            conn[0].close()
            raise QueryTimeout from None
        seconds = time.perf_counter() - began  # the whole answer read, not yet parsed
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:120].decode('utf-8', 'replace')}")
        return count_rows(body), seconds

    for query in mix:
        try:
            results[query.name] = time_query(
                lambda q=query: run(q.text), args.repeat, args.query_budget
            )
        except QueryTimeout:
            results[query.name] = {"status": "timeout", "detail": f"over {args.query_timeout:g} s"}
        except (OSError, http.client.HTTPException, RuntimeError, ValueError) as exc:
            conn[0].close()
            results[query.name] = {"status": "error", "detail": f"{exc}"[:200]}
    conn[0].close()
    return {"queries": results}


# ---------------------------------------------------------------- HTTP and the pages


def server_options(
    backend: str, data: Data, args: argparse.Namespace, stores: dict[str, dict[str, Any]]
) -> argparse.Namespace:
    """How :func:`benchmarks.endpoints.start` starts ``backend``'s target: over the store
    this size loaded (served as it is), within the servers' address-space limit, the stores
    alone queried with filmgraph's dataset."""
    loaded = stores.get(BACKENDS[backend].store or "", {})
    return argparse.Namespace(
        startup_timeout=args.startup_timeout,
        filmgraph_command=DEFAULT_FILMGRAPH_COMMAND,
        filmgraph_path="/sparql",
        no_result_cache=not args.result_cache,
        filmgraph_env={
            "FILMGRAPH_MAX_ROWS": "0",  # no cap, as the stores answer: written as evaluated
            "FILMGRAPH_QUERY_TIMEOUT": f"{args.query_timeout:g}",
            "FILMGRAPH_STORE_TIMEOUT": f"{args.query_timeout:g}",
        },
        remote_extra=(ontology_quads(),),
        oxigraph_store=loaded.get("path") if backend == "oxigraph" else None,
        oxigraph_location=loaded.get("path") if BACKENDS[backend].store == "oxigraph" else None,
        virtuoso_folder=loaded.get("path"),
        virtuoso_settings=virtuoso_settings(),
        dataset="" if BACKENDS[backend].filmgraph else protocol_dataset(data),
        address_limit_mb=args.server_memory_limit_mb,
        method="post",
        timeout=args.query_timeout + 10,
        requests=0,  # whole passes of the mix: set after the warm-up
        max_seconds=0.0,
        client_processes=1,  # the client's threads in this process, as the load benchmark's
    )


def http_step(
    backend: str,
    data: Data,
    mix: list[Query],
    args: argparse.Namespace,
    stores: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Serve ``data`` with ``backend``'s HTTP target; the warm-up's rows, one timed level
    and the memory of the server's process tree (with, for the backends over HTTP, the mix's
    latencies one request at a time first).

    The timed level sends whole passes of the mix (the queries differ a hundredfold in
    cost, so a pass cut short would favour whichever server got further): as many as fit in
    about ``--http-seconds`` at the warm-up's pace (a sequential pass; the level runs
    ``--concurrency`` at once on 2 cores, so twice as fast is assumed), at least one, and
    stopped at twice ``--http-seconds`` plus one warm-up pass whatever happens."""
    name = BACKENDS[backend].target
    assert name is not None
    options = server_options(backend, data, args, stores or {})
    server = Server(name)
    out: dict[str, Any] = {"target": name}
    print(f"  {BACKENDS[backend].label}: starting {name} ...", file=sys.stderr)
    try:
        with TreeMemory(server, args.server_memory_limit_mb) as memory:
            start(server, data, options)
            out |= {"startup_s": server.startup_s, "setup_s": server.setup_s}
            out["command"] = server.command
            if server.failure:
                out["failure"] = memory.killed or server.failure
            else:
                memory.phase = "mix"
                if BACKENDS[backend].over_http and "mix" in args.steps:
                    out["mix"] = mix_over_http(server, mix, args)
                memory.phase = "warm-up"
                began = time.perf_counter()
                out["rows"] = warm_up(server, mix, options)
                out["warm_up_s"] = pass_s = time.perf_counter() - began
                passes = max(1, round(2 * args.http_seconds / pass_s))
                options.requests = out["requests_planned"] = passes * len(mix)
                options.max_seconds = 2 * args.http_seconds + pass_s
                memory.phase = "http"
                level = run_level(server, mix, args.concurrency, options)
                out["level"] = asdict(level)
                if memory.killed:
                    out["failure"] = memory.killed
        out["memory"] = memory.summary()
    finally:
        stop(server)
    return out


def pages_step(
    backend: str, data: Data, args: argparse.Namespace, stores: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """``filmgraph serve --store remote:URL`` over ``backend``'s store, as
    :func:`benchmarks.serve_pages.measure` measures it: start-up, the pages and the export,
    with the serve tree's memory; and the store's own peak while it served them."""
    from benchmarks.serve_pages import EXPORT, PAGES, _film, measure

    store = BACKENDS[backend].store
    backing = Server("virtuoso" if store == "virtuoso" else "oxigraph")
    options = server_options(backend, data, args, stores)
    options.dataset = ""
    print(f"  {BACKENDS[backend].label}: the pages ...", file=sys.stderr)
    try:
        start(backing, data, options)
        if backing.failure:
            return {"failure": f"its store: {backing.failure}"}
        film = _film(backing.port, backing.path)
        out = measure(
            "growth",
            ROOT / "src",
            backing.port,
            film,
            args.page_timeout,
            layout="virtuoso" if store == "virtuoso" else "oxigraph",
            pages=PAGES | EXPORT,
            limit_mb=args.server_memory_limit_mb,
        )
        from benchmarks.endpoints import proc_status

        assert backing.process is not None
        out["store_peak_mb"] = proc_status(backing.process.pid).get("VmHWM", 0) / 1024
        out["film"] = film
        return out
    finally:
        stop(backing)


# ---------------------------------------------------------------- one size


def measure_size(size: int, mix: list[Query], args: argparse.Namespace) -> dict[str, Any]:
    """Every step on every backend of the plan for the film world of ``size`` triples."""
    backends, skipped = plan(size, args.backends, virtuoso_installed())
    out: dict[str, Any] = {"size": size, "plan": backends, "skipped": skipped, "backends": {}}
    args.current = out  # what --json holds of this size while it is measured
    print(f"{label(size)}: reasoning ({args.reasoner}) ...", file=sys.stderr)
    reasoning, closure = closure_step(size, args)
    if args.asserted_only:  # reasoned (and recorded), its closure not loaded
        reasoning["asserted_only"], closure = True, None
    out["reasoning"] = reasoning
    data = world(size, closure, args)
    from filmgraph.core.namespaces import GRAPHS

    out["closure"] = closure is not None
    out["triples"] = {
        "asserted": data.graphs.get(str(GRAPHS["asserted"]), 0),
        "inferred": data.graphs.get(str(GRAPHS["inferred"]), 0),
        "total": data.default_triples,
    }
    entries: dict[str, dict[str, Any]] = {b: {} for b in backends}
    out["backends"] = entries
    stores: dict[str, dict[str, Any]] = {}
    out["stores"] = stores
    with tempfile.TemporaryDirectory(prefix="stores-", dir=args.work) as tmp:
        if "load" in args.steps or {"mix", "http", "pages"} & set(args.steps):
            if "memory" in backends:
                print(f"{label(size)}: loading, rdflib memory ...", file=sys.stderr)
                entries["memory"]["load"] = load_memory(data, args)
            for store in stores_of(backends):
                print(f"{label(size)}: loading the {store} store ...", file=sys.stderr)
                stores[store] = load_store_step(store, data, Path(tmp) / store, args)
                args.save()
        if "mix" in args.steps:
            for backend in backends:
                if BACKENDS[backend].over_http:
                    continue  # timed over HTTP, in the HTTP step
                print(f"{label(size)}: query mix, {BACKENDS[backend].label} ...", file=sys.stderr)
                loaded = stores.get(BACKENDS[backend].store or "", {})
                if "failure" in loaded:
                    failure = "no store: " + loaded["failure"]
                    entries[backend]["mix"] = {"failure": failure, "queries": {}}
                    continue
                source = Path(loaded["path"]) if "path" in loaded else data.graphs_path
                assert source is not None
                entries[backend]["mix"] = mix_in_child(backend, source, mix, args)
            args.save()
        for step in ("http", "pages"):
            if step not in args.steps:
                continue
            for backend in backends:
                spec = BACKENDS[backend]
                if (step == "http" and spec.target is None) or (step == "pages" and not spec.pages):
                    continue
                loaded = stores.get(spec.store or "", {})
                if "failure" in loaded:
                    entries[backend][step] = {"failure": "no store: " + loaded["failure"]}
                    continue
                print(f"{label(size)}: {step}, {spec.label} ...", file=sys.stderr)
                if step == "pages":
                    entries[backend]["pages"] = pages_step(backend, data, args, stores)
                else:
                    found = http_step(backend, data, mix, args, stores)
                    if "mix" in found:  # the latencies over HTTP come from its HTTP run
                        entries[backend]["mix"] = found.pop("mix")
                    entries[backend]["http"] = found
                args.save()
    out["rows"] = rows_check(out, mix)
    out["complete"] = True  # every step of the plan was run (--resume keeps it)
    return out


def virtuoso_installed() -> bool:
    from benchmarks.virtuoso import available

    return available()


def rows_check(found: dict[str, Any], mix: list[Query]) -> dict[str, Any]:
    """Rows per query from every answer (mix runs and HTTP warm-ups); which differ."""
    table: dict[str, dict[str, Any]] = {}
    mismatches = []
    for query in mix:
        answers: dict[str, Any] = {}
        for backend, entry in found["backends"].items():
            result = entry.get("mix", {}).get("queries", {}).get(query.name)
            if result and result.get("status") == "ok":
                answers[f"{backend} mix"] = result["rows"]
            http_rows = entry.get("http", {}).get("rows", {}).get(query.name)
            if isinstance(http_rows, int):
                answers[f"{backend} http"] = http_rows
        table[query.name] = answers
        if len(set(answers.values())) > 1:
            mismatches.append(query.name)
    return {"by_query": table, "mismatches": mismatches}


# ---------------------------------------------------------------- main


def _size(text: str) -> int:
    """A size as given: 10000, 1e6, 100k, 1M.

    >>> [_size(t) for t in ("10000", "1e6", "100k", "10M")]
    [10000, 1000000, 100000, 10000000]
    """
    text = text.strip()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def _sizes(text: str) -> list[int]:
    return [_size(part) for part in text.split(",") if part.strip()]


def _closures(given: list[str], sizes: list[int]) -> dict[int, Path]:
    """``--closure`` values: ``SIZE=FILE``, or ``FILE`` alone when one size is measured."""
    found: dict[int, Path] = {}
    for item in given:
        size, sep, path = item.rpartition("=")
        if not sep:
            if len(sizes) != 1:
                raise ValueError(f"--closure {item}: say which size it is for (SIZE=FILE)")
            size = str(sizes[0])
        if not Path(path).is_file():
            raise ValueError(f"--closure {item}: no such file")
        found[_size(size)] = Path(path)
    return found


def _terminated(*_: Any) -> None:
    """SIGTERM: exit through every ``finally`` (each server started is stopped), once: a
    second SIGTERM (``timeout`` and a process group's) must not cut the stopping short."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(143)


def merge_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Runs saved with ``--json`` as one: their sizes, and within a size their backends and
    stores, the later run's winning where both measured one; settings and code of the last.

    >>> a = {"sizes": [{"size": 1, "backends": {"x": 1}, "stores": {}}], "queries": {"q": 1}}
    >>> b = {"sizes": [{"size": 1, "backends": {"y": 2}, "stores": {}}], "queries": {"r": 2}}
    >>> merged = merge_runs([a, b])
    >>> merged["sizes"][0]["backends"], sorted(merged["queries"])
    ({'x': 1, 'y': 2}, ['q', 'r'])
    """
    merged: dict[str, Any] = {}
    sizes: dict[int, dict[str, Any]] = {}
    queries: dict[str, str] = {}
    for run in runs:
        queries |= run.get("queries", {})
        merged |= {k: v for k, v in run.items() if k not in ("sizes", "queries")}
        for found in run.get("sizes", []):
            size = found["size"]
            if size not in sizes:
                sizes[size] = found
                continue
            into = sizes[size]
            backends = into.get("backends", {}) | found.get("backends", {})
            stores = into.get("stores", {}) | found.get("stores", {})
            sizes[size] = into | found | {"backends": backends, "stores": stores}
    merged["sizes"] = [sizes[size] for size in sorted(sizes)]
    merged["queries"] = queries
    merged["minutes"] = sum(run.get("minutes", 0.0) for run in runs)
    return merged


def _rerow(found: list[dict[str, Any]], mix: list[Query]) -> None:
    for size in found:
        if "backends" in size:
            size["rows"] = rows_check(size, mix)


def report_again(paths: list[Path], tolerance: float) -> int:
    """Print the report of runs saved with ``--json`` (no measuring), merged."""
    raw = merge_runs([json.loads(path.read_text(encoding="utf-8")) for path in paths])
    saved = argparse.Namespace(**raw["settings"], code=raw["code"], versions=raw["versions"])
    saved.tolerance = tolerance
    mix = [Query(n, text) for n, text in raw["queries"].items()]
    _rerow(raw["sizes"], mix)
    report(raw["sizes"], mix, saved)
    print(f"\nThe runs took {raw['minutes']:.1f} minutes.")
    return 0


SETTINGS = (
    "seed",
    "repeat",
    "query_budget",
    "query_timeout",
    "http_seconds",
    "concurrency",
    "result_cache",
    "tolerance",
    "reasoner",
    "memory_limit_mb",
    "server_memory_limit_mb",
    "asserted_only",
)


def _raw(args: argparse.Namespace, found: list[dict[str, Any]], mix: list[Query]) -> dict:
    return {
        "versions": args.versions,
        "code": args.code,
        "cores": os.cpu_count(),
        "settings": {k: getattr(args, k) for k in SETTINGS},
        "queries": {q.name: q.text for q in mix},
        "sizes": found,
        "minutes": (time.perf_counter() - args.began) / 60,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--child``, one measurement)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="asserted triples, comma-separated (10k,100k,1M)")
    parser.add_argument("--quick", action="store_true", help="1k and 10k, short runs (smoke)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the film world")
    parser.add_argument(
        "--backends",
        help=f"comma-separated, of {', '.join(BACKENDS)} (default: the plan of each size)",
    )
    parser.add_argument(
        "--steps", default=",".join(STEPS), help=f"comma-separated, of {', '.join(STEPS)}"
    )
    parser.add_argument("--repeat", type=int, help="timed runs per query (5; quick 3)")
    parser.add_argument("--query-budget", type=float, help="seconds of timed runs per query (10)")
    parser.add_argument("--query-timeout", type=float, default=60, help="seconds per query run")
    parser.add_argument("--http-seconds", type=float, help="seconds per HTTP target (30)")
    parser.add_argument("--concurrency", type=int, default=4, help="HTTP client threads")
    parser.add_argument("--result-cache", action="store_true", help="filmgraph's cache on")
    parser.add_argument("--startup-timeout", type=float, default=3600, help="seconds per start")
    parser.add_argument("--page-timeout", type=float, default=1800, help="seconds per page")
    parser.add_argument("--reason-timeout", type=float, default=3600, help="seconds to reason")
    parser.add_argument(
        "--reasoner",
        default=ENGINE,
        help=f"the reasoning step: {', '.join(REASONERS)} (reasonable: the bounded path, "
        "the default; rules-in-store: the OWL 2 RL rules as SPARQL in an Oxigraph store), or "
        "MODULE:FUNCTION taking (size, args) and returning (record, closure file or None)",
    )
    parser.add_argument(
        "--closure",
        action="append",
        default=[],
        metavar="[SIZE=]FILE",
        help="the closure of a size (N-Triples), not reasoned: FILE alone for one size",
    )
    parser.add_argument(
        "--asserted-only",
        action="store_true",
        help="load the asserted triples alone at every size (the reasoning still measured): "
        "sizes compared on the same kind of data where a closure is missing",
    )
    parser.add_argument(
        "--memory-limit-mb",
        type=int,
        default=min(CHILD_LIMIT_MB, default_memory_limit_mb()),
        help="address-space limit of each child: reasoning, loads, the query mixes",
    )
    parser.add_argument(
        "--server-memory-limit-mb",
        type=int,
        default=12_000,
        help="each server process's address-space limit, and its whole tree's resident "
        "memory at which it is stopped (the machine is shared)",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=1.25,
        help="growth factor (over linear) still counted as linear",
    )
    parser.add_argument(
        "--reuse-reasoning",
        action="store_true",
        help="take the cached closure and its recorded timing instead of reasoning again",
    )
    parser.add_argument("--json", type=Path, help="write the raw measurements here, as they come")
    parser.add_argument(
        "--resume", action="store_true", help="keep the sizes --json FILE holds, measure the rest"
    )
    parser.add_argument(
        "--from-json", type=Path, nargs="+", help="print the report of runs saved with --json"
    )
    parser.add_argument("--work", type=Path, default=WORK, help=f"run files (default {WORK})")
    # The child process's own options.
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--queries", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    quick = args.quick
    args.repeat = args.repeat or (3 if quick else 5)
    args.query_budget = args.query_budget or (2 if quick else 10)
    args.http_seconds = args.http_seconds or (3 if quick else 30)

    if args.child:
        limit_memory(args.memory_limit_mb)
        kind, _, backend = args.child.partition("-")
        if kind == "load":
            child_load(backend, args.data, args.store, args.result)
        else:
            child_queries(backend, args.data, args.queries, args)
        return 0

    if args.from_json:
        return report_again(args.from_json, args.tolerance)
    sizes = _sizes(args.sizes or ("1000,10000" if quick else "10000,100000,1000000"))
    try:
        args.closure = _closures(args.closure, sizes)
        args.backends = args.backends.split(",") if args.backends else None
        plan(sizes[0], args.backends, True)  # unknown names
        args.steps = [step for step in args.steps.split(",") if step]
        unknown = sorted(set(args.steps) - set(STEPS))
        if unknown:
            raise ValueError(f"no step {', '.join(unknown)}; steps: {', '.join(STEPS)}")
        reasoner(args.reasoner)
    except (ValueError, ImportError, AttributeError) as exc:
        parser.error(str(exc))
    if args.resume and not args.json:
        parser.error("--resume needs --json FILE")
    signal.signal(signal.SIGTERM, _terminated)
    args.work.mkdir(parents=True, exist_ok=True)
    LOAD_DIR.mkdir(parents=True, exist_ok=True)
    mix = the_mix()
    fingerprint = code_fingerprint()
    args.code = f"{code_version()}, src/filmgraph + queries fingerprint {fingerprint}"
    args.versions = versions()
    for package in ("pyoxigraph", "reasonable"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            args.versions[package] = version(package)
    found: list[dict[str, Any]] = []
    earlier: dict[str, Any] = {}
    if args.resume and args.json.exists():
        earlier = json.loads(args.json.read_text(encoding="utf-8"))
        found = [f for f in earlier.get("sizes", []) if f.get("complete")]
        done = {f["size"] for f in found}
        print(
            f"resuming: {', '.join(label(s) for s in sorted(done)) or 'nothing'} kept",
            file=sys.stderr,
        )
        sizes = [size for size in sizes if size not in done]
    args.began = time.perf_counter()
    args.current = None

    def save() -> None:
        if args.json:
            sizes_now = found + (
                [args.current] if args.current and args.current not in found else []
            )
            raw = _raw(args, sizes_now, mix)
            raw["minutes"] += earlier.get("minutes", 0.0)
            tmp = args.json.with_suffix(".tmp")
            tmp.write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
            tmp.replace(args.json)

    args.save = save
    try:
        for size in sizes:
            args.current = {"size": size}
            measure_size(size, mix, args)
            found.append(args.current)
            save()
    except KeyboardInterrupt:
        save()
        print("interrupted; every server started was stopped", file=sys.stderr)
        return 130
    found.sort(key=lambda f: f["size"])
    summary = report(found, mix, args)
    minutes = (time.perf_counter() - args.began) / 60
    print(f"\nThe whole run took {minutes:.1f} minutes.")
    if code_fingerprint() != fingerprint:
        print("WARNING: src/filmgraph or queries/ changed during the run: mixed versions.")
    if args.json:
        raw = _raw(args, found, mix) | summary
        raw["minutes"] += earlier.get("minutes", 0.0)
        args.json.write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
