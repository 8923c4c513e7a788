"""A long answer on its way from a query worker, read by the web process a chunk at a time
as the client takes it (:class:`Stream`; the worker's side is
:class:`.worker_process.Sender`): the pipe holds about one chunk, so a client that reads
slowly slows the worker's writing."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection

from ..core import UnavailableError

#: Answers longer than this many bytes leave their worker in chunks of this size, as the
#: worker writes them and the client reads them (:class:`Stream`); shorter ones come whole.
CHUNK = 256 * 1024

#: The first byte of each message of a streamed answer: a chunk of the body, the end of
#: the body, or the failure that cut it short (its message follows). Anything else (the
#: SIGABRT handler's last words, :mod:`.limits`) means the worker broke.
DATA, END, FAILED = b"D", b"E", b"F"


class Stream:
    """A long answer still in its worker, read a chunk at a time as the worker writes it and
    the client takes it.

    The web process holds one chunk at a time and the worker one more: a client that reads
    slowly slows the worker's writing (back-pressure) instead of the answer piling up in
    memory or in temporary files. Once the last chunk is read, ``done(broken)`` is called,
    once: the pool takes the worker back, or replaces it if the stream broke. Closed before
    that (the client left, or was cut off for not reading), the stream reads the rest and
    drops it, so the worker can take the next query; a worker that sends nothing on
    ``conn`` for ``timeout`` seconds breaks the stream. An answer whose writing fails after its
    first chunk was sent raises :class:`~filmgraph.core.UnavailableError` where it stops
    (the HTTP response is then cut short: its status was sent with the first chunk).
    """

    def __init__(self, conn: Connection, timeout: float, done: Callable[[bool], None]) -> None:
        #: Bytes of the body received so far.
        self.received = 0
        self._conn = conn
        self._timeout = timeout
        self._done = done
        self._ended = False
        self._broken = False
        self._closed = False
        self._closing = threading.Lock()

    def __iter__(self) -> Iterator[bytes]:
        try:
            while not self._ended:
                chunk = self._next()
                if chunk:
                    yield chunk
        except UnavailableError:
            self.close()  # the worker goes back (or is replaced) at once
            raise
        self.close()

    def _next(self) -> bytes:
        """The next chunk; b"" at the end.

        Raises:
            UnavailableError: the worker stopped sending, broke, or its answer failed.
        """
        conn = self._conn
        try:
            if conn.poll(self._timeout):
                message: bytes = conn.recv_bytes()
                tag = message[:1]
                if tag == DATA:
                    self.received += len(message) - 1
                    return message[1:]
                if tag in (END, FAILED):
                    self._ended = True
                    if tag == FAILED:
                        said = message[1:].decode("utf-8", "replace")
                        raise UnavailableError(
                            f"the answer failed after {self.received} bytes: {said}"
                        )
                    return b""
        except (EOFError, OSError):
            pass
        self._ended = self._broken = True
        raise UnavailableError("the query's worker stopped while sending the answer")

    def close(self) -> None:
        """Give the worker back (reading what is left of the answer first), once."""
        with self._closing:
            if self._closed:
                return
            self._closed = True
        with contextlib.suppress(UnavailableError):
            while not self._ended:
                self._next()
        self._done(self._broken)
