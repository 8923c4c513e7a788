"""Queries known to be cheap, answered in the web process: no hop to a worker and back.

Handing a query to a worker process and reading its answer back costs more than answering
a cheap one: of the 0.73 ms of CPU each query of the Balagov mix cost the endpoint, the hop
took about 0.35 ms (the pipe's system calls, waking the worker and the web process again,
pickling), Oxigraph's evaluation and writing 0.18 ms (benchmarks/RESULTS.md, "Cheap queries
in the web process"). So a query a worker has answered quickly is answered by the caller
itself from then on, where that is as safe as in the worker:

- **The store evaluates it the same way in any process, with no Python code and no I/O**:
  Oxigraph's (:attr:`filmgraph.store.BackendSpec.inline`). rdflib's engine runs Python
  under the interpreter lock; a remote store's answer is a network wait.
- **A worker answered it first**, under the time limit, the memory limit and the sandbox,
  in less than ``under`` seconds of CPU time, whole (not streamed) and without error.
- **Its work cannot change from one evaluation to the next**: the data is read-only and
  Oxigraph's evaluation deterministic, and its text names no SERVICE (another server's
  time) and none of RAND, NOW, UUID, STRUUID and BNODE (a random or clock value could
  gate a join), nor has a ``\\u`` escape (which could spell one). The same text, dataset,
  base and formats is the same work again.
- **Its nesting fits the caller's stack** (:data:`.limits.STACK_PER_CHARACTER` a
  character): Oxigraph's parser recurses on it.

A query whose answer here takes more than ten times ``under`` of CPU all the same goes
back to the workers for good, and a warning is logged. A query that fails here, where a
worker answered it, says that the engine here is not the workers': nothing is answered
here from then on, and the error is logged. The 1,000 most recently answered queries are
remembered (and as many that overran). The engine is opened (from the same
:class:`~filmgraph.store.BackendSpec` as the workers', so it holds the same copy of the
data) on a thread when the first query becomes known; until it is open, every query goes
to the workers.
"""

from __future__ import annotations

import logging
import re
import resource
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import replace

from ..query import Engine, remember
from ..store import BackendSpec
from .jobs import Job, Reply, WorkerOptions
from .limits import STACK_PER_CHARACTER
from .worker_process import Sender, write_answer

log = logging.getLogger(__name__)

#: Words whose presence keeps a query in the workers (as whole words, in any case).
UNSTEADY = re.compile(r"(?i)\b(?:SERVICE|RAND|NOW|UUID|STRUUID|BNODE)\b|\\[uU]")
#: How many known-cheap queries are remembered.
KNOWN = 1000
#: How many times ``under`` an answer here may take before its query is forgotten.
OVERRUN = 10


def caller_stack() -> int:
    """Bytes of stack a thread of this process has by default: the main thread's soft
    limit, which glibc gives new threads too (2 MiB assumed where it is unlimited)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    return 2 * 1024 * 1024 if soft == resource.RLIM_INFINITY else int(soft)


def steady(text: str, stack: int) -> bool:
    """Whether the query ``text`` may be answered in this process once known to be cheap:
    no SERVICE, no random or clock function, no ``\\u`` escape, and nesting that fits a
    ``stack`` of that many bytes.

    >>> steady("SELECT * WHERE { ?s ?p ?o } LIMIT 1", 8 * 1024 * 1024)
    True
    >>> steady("SELECT (rand() AS ?r) WHERE {}", 8 * 1024 * 1024)
    False
    >>> steady("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }", 8 * 1024 * 1024)
    False
    """
    return len(text) * STACK_PER_CHARACTER <= stack and UNSTEADY.search(text) is None


class _Kept:
    """A worker's pipe for an answer written here: the reply is kept; a stream is refused
    (the answer was whole in the worker, so it is not the query that was known)."""

    def __init__(self) -> None:
        self.reply: Reply | None = None

    def send(self, message: Reply) -> None:
        self.reply = message

    def send_bytes(self, message: bytes) -> None:
        raise BrokenPipeError("a streamed answer is not answered in the web process")


class Inline:
    """Known-cheap queries over ``spec``'s engine, answered by the caller (see the module):
    :meth:`answer` before a job goes to a worker, :meth:`learn` from each worker's reply.
    ``under``: a worker's CPU seconds under which a query counts as cheap (0: never)."""

    def __init__(self, spec: BackendSpec, options: WorkerOptions, under: float) -> None:
        self.spec = spec
        self.options = options
        self.under = under if spec.inline else 0.0
        self.stack = caller_stack()
        #: Queries answered here, and those forgotten after an answer here overran.
        self.runs = 0
        self.overruns = 0
        self._known: OrderedDict[Hashable, None] = OrderedDict()
        self._overran: OrderedDict[Hashable, None] = OrderedDict()
        self._engine: Engine | None = None
        self._opening = False
        self._lock = threading.Lock()

    def learn(self, job: Job, reply: Reply) -> None:
        """Remember ``job`` as cheap when a worker's ``reply`` says it was (see the module)."""
        if not self.under or reply.error is not None or reply.streamed:
            return
        if reply.cpu_seconds >= self.under or not steady(job.query, self.stack):
            return
        key = job.key
        with self._lock:
            if key in self._overran:
                return
            remember(self._known, key, None, KNOWN)
            opening = self._engine is None and not self._opening
            self._opening = self._opening or opening
        if opening:
            threading.Thread(target=self._open, name="filmgraph-inline-open", daemon=True).start()

    def answer(self, job: Job) -> Reply | None:
        """``job``'s answer written here when it is known to be cheap and the engine is
        open; else None (a worker answers it)."""
        engine = self._engine
        if engine is None or not self._known:
            return None
        key = job.key
        with self._lock:
            if key not in self._known:
                return None
            self._known.move_to_end(key)
        started = time.thread_time()
        kept = _Kept()
        try:
            write_answer(engine, job, Sender(kept, Reply()))
        except Exception:  # not the answer a worker gave: the workers answer every query
            log.exception(
                "a query a worker answered failed in the web process; every query goes to "
                "the workers from now on"
            )
            self.close()
            return None
        seconds = time.thread_time() - started
        if seconds > OVERRUN * self.under:
            log.warning(
                "a query known to be cheap took %.1f ms of CPU in the web process; the workers "
                "answer it from now on",
                seconds * 1000,
            )
            with self._lock:
                self._known.pop(key, None)
                remember(self._overran, key, None, KNOWN)
            self.overruns += 1
        self.runs += 1
        assert kept.reply is not None  # write_answer ends with the reply sent
        return replace(kept.reply, cpu_seconds=seconds)

    def _open(self) -> None:
        try:
            engine = self.spec.open(
                allowed_services=self.options.allowed_services, max_rows=self.options.max_rows
            )
            engine.run("ASK {}")  # anything the first query would load, loaded now
        except Exception:
            log.exception("opening the store in the web process; every query goes to the workers")
            return
        self._engine = engine

    def close(self) -> None:
        """Answer nothing here from now on; the engine is dropped."""
        with self._lock:
            self.under = 0.0
            self._known.clear()
            self._engine = None
