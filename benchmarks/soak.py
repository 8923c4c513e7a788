"""Soak benchmark: a cheap query's latency, well-behaved clients' errors and the server's
memory under mixed load at concurrency 64, with and without attackers, in the same run.

One ``filmgraph --no-progress serve`` (its defaults: 2 query workers, 16 HTTP threads, the
connection limits of issue 22; the result cache off, so that every query is evaluated) on a
free port of ``127.0.0.1``, over the Balagov build in ``benchmarks/.data/soak/build``, stopped
at the end whatever happens (its session: SIGTERM, then SIGKILL). Three phases of ``--seconds``
each, one after the other on the same server:

``baseline``
    ``--concurrency`` (64) threads, each with one keep-alive ``http.client`` connection,
    sending the cheap query (an ``ASK`` over one entity's triples, ~1 ms) back to back.
``slow clients``
    the same, plus ``--slow`` raw sockets of a slowloris flood (below);
``attacked``
    the same, minus ``--heavy`` threads that send a heavy query instead (a triple cross
    product that runs until the query timeout, 10 s, then 503), plus ``--slow`` raw sockets
    of a slowloris flood (each sends a header line every 2 s and never finishes; reopened
    when the server closes it).

An error is a non-200 answer or an exception (timeout 30 s, dropped connection) of a cheap
client; the heavy clients' 503s are expected and counted apart. Latencies (p50, p99, max)
are of the cheap query's answers, from sending it to reading the last byte. Memory is the
resident set (RSS) of the server and its workers, sampled every 5 s (psutil if installed,
else /proc). The report gives each attacked figure beside its baseline and their ratio.

Usage::

    python -m benchmarks.soak                      # 3 x 180 s
    python -m benchmarks.soak --seconds 90 --slow 200 --heavy 2
    python -m benchmarks.soak --seconds 10 --slow 20  # a smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.reasoning import DATA_DIR, ROOT

SOAK_DIR = DATA_DIR / "soak"
HOST = "127.0.0.1"
ACCEPT = "application/sparql-results+json"
CHEAP = "ASK { fgid:kantemir-balagov ?p ?o }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    heavy: dict[str, int] = field(default_factory=dict)
    memory: list[tuple[float, float]] = field(default_factory=list)  # (s, MB)
    slow_opened: int = 0
    slow_closed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors += 1
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


@contextlib.contextmanager
def serving(build_dir: Path, log: Path) -> Iterator[tuple[int, int]]:
    """``filmgraph serve`` on a free port: (its pid, its port); stopped on exit."""
    env = {**os.environ, "FILMGRAPH_BUILD_DIR": str(build_dir), "FILMGRAPH_RESULT_CACHE": "0"}
    command = [sys.executable, "-m", "filmgraph", "--no-progress", "serve", "--port", "0"]
    with log.open("w") as stderr:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True,
            start_new_session=True,
        )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("serving http://"):
            raise SystemExit(f"filmgraph serve did not start:\n{log.read_text()[-3000:]}")
        yield process.pid, int(line.split()[1].split(":")[2].split("/")[0])
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def resident_mb(pid: int) -> float:
    """The resident memory of ``pid`` and its children, in MB."""
    try:
        import psutil

        parent = psutil.Process(pid)
        processes = [parent, *parent.children(recursive=True)]
        total = 0
        for p in processes:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total / 1e6
    except ImportError:
        pids = [pid]
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        kb = 0
        for p in pids:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{p}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        kb += int(line.split()[1])
        return kb / 1e3


def client(port: int, query: str, until: float, phase: Phase, heavy: bool) -> None:
    body = query.encode()
    headers = {"Content-Type": "application/sparql-query", "Accept": ACCEPT}
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    while time.monotonic() < until:
        start = time.perf_counter()
        try:
            conn.request("POST", "/sparql", body, headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            if not heavy:
                phase.error(type(exc).__name__)
            else:
                with phase.lock:
                    phase.heavy[type(exc).__name__] = phase.heavy.get(type(exc).__name__, 0) + 1
            continue
        elapsed = time.perf_counter() - start
        with phase.lock:
            if heavy:
                phase.heavy[str(status)] = phase.heavy.get(str(status), 0) + 1
            elif status == 200:
                phase.latencies.append(elapsed)
        if not heavy and status != 200:
            phase.error(str(status))
    conn.close()


def slowloris(port: int, count: int, until: float, phase: Phase) -> None:
    """``count`` connections sending a header line every 2 s; reopened when closed."""
    sockets: list[socket.socket | None] = [None] * count
    line = 0
    while time.monotonic() < until:
        for i, sock in enumerate(sockets):
            try:
                if sock is None:
                    sock = socket.create_connection((HOST, port), timeout=5)
                    sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                    sock.setblocking(False)
                    sockets[i] = sock
                    phase.slow_opened += 1
                    continue
                sock.send(b"X-Slow-%d: a\r\n" % line)
                with contextlib.suppress(BlockingIOError):
                    if sock.recv(4096) == b"":
                        raise ConnectionResetError
            except OSError:
                if sock is not None:
                    sock.close()
                    phase.slow_closed += 1
                sockets[i] = None
        line += 1
        time.sleep(2)
    for sock in sockets:
        if sock is not None:
            sock.close()


def run_phase(name: str, pid: int, port: int, args: argparse.Namespace, heavy: int) -> Phase:
    phase = Phase(name)
    attacked = name != "baseline"
    start = time.monotonic()
    until = start + args.seconds
    threads = [
        threading.Thread(target=client, args=(port, CHEAP, until, phase, False))
        for _ in range(args.concurrency - heavy)
    ]
    threads += [
        threading.Thread(target=client, args=(port, HEAVY, until, phase, True))
        for _ in range(heavy)
    ]
    if attacked and args.slow:
        threads.append(threading.Thread(target=slowloris, args=(port, args.slow, until, phase)))
    for thread in threads:
        thread.start()
    while time.monotonic() < until:
        phase.memory.append((time.monotonic() - start, resident_mb(pid)))
        time.sleep(min(5.0, max(0.0, until - time.monotonic())))
    for thread in threads:
        thread.join(60)
    phase.memory.append((time.monotonic() - start, resident_mb(pid)))
    return phase


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report(base: Phase, attack: Phase, what: str, args: argparse.Namespace) -> str:
    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}x" if b else "-"

    def row(what: str, b: float, a: float, unit: str = "") -> str:
        return f"| {what} | {b:,.1f}{unit} | {a:,.1f}{unit} | {ratio(a, b)} |"

    ms = 1000.0
    lines = [
        f"## Soak: concurrency {args.concurrency}, {args.seconds:g} s per phase: {what}",
        "",
        f"attacked: {args.slow} slowloris sockets"
        + (f", {args.heavy} of the {args.concurrency} clients heavy" if attack.heavy else ""),
        "",
        "| cheap query | baseline | attacked | attacked / baseline |",
        "|---|---:|---:|---:|",
        row("answers", len(base.latencies), len(attack.latencies)),
        row("answers/s", len(base.latencies) / args.seconds, len(attack.latencies) / args.seconds),
        row("p50 ms", percentile(base.latencies, 0.5) * ms, percentile(attack.latencies, 0.5) * ms),
        row(
            "p99 ms", percentile(base.latencies, 0.99) * ms, percentile(attack.latencies, 0.99) * ms
        ),
        row("max ms", max(base.latencies, default=0) * ms, max(attack.latencies, default=0) * ms),
        row("errors", base.errors, attack.errors),
        row("server RSS first MB", base.memory[0][1], attack.memory[0][1]),
        row("server RSS last MB", base.memory[-1][1], attack.memory[-1][1]),
        row("server RSS peak MB", max(m for _, m in base.memory), max(m for _, m in attack.memory)),
        "",
        f"errors of well-behaved clients: baseline {base.errors} {base.error_kinds or ''}, "
        f"attacked {attack.errors} {attack.error_kinds or ''}",
        f"heavy queries' answers: {attack.heavy}",
        f"slowloris sockets opened {attack.slow_opened}, closed by the server {attack.slow_closed}",
        "server RSS over time (s: MB): "
        + ", ".join(f"{t:.0f}: {m:.0f}" for t, m in base.memory + attack.memory),
        "",
        f"cheap-query p99 under 200 ms while attacked: "
        f"{'MET' if percentile(attack.latencies, 0.99) < 0.2 else 'NOT MET'}; "
        f"0 errors for well-behaved clients: {'MET' if attack.errors == 0 else 'NOT MET'}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="per phase")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--heavy", type=int, default=2, help="heavy clients while attacked")
    parser.add_argument("--slow", type=int, default=200, help="slowloris sockets")
    args = parser.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.slow + args.concurrency + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    SOAK_DIR.mkdir(parents=True, exist_ok=True)
    with serving(SOAK_DIR / "build", SOAK_DIR / "serve.log") as (pid, port):
        base = run_phase("baseline", pid, port, args, heavy=0)
        slow = run_phase("slow clients", pid, port, args, heavy=0)
        attack = run_phase("attacked", pid, port, args, heavy=args.heavy)
    print(report(base, slow, "slow clients only (no heavy queries)", args))
    print()
    print(report(base, attack, f"slow clients and {args.heavy} heavy clients", args))


if __name__ == "__main__":
    main()
