"""Query workers: SPARQL evaluated in processes that can be stopped.

rdflib cannot interrupt a query running in a thread. So every query runs in a worker
process that opens its own engine from the backend's spec
(:meth:`filmgraph.store.Backend.spec`): a query that passes the time limit has its worker
killed and replaced, and its client gets a 503, while the other workers go on serving. A
worker also runs under a memory limit and the :mod:`.sandbox` hook, and serialises its
answer itself, so the web process only moves bytes. The pool shares its workers fairly: a
reserve worker answers cheap queries while slow ones hold every regular worker, and a dead
or frozen worker is found when it does not take a query at once (:class:`WorkerPool`).
A failure is sent back as the error it stands for (:func:`filmgraph.query.as_error`), for
the web layer's one handler to render. A query a worker answered cheaply is answered in
the web process from then on, where that is as safe (:mod:`.inline`).

The pool is plain Python (no Flask): ``WorkerPool(backend.spec()).run(Job(query))``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Generator, Hashable
from dataclasses import dataclass, replace
from typing import Any

from ..core import BusyError, TimeLimitError, UnavailableError
from ..query import remember
from ..store import BackendSpec
from .inline import Inline
from .jobs import Job, Reply, WorkerOptions
from .streams import Stream
from .worker_process import worker_main

log = logging.getLogger(__name__)

#: The lanes of a :class:`WorkerPool`.
REGULAR, RESERVE, HEAVY = "regular", "reserve", "heavy"
#: How much lower than the web process's the CPU priority of the regular and reserve
#: workers is (``nice``). Every query passes through the web process's one event loop,
#: which reads it, hands it to a worker and sends its answer: when the loop waits for the
#: processor, every worker waits for its next query. Below it, the workers run as far as
#: the loop leaves the processor (benchmarks/RESULTS.md, "Cheap queries in the web process;
#: workers below the loop": the Balagov mix's p99 at concurrency 16 went from 25 to 17 ms
#: on 2 cores).
WORKER_NICENESS = 5
#: How much lower the heavy lane's CPU priority is (``nice``): the operating system gives
#: its workers the processor only as far as the web process and the other lanes leave it.
HEAVY_NICENESS = 15
#: Each lane's niceness.
NICENESS = {REGULAR: WORKER_NICENESS, RESERVE: WORKER_NICENESS, HEAVY: HEAVY_NICENESS}


@dataclass(frozen=True)
class _Free:
    """A step waits for a worker to be given back (``seen``: how many had been when it
    looked), ``timeout`` seconds at most."""

    heavy_lane: bool
    seen: int
    timeout: float


@dataclass(frozen=True)
class _Readable:
    """A step waits for the worker's pipe to have something to read, ``timeout`` seconds
    at most."""

    conn: Any
    timeout: float


class _Steps:
    """The steps of answering a job (:meth:`WorkerPool._running`), run by a caller that does
    each wait they yield its own way and resumes them with what came of it."""

    def __init__(self, steps: Generator[_Free | _Readable, bool, Reply]) -> None:
        self._steps = steps
        self.reply: Reply | None = None
        self.wait: _Free | _Readable = _Free(False, -1, 0.0)
        self._go(lambda: next(steps))

    def resume(self, outcome: bool | BaseException) -> None:
        """Go on with the outcome of :attr:`wait` (whether it happened, or the failure
        that ended it), to the next wait or the reply (:attr:`reply`)."""
        if isinstance(outcome, BaseException):
            self._go(lambda: self._steps.throw(outcome))
        else:
            self._go(lambda: self._steps.send(outcome))

    def _go(self, step: Callable[[], _Free | _Readable]) -> None:
        try:
            self.wait = step()
        except StopIteration as done:
            self.reply = done.value

    def close(self) -> None:
        """Stop the steps where they are (their worker is replaced if it has the job)."""
        self._steps.close()


def _settle(future: asyncio.Future[bool], value: bool) -> None:
    if not future.done():
        future.set_result(value)


def _wake(loop: asyncio.AbstractEventLoop, future: asyncio.Future[bool]) -> None:
    """Settle ``future`` on ``loop``: from its own thread at once, from another through
    the loop (which wakes it)."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        _settle(future, True)
    else:
        loop.call_soon_threadsafe(_settle, future, True)


async def _readable(conn: Any, timeout: float) -> bool:
    """Whether ``conn`` has something to read within ``timeout`` seconds, waited for by the
    running event loop.

    Raises:
        OSError: the pipe is closed.
    """
    loop = asyncio.get_running_loop()  # (no poll first: just handed a query, it is not)
    ready: asyncio.Future[bool] = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, _settle, ready, True)
    timer = loop.call_later(timeout, _settle, ready, False)
    try:
        return await ready
    finally:
        timer.cancel()
        loop.remove_reader(fd)


class _Worker:
    def __init__(
        self, context: Any, spec: BackendSpec, options: WorkerOptions, lane: str = REGULAR
    ) -> None:
        self.conn, child = context.Pipe()
        #: When the worker took its job (``time.monotonic()``, one clock for every process
        #: of the machine), set by the worker, cleared (0) by the pool as it hands one over:
        #: shared memory, so taking a job costs no message (and no wake-up) of its own.
        self.taken = context.RawValue("d", 0.0)
        self.process = context.Process(
            target=worker_main,
            args=(child, spec, options, self.taken, NICENESS[lane]),
            daemon=True,
            name=f"filmgraph-query-{lane}",
        )
        self.process.start()
        child.close()
        #: The lane the worker serves in (see :class:`WorkerPool`).
        self.lane = lane
        self._stopping = threading.Lock()
        self._stopped = False

    def wait_ready(self, timeout: float) -> None:
        try:
            if not self.conn.poll(timeout):
                raise UnavailableError(f"a query worker did not start within {timeout:g} s")
            message = self.conn.recv()
        except (EOFError, OSError):
            raise UnavailableError("a query worker exited while starting") from None
        if message != "ready":
            raise UnavailableError(f"a query worker failed to start: {message}")

    def alive(self) -> bool:
        """Whether the process is still running (a frozen one is found when it does not
        take its next job: :meth:`WorkerPool.run`)."""
        return bool(self.process.is_alive())

    def stop(self) -> None:
        """Kill the process and close its pipe, once (the pool's closing and a restart
        thread may both stop the same worker; closing a pipe twice could close another
        file that reused its descriptor)."""
        with self._stopping:
            if self._stopped:
                return
            self._stopped = True
        with contextlib.suppress(Exception):
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class _NeverStarted(Exception):
    """The worker died or froze before it took the job: the job may run elsewhere."""


class WorkerPool:
    """A fixed number of query worker processes over one backend, in three lanes.

    Fair sharing: a query runs on one of the ``size`` regular workers when one is free.
    When none is, and every one of them has been busy with its current query for more
    than ``heavy_after`` seconds (slow queries hold them all), a query waiting for a
    worker takes a worker of the reserve lane instead (``reserve`` of them), where it may
    run for ``reserve_timeout`` seconds only. A query that was stopped at a time limit,
    ran longer than ``heavy_after`` or has a long answer (a :class:`Stream`, which holds its
    worker while the client reads) is remembered as heavy (its text and dataset) and never
    runs on the reserve lane again, so repeated slow queries cannot take the lane
    that cheap queries keep answering on. Nor on the regular lane, when there is a heavy
    lane (``heavy`` workers): a query known to be heavy waits for a worker of that lane,
    whose processes run at a lower CPU priority (:data:`HEAVY_NICENESS`), so that heavy
    queries take only the processor time that cheap ones leave.

    A worker must take a job within ``ack_timeout`` seconds. One that died while idle
    (found before the job is sent), or dies or freezes before it takes the job (the
    query never started), is replaced and the job goes to another worker, up to as many
    times as the pool has workers. Taking a job is marked in memory shared with the pool
    (``_Worker.taken``), not sent: the answer is the only message back, so a query costs
    one process wake-up each way (a ping, then an acknowledgement message, each cost one
    more). A worker given back wakes one waiting query that may take it, not all of them.

    A query a worker answered in less than ``inline_under`` seconds of CPU, and that is as
    safe to answer in this process (:mod:`.inline`), is answered here from then on, by the
    caller's own thread, with no worker: the hop to a worker and back costs more than such
    a query.

    Args:
        spec: what each worker opens its engine from (:meth:`filmgraph.store.Backend.spec`).
        size: how many queries run at once on the regular workers.
        timeout: seconds a query may run before its worker is stopped (and seconds a
            request may wait for a free worker).
        options: the row cap, the SERVICE allow-list and the memory limit per worker.
        reserve: workers of the reserve lane (0: none).
        reserve_timeout: seconds a query may run on the reserve lane (at most ``timeout``).
        heavy: workers of the heavy lane (0: none; heavy queries run on regular workers).
        heavy_after: seconds after which a running query counts as heavy.
        ack_timeout: seconds a worker has to take a job it is handed.
        inline_under: a worker's CPU seconds under which a query counts as cheap
            (answered here from then on, where :attr:`BackendSpec.inline`; 0: never).

    Raises (from :meth:`run`):
        UnavailableError: the query hit the time limit, its worker died, or no worker was
            free in time.
    """

    def __init__(
        self,
        spec: BackendSpec,
        *,
        size: int = 2,
        timeout: float = 10.0,
        options: WorkerOptions | None = None,
        start_timeout: float = 300.0,
        reserve: int = 1,
        reserve_timeout: float = 2.0,
        heavy: int = 1,
        heavy_after: float = 0.25,
        ack_timeout: float = 1.0,
        inline_under: float = 0.0,
    ) -> None:
        self.size = size
        self.timeout = timeout
        self.options = options or WorkerOptions()
        self.start_timeout = start_timeout
        self.reserve = reserve
        self.reserve_timeout = min(reserve_timeout, timeout)
        self.heavy = heavy
        self.heavy_after = heavy_after
        self.ack_timeout = ack_timeout
        self.timeouts = 0
        self.restarts = 0
        self.retries = 0
        self.reserve_runs = 0
        self.heavy_runs = 0
        self.spec = spec
        #: The queries known to be cheap, answered here (:mod:`.inline`).
        self.inline = Inline(spec, self.options, inline_under)
        self._context = multiprocessing.get_context("spawn")
        # Waiters on one lock: queries waiting for a regular (or reserve) worker, and
        # queries known to be heavy waiting for the heavy lane. A worker given back wakes
        # one waiter of those who may take it (waking all of them, most would find it gone).
        waiters = threading.RLock()
        self._changed = threading.Condition(waiters)
        self._heavy_waiting = threading.Condition(waiters)
        self._idle: list[_Worker] = []
        self._spare: list[_Worker] = []
        self._slow_lane: list[_Worker] = []
        self._busy: dict[_Worker, float] = {}  # regular workers: when their query started
        self._heavy: OrderedDict[Hashable, None] = OrderedDict()
        #: Workers given back so far: a waiting step sees whether one was since it looked.
        self._given_back = 0
        #: Callers of :meth:`arun` waiting for a worker: their loop, their future, whether
        #: they wait for the heavy lane.
        self._async_waiting: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[bool], bool]] = []
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False

    def start(self) -> WorkerPool:
        """Start the workers and wait until each has opened its engine (idempotent)."""
        with self._lock:
            if self._started:
                return self
            workers = [self._spawn(REGULAR) for _ in range(self.size)]
            workers += [self._spawn(RESERVE) for _ in range(self.reserve)]
            workers += [self._spawn(HEAVY) for _ in range(self.heavy)]
            try:
                for worker in workers:
                    worker.wait_ready(self.start_timeout)
            except Exception:
                for worker in workers:
                    self._discard(worker)
                raise
            for worker in workers:
                self._release(worker)
            self._started = True
        return self

    @property
    def started(self) -> bool:
        """Whether the workers have been started (they start on the first query)."""
        return self._started

    def alive(self) -> int:
        """How many regular workers are running."""
        return self.lane_alive(REGULAR)

    def lane_alive(self, lane: str) -> int:
        """How many workers of ``lane`` are running."""
        return sum(1 for w in list(self._all) if w.lane == lane and w.process.is_alive())

    def run(self, job: Job) -> Reply:
        """Answer ``job`` in a free worker within the time limit (waiting in this thread),
        or here when it is known to be cheap (:mod:`.inline`)."""
        self.start()
        known = self.inline.answer(job)
        if known is not None:
            return known
        steps = _Steps(self._running(job))
        while steps.reply is None:
            outcome: bool | BaseException
            try:
                outcome = self._wait(steps.wait)
            except (EOFError, OSError) as exc:  # the worker's pipe broke: its step says
                outcome = exc
            steps.resume(outcome)
        self.inline.learn(job, steps.reply)
        return steps.reply

    async def arun(self, job: Job) -> Reply:
        """:meth:`run` for a caller on an asyncio event loop: the same steps, each wait a
        wait of the loop (the worker's pipe watched by the loop, no thread); a query known
        to be cheap answered on the loop itself."""
        self.start()
        known = self.inline.answer(job)
        if known is not None:
            return known
        steps = _Steps(self._running(job))
        try:
            while steps.reply is None:
                outcome: bool | BaseException
                try:
                    outcome = await self._await(steps.wait)
                except (EOFError, OSError) as exc:
                    outcome = exc
                steps.resume(outcome)
            self.inline.learn(job, steps.reply)
            return steps.reply
        finally:
            steps.close()  # cancelled while its worker had the query: the worker is replaced

    def _wait(self, wait: _Free | _Readable) -> bool:
        """Wait as ``wait`` says, in this thread: whether what it waits for happened."""
        if isinstance(wait, _Readable):
            return bool(wait.conn.poll(wait.timeout))
        waiting = self._heavy_waiting if wait.heavy_lane else self._changed
        with waiting:
            if self._given_back == wait.seen:  # none given back since the step looked
                waiting.wait(wait.timeout)
        return True

    async def _await(self, wait: _Free | _Readable) -> bool:
        """Wait as ``wait`` says, on the running event loop."""
        if isinstance(wait, _Readable):
            return await _readable(wait.conn, wait.timeout)
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[bool] = loop.create_future()
        entry = (loop, woken, wait.heavy_lane)
        with self._changed:
            if self._given_back != wait.seen:
                return True
            self._async_waiting.append(entry)
        timer = loop.call_later(wait.timeout, _settle, woken, True)
        try:
            return await woken
        finally:
            timer.cancel()
            with self._changed, contextlib.suppress(ValueError):
                self._async_waiting.remove(entry)

    def _running(self, job: Job) -> Generator[_Free | _Readable, bool, Reply]:
        """The steps of answering ``job``, each wait yielded to the caller's way of waiting
        (:meth:`run`: a thread; :meth:`arun`: an event loop), which sends back whether what
        it waited for happened."""
        key = (job.query, job.default_graphs, job.named_graphs)
        deadline = time.monotonic() + self.timeout
        failed = 0
        while True:
            worker = yield from self._acquiring(deadline, key in self._heavy)
            if not worker.alive():
                log.warning("a query worker died while idle; replacing it")
                self._replace(worker)
                continue
            try:
                return (yield from self._handing(worker, job, key))
            except _NeverStarted:
                log.warning("a query worker stopped or froze before taking a query; replacing it")
                self._replace(worker)
                failed += 1
                if failed >= max(2, self.size + self.reserve + self.heavy):
                    raise UnavailableError(
                        f"{failed} query workers stopped before taking the query; try again later"
                    ) from None
                self.retries += 1

    def _handing(
        self, worker: _Worker, job: Job, key: Hashable
    ) -> Generator[_Readable, bool, Reply]:
        reserve = worker.lane == RESERVE
        lane_limit = self.reserve_timeout if reserve else self.timeout
        limit = lane_limit if job.time_limit is None else min(lane_limit, job.time_limit)
        worker.taken.value = 0.0
        try:
            worker.conn.send(job)
        except OSError:
            raise _NeverStarted from None
        started = time.monotonic()
        if worker.lane == REGULAR:
            with self._changed:
                self._busy[worker] = started
        try:
            # the answer, or at least the worker's taking the job, within the ack bound
            first = min(self.ack_timeout, limit)
            answered = yield _Readable(worker.conn, first)
            taken_at = worker.taken.value
            if not taken_at:  # not even taken: dead (EOF) or frozen
                raise _NeverStarted
            if reserve:
                self.reserve_runs += 1
            elif worker.lane == HEAVY:
                self.heavy_runs += 1
            # the time limit counts from when the worker took the query
            left = taken_at + limit - time.monotonic()
            if not answered and not (yield _Readable(worker.conn, max(0.0, left))):
                self.timeouts += 1
                self._remember_heavy(key)
                self._replace(worker)
                lane = " of the reserve lane (heavy queries wait for a regular worker)"
                which = lane if reserve and limit == lane_limit else ""
                raise TimeLimitError(
                    f"the query was stopped at the time limit{which} of {limit:g} s"
                )
            reply: Reply = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker)
            raise UnavailableError(
                "the query's worker stopped before answering (out of memory?); it has been replaced"
            ) from None
        except GeneratorExit:  # its caller is gone (cancelled) while the worker has the query
            self._replace(worker)
            raise
        if time.monotonic() - started > self.heavy_after:
            self._remember_heavy(key)
        if reply.error is not None and reply.error.status == 503:  # out of memory, leaving
            self._replace(worker)
        elif reply.streamed:  # the body follows as the worker writes it and the client reads
            self._remember_heavy(key)  # its worker is held while the client reads
            return replace(reply, stream=Stream(worker.conn, self.timeout, self._after(worker)))
        else:
            self._release(worker)
        return reply

    def _after(self, worker: _Worker) -> Callable[[bool], None]:
        """What ends a stream from ``worker``: the worker given back, or replaced when the
        stream broke."""

        def done(broken: bool) -> None:
            if broken:
                self._replace(worker)
            else:
                self._release(worker)

        return done

    def _acquiring(self, deadline: float, heavy: bool) -> Generator[_Free, bool, _Worker]:
        """A free regular worker; or, for a query not known to be heavy, a reserve one once
        slow queries hold every regular worker; for a query known to be heavy, a worker of
        the heavy lane when there is one."""
        if heavy and self.heavy:
            who = (
                f"the query ran long before, so it waits for the {self.heavy} worker(s)"
                " of the heavy-query lane, which"
            )
        else:
            who = "the query worker" if self.size == 1 else f"all {self.size} query workers"
        while True:
            with self._changed:
                now = time.monotonic()
                free = self._free(now, heavy)
                if free:
                    return free.pop()
                if now >= deadline:
                    raise BusyError(f"{who} stayed busy for {self.timeout:g} s; try again later")
                seen = self._given_back
            # a reserve worker is taken once every regular one is slow: looked at again
            yield _Free(heavy and bool(self.heavy), seen, min(deadline - now, 0.05))

    def _free(self, now: float, heavy: bool) -> list[_Worker]:
        """The idle workers of the lane a waiting query may take one from now (empty: it
        waits on)."""
        if heavy and self.heavy:
            return self._slow_lane
        if self._idle:
            return self._idle
        if not heavy and self._all_slow(now):
            return self._spare
        return []

    def _all_slow(self, now: float) -> bool:
        return all(now - started > self.heavy_after for started in self._busy.values())

    def _release(self, worker: _Worker) -> None:
        with self._changed:
            self._busy.pop(worker, None)
            {REGULAR: self._idle, RESERVE: self._spare, HEAVY: self._slow_lane}[worker.lane].append(
                worker
            )
            (self._heavy_waiting if worker.lane == HEAVY else self._changed).notify()
            self._given_back += 1
            for entry in self._async_waiting:  # and one waiting on an event loop, as well
                loop, woken, heavy_lane = entry
                if heavy_lane == (worker.lane == HEAVY):
                    self._async_waiting.remove(entry)
                    _wake(loop, woken)
                    break

    def _remember_heavy(self, key: Hashable) -> None:
        with self._changed:
            remember(self._heavy, key, None, 1000)

    def closed(self) -> bool:
        """Whether :meth:`close` has been called (by any thread)."""
        return self._closed

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        self.inline.close()
        for worker in list(self._all):
            self._discard(worker)

    def _spawn(self, lane: str) -> _Worker:
        worker = _Worker(self._context, self.spec, self.options, lane)
        self._all.add(worker)
        return worker

    def _discard(self, worker: _Worker) -> None:
        self._all.discard(worker)
        with self._changed:
            self._busy.pop(worker, None)
        worker.stop()

    def _replace(self, worker: _Worker) -> None:
        """Stop a worker now and start its replacement in the background."""
        self._discard(worker)
        self.restarts += 1
        if self._closed:
            return

        def restart() -> None:
            while not self._closed:
                fresh = self._spawn(worker.lane)
                try:
                    fresh.wait_ready(self.start_timeout)
                except UnavailableError as exc:
                    self._discard(fresh)
                    if not self._closed:
                        log.error("restarting a query worker: %s", exc)
                        time.sleep(1)
                    continue
                if self.closed():  # the pool closed while this worker started
                    self._discard(fresh)
                else:
                    self._release(fresh)
                return

        threading.Thread(target=restart, name="filmgraph-restart", daemon=True).start()
