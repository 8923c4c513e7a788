"""Long answers are streamed from their worker as it writes them and the client reads them
(issue 22; chunked, issue 21): the web process holds a bounded part of each, nothing is
spooled to temporary files, and a client that stops reading is cut off after idle_timeout,
giving its worker back. With no row cap, the worker holds none of it either.

Bounded: one server on 127.0.0.1 with at most 9 sockets, about 20 s; stopped by the test."""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from browser import FILMGRAPH_SERVE, ROOT, Server, serving
from filmgraph.serve import Job, WorkerOptions, WorkerPool
from filmgraph.serve.jobs import Reply
from filmgraph.serve.streams import CHUNK
from filmgraph.serve.worker_process import Sender

# Every pair of the default graph's triples: megabytes of JSON at the row cap below.
PAIRS = "SELECT ?a ?b ?c ?d ?e ?f WHERE { ?a ?b ?c . ?d ?e ?f }"
ROWS = 100_000  # more than the pairs: every one is in the answer
ASK = "ASK { fgid:kantemir-balagov a schema:Person }"
IDLE_TIMEOUT = 2.0


@pytest.fixture
def pool(backend) -> Iterator[WorkerPool]:
    workers = WorkerPool(backend.spec(), size=1, timeout=20.0, options=WorkerOptions(max_rows=ROWS))
    workers.start()
    yield workers
    workers.close()


@pytest.mark.every_store
def test_a_long_answer_comes_in_chunks_equal_to_the_engines_own(pool, backend):
    reply = pool.run(Job(PAIRS))
    assert reply.streamed and reply.stream is not None and reply.body == b""
    chunks = list(reply.stream)
    assert len(chunks) > 1 and max(len(c) for c in chunks) <= CHUNK
    body = b"".join(chunks)
    assert len(body) == reply.stream.received
    rows = json.loads(body)["results"]["bindings"]
    assert len(rows) > 60_000 and not reply.truncated
    engine = backend.spec().open(max_rows=ROWS)
    own = json.loads(engine.run(PAIRS).body("json"))["results"]["bindings"]
    assert _sorted(rows) == _sorted(own)  # the engine's answer, every row (in any order)
    assert len(pool._idle) == 1 and pool.restarts == 0  # the worker is back


def _sorted(rows: list[dict[str, dict[str, str]]]) -> list[str]:
    """The rows in one order, blank nodes as one (each process labels its own)."""
    same = ({k: v if v["type"] != "bnode" else {} for k, v in row.items()} for row in rows)
    return sorted(json.dumps(row, sort_keys=True) for row in same)


@pytest.mark.every_store
def test_a_stream_closed_early_gives_its_worker_back_for_the_next_query(pool):
    reply = pool.run(Job(PAIRS))
    assert reply.stream is not None
    next(iter(reply.stream))
    reply.stream.close()  # the client left after one chunk
    reply.stream.close()  # closing twice is harmless
    assert len(pool._idle) == 1 and pool.restarts == 0
    again = pool.run(Job(ASK))
    assert again.stream is None and not again.streamed and b"true" in again.body


@pytest.mark.every_store
def test_short_answers_come_whole(pool):
    reply = pool.run(Job(ASK))
    assert reply.stream is None and not reply.streamed and reply.read() == reply.body


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _spooled(pid: int) -> list[str]:
    """The deleted files the process holds open (waitress, the server before, spooled to
    unlinked temp files), but for multiprocessing's shared memory (``pym-*``, in /dev/shm or
    a temporary folder: the arena of the workers' small shared flags, never an answer)."""
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.endswith("(deleted)") and "/pym-" not in target:
            found.append(target)
    return found


@pytest.fixture(scope="module")
def server(settings, dataset, tmp_path_factory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("server") / "stderr.log"
    environ = {
        **os.environ,
        "FILMGRAPH_BUILD_DIR": str(settings.output_dir),
        "FILMGRAPH_MAX_ROWS": str(ROWS),
        "FILMGRAPH_IDLE_TIMEOUT": str(IDLE_TIMEOUT),
        "FILMGRAPH_RESULT_CACHE": "0",
    }
    with serving(FILMGRAPH_SERVE, environ, ROOT, log) as (process, base):
        yield Server(process, base, log)


def _get(base: str, query: str, timeout: float = 20.0) -> tuple[Message, bytes]:
    """The answer's headers (names case-insensitive, RFC 9110 5.1) and body."""
    url = f"{base}/sparql?{urllib.parse.urlencode({'query': query})}"
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.headers, response.read()


@pytest.mark.slow
def test_a_long_answer_over_http_comes_chunked_with_every_row(server):
    headers, body = _get(server.base, PAIRS)
    assert headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in headers
    assert len(json.loads(body)["results"]["bindings"]) > 60_000
    headers, short = _get(server.base, ASK)  # a short answer comes whole, with its length
    assert int(headers["Content-Length"]) == len(short) and b"true" in short


def _non_reader(port: int) -> socket.socket:
    """A client that asks for the long answer and then reads nothing."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills at once
    sock.connect(("127.0.0.1", port))
    path = f"/sparql?{urllib.parse.urlencode({'query': PAIRS})}"
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n".encode())
    return sock


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes ``sock`` within ``within`` seconds (read what it sent)."""
    sock.settimeout(0.5)
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            if not sock.recv(1 << 20):
                return True
        except TimeoutError:
            continue
        except OSError:  # reset: closed with unread data
            return True
    return False


@pytest.mark.slow
def test_clients_that_never_read_hold_no_copies_and_are_cut_off(server):
    pid = server.process.pid
    port = int(urllib.parse.urlsplit(server.base).port or 0)
    _, body = _get(server.base, PAIRS)  # warm: the answer's size, the process's pages
    before = _rss_kb(pid)
    readers = [_non_reader(port) for _ in range(8)]
    try:
        time.sleep(1.0)  # each of the three workers streams into a client that reads nothing
        assert _spooled(pid) == []  # nothing waits in temporary files
        grown_mb = (_rss_kb(pid) - before) / 1024
        # bounded by what is unread per client (1 MB) and a chunk, never the answers
        assert grown_mb < 8 * len(body) / 1e6 / 4, grown_mb
        started = time.monotonic()
        _, answer = _get(server.base, ASK, timeout=10)
        assert b"true" in answer
        asked = time.monotonic() - started
        assert asked < IDLE_TIMEOUT + 2.5, asked  # not behind the stalled answers
        assert all(_closed_by_server(s, 4 * (IDLE_TIMEOUT + 1.5)) for s in readers)
    finally:
        for sock in readers:
            sock.close()
    _, again = _get(server.base, PAIRS)
    assert again == body  # the workers were given back whole


@pytest.mark.slow
def test_clients_gone_mid_answer_leave_the_workers_serving(server):
    port = int(urllib.parse.urlsplit(server.base).port or 0)
    for _ in range(4):  # more than the workers: each must have been given back
        sock = _non_reader(port)
        sock.settimeout(10)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")  # the answer has begun
        sock.close()  # and the client leaves
    started = time.monotonic()
    _, answer = _get(server.base, ASK, timeout=10)
    assert b"true" in answer
    assert time.monotonic() - started < IDLE_TIMEOUT, "a worker still streams to no one"
    _, again = _get(server.base, PAIRS)
    assert len(json.loads(again)["results"]["bindings"]) > 60_000


def test_a_worker_sends_what_is_written_in_chunks_as_it_is_written():
    ours, theirs = multiprocessing.Pipe()
    messages: list[bytes] = []

    def read() -> None:
        while not messages or messages[-1] != b"E":  # the end of the answer
            messages.append(ours.recv_bytes())

    reader = threading.Thread(target=read)
    reader.start()
    sender = Sender(theirs, Reply(kind="SELECT", format="json"))
    data = os.urandom(3 * CHUNK + 123)
    for start, end in ((0, 10), (10, CHUNK + 5), (CHUNK + 5, CHUNK + 6), (CHUNK + 6, len(data))):
        sender.write(data[start:end])  # small writes held, a large one split
    sender.finish()
    reader.join(10)
    head = pickle.loads(messages[0])
    assert head.streamed and (head.kind, head.format, head.body) == ("SELECT", "json", b"")
    chunks = messages[1:-1]
    assert all(c[:1] == b"D" and len(c) <= CHUNK + 1 for c in chunks) and len(chunks) == 4
    assert b"".join(c[1:] for c in chunks) == data
    short = Sender(theirs, Reply(kind="ASK", format="json"))
    short.write(b"true")
    short.finish()  # shorter than a chunk: one reply, whole
    assert ours.recv() == Reply(b"true", "ASK", "json")
