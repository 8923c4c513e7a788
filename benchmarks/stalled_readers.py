"""Clients that ask for a long answer and never read it: what the web process holds meanwhile.

One ``filmgraph --no-progress serve`` on a free port of ``127.0.0.1`` over the project's build
(``FILMGRAPH_MAX_ROWS`` 100,000 so that every pair of the default graph's triples, ~26 MB of
JSON, is one answer; the result cache off; ``idle_timeout`` 2 s), stopped at the end. The
answer is read once whole, then ``--clients`` raw sockets (a 4 KB receive buffer) each send
the query and read nothing. For two seconds the web process's resident set and the deleted
files it holds open (waitress, the server before, spooled unsent answers to unlinked
temporary files) are sampled; then a cheap ``ASK`` is timed. The report gives each figure
beside the baseline of the same run: the web process before the stalled clients.

``--compare SRC`` runs the same against a second source tree (``PYTHONPATH=SRC``, e.g. a
``git worktree`` of an older commit) in the same run, one server after the other.

Usage::

    python -m benchmarks.stalled_readers
    git worktree add /tmp/before 351217e
    python -m benchmarks.stalled_readers --compare /tmp/before/src
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = "SELECT ?a ?b ?c ?d ?e ?f WHERE { ?a ?b ?c . ?d ?e ?f }"
ASK = "ASK { ?s ?p ?o }"


@dataclass
class Figures:
    answer_mb: float
    rss_before_mb: float
    rss_peak_mb: float
    spooled: int
    ask_ms: float


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _spooled(pid: int) -> int:
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        # multiprocessing's shared memory (pym-*: the workers' flags) holds no answer
        count += target.endswith("(deleted)") and "/pym-" not in target
    return count


def measure(src: Path | None, clients: int) -> Figures:
    """The figures of one server (from ``src``, or the installed filmgraph)."""
    env = {
        **os.environ,
        "FILMGRAPH_MAX_ROWS": "100000",
        "FILMGRAPH_RESULT_CACHE": "0",
        "FILMGRAPH_IDLE_TIMEOUT": "2",
    }
    if src is not None:
        env["PYTHONPATH"] = str(src)
    command = [sys.executable, "-m", "filmgraph", "--no-progress", "serve", "--port", "0"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    sockets: list[socket.socket] = []
    try:
        assert server.stdout is not None
        base = server.stdout.readline().split()[1].rsplit("/sparql", 1)[0]
        port = urllib.parse.urlsplit(base).port or 0
        query = urllib.parse.urlencode({"query": PAIRS})
        with urllib.request.urlopen(f"{base}/sparql?{query}", timeout=60) as response:
            answer = response.read()
        before = peak = _rss_kb(server.pid)
        for _ in range(clients):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", port))
            sock.sendall(f"GET /sparql?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            sockets.append(sock)
        spooled = 0
        for _ in range(20):
            time.sleep(0.1)
            peak = max(peak, _rss_kb(server.pid))
            spooled = max(spooled, _spooled(server.pid))
        started = time.perf_counter()
        ask = urllib.parse.urlencode({"query": ASK})
        with urllib.request.urlopen(f"{base}/sparql?{ask}", timeout=60) as response:
            response.read()
        asked = time.perf_counter() - started
        return Figures(len(answer) / 1e6, before / 1024, peak / 1024, spooled, asked * 1000)
    finally:
        for sock in sockets:
            sock.close()
        server.terminate()
        server.wait(30)


def report(clients: int, runs: dict[str, Figures]) -> str:
    names = list(runs)
    lines = [
        f"## {clients} clients that never read a long answer",
        "",
        "| web process | " + " | ".join(names) + " |",
        "|---" * (len(names) + 1) + "|",
    ]
    rows = [
        ("answer MB", lambda f: f"{f.answer_mb:.1f}"),
        ("RSS before MB (baseline)", lambda f: f"{f.rss_before_mb:.0f}"),
        ("RSS peak MB", lambda f: f"{f.rss_peak_mb:.0f}"),
        ("peak / baseline", lambda f: f"{f.rss_peak_mb / f.rss_before_mb:.2f}x"),
        ("spooled temporary files", lambda f: str(f.spooled)),
        ("cheap ASK meanwhile ms", lambda f: f"{f.ask_ms:.0f}"),
    ]
    for label, show in rows:
        lines.append(f"| {label} | " + " | ".join(show(runs[n]) for n in names) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--compare", type=Path, help="a second source tree, run first")
    args = parser.parse_args(argv)
    runs: dict[str, Figures] = {}
    if args.compare is not None:
        runs[f"`{args.compare}`"] = measure(args.compare.resolve(), args.clients)
    runs["this tree"] = measure(None, args.clients)
    print(report(args.clients, runs))


if __name__ == "__main__":
    main()
