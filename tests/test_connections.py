"""Connection floods against the real `filmgraph serve` on 127.0.0.1 (issue 22): a
slowloris flood (connections that each send a header line every second, never finishing
their headers) and an idle flood (connections that send nothing) must not keep a normal
client from its answers, and the server must close the attackers' sockets within the
configured deadlines (header_timeout, idle_timeout); past connection_limit, new connections
make room by closing the ones that kept the server waiting longest.

Bounded: at most 300 sockets and about 15 s per flood, all on 127.0.0.1; the servers are
stopped by the tests (SIGTERM, then kill)."""

from __future__ import annotations

import os
import resource
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from browser import FILMGRAPH_SERVE, ROOT, Server, serving

pytestmark = pytest.mark.slow  # real servers and floods, ~45 s

HEADER_TIMEOUT = 3.0
IDLE_TIMEOUT = 2.0
SLACK = 2.5  # the server checks its deadlines every second; the flood looks every 0.25 s
ANSWER_WITHIN = 2.0  # seconds for each of the normal client's answers
ASK = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})


@pytest.fixture(scope="module", autouse=True)
def open_files() -> None:
    """Room for the floods' sockets in this process (within the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    if min(wanted, hard) < 1024:
        pytest.skip(f"needs ~700 open files, the hard limit is {hard}")


def _serve(settings, tmp_path_factory, **env: str) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("server") / "stderr.log"
    environ = {**os.environ, "FILMGRAPH_BUILD_DIR": str(settings.output_dir), **env}
    with serving(FILMGRAPH_SERVE, environ, ROOT, log) as (process, base):
        yield Server(process, base, log)


@pytest.fixture(scope="module")
def guarded(settings, dataset, tmp_path_factory) -> Iterator[Server]:
    """The server with short deadlines and the default connection limit."""
    yield from _serve(
        settings,
        tmp_path_factory,
        FILMGRAPH_HEADER_TIMEOUT=str(HEADER_TIMEOUT),
        FILMGRAPH_IDLE_TIMEOUT=str(IDLE_TIMEOUT),
    )


@pytest.fixture(scope="module")
def crowded(settings, dataset, tmp_path_factory) -> Iterator[Server]:
    """The server with long deadlines and a connection limit of 100 (as waitress's default was),
    so that only the limit's handling keeps it answering."""
    yield from _serve(
        settings,
        tmp_path_factory,
        FILMGRAPH_CONNECTION_LIMIT="100",
        FILMGRAPH_HEADER_TIMEOUT="60",
        FILMGRAPH_IDLE_TIMEOUT="60",
    )


@dataclass
class Flood:
    """``count`` raw sockets to ``port``: each sends the start of a request and then a header
    line every second (``trickle``), or nothing at all; for each, when it was opened (its
    first byte) and when the server closed it (seconds from the flood's start)."""

    port: int
    count: int
    trickle: bool
    seconds: float
    started: float = field(default_factory=time.monotonic)
    opened: list[float] = field(default_factory=list)
    closed: dict[int, float] = field(default_factory=dict)
    ready: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        sockets = []
        try:
            for _ in range(self.count):
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                if self.trickle:
                    sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                sock.setblocking(False)
                sockets.append(sock)
                self.opened.append(time.monotonic() - self.started)
            self.ready.set()
            line, last_line = 0, time.monotonic()
            while time.monotonic() - self.started < self.seconds:
                if self.trickle and time.monotonic() - last_line >= 1:
                    line, last_line = line + 1, time.monotonic()
                for i, sock in enumerate(sockets):
                    if i not in self.closed:
                        self._look(i, sock, line if self.trickle else None)
                if len(self.closed) == len(sockets):
                    break
                time.sleep(0.25)
        finally:
            self.ready.set()
            for sock in sockets:
                sock.close()

    def _look(self, i: int, sock: socket.socket, line: int | None) -> None:
        try:
            if line is not None:
                sock.send(b"X-Line-%d: slow\r\n" % line)
            if sock.recv(4096) == b"":
                self.closed[i] = time.monotonic() - self.started
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:  # reset or broken pipe: closed by the server
            self.closed[i] = time.monotonic() - self.started


def _during(flood: Flood, base: str, requests: int = 3) -> list[float | str]:
    """The flood in a thread, and meanwhile a normal client's ``requests`` queries, one a
    second: each one's seconds to its answer, or the error it got."""
    attacker = threading.Thread(target=flood.run, daemon=True)
    attacker.start()
    assert flood.ready.wait(30)
    assert len(flood.opened) == flood.count
    times: list[float | str] = []
    for _ in range(requests):
        start = time.monotonic()
        try:
            with urllib.request.urlopen(f"{base}/sparql?{ASK}", timeout=5) as answer:
                answer.read()
                assert answer.status == 200
            times.append(round(time.monotonic() - start, 3))
        except OSError as exc:
            times.append(type(exc).__name__)
        time.sleep(max(0.0, 0.5 - (time.monotonic() - start)))
    attacker.join(flood.seconds + 10)
    return times


def _port(server: Server) -> int:
    return int(server.base.rsplit(":", 1)[1])


def _answered(times: list[float | str]) -> bool:
    return all(isinstance(t, float) and t < ANSWER_WITHIN for t in times)


@pytest.mark.parametrize(
    ("trickle", "count", "deadline"),
    [(True, 150, HEADER_TIMEOUT), (False, 300, IDLE_TIMEOUT)],
    ids=["slowloris", "idle"],
)
def test_a_flood_does_not_starve_a_normal_client(guarded, trickle, count, deadline):
    """A slowloris flood is closed at header_timeout, an idle one at idle_timeout."""
    flood = Flood(_port(guarded), count, trickle=trickle, seconds=deadline + 10)
    times = _during(flood, guarded.base)
    assert _answered(times), f"the normal client's answers during the flood: {times}"
    assert len(flood.closed) == flood.count, f"{len(flood.closed)} of {flood.count} closed"
    late = [flood.closed[i] - flood.opened[i] for i in flood.closed]
    assert max(late) < deadline + SLACK, f"closed after up to {max(late):.1f} s"


@pytest.mark.parametrize("trickle", [True, False], ids=["slowloris", "idle"])
def test_past_the_connection_limit_the_longest_waiting_give_way(crowded, trickle):
    """300 attackers against a limit of 100 and 60 s deadlines: new connections are still
    accepted (the normal client's among them) and the oldest attackers closed for them."""
    flood = Flood(_port(crowded), 300, trickle=trickle, seconds=6)
    times = _during(flood, crowded.base)
    assert _answered(times), f"the normal client's answers during the flood: {times}"
    assert len(flood.closed) >= 200 - 3  # the ones beyond the limit, as they came
