"""Growth benchmark: how load, reasoning, queries, HTTP throughput and memory grow with size.

For each size N (``--sizes``, default 10k, 100k and 1M asserted triples) the synthetic film
world of N triples (:mod:`benchmarks.filmworld`) plus its OWL 2 RL closure is measured on
four backends, side by side in the same run:

``memory``
    rdflib's memory store and engine: filmgraph's ``store=memory`` (the default).
``oxigraph``
    the embedded Oxigraph store through filmgraph's own store code: ``store=oxigraph``
    (:func:`filmgraph.store.choose.prepare_store` writes it, :class:`OxigraphEngine` queries it).
``server``
    the Oxigraph server alone (``oxigraph load``, then ``oxigraph serve-read-only``): the
    baseline, with the file's default graph (asserted + inferred) stored as such.
``remote``
    ``filmgraph serve --store remote:URL`` over an Oxigraph server that holds the named
    graphs and the ontology graph, as ``filmgraph push --graphs all`` leaves a store: every
    query is sent to the store with its dataset made explicit (the default graph is the
    union of the named graphs, per query), and the pages read a snapshot of the store's
    graphs taken at start-up. Its query mix is timed over HTTP, like the server's; the
    Oxigraph server it serves over is not in its process tree (its work shows as the other
    processes' share of a core).

Steps, each measurement in a fresh subprocess (its peak RSS is its own):

1. **Reasoning**, once per size (the same step for every backend): the bounded path,
   ``filmgraph.reason.bounded.reason_into_store`` into an Oxigraph store on disk, through the
   child of :mod:`benchmarks.reasoning` (kind ``pipeline-bounded``): reasonable in a child
   process, the same kept inferences as ``reason(engine="reasonable")`` without its rdflib
   graphs; its peak is that of both processes together. reasonable, not owlrl: owlrl takes
   64 s at 100k and would take about 11 minutes at 1M (benchmarks/RESULTS.md). The
   closure is cached under ``benchmarks/.data/`` keyed by size, seed, and a hash of the
   generator, the ontology, the reasoning code and the engine's version.
2. **Load**: memory parses the named graphs (N-Quads) as filmgraph reads its build; oxigraph
   does that and writes the store with ``prepare_store``; server and remote run
   ``oxigraph load``.
3. **Query mix**: five typical film-graph queries over the default graph (:data:`TYPICAL`)
   and the competency questions (``queries/*.rq`` without SERVICE): one untimed run (its
   row count is the answer), then up to ``--repeat`` timed runs within ``--query-budget``
   seconds per query; median and p95 per query, totals per backend. The memory and
   oxigraph backends run in process, and each run is what a query worker does: the
   engine's ``run``, then the whole answer written as SPARQL JSON (``Answer.body("json")``:
   rdflib's writer on memory, Oxigraph's own on oxigraph); the server's and the remote
   backend's run is their HTTP answer, one request at a time. Every run has a time limit
   (``--query-timeout``, 60 s): past it the query is recorded as a timeout. The row counts
   of every backend (and of every HTTP warm-up) must agree; mismatches are reported.
4. **HTTP**: ``filmgraph serve`` on memory, ``filmgraph serve`` on its Oxigraph store, the
   Oxigraph server, and ``filmgraph serve`` over it as a remote store, one after the other
   (:mod:`benchmarks.endpoints`), each warmed up with the mix, then the mix round-robin
   from ``--concurrency`` (4) threads, in whole passes for about ``--http-seconds``
   (:func:`benchmarks.load.run_level`). filmgraph runs without its result cache (every
   query evaluated) unless ``--result-cache``, with the row cap raised so every server sends
   whole answers, and with ``--query-timeout`` as its query time limit. The resident
   memory of each server's whole process tree (main + workers) is sampled every 0.2 s from
   its start to its end; each process's own peak (VmHWM) too.

Report: a table per size with ratios against the memory backend and the Oxigraph server, a
growth table (each cost's factor from one size to the next divided by the data's, so 1.0 is
linear), and the issue's three targets, PASS or FAIL. ``--json FILE`` keeps the raw numbers.

Usage::

    python -m benchmarks.growth                          # 10k, 100k, 1M (about 40 min)
    python -m benchmarks.growth --quick                  # 1k and 10k, short HTTP runs
    python -m benchmarks.growth --sizes 100000 --json benchmarks/.data/growth.json
    python -m benchmarks.growth --reuse-reasoning        # the cached closure and its timing
    python -m benchmarks.growth --from-json benchmarks/.data/growth.json   # the report again
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
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
    _write_quads,
    machine_busy_seconds,
    session_processes,
    start,
    stop,
)
from benchmarks.growth_plan import (
    BACKENDS,
    ENGINE,
    HTTP_TARGETS,
    OVER_HTTP,
    TYPICAL,
)
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


def reasoning_step(size: int, args: argparse.Namespace) -> tuple[dict[str, Any], Path | None]:
    """Reason over the film world of ``size`` (measured); the closure's cached file."""
    data = data_file(size, args.seed)
    key = closure_key(args.seed)
    closure = DATA_DIR / f"closure-{size}-seed{args.seed}-{key}.nt"
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
    found = measure_reasoning(REASONING, size, data, options, args.work)
    best = found.best
    if best is None or found.canonical is None:
        out = {"failure": found.failure, "detail": found.failure_detail}
        return out, closure if closure.exists() else None
    out = {k: best[k] for k in ("load_s", "reason_s", "peak_mb", "derived", "kept")}
    # Two processes at once (the bounded path's child reasons while this one loads the
    # store): the peak is their sum, an upper bound of what the machine held.
    out |= {"parent_peak_mb": best["peak_mb"], "child_peak_mb": best["child_peak_mb"]}
    out["peak_mb"] = best["peak_mb"] + best["child_peak_mb"]
    out |= {"engine": ENGINE, "asserted": found.triples, "measured": time.strftime("%Y-%m-%d")}
    if closure.exists() and closure.read_bytes() != found.canonical.read_bytes():
        out["note"] = "the cached closure differed from this run's and was replaced"
    found.canonical.replace(closure)
    record.write_text(json.dumps(out), encoding="utf-8")
    return out, closure


def world(size: int, closure: Path, args: argparse.Namespace) -> Data:
    """The film world and its closure as N-Quads: ``path`` with the default graph (asserted
    + inferred) and the named graphs, for the Oxigraph server; ``graphs_path`` with the named
    graphs alone, for filmgraph."""
    from filmgraph.core.namespaces import GRAPHS

    asserted = data_file(size, args.seed)
    stem = f"world-{size}-seed{args.seed}-{closure.stem.rsplit('-', 1)[-1]}"
    path, graphs_path = GROWTH_DIR / f"{stem}.nq", GROWTH_DIR / f"{stem}-graphs.nq"
    counts: dict[str, int] = {}
    if not (path.exists() and graphs_path.exists()):
        named = {
            str(GRAPHS["asserted"]): asserted.read_text("utf-8").splitlines(),
            str(GRAPHS["inferred"]): closure.read_text("utf-8").splitlines(),
        }
        named = {name: [x for x in lines if x.strip()] for name, lines in named.items()}
        default = [line for lines in named.values() for line in lines]
        GROWTH_DIR.mkdir(parents=True, exist_ok=True)  # absent in a fresh clone
        _write_quads(path, default, named)
        _write_quads(graphs_path, [], named)
        counts = {name: len(lines) for name, lines in named.items()}
    else:
        for name, source in (("asserted", asserted), ("inferred", closure)):
            with source.open("rb") as lines:
                counts[str(GRAPHS[name])] = sum(1 for line in lines if line.strip())
    total = sum(counts.values())
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


# ---------------------------------------------------------------- the children


class QueryTimeout(BaseException):
    """A query ran past its time limit (BaseException: no engine's handler swallows it)."""


def _dataset(path: Path) -> Any:
    from filmgraph.core.namespaces import new_dataset

    dataset = new_dataset()
    dataset.parse(str(path), format="nquads")
    return dataset


def child_load(kind: str, data: Path, store: Path | None, result: Path) -> None:
    """Load ``data`` (named graphs, N-Quads) as the backend ``kind`` does; timings as JSON."""
    started = time.perf_counter()
    dataset = _dataset(data)
    out: dict[str, Any] = {"parse_s": time.perf_counter() - started, "quads": len(dataset)}
    out["parse_peak_mb"] = peak_mb()
    if kind == "oxigraph":
        from filmgraph import OxigraphBackend

        assert store is not None
        began = time.perf_counter()
        written = OxigraphBackend.write(dataset, store / "oxigraph").path
        out["write_s"] = time.perf_counter() - began
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


def child_queries(kind: str, source: Path, queries: Path, options: argparse.Namespace) -> None:
    """Open the backend ``kind`` over ``source`` and time each query of ``queries`` (JSON),
    reporting on stdout as it goes: ``ready``, then ``start`` and ``done`` per query."""
    import warnings

    warnings.simplefilter("ignore", DeprecationWarning)
    started = time.perf_counter()
    if kind == "memory":
        from filmgraph.store import RdflibEngine

        engine: Any = RdflibEngine(_dataset(source))
        engine.view()  # the default graph's view, made once (as a query worker does)
    else:
        import pyoxigraph as ox

        from filmgraph.store.oxigraph import OxigraphEngine

        engine = OxigraphEngine(ox.Store.read_only(str(source)))  # as a query worker opens it
    _emit("ready", {"setup_s": time.perf_counter() - started, "peak_mb": peak_mb()})

    def alarm(*_: Any) -> None:
        raise QueryTimeout

    signal.signal(signal.SIGALRM, alarm)
    for item in json.loads(queries.read_text("utf-8")):
        name, text = item["name"], item["text"]

        def run(text: str = text) -> tuple[int, float]:
            signal.setitimer(signal.ITIMER_REAL, options.query_timeout)
            began = time.perf_counter()
            try:
                answer = engine.run(text)
                answer.body("json")  # what a query worker sends (workers._answer)
                return len(answer), time.perf_counter() - began
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


# ---------------------------------------------------------------- the parent: one backend


def load_step(backend: str, data: Data, store: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Load time and peak RSS of ``backend``, in a fresh process."""
    log = args.work / f"load-{backend}.log"
    log.write_bytes(b"")
    if backend in OVER_HTTP:
        oxigraph = BIN / "oxigraph"
        if not oxigraph.exists():
            return {"failure": f"{oxigraph} does not exist"}
        shutil.rmtree(store, ignore_errors=True)
        files = [str(data.path)]  # the server: the default graph too
        if backend == "remote":  # what `filmgraph push --graphs all` would leave there
            files = [str(data.graphs_path), str(ontology_quads())]
        command = [str(oxigraph), "load", "--location", str(store), "--file", *files]
        process, began, busy = popen(command, log, stdout=subprocess.DEVNULL)
        ran = wait_measured(process, began, busy, args.startup_timeout)
        out: dict[str, Any] = {"load_s": ran.seconds, "peak_mb": ran.peak_mb}
        out["store_mb"] = sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / 2**20
    else:
        result = args.work / f"load-{backend}.json"
        result.unlink(missing_ok=True)
        command = child_command(f"load-{backend}", args, "--data", str(data.graphs_path))
        command += ["--store", str(store), "--result", str(result)]
        process, began, busy = popen(command, log, stdout=subprocess.DEVNULL)
        ran = wait_measured(process, began, busy, args.startup_timeout)
        out = json.loads(result.read_text()) if result.exists() else {}
    out["other_cpu"] = ran.other_cpu
    if ran.timed_out:
        out["failure"] = f"timeout > {args.startup_timeout:g} s"
    elif ran.code != 0:
        out["failure"] = f"exit {ran.code}: {_tail(log)}"
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


# ---------------------------------------------------------------- HTTP, with the memory of the tree


class TreeMemory:
    """Samples the resident memory of a server's whole session every 0.2 s, by phase, and
    kills the session if it passes ``limit_mb`` (the machine is shared)."""

    def __init__(self, server: Server, limit_mb: float) -> None:
        self.server, self.limit_mb = server, limit_mb
        self.phase = "startup"
        self.peaks: dict[str, float] = {}
        self.processes: dict[int, dict[str, Any]] = {}  # pid -> role, peak (VmHWM) MB
        self.killed = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.sample()  # the last word before the server stops
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.sample()

    def sample(self) -> None:
        process = self.server.process
        if process is None or process.poll() is not None:
            return
        total = 0.0
        for pid in session_processes(process.pid):
            status = _status(pid)
            if not status:
                continue
            total += status.get("VmRSS", 0) / 1024
            entry = self.processes.setdefault(pid, {})
            entry["role"] = _role(pid, process.pid)  # a spawned worker is the parent until exec
            entry["peak_mb"] = max(entry.get("peak_mb", 0), status.get("VmHWM", 0) / 1024)
            entry["rss_mb"] = status.get("VmRSS", 0) / 1024
        self.peaks[self.phase] = max(self.peaks.get(self.phase, 0.0), total)
        if total > self.limit_mb and not self.killed:
            self.killed = f"stopped: its processes held {total:.0f} MB (limit {self.limit_mb} MB)"
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)

    def summary(self) -> dict[str, Any]:
        peaks: dict[str, list[float]] = {}
        last: dict[str, list[float]] = {}
        for entry in self.processes.values():
            peaks.setdefault(entry["role"], []).append(entry.get("peak_mb", 0.0))
            last.setdefault(entry["role"], []).append(entry.get("rss_mb", 0.0))
        sampled = max(self.peaks.values(), default=None)
        largest = max((e.get("peak_mb", 0.0) for e in self.processes.values()), default=0.0)
        return {
            # Sampling can miss a short peak that one process's VmHWM still shows: the tree
            # held at least the larger of the two, at most the sum of every process's peak.
            "tree_peak_mb": None if sampled is None else max(sampled, largest),
            "tree_peak_sampled_mb": sampled,
            "tree_peak_upper_mb": sum(e.get("peak_mb", 0.0) for e in self.processes.values()),
            "phase_peak_mb": dict(self.peaks),
            "process_peak_mb": {role: sorted(v, reverse=True) for role, v in peaks.items()},
            "process_last_mb": {role: sorted(v, reverse=True) for role, v in last.items()},
            "killed": self.killed,
        }


def _status(pid: int) -> dict[str, int]:
    """The kB fields of /proc/PID/status (VmRSS, VmHWM, ...)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    found = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            found[key] = int(value.split()[0])
    return found


def _role(pid: int, main: int) -> str:
    if pid == main:
        return "main"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "other"
    if "resource_tracker" in command:
        return "resource tracker"
    return "worker" if "multiprocessing" in command else "other"


def http_step(
    backend: str, data: Data, mix: list[Query], args: argparse.Namespace
) -> dict[str, Any]:
    """Serve ``data`` with ``backend``'s HTTP target; the warm-up's rows, one timed level
    and the memory of the server's process tree (with, for the Oxigraph server, the mix's
    latencies one request at a time).

    The timed level sends whole passes of the mix (the queries differ a hundredfold in
    cost, so a pass cut short would favour whichever server got further): as many as fit in
    about ``--http-seconds`` at the warm-up's pace (a sequential pass; the level runs
    ``--concurrency`` at once on 2 cores, so twice as fast is assumed), at least one, and
    stopped at twice ``--http-seconds`` plus one warm-up pass whatever happens."""
    name = HTTP_TARGETS[backend]
    options = argparse.Namespace(
        startup_timeout=args.startup_timeout,
        filmgraph_command=DEFAULT_FILMGRAPH_COMMAND,
        filmgraph_path="/sparql",
        no_result_cache=not args.result_cache,
        filmgraph_env={
            "FILMGRAPH_MAX_ROWS": "100000000",
            "FILMGRAPH_QUERY_TIMEOUT": f"{args.query_timeout:g}",
            "FILMGRAPH_STORE_TIMEOUT": f"{args.query_timeout:g}",
        },
        remote_extra=(ontology_quads(),),
        method="post",
        timeout=args.query_timeout + 10,
        requests=0,  # whole passes of the mix: set after the warm-up
        max_seconds=0.0,
    )
    server = Server(name)
    out: dict[str, Any] = {"target": name}
    print(f"  {BACKENDS[backend]}: starting {name} ...", file=sys.stderr)
    try:
        with TreeMemory(server, args.server_memory_limit_mb) as memory:
            start(server, data, options)
            out |= {"startup_s": server.startup_s, "setup_s": server.setup_s}
            out["command"] = server.command
            if server.failure:
                out["failure"] = memory.killed or server.failure
            else:
                memory.phase = "warm-up"
                if backend in OVER_HTTP:
                    out["mix"] = mix_over_http(server, mix, args)
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


# ---------------------------------------------------------------- one size


def measure_size(size: int, mix: list[Query], args: argparse.Namespace) -> dict[str, Any]:
    """Every step on every backend for the film world of ``size`` triples."""
    print(f"{label(size)}: reasoning ...", file=sys.stderr)
    reasoning, closure = reasoning_step(size, args)
    out: dict[str, Any] = {"size": size, "reasoning": reasoning, "backends": {}}
    if closure is None:
        out["failure"] = f"no closure: {reasoning.get('detail') or reasoning.get('failure')}"
        return out
    data = world(size, closure, args)
    out["triples"] = {"asserted": 0, "inferred": 0} | {
        iri.rsplit("/", 1)[-1]: n for iri, n in data.graphs.items()
    }
    out["triples"]["total"] = data.default_triples
    with tempfile.TemporaryDirectory(prefix="stores-", dir=args.work) as tmp:
        stores = {backend: Path(tmp) / backend for backend in BACKENDS}
        for backend in BACKENDS:
            print(f"{label(size)}: loading, {BACKENDS[backend]} ...", file=sys.stderr)
            out["backends"][backend] = {"load": load_step(backend, data, stores[backend], args)}
        for backend in ("memory", "oxigraph"):
            print(f"{label(size)}: query mix, {BACKENDS[backend]} ...", file=sys.stderr)
            entry = out["backends"][backend]
            if backend == "oxigraph" and "failure" in entry["load"]:
                entry["mix"] = {"failure": "no store: " + entry["load"]["failure"], "queries": {}}
                continue
            source = data.graphs_path if backend == "memory" else stores[backend] / "oxigraph"
            assert source is not None
            entry["mix"] = mix_in_child(backend, source, mix, args)
    print(f"{label(size)}: HTTP ...", file=sys.stderr)
    for backend in BACKENDS:
        http = http_step(backend, data, mix, args)
        if "mix" in http:  # the Oxigraph server's latencies come from its HTTP run
            out["backends"][backend]["mix"] = http.pop("mix")
        out["backends"][backend]["http"] = http
    out["rows"] = rows_check(out, mix)
    return out


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


def _sizes(text: str) -> list[int]:
    return [int(float(part)) for part in text.split(",") if part.strip()]


def report_again(path: Path, tolerance: float) -> int:
    """Print the report of a run saved with ``--json`` (no measuring)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    saved = argparse.Namespace(**raw["settings"], code=raw["code"], versions=raw["versions"])
    saved.tolerance = tolerance
    report(raw["sizes"], [Query(n, text) for n, text in raw["queries"].items()], saved)
    print(f"\nThe whole run took {raw['minutes']:.1f} minutes.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--child``, one measurement)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="asserted triples, comma-separated (10k,100k,1M)")
    parser.add_argument("--quick", action="store_true", help="1k and 10k, short runs (smoke)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the film world")
    parser.add_argument("--repeat", type=int, help="timed runs per query (5; quick 3)")
    parser.add_argument("--query-budget", type=float, help="seconds of timed runs per query (10)")
    parser.add_argument("--query-timeout", type=float, default=60, help="seconds per query run")
    parser.add_argument("--http-seconds", type=float, help="seconds per HTTP target (30)")
    parser.add_argument("--concurrency", type=int, default=4, help="HTTP client threads")
    parser.add_argument("--result-cache", action="store_true", help="filmgraph's cache on")
    parser.add_argument("--startup-timeout", type=float, default=900, help="seconds per start")
    parser.add_argument("--reason-timeout", type=float, default=900, help="seconds to reason")
    parser.add_argument(
        "--memory-limit-mb", type=int, default=default_memory_limit_mb(), help="per child"
    )
    parser.add_argument(
        "--server-memory-limit-mb",
        type=int,
        default=12_000,
        help="stop a server whose process tree holds more (the machine is shared)",
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
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    parser.add_argument(
        "--from-json", type=Path, help="print the report of a run saved with --json again"
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
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
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
    found = []
    began = time.perf_counter()
    try:
        for size in sizes:
            found.append(measure_size(size, mix, args))
    except KeyboardInterrupt:
        print("interrupted; every server started was stopped", file=sys.stderr)
        return 130
    summary = report(found, mix, args)
    minutes = (time.perf_counter() - began) / 60
    print(f"\nThe whole run took {minutes:.1f} minutes.")
    if code_fingerprint() != fingerprint:
        print("WARNING: src/filmgraph or queries/ changed during the run: mixed versions.")
    if args.json:
        raw = {
            "versions": args.versions,
            "code": args.code,
            "cores": os.cpu_count(),
            "settings": {
                k: getattr(args, k)
                for k in (
                    "seed",
                    "repeat",
                    "query_budget",
                    "query_timeout",
                    "http_seconds",
                    "concurrency",
                    "result_cache",
                    "tolerance",
                )
            },
            "queries": {q.name: q.text for q in mix},
            "sizes": found,
            "minutes": minutes,
        } | summary
        args.json.write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
