"""A query worker's life, in its own process: open the engine, lock the sandbox, then take
jobs from the pool's pipe and answer each, written as it is evaluated (:class:`Sender`:
a long answer leaves in chunks, read on the web side by :class:`.streams.Stream`)."""

from __future__ import annotations

import io
import os
import signal
import time
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import IO, Any, Protocol, cast

from rdflib import Graph, Literal, URIRef
from rdflib.query import Result

from ..core import FilmgraphError
from ..query import FAMILY, GRAPH, TABULAR, Engine, as_error, format_result, not_acceptable
from ..store import BackendSpec
from . import limits, sandbox
from .jobs import Job, Reply, WorkerOptions
from .streams import CHUNK, DATA, END, FAILED


class Pipe(Protocol):
    """Where a :class:`Sender` sends: a worker's end of its pipe (or, for a query answered
    in the web process, what keeps the reply: :mod:`.inline`)."""

    def send(self, obj: Any) -> None: ...

    def send_bytes(self, buf: Any) -> None: ...


class Sender(io.RawIOBase):
    """Where a worker writes its answer (:meth:`~filmgraph.query.Answer.write`): held until
    it passes :data:`CHUNK` bytes, then sent as it is written: the reply's head
    (``streamed``), then each chunk as a :data:`DATA` message. The pipe holds about one
    chunk, so a client that does not read stops the writing."""

    def __init__(self, conn: Pipe, head: Reply) -> None:
        self.conn = conn
        self.head = head
        self.streaming = False
        #: Whether sending failed (the pool closed the pipe).
        self.pipe_closed = False
        #: The CPU time when the answer was begun (``time.process_time()``): a whole reply
        #: says how much it took (:attr:`Reply.cpu_seconds`).
        self.started = time.process_time()
        self._held = bytearray(DATA)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:  # bytes-like, as io.RawIOBase.write takes
        view = memoryview(data).cast("B")
        size = len(view)
        while len(self._held) - 1 + len(view) > CHUNK:  # a chunk is full: send it
            if not self.streaming:
                self._send(replace(self.head, streamed=True))
                self.streaming = True
            room = CHUNK + 1 - len(self._held)
            self._held += view[:room]
            self._send(self._held)  # the tag and a chunk
            del self._held[1:]
            view = view[room:]
        self._held += view
        return size

    def finish(self) -> None:
        """The answer is written: send it whole, or what is left of it and its end."""
        if not self.streaming:
            cpu = time.process_time() - self.started
            self._send(replace(self.head, body=bytes(self._held[1:]), cpu_seconds=cpu))
            return
        if len(self._held) > 1:
            self._send(self._held)
        self._send(END)

    def fail(self, error: FilmgraphError) -> None:
        """The answer failed: send the error, or cut the stream short with its message."""
        if not self.streaming:
            self._send(Reply(error=error))
        else:
            self._send(FAILED + error.message.encode("utf-8"))

    def _send(self, message: Reply | bytes | bytearray) -> None:
        """Send a reply (pickled) or a message's bytes.

        Raises:
            PipeClosed: the pool closed the pipe.
        """
        try:
            if isinstance(message, Reply):
                self.conn.send(message)
            else:
                self.conn.send_bytes(message)
        except (EOFError, OSError) as exc:
            self.pipe_closed = True
            raise PipeClosed from exc


class PipeClosed(Exception):
    """The worker's pipe is closed: the pool gave up on it."""


def worker_main(
    conn: Connection,
    spec: BackendSpec,
    options: WorkerOptions,
    taken: Any,
    niceness: int = 0,
) -> None:
    """A worker's life: open the engine, lock the sandbox, answer jobs until the pipe closes
    (at ``niceness`` lower CPU priority)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if niceness:
        os.nice(niceness)
    import warnings

    warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's own deprecated calls
    try:
        limits.prepare(options.memory_mb)
        engine = spec.open(allowed_services=options.allowed_services, max_rows=options.max_rows)
        _warm_up()
        limits.install(options.memory_mb, conn, lambda error: Reply(error=error))
        if options.user_agent:
            sandbox.identify(options.user_agent)
        sandbox.install(spec.reachable(options.allowed_services))
    except Exception as exc:  # report any start-up failure to the parent, then leave
        conn.send(f"{type(exc).__name__}: {exc}")
        return
    try:  # the loop on a stack that holds nearly every query: evaluated there, not handed off
        limits.on_roomy_stack(lambda: _loop(engine, conn, taken))
    except MemoryError as exc:  # no room for that stack under the memory limit
        conn.send(f"{type(exc).__name__}: {exc}")


def _loop(engine: Engine, conn: Connection, taken: Any) -> None:
    """Say the worker is ready, then answer jobs until the pipe closes, marking when each
    was taken (``taken``, shared with the pool: its time limit counts from then)."""
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        taken.value = time.monotonic()
        try:
            answer(engine, job, conn)
        except MemoryError:  # its memory may be in any state: the pool replaces it
            return
        except PipeClosed:  # the pool gave up on this worker
            return


def answer(engine: Engine, job: Job, conn: Connection) -> None:
    """Answer one job on ``conn``: the answer in the format the client accepts, written as
    it is evaluated (:class:`Sender`), or the error. Evaluated on a thread whose stack
    holds the query's nesting (:func:`.limits.evaluate`), as Oxigraph evaluates while it
    writes.

    Raises:
        MemoryError: the worker ran out of memory (the error was sent; the worker leaves).
        PipeClosed: the pool gave up on this worker.
    """

    sender = Sender(conn, Reply())

    def reply() -> None:
        try:
            write_answer(engine, job, sender)
        except MemoryError as exc:
            if sender.pipe_closed or as_error(exc).status == 503:  # out of memory: below
                raise
            sender.fail(as_error(exc))  # a reader's size limit (501), no lack of memory
        except Exception as exc:  # rdflib evaluates lazily: failures come from write() too
            if sender.pipe_closed:
                raise PipeClosed from exc
            sender.fail(as_error(exc))

    try:
        limits.evaluate(reply, len(job.query))
    except MemoryError as exc:  # out of memory, or no room for the query's stack
        if not sender.streaming and not sender.pipe_closed:  # mid-answer, the broken pipe says it
            sender.fail(as_error(exc))
        raise


def write_answer(engine: Engine, job: Job, sender: Sender) -> None:
    """Evaluate ``job`` and write its answer to ``sender`` (in a worker, or in the web
    process for a query known to be cheap: :mod:`.inline`)."""
    answer = engine.run(job.query, job.default_graphs, job.named_graphs, base=job.base)
    family = FAMILY[answer.kind]
    fmt = job.formats.get(family)
    if fmt is None:
        raise not_acceptable(family, f"the result of a {answer.kind} query")
    sender.head = Reply(kind=answer.kind, format=fmt, truncated=answer.truncated)
    answer.write(fmt, cast(IO[bytes], sender))  # a backend may write it itself (Oxigraph)
    sender.finish()


def _warm_up() -> None:
    """Import every serializer now: imports read files, which the sandbox then refuses."""
    graph = Graph()
    graph.add((URIRef("urn:a"), URIRef("urn:b"), Literal("c")))
    constructed = Result("CONSTRUCT")
    constructed.graph = graph
    for name in GRAPH:
        format_result(constructed, name)
    selected = Result("SELECT")
    selected.vars = []
    selected.bindings = []
    for name in TABULAR:
        format_result(selected, name)
    asked = Result("ASK")
    asked.askAnswer = True
    format_result(asked, "xml")
