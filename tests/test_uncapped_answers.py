"""With no row cap (``max_rows`` 0), a SELECT answer is written as it is evaluated or read
from a remote store: no process holds it whole (issue 21). With a cap, a remote store's
answer is read up to the cap and no further.

Bounded: a stub store on 127.0.0.1 (a thread, stopped by its fixture) and query workers
stopped by their pools."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from filmgraph.core import Settings, UnavailableError, UpstreamError
from filmgraph.serve import Job, WorkerOptions, WorkerPool
from filmgraph.store.remote import RemoteSpec, endpoints
from filmgraph.store.remote.client import RemoteStore
from filmgraph.store.remote.engine import RemoteEngine
from stub_http import serving

#: Every pair of the default graph's triples: some 26 MB of SPARQL JSON.
PAIRS = "SELECT ?a ?b ?c ?d ?e ?f WHERE { ?a ?b ?c . ?d ?e ?f }"
ASK = "ASK { ?s ?p ?o }"
GRAPH = "https://w3id.org/filmgraph/graph/asserted"


def _peak_kb(pid: int) -> int:
    """The process's peak resident memory (VmHWM), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.mark.every_store(remote=True)
def test_with_no_cap_a_worker_holds_none_of_a_long_answer(backend):
    if backend.name == "memory":
        pytest.skip("rdflib's engine makes its whole result before it is written")
    pool = WorkerPool(backend.spec(), size=1, reserve=0, heavy=0, timeout=60.0)
    try:
        pool.start()
        assert b"true" in pool.run(Job(ASK)).read()  # the worker's first query, warm
        (worker,) = pool._all
        before = _peak_kb(worker.process.pid)
        reply = pool.run(Job(PAIRS))
        assert reply.streamed and not reply.truncated
        body = reply.read()
        grown_mb = (_peak_kb(worker.process.pid) - before) / 1024
    finally:
        pool.close()
    rows = json.loads(body)["results"]["bindings"]
    assert len(rows) > 60_000
    # a chunk and the engine's own working memory, never the 26 MB answer (it held two
    # or three copies of it: the store's body, its rows as TSV and the body written)
    assert grown_mb < len(body) / 1e6 / 4, (grown_mb, len(body))


# A stub store: a SPARQL JSON answer of ROWS rows, broken after them when ``broken``.
ROWS = 20_000


class _Stub:
    def __init__(self) -> None:
        self.broken = False

    def body(self) -> Iterator[bytes]:
        yield b'{"head":{"vars":["n"]},"results":{"bindings":['
        for n in range(ROWS):
            comma = b"," if n else b""
            yield comma + b'{"n":{"type":"literal","value":"%d"}}' % n
        yield b",{oops" if self.broken else b"]}}"


@pytest.fixture
def stub() -> Iterator[tuple[_Stub, str]]:
    state = _Stub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            try:
                for piece in state.body():
                    self.wfile.write(piece)
            except OSError:  # the client closed the answer before its end
                pass

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as base:
        yield state, f"{base}/query"


def _engine(url: str, max_rows: int | None) -> RemoteEngine:
    store = RemoteStore(endpoints(url), timeout=10)
    return RemoteEngine(store, graphs=[GRAPH], max_rows=max_rows)


def test_with_no_cap_the_store_s_rows_are_written_as_they_are_read(stub):
    state, url = stub
    answer = _engine(url, None).run("SELECT ?n WHERE { ?s ?p ?n }")
    written = io.BytesIO()
    answer.write("csv", written)
    assert written.getvalue().split() == [b"n", *(b"%d" % n for n in range(ROWS))]
    state.broken = True  # the store's answer breaks after its rows
    answer = _engine(url, None).run("SELECT ?n WHERE { ?s ?p ?n }")
    written = io.BytesIO()
    with pytest.raises(UpstreamError, match="the answer is not SPARQL results") as failed:
        answer.write("csv", written)
    assert failed.value.status == 502 and url in str(failed.value)
    assert len(written.getvalue().split()) > ROWS / 2  # its rows went on as they came


def test_with_a_cap_the_store_s_answer_is_read_up_to_it(stub):
    state, url = stub
    state.broken = True  # past the rows read, nothing is read: the break is never seen
    answer = _engine(url, 100).run("SELECT ?n WHERE { ?s ?p ?n }")
    assert answer.truncated and len(answer) == 100
    assert answer.body("csv").split()[1:] == [b"%d" % n for n in range(100)]
    # a cap above the rows reads the whole answer, and the break is the store's error
    with pytest.raises(UpstreamError, match="the answer is not SPARQL results"):
        _engine(url, ROWS + 1).run("SELECT ?n WHERE { ?s ?p ?n }")


def test_a_stream_broken_midway_is_cut_short_and_its_worker_serves_on(stub):
    state, url = stub
    state.broken = True
    spec = RemoteSpec(endpoints(url), (GRAPH,), 10.0, "filmgraph-test")
    pool = WorkerPool(spec, size=1, reserve=0, heavy=0, timeout=20.0, options=WorkerOptions())
    try:
        reply = pool.run(Job("SELECT ?n WHERE { ?s ?p ?n }"))
        assert reply.streamed and reply.stream is not None  # its first chunk was sent
        received = []
        with pytest.raises(UnavailableError, match=r"the answer failed after .* not SPARQL"):
            for chunk in reply.stream:
                received.append(chunk)
        assert received and reply.stream.received == sum(map(len, received))
        state.broken = False
        again = pool.run(Job("SELECT ?n WHERE { ?s ?p ?n }", formats={"SELECT": "csv"}))
        assert again.read().split()[-1] == b"%d" % (ROWS - 1)
        assert pool.restarts == 0  # the same worker: a store's failure does not break it
    finally:
        pool.close()


def test_max_rows_0_is_no_cap():
    assert Settings(max_rows=0).row_cap is None and Settings(max_rows=7).row_cap == 7
    with pytest.raises(Exception, match="max_rows"):
        Settings(max_rows=-1)


class _Trickle:
    """A store's answer read a few bytes at a time, as a network gives it."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.step, self.at = data, step, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.at + min(size, 1 + self.at % self.step)
        given, self.at = self.data[self.at : end], min(end, len(self.data))
        return given


@pytest.mark.parametrize("step", [1, 7, 100, 5000])
def test_virtuoso_s_blank_nodes_are_relabelled_as_they_are_read(step):
    import pyoxigraph as ox

    from filmgraph.store.remote.engine import BlankLabels

    row = (
        '{ "s": { "type": "bnode", "value": "nodeID://b%d" }, '
        '"l": { "type": "literal", "value": "nodeID://b1 \\"type\\": \\"bnode\\"" } }'
    )
    rows = ", ".join(row % n for n in range(3000))
    head = '{ "head": { "vars": ["s", "l"] }, "results": { "bindings": [ '
    data = (head + rows + " ] } }").encode()
    with pytest.raises(SyntaxError):  # as Virtuoso writes them, Oxigraph refuses the labels
        list(ox.parse_query_results(data, ox.QueryResultsFormat.JSON))
    relabelled, read = BlankLabels(_Trickle(data, step)), b""  # type: ignore[arg-type]
    while chunk := relabelled.read(1024):
        assert len(chunk) <= 1024  # no more than asked for, as a file gives
        read += chunk
    blank = b'"type": "bnode", "value": "nodeID'
    assert read == data.replace(blank + b"://", blank + b"_")
    again = BlankLabels(_Trickle(data, step))  # type: ignore[arg-type]
    assert again.read(1000) + again.read() == read  # a part, then all that is left
    assert again.read(10) == b""
    solutions = list(ox.parse_query_results(read, ox.QueryResultsFormat.JSON))
    assert len({s["s"] for s in solutions}) == 3000  # each blank node its own
    assert solutions[5]["l"].value == 'nodeID://b1 "type": "bnode"'  # a string is not changed
