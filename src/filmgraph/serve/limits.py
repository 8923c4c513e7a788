"""The limits a query worker runs under, so that a query that needs too much memory or too
deep a stack ends in an error naming the limit (503), never in a dead worker or a 500.

:func:`prepare` (before the worker opens its engine) and :func:`install` (after) set
them once, when the worker starts; :func:`evaluate` runs each query under them.

**Memory.** The worker's address space is capped at ``worker_memory`` MB (``RLIMIT_AS``),
which counts what is reserved, not only what is touched. glibc gives each thread that
allocates a malloc arena of its own, each reserving 64 MB of address space: the Oxigraph
worker held 406 to 865 MB of it after opening the Balagov store (its store's threads each
took an arena, more or fewer from one start to the next), so the room left for a query
varied by 450 MB. With one arena for every thread (:func:`prepare`, ``M_ARENA_MAX``; the
worker evaluates one query at a time, so its threads do not compete for it) the worker
holds 144 MB every time, and 93 MB on the memory store. Where the memory runs out decides
how the failure shows:

- in Python (rdflib's engine, the memory store; our code around every engine), as a
  ``MemoryError``, which :func:`filmgraph.query.as_error` turns into a 503 naming the limit
  (:func:`~filmgraph.query.name_memory_limit`);
- in Oxigraph's Rust code, as an abort: Rust does not raise when an allocation fails, it
  prints ``memory allocation of N bytes failed`` and calls ``abort()`` (measured: building
  a 1.3 GB string under the 4096 MB limit). A Python signal handler would never run (the
  process dies as the C handler returns), so a C-level SIGABRT handler (ctypes) sends the
  pool the same 503, ready-made at start, as the worker's last words, then ends the
  process. The pool replaces a worker that answers 503, as after any ``MemoryError``.

**Stack.** Oxigraph's parser, optimiser and evaluator recurse once per level of nesting
and once per operand of a chain (``1+1+…``, ``{…} UNION {…} UNION …``), and a stack
overflow in Rust code called from Python is a SIGSEGV that kills the worker: on the 8 MiB
stack of a process's main thread, 6,900 terms of ``1+1+…`` (13,800 characters), 4,700
nested parentheses or 2,240 nested groups ``{{…}}`` (4,500 characters) were enough. So
each query runs on a thread of its own whose stack grows with the query's text
(:data:`STACK_PER_CHARACTER`): measured on Oxigraph 0.5 over 25 kinds of nesting and
chains, with stacks of 8 and 64 MiB, the deepest use is 1.93 KiB of stack per character
of the query (nested groups; nested ``CONCAT``/``COALESCE`` 0.8 to 0.9 KiB, parentheses
0.9 KiB, ``1+1+…`` 0.6 KiB, ``UNION``/``OPTIONAL`` chains 0.15 KiB), and it grows linearly.
A stack is address space the query may use, so it counts in ``worker_memory``: a stack the
limit has no room for is the query needing more than the limit (503). rdflib recurses in
Python, where Python's recursion limit stops it; but the memory store then asks Oxigraph's
parser whether the query is valid (a 501 if so, :func:`filmgraph.query.valid_elsewhere`),
which killed its workers too, at 5,000 nested parentheses, until it ran on this thread.
A worker's whole loop runs on a thread of the smallest stack, which nearly every query
gets (:func:`on_roomy_stack`), and evaluates those queries itself: starting a thread for
each query cost 110 µs of CPU and 0.76 ms of wall time on a busy machine (the new thread
waits to be scheduled, then to be joined), and handing each query to a kept thread and
back, a quarter of a worker's CPU time on the Balagov mix (two thread wake-ups).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import resource
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any, TypeVar

from ..core import FilmgraphError, SettingError, settings_help
from ..query import as_error, name_memory_limit

T = TypeVar("T")

#: Bytes of stack a query's thread gets per character of its text (about 1.5 times the
#: most measured, see above): 300 MiB for a query of 100,000 characters.
STACK_PER_CHARACTER = 3 * 1024
#: The smallest stack a query's thread gets (a short query: as a process's main thread
#: has, and then some).
MIN_STACK = 32 * 1024 * 1024
#: Megabytes ``worker_memory`` must leave beyond what the worker holds when it starts
#: (its store, its libraries): a query's smallest stack, with room to spare.
MIN_HEADROOM_MB = 128

_MB = 1024 * 1024
#: glibc's mallopt() parameter for the most malloc arenas (malloc.h).
_M_ARENA_MAX = -8

#: While a query is being evaluated (the SIGABRT handler speaks only then).
_evaluating = threading.Event()
#: The installed SIGABRT handler, kept alive (ctypes would free it).
_handlers: list[Any] = []


def prepare(memory_mb: int) -> None:
    """Before a worker under a memory limit of ``memory_mb`` MB (0: none) opens its engine:
    one malloc arena for all its threads (glibc's ``M_ARENA_MAX``; nothing elsewhere), so
    that what it holds of the limit is the same from one start to the next."""
    if not memory_mb or platform.libc_ver()[0] != "glibc":
        return
    libc = ctypes.CDLL(None)
    libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    libc.mallopt(_M_ARENA_MAX, 1)


def install(memory_mb: int, conn: Connection, reply: Callable[[FilmgraphError], object]) -> None:
    """Put this query worker under its limits: its address space at ``memory_mb`` MB
    (0: no limit), every MemoryError named as that limit, and, when Oxigraph's Rust code
    aborts for want of memory while a query is evaluated, the same error sent on ``conn``
    as ``reply(error)`` before the process ends. Called once, when the worker starts, after
    its engine is open (a worker's process only: the limit cannot be raised again).

    Raises:
        SettingError: ``memory_mb`` leaves less than :data:`MIN_HEADROOM_MB` beside what
            the worker already holds (every query would fail).
    """
    if not memory_mb:
        return
    env = next(s.env for s in settings_help() if s.name == "worker_memory")
    named = f"the worker's memory limit of {memory_mb} MB (setting worker_memory, env {env})"
    held = _address_space_mb()
    if held is not None and held + MIN_HEADROOM_MB > memory_mb:
        raise SettingError(
            f"worker_memory: {memory_mb} MB leaves no room for queries: a worker holds "
            f"{held} MB (its store and libraries) before its first query; set it to at "
            f"least {held + MIN_HEADROOM_MB} MB (env {env})"
        )
    name_memory_limit(named)
    _last_words(conn, bytes(ForkingPickler.dumps(reply(as_error(MemoryError())))))
    limit = memory_mb * _MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


Outcome = tuple[bool, Any]  # (True, the result) or (False, the exception raised)


def _outcome(call: Callable[[], Any]) -> Outcome:
    try:
        return True, call()
    except BaseException as exc:  # raised again in the caller's thread
        return False, exc


def _started(
    target: Callable[[], None], stack: int, name: str = "filmgraph-query"
) -> threading.Thread:
    """A daemon thread running ``target`` on a stack of ``stack`` bytes, started.

    Raises:
        MemoryError: no room for the stack.
    """
    thread = threading.Thread(target=target, name=name, daemon=True)
    previous = threading.stack_size(stack)
    try:
        thread.start()
    except RuntimeError as exc:  # "can't start new thread": no room for its stack
        raise MemoryError(f"no room for a stack of {stack // _MB} MB") from exc
    finally:
        threading.stack_size(previous)
    return thread


#: The threads of :data:`MIN_STACK` running a worker's loop (:func:`on_roomy_stack`).
_roomy: set[int] = set()


def on_roomy_stack(loop: Callable[[], None], name: str = "filmgraph-worker") -> None:
    """Run ``loop`` (a worker's life: taking jobs and answering them) on a thread of
    :data:`MIN_STACK` named ``name``, and wait for it to end. The queries it evaluates that
    fit that stack are evaluated on that thread itself (:func:`evaluate`): no hand-off to
    another thread and back for each query.

    Raises:
        MemoryError: no room for the thread's stack.
    """

    def roomy() -> None:
        _roomy.add(threading.get_ident())
        try:
            loop()
        finally:
            _roomy.discard(threading.get_ident())

    _started(roomy, MIN_STACK, name).join()


def evaluate(call: Callable[[], T], length: int) -> T:
    """``call()``, evaluating a query of ``length`` characters, on a thread whose stack
    holds the query's deepest nesting (:data:`STACK_PER_CHARACTER`), under the SIGABRT
    handler of :func:`install`; its result, or its exception raised again here. A query
    that fits the smallest stack is evaluated right here when this is a worker's loop
    (:func:`on_roomy_stack`); any other on a thread of its own.

    Raises:
        MemoryError: the memory limit leaves no room for the thread's stack.
    """
    stack = max(MIN_STACK, length * STACK_PER_CHARACTER)
    stack = -(-stack // _MB) * _MB  # whole megabytes (threads of one size reuse stacks)
    _evaluating.set()
    try:
        if stack == MIN_STACK and threading.get_ident() in _roomy:
            return call()
        outcome: list[Outcome] = []
        _started(lambda: outcome.append(_outcome(call)), stack).join()
        done, value = outcome[0]
    finally:
        _evaluating.clear()
    if not done:
        raise value
    return value  # type: ignore[no-any-return]  # call()'s result, a T


def _address_space_mb() -> int | None:
    """The megabytes of address space this process holds (None where /proc cannot say)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") // _MB


def _last_words(conn: Connection, message: bytes) -> None:
    """On SIGABRT while a query is evaluated, send ``message`` (a pickled reply) on
    ``conn``, as :meth:`Connection.send` would, and end the process; otherwise let the
    abort go on. A C-level handler (ctypes), since Python's handlers run only once the C
    handler has returned, and ``abort()`` ends the process then."""

    def on_abort(signum: int) -> None:
        if not _evaluating.is_set():
            return
        try:
            with contextlib.suppress(Exception):
                conn.send_bytes(message)
        finally:
            os._exit(1)

    handler_type = ctypes.CFUNCTYPE(None, ctypes.c_int)
    handler = handler_type(on_abort)
    libc = ctypes.CDLL(None)
    libc.signal.restype = ctypes.c_void_p
    libc.signal.argtypes = [ctypes.c_int, handler_type]
    libc.signal(signal.SIGABRT, handler)
    _handlers.append(handler)
