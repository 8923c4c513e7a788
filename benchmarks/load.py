"""Load benchmark: SPARQL over HTTP, the project's endpoint against two others on the same data.

Three servers (:mod:`benchmarks.endpoints`) are started one after the other on
``127.0.0.1``, each on a free port and stopped before the next starts (so they never share
the machine's cores), whatever happens (errors, Ctrl-C):

``filmgraph``
    ``filmgraph --no-progress serve`` with its default workers and threads (on data other
    than Balagov's, the function that command calls, ``filmgraph.web.server.serve``). Its result
    cache answers a repeated query from memory, and the mix repeats its queries:
    ``--no-result-cache`` serves with ``FILMGRAPH_RESULT_CACHE=0`` so that every query is
    evaluated (the hits and misses are read from ``/metrics`` at the end).
    ``--filmgraph-command`` replaces the command (a template with ``{bin}``, ``{host}``,
    ``{port}`` and, to serve other data, ``{data}``, the N-Quads file).
``rdflib-endpoint``
    ``rdflib_endpoint.SparqlEndpoint`` under uvicorn (one process, as its docs run it).
``oxigraph``
    the Oxigraph server, ``oxigraph serve-read-only`` over a store bulk-loaded first.
``filmgraph-memory``, ``filmgraph-oxigraph`` (only when named in ``--targets``)
    ``filmgraph`` again, on the store named (``FILMGRAPH_STORE``); the default is Oxigraph's.

**The same data for all three**: ``--data balagov`` (``filmgraph.build()``) or ``--data
filmworld:N`` (:func:`benchmarks.filmworld.generate`, ``N`` triples), written as one N-Quads
file whose default graph is the endpoint's default graph (asserted + inferred [+ links])
and whose named graphs keep their names.

**The query mix** is ``queries/*.rq`` (``filmgraph.load_queries``), sent round-robin. Each
target first gets every query once, not timed: a warm-up, and the correctness check: the
number of result rows of each query must be the same on every target (a difference is
reported in the ``rows differ`` column and in the per-query table, never fatal).

**The client** runs ``C`` threads for each concurrency ``C`` (``--concurrency 1,4,16``),
each with one keep-alive ``http.client.HTTPConnection``, in this process or spread over
``--client-processes P`` forked processes (each with its own interpreter lock: sixteen
threads under one lock add their own waits to every latency, the Oxigraph server's p99
too). They share ``--requests`` requests
(``POST`` ``application/sparql-query``, or ``GET ?query=`` with ``--method get``, always
``Accept: application/sparql-results+json``) and stop early at ``--max-seconds``. An error
is a non-2xx answer or an exception (a timeout, a dropped connection). Throughput counts
successful answers per second of wall time; latencies (p50, p99, max) are of successful
answers, from sending the request to reading the last byte. ``server CPU`` is the CPU time
of every process of the server's session (its workers too) during the run, as a share of
one core, and ``server CPU ms/req`` that time per answered request (what a request costs
the server: steadier than req/s on a shared machine); ``client CPU`` the same for this
process; ``other CPU`` what the rest of the
machine used meanwhile: more than a few percent means someone else's work disturbed the
run (all three ``-`` for runs under 0.25 s, too short for /proc's 10 ms ticks). The client
shares the machine with the server: at high concurrency the Python client itself takes a
good part of the CPU. ``--repeat N`` runs each level N times and keeps the fastest run
that was not disturbed (other CPU above 15% of a core), and ``--quiet-wait S`` waits up to
``S`` seconds before each run for the machine to be idle.

Usage::

    python -m benchmarks.load                              # Balagov, all targets, 1,4,16
    python -m benchmarks.load --data filmworld:10000       # a synthetic film world
    python -m benchmarks.load --data balagov,filmworld:10000 --json benchmarks/.data/load.json
    python -m benchmarks.load --targets rdflib-endpoint,oxigraph --requests 200
    python -m benchmarks.load --concurrency 1,4,16 --requests 400 --max-seconds 60
    python -m benchmarks.load --repeat 3 --quiet-wait 120   # on a shared machine
    python -m benchmarks.load --filmgraph-command \\
        '{bin}/filmgraph --no-progress serve --host {host} --port {port} --workers 4'

Generated data, server logs and Oxigraph's store live under ``benchmarks/.data/load/``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import math
import multiprocessing
import os
import platform
import re
import resource
import signal
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from benchmarks.endpoints import (
    ACCEPT,
    DEFAULT_FILMGRAPH_COMMAND,
    DEFAULT_TARGETS,
    HOST,
    TARGETS,
    Data,
    Server,
    machine_busy_seconds,
    prepare_data,
    running,
    session_cpu_seconds,
)
from benchmarks.reasoning import ROOT, code_version, markdown_table

# ---------------------------------------------------------------- queries


@dataclass(frozen=True)
class Query:
    name: str
    text: str


def with_prefixes(text: str) -> str:
    """``text`` with a ``PREFIX`` line for each project prefix it uses but does not declare.

    filmgraph predeclares its prefixes; the other servers do not.

    >>> with_prefixes("SELECT * WHERE { ?f a schema:Movie }").splitlines()[0]
    'PREFIX schema: <http://schema.org/>'
    """
    from filmgraph.core.namespaces import PREFIXES

    declared = set(re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", text))
    missing = [
        f"PREFIX {name}: <{namespace}>\n"
        for name, namespace in PREFIXES.items()
        if name not in declared and re.search(rf"(?<![\w</#.-]){re.escape(name)}:", text)
    ]
    return "".join(missing) + text


def query_mix() -> list[Query]:
    """The competency questions, ``queries/*.rq``, in file-name order, but for federated
    ones (they would time the remote endpoint, and federation is off by default)."""
    from filmgraph import Settings, load_queries

    queries = load_queries(Settings().queries_dir).values()
    return [Query(q.name, with_prefixes(q.text)) for q in queries if not q.services]


# ---------------------------------------------------------------- the client


#: What a kept-alive connection the server closed while idle gives on its next request.
STALE = (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected)


def send(
    conn: http.client.HTTPConnection, server: Server, query: str, method: str
) -> tuple[int, bytes]:
    """One SPARQL query; the status and the whole body. A connection the server closed while
    it was idle (``filmgraph serve`` closes one after ``idle_timeout``, 5 s: a client that
    took that long to parse the last answer) is opened again and the query sent once more,
    as HTTP clients do for idempotent requests."""
    try:
        return _send_once(conn, server, query, method)
    except STALE:
        conn.close()  # http.client connects again on the next request
        return _send_once(conn, server, query, method)


def _send_once(
    conn: http.client.HTTPConnection, server: Server, query: str, method: str
) -> tuple[int, bytes]:
    headers = {"Accept": ACCEPT}
    dataset = getattr(server, "dataset", "")  # the protocol's dataset, for a store alone
    if method == "post" and getattr(server, "form", False):  # Virtuoso 7.2: no direct POST
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode({"query": query}) + ("&" + dataset if dataset else "")
        conn.request("POST", server.path, body=body.encode("ascii"), headers=headers)
    elif method == "post":
        headers["Content-Type"] = "application/sparql-query"
        path = server.path + ("?" + dataset if dataset else "")
        conn.request("POST", path, body=query.encode("utf-8"), headers=headers)
    else:
        url = server.path + "?" + urllib.parse.urlencode({"query": query})
        conn.request("GET", url + ("&" + dataset if dataset else ""), headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def count_rows(body: bytes) -> int:
    """Result rows of a SPARQL JSON answer (an ASK answer counts as one row)."""
    document = json.loads(body)
    if "boolean" in document:
        return 1
    return len(document["results"]["bindings"])


def warm_up(server: Server, mix: list[Query], args: argparse.Namespace) -> dict[str, Any]:
    """Every query once, not timed: rows per query, or the error as text."""
    rows: dict[str, Any] = {}
    conn = http.client.HTTPConnection(HOST, server.port, timeout=args.timeout)
    try:
        for query in mix:
            try:
                status, body = send(conn, server, query.text, args.method)
                if 200 <= status < 300:
                    rows[query.name] = count_rows(body)
                else:
                    rows[query.name] = f"HTTP {status}: {body[:120].decode('utf-8', 'replace')}"
            except (OSError, http.client.HTTPException, ValueError, KeyError) as exc:
                rows[query.name] = f"{type(exc).__name__}: {exc}"
                conn.close()
    finally:
        conn.close()
    return rows


@dataclass
class Level:
    """What one concurrency level measured."""

    concurrency: int
    requests: int = 0  # answered (or failed), not merely planned
    errors: int = 0
    seconds: float = 0.0
    capped: bool = False
    rps: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    server_cpu: float | None = None  # share of one core
    client_cpu: float | None = None
    other_cpu: float | None = None  # every other process of the machine: interference
    all_rps: list[float] = field(default_factory=list)  # every run, with --repeat
    query_p50_ms: dict[str, float] = field(default_factory=dict)  # median, per query
    error_examples: list[str] = field(default_factory=list)


def _client_cpu() -> float:
    """CPU seconds of this process and of its client processes that have ended."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def _clients(
    server: Server,
    mix: list[Query],
    slots: range,
    args: argparse.Namespace,
    next_index: Any,
    deadline: Any,
    barrier: Any,
) -> tuple[list[tuple[float, str]], list[str]]:
    """Run a thread per slot, each on one keep-alive connection, taking request numbers
    from ``next_index`` (shared) until ``args.requests`` or ``deadline`` (shared, perf
    counter seconds); each thread starts at ``barrier``. The latencies of the answers and
    the errors."""
    latencies: list[tuple[float, str]] = []
    errors: list[str] = []

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=args.timeout)
        barrier.wait()
        try:
            while True:
                with next_index.get_lock():
                    index = next_index.value
                    next_index.value += 1
                if index >= args.requests or time.perf_counter() >= deadline.value:
                    return
                query = mix[index % len(mix)]
                began = time.perf_counter()
                try:
                    status, body = send(conn, server, query.text, args.method)
                except (OSError, http.client.HTTPException) as exc:
                    errors.append(f"{query.name}: {type(exc).__name__}: {exc}")
                    conn.close()  # the next request opens a new connection
                    continue
                elapsed = time.perf_counter() - began
                if 200 <= status < 300:
                    latencies.append((elapsed, query.name))  # list.append: thread-safe
                else:
                    errors.append(f"{query.name}: HTTP {status} {body[:80]!r}")
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in slots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def _client_process(out: Any, *work: Any) -> None:
    """A client process (forked): its threads' latencies and errors, sent to ``out``."""
    out.put(_clients(*work))


def run_level(
    server: Server, mix: list[Query], concurrency: int, args: argparse.Namespace
) -> Level:
    """``args.requests`` requests from ``concurrency`` threads, round-robin over ``mix``,
    spread over ``args.client_processes`` processes (forked: each with its own interpreter
    lock, so that the client's threads do not wait for each other's)."""
    context = multiprocessing.get_context("fork")
    next_index = context.Value("q", 0)
    deadline = context.Value("d", math.inf)
    barrier = context.Barrier(concurrency + 1)
    processes = max(1, min(args.client_processes, concurrency))
    shares = [range(i, concurrency, processes) for i in range(processes)]
    work = (next_index, deadline, barrier)
    results: list[tuple[list[tuple[float, str]], list[str]]] = []
    children = []
    if processes == 1:
        local = threading.Thread(
            target=lambda: results.append(_clients(server, mix, shares[0], args, *work)),
            daemon=True,
        )
        local.start()
    else:
        out = context.Queue()
        for share in shares:
            child = context.Process(
                target=_client_process, args=(out, server, mix, share, args, *work), daemon=True
            )
            child.start()
            children.append(child)
    assert server.process is not None
    machine_before = machine_busy_seconds()
    cpu_before, client_before = session_cpu_seconds(server.process.pid), _client_cpu()
    started = time.perf_counter()
    deadline.value = started + args.max_seconds
    barrier.wait()
    if processes == 1:
        local.join()
    else:
        results = [out.get() for _ in children]
        for child in children:
            child.join()
    seconds = time.perf_counter() - started
    cpu_after, client_after = session_cpu_seconds(server.process.pid), _client_cpu()
    machine_after = machine_busy_seconds()

    latencies = [answered for answered, _ in results]
    errors = [failed for _, failed in results]
    answered = [x for slot in latencies for x in slot]
    ok = sorted(elapsed for elapsed, _ in answered)
    failed = [e for slot in errors for e in slot]
    level = Level(concurrency, len(ok) + len(failed), len(failed), seconds)
    level.capped = level.requests < args.requests
    level.rps = len(ok) / seconds if seconds else 0.0
    for name, p in (("p50_ms", 50), ("p99_ms", 99), ("max_ms", 100)):
        value = percentile(ok, p)
        setattr(level, name, None if value is None else value * 1000)
    if seconds >= 0.25:  # /proc counts CPU time in ticks of 10 ms: too coarse for less
        level.server_cpu = (cpu_after - cpu_before) / seconds
        level.client_cpu = (client_after - client_before) / seconds
        busy = (machine_after - machine_before) / seconds
        level.other_cpu = max(0.0, busy - level.server_cpu - level.client_cpu)
    per_query: dict[str, list[float]] = {}
    for elapsed, name in answered:
        per_query.setdefault(name, []).append(elapsed)
    for name, values in per_query.items():
        median = percentile(sorted(values), 50)
        level.query_p50_ms[name] = (median or 0.0) * 1000
    level.error_examples = [f"{n}x {e}" for e, n in Counter(failed).most_common(3)]
    return level


# ---------------------------------------------------------------- one dataset, every target


@dataclass
class TargetRun:
    name: str
    failure: str = ""
    setup_s: float = 0.0
    startup_s: float = 0.0
    rows: dict[str, Any] = field(default_factory=dict)
    levels: list[Level] = field(default_factory=list)
    log: str = ""
    command: str = ""
    metrics: dict[str, float] = field(default_factory=dict)  # filmgraph's /metrics, at the end
    code: str = ""
    code_changed: bool = False  # filmgraph started from other code than the header says


def filmgraph_metrics(server: Server) -> dict[str, float]:
    """The counters of filmgraph's ``/metrics`` (Prometheus text), or nothing."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=5)
    try:
        conn.request("GET", "/metrics")
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        if response.status != 200:
            return {}
    except (OSError, http.client.HTTPException):
        return {}
    finally:
        conn.close()
    found = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if line.startswith("filmgraph_") and "{" not in name:
            with contextlib.suppress(ValueError):
                found[name] = float(value)
    return found


def code_fingerprint() -> str:
    """A hash of what a measurement depends on: the package's code and the queries."""
    digest = hashlib.sha256()
    paths = sorted((ROOT / "src" / "filmgraph").rglob("*.py")) + sorted(
        (ROOT / "queries").glob("*.rq")
    )
    for path in paths:
        with contextlib.suppress(OSError):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def measure(data: Data, mix: list[Query], args: argparse.Namespace) -> list[TargetRun]:
    runs = []
    for name in args.targets:
        print(f"{data.spec}: starting {TARGETS[name]} ...", file=sys.stderr)
        with running(name, data, args) as server:
            run = TargetRun(name, log=str(server.log.relative_to(ROOT)) if server.log else "")
            runs.append(run)
            run.setup_s, run.startup_s = server.setup_s, server.startup_s
            run.command = server.command
            run.code = code_fingerprint()  # what the server was started from
            if server.failure:
                run.failure = server.failure
                print(f"  {TARGETS[name]}: {server.failure}", file=sys.stderr)
                continue
            print(
                f"  ready on port {server.port} after {server.startup_s:.1f} s; warm-up",
                file=sys.stderr,
            )
            run.rows = warm_up(server, mix, args)
            for concurrency in args.concurrency:
                tries = []
                for _ in range(args.repeat):
                    wait_quiet(args.quiet_wait)
                    level = run_level(server, mix, concurrency, args)
                    tries.append(level)
                    print(
                        f"  concurrency {concurrency:>3}: {level.requests} requests, "
                        f"{level.errors} errors, {level.rps:.1f} req/s, "
                        f"p99 {_ms(level.p99_ms)} ms, other CPU {_share(level.other_cpu)}",
                        file=sys.stderr,
                    )
                best = min(tries, key=lambda x: (disturbed(x), -x.rps))
                best.all_rps = [x.rps for x in tries]
                run.levels.append(best)
            if name.startswith("filmgraph"):
                run.metrics = filmgraph_metrics(server)
        run.code_changed = name.startswith("filmgraph") and run.code != args.fingerprint
    return runs


#: More CPU than this (a share of one core) used by other processes marks a run as disturbed.
DISTURBED = 0.15


def disturbed(level: Level) -> bool:
    return level.other_cpu is not None and level.other_cpu > DISTURBED


def wait_quiet(limit: float) -> None:
    """Wait (at most ``limit`` seconds) until the machine is idle for one second."""
    give_up = time.perf_counter() + limit
    while time.perf_counter() < give_up:
        before = machine_busy_seconds()
        time.sleep(1)
        if machine_busy_seconds() - before < DISTURBED:
            return
    if limit > 0:
        print(f"  the machine is still busy after {limit:g} s; measuring anyway", file=sys.stderr)


def row_mismatches(runs: list[TargetRun], mix: list[Query]) -> dict[str, list[str]]:
    """For each target, the queries whose row count differs from the most common one."""
    measured = [r for r in runs if r.rows]
    found: dict[str, list[str]] = {r.name: [] for r in measured}
    if len(measured) < 2:
        return found
    for query in mix:
        answers = [r.rows.get(query.name) for r in measured]
        common = Counter(str(a) for a in answers).most_common(1)[0][0]
        for run, answer in zip(measured, answers, strict=True):
            if str(answer) != common or not isinstance(answer, int):
                found[run.name].append(query.name)
    return found


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def results_table(runs: list[TargetRun], mismatches: dict[str, list[str]]) -> str:
    rows = []
    for run in runs:
        if run.failure:
            rows.append([TARGETS[run.name], "-", "not measured", *["-"] * 11])
            continue
        differ = mismatches.get(run.name, [])
        for level in run.levels:
            rows.append(
                [
                    TARGETS[run.name],
                    str(level.concurrency),
                    str(level.requests) + (" (capped)" if level.capped else ""),
                    str(level.errors),
                    f"{level.seconds:.2f}",
                    f"{level.rps:.1f}",
                    _ms(level.p50_ms),
                    _ms(level.p99_ms),
                    _ms(level.max_ms),
                    _share(level.server_cpu),
                    _cpu_per_request(level),
                    _share(level.client_cpu),
                    _share(level.other_cpu),
                    f"{len(differ)} queries" if differ else "none",
                ]
            )
    header = ["target", "concurrency", "requests", "errors", "seconds", "req/s", "p50 ms"]
    header += ["p99 ms", "max ms", "server CPU", "server CPU ms/req", "client CPU", "other CPU"]
    header += ["rows differ"]
    return markdown_table(header, rows, right=set(range(1, 13)))


def _cpu_per_request(level: Level) -> str:
    """The server's CPU time (its whole process tree) per answered request: what the
    server costs, less sensitive than req/s to other work on a shared machine."""
    answered = level.requests - level.errors
    if level.server_cpu is None or not answered:
        return "-"
    return f"{level.server_cpu * level.seconds / answered * 1000:.3f}"


def rows_table(runs: list[TargetRun], mix: list[Query]) -> str:
    measured = [r for r in runs if r.rows]
    rows = []
    for query in mix:
        answers = [r.rows.get(query.name) for r in measured]
        same = len({str(a) for a in answers}) == 1 and all(isinstance(a, int) for a in answers)
        cells = [str(a) if isinstance(a, int) else f"error ({str(a)[:60]})" for a in answers]
        rows.append([query.name, *cells, "yes" if same else "MISMATCH"])
    header = ["query", *(TARGETS[r.name] for r in measured), "same rows"]
    return markdown_table(header, rows, right=set(range(1, len(measured) + 1)))


def ratios(runs: list[TargetRun], args: argparse.Namespace) -> dict[str, Any]:
    """filmgraph against the others, concurrency by concurrency, and the issue's targets."""
    by_name = {r.name: r for r in runs if not r.failure and r.levels}
    out: dict[str, Any] = {"by_concurrency": [], "checks": {}}
    ours = by_name.get("filmgraph")
    for concurrency in args.concurrency:
        entry: dict[str, Any] = {"concurrency": concurrency}
        for other in ("rdflib-endpoint", "oxigraph"):
            theirs = by_name.get(other)
            a = _level(ours, concurrency)
            b = _level(theirs, concurrency)
            entry[other] = a.rps / b.rps if a and b and b.rps else None
        out["by_concurrency"].append(entry)
    top = max(args.concurrency)
    against = [e["rdflib-endpoint"] for e in out["by_concurrency"]]
    if ours is None or any(x is None for x in against):
        out["checks"]["throughput_2x_rdflib_endpoint"] = None
    else:
        out["checks"]["throughput_2x_rdflib_endpoint"] = all(x >= 2 for x in against)
    level = _level(ours, top)
    if level is None:
        out["checks"]["p99_under_50ms_no_errors"] = None
    else:
        out["checks"]["p99_under_50ms_no_errors"] = (
            level.p99_ms is not None and level.p99_ms < 50 and level.errors == 0
        )
    return out


def _level(run: TargetRun | None, concurrency: int) -> Level | None:
    if run is None:
        return None
    return next((x for x in run.levels if x.concurrency == concurrency), None)


def _verdict(value: bool | None) -> str:
    return {True: "MET", False: "NOT MET", None: "not measured"}[value]


def ratios_text(found: dict[str, Any], runs: list[TargetRun], args: argparse.Namespace) -> str:
    rows = [
        [str(e["concurrency"])]
        + ["-" if e[o] is None else f"{e[o]:.2f}x" for o in ("rdflib-endpoint", "oxigraph")]
        for e in found["by_concurrency"]
    ]
    header = ["concurrency", "filmgraph / rdflib-endpoint req/s", "filmgraph / Oxigraph req/s"]
    top = max(args.concurrency)
    level = _level(next((r for r in runs if r.name == "filmgraph" and not r.failure), None), top)
    detail = f" (p99 {_ms(level.p99_ms)} ms, {level.errors} errors)" if level else ""
    checks = found["checks"]
    lines = [
        markdown_table(header, rows, right={0, 1, 2}),
        "",
        "- filmgraph throughput at least 2x rdflib-endpoint's at every concurrency: "
        + _verdict(checks["throughput_2x_rdflib_endpoint"]),
        f"- filmgraph p99 under 50 ms at concurrency {top}, with no errors: "
        + _verdict(checks["p99_under_50ms_no_errors"])
        + detail,
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- report


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in ("rdflib", "rdflib-endpoint", "uvicorn", "oxigraph", "filmgraph"):
        with contextlib.suppress(PackageNotFoundError):
            found[package] = version(package)
    return found


def header_text(args: argparse.Namespace) -> str:
    cores = os.cpu_count() or 0
    packages = ", ".join(f"{k} {v}" for k, v in versions().items())
    sending = "POST application/sparql-query" if args.method == "post" else "GET ?query="
    repeat = (
        f", {args.repeat} runs of each, the fastest undisturbed kept" if args.repeat > 1 else ""
    )
    if args.quiet_wait:
        repeat += f", each after waiting up to {args.quiet_wait:g} s for an idle machine"
    return "\n".join(
        [
            f"Machine: {cores} cores; the client and each server run on this same machine, so "
            "they compete for its cores (see the CPU columns). Targets run one at a time.",
            f"Code: {code_version()} (src/filmgraph + queries fingerprint "
            f"{args.fingerprint}). {packages}.",
            "filmgraph's result cache: "
            + ("off (FILMGRAPH_RESULT_CACHE=0)." if args.no_result_cache else "as configured."),
            f"Client: {sending}, Accept: {ACCEPT}; {args.requests} requests per concurrency "
            f"level (at most {args.max_seconds:g} s){repeat}, keep-alive, one connection per "
            "thread; queries/*.rq round-robin after one untimed warm-up pass.",
        ]
    )


def report(data: Data, mix: list[Query], runs: list[TargetRun], args: argparse.Namespace) -> dict:
    """Print the tables for one dataset; return the same as JSON-ready data."""
    mismatches = row_mismatches(runs, mix)
    found = ratios(runs, args)
    graphs = ", ".join(f"{iri.rsplit('/', 1)[-1]} {n}" for iri, n in data.graphs.items())
    print(f"\n## Load: {data.spec}\n")
    print(
        f"Data: {data.path.relative_to(ROOT)}: {data.quads} quads; default graph "
        f"{data.default_triples} triples; named graphs: {graphs}. Query mix: {len(mix)} "
        "queries from queries/*.rq.\n"
    )
    print(results_table(runs, mismatches))
    notes = []
    for run in runs:
        if run.failure:
            notes.append(f"- {TARGETS[run.name]}: {run.failure}")
            continue
        setup = f"bulk load {run.setup_s:.2f} s, " if run.setup_s else ""
        ready = f"{setup}ready {run.startup_s:.2f} s after start"
        notes.append(f"- {TARGETS[run.name]}: `{run.command}`: {ready}.")
        if run.levels and run.levels[0].query_p50_ms:
            first = run.levels[0]
            slow = sorted(first.query_p50_ms.items(), key=lambda kv: -kv[1])[:3]
            slowest = ", ".join(f"{name} {ms:.1f} ms" for name, ms in slow)
            notes.append(
                f"  - slowest queries (median at concurrency {first.concurrency}): {slowest}"
            )
        hits = run.metrics.get("filmgraph_result_cache_hits_total")
        misses = run.metrics.get("filmgraph_result_cache_misses_total")
        if hits is not None and misses is not None:
            notes.append(f"  - result cache: {hits:.0f} hits, {misses:.0f} misses (/metrics)")
        if run.code_changed:
            notes.append(
                f"  - WARNING: started from other code (fingerprint {run.code}) than the header's"
            )
        if args.repeat > 1:
            spread = "; ".join(
                f"{x.concurrency}: " + ", ".join(f"{r:.0f}" for r in x.all_rps) for x in run.levels
            )
            notes.append(f"  - req/s of each run, by concurrency: {spread}")
        for level in run.levels:
            for example in level.error_examples:
                notes.append(f"  - concurrency {level.concurrency} error: {example}")
        if mismatches.get(run.name):
            notes.append(f"  - rows differ on: {', '.join(mismatches[run.name])}")
    print("\n" + "\n".join(notes))
    if sum(1 for r in runs if r.rows) >= 1:
        print("\n### Result rows per query (warm-up)\n")
        print(rows_table(runs, mix))
    print("\n### filmgraph against the others (same run)\n")
    print(ratios_text(found, runs, args))
    return {
        "data": asdict(data) | {"path": str(data.path)},
        "queries": [q.name for q in mix],
        "targets": [asdict(r) for r in runs],
        "rows_differ": mismatches,
        "ratios": found,
    }


# ---------------------------------------------------------------- main


def run_all(specs: list[str], mix: list[Query], args: argparse.Namespace, out: dict) -> None:
    """Every dataset on every target; the tables on stdout, the data into ``out``."""
    print("# Load benchmark: SPARQL over HTTP\n")
    print(header_text(args))
    for spec in specs:
        print(f"{spec}: preparing the data ...", file=sys.stderr)
        data = prepare_data(spec, args.seed)
        runs = measure(data, mix, args)
        out["runs"].append(report(data, mix, runs, args))


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", default="balagov", help="comma-separated: balagov, filmworld:N (default balagov)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of a film world")
    parser.add_argument(
        "--targets",
        default=",".join(DEFAULT_TARGETS),
        help="which of: " + ", ".join(TARGETS) + " (default: " + ",".join(DEFAULT_TARGETS) + ")",
    )
    parser.add_argument("--concurrency", default="1,4,16", help="client threads, per level")
    parser.add_argument(
        "--client-processes",
        type=int,
        default=1,
        help="processes the client threads are spread over (each with its own GIL; default 1)",
    )
    parser.add_argument("--requests", type=int, default=400, help="requests per level")
    parser.add_argument("--max-seconds", type=float, default=60, help="time cap per level")
    parser.add_argument("--repeat", type=int, default=1, help="runs per level (fastest kept)")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=0,
        help="before each run, wait up to this many seconds for the machine to be idle",
    )
    parser.add_argument("--method", choices=("post", "get"), default="post")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per request")
    parser.add_argument("--startup-timeout", type=float, default=120, help="seconds per server")
    parser.add_argument(
        "--filmgraph-command",
        default=DEFAULT_FILMGRAPH_COMMAND,
        help="how to start filmgraph; {bin}, {host}, {port} and {data} (the N-Quads file) "
        f"are filled in (default: {DEFAULT_FILMGRAPH_COMMAND!r})",
    )
    parser.add_argument("--filmgraph-path", default="/sparql", help="filmgraph's query URL path")
    parser.add_argument(
        "--no-result-cache",
        action="store_true",
        help="serve filmgraph with FILMGRAPH_RESULT_CACHE=0: every query evaluated",
    )
    parser.add_argument("--json", type=Path, help="also write the measurements here ('-': stdout)")
    args = parser.parse_args(argv)

    args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; choose from {', '.join(TARGETS)}")
    args.concurrency = _ints(args.concurrency)
    if not args.concurrency or min(args.concurrency) < 1:
        parser.error("--concurrency: positive integers, e.g. 1,4,16")
    specs = [s.strip() for s in args.data.split(",") if s.strip()]

    # SIGTERM ends the run like Ctrl-C: through the finally blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    mix = query_mix()
    args.fingerprint = code_fingerprint()
    out: dict[str, Any] = {"versions": versions(), "cores": os.cpu_count(), "runs": []}
    out["settings"] = {
        k: getattr(args, k)
        for k in ("concurrency", "requests", "max_seconds", "repeat", "quiet_wait", "method")
    } | {"targets": args.targets}
    # With --json -, stdout is the JSON alone and the tables go to stderr.
    tables = sys.stderr if str(args.json) == "-" else sys.stdout
    with contextlib.redirect_stdout(tables):
        try:
            run_all(specs, mix, args, out)
        except KeyboardInterrupt:
            print("interrupted; every server started was stopped", file=sys.stderr)
            return 130
    if args.json:
        text = json.dumps(out, indent=1, default=str)
        if str(args.json) == "-":
            print(text)
        else:
            args.json.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
