"""What a query worker is handed and what it hands back: the :class:`Job`, its
:class:`Reply` (a long answer's body follows as a :class:`.streams.Stream`), and the rules
a worker answers under (:class:`WorkerOptions`)."""

from __future__ import annotations

import contextlib
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core import FilmgraphError

if TYPE_CHECKING:
    from .streams import Stream

#: Result families and the format the client accepts for each (None: none acceptable).
Formats = dict[str, str | None]


@dataclass(frozen=True)
class Job:
    """One query to answer: its text, the protocol's dataset, and the chosen formats."""

    query: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    formats: Formats = field(default_factory=lambda: {"SELECT": "json", "ASK": "json"})
    #: What the query's relative IRIs resolve against (the engine's default when None).
    base: str | None = None
    #: Seconds the query may run, when fewer than the pool's limit (the entity index's
    #: scans: past them the page says what was not counted).
    time_limit: float | None = None

    @property
    def key(self) -> Hashable:
        """What makes two jobs the same work with the same answer: the query, the dataset,
        the base and the formats (the result cache's key, and :mod:`.inline`'s)."""
        formats = tuple(sorted(self.formats.items()))  # each family once: values never compared
        return (self.query, self.default_graphs, self.named_graphs, self.base, formats)


@dataclass(frozen=True)
class Reply:
    """A worker's answer: a body in ``format``, or the error the query met.

    An answer longer than :data:`.streams.CHUNK` comes as a :class:`.streams.Stream`
    (``stream``), its bytes still being written in the worker (``streamed``), and ``body``
    is empty: its length is known only when it ends.
    """

    body: bytes = b""
    kind: str | None = None
    format: str | None = None
    truncated: bool = False
    error: FilmgraphError | None = None
    streamed: bool = False
    stream: Stream | None = field(default=None, compare=False, repr=False)
    #: CPU seconds the whole answer took to evaluate and write, where it was written.
    cpu_seconds: float = field(default=0.0, compare=False)

    @property
    def status(self) -> int:
        """200, or the error's HTTP status."""
        return 200 if self.error is None else self.error.status

    def read(self) -> bytes:
        """The whole body (read from the worker, for a stream)."""
        if self.stream is None:
            return self.body
        with contextlib.closing(self.stream):
            return b"".join(self.stream)


@dataclass(frozen=True)
class WorkerOptions:
    """The rules a worker answers under: the row cap, the SERVICE allow-list, its memory
    limit, and the User-Agent it sends on SERVICE calls."""

    max_rows: int | None = None
    allowed_services: tuple[str, ...] = ()
    memory_mb: int = 0
    user_agent: str = ""
