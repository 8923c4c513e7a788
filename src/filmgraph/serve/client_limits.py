"""How many queries one client may have in progress at once.

The worker pool shares its workers between queries (a reserve lane keeps cheap queries
answered while slow ones hold every regular worker); this shares them between clients. A
client (an address: the peer's, or the one a trusted proxy forwards) may have ``limit``
queries in progress, running or waiting for a worker; one more is refused at once with
429 Too Many Requests and Retry-After, so that one client sending many queries at once
cannot hold every HTTP thread and every worker while the others wait.

Plain Python (no Flask): ``take(client)`` before a query, ``give_back(client)`` once its
answer is sent (a streamed answer holds its slot until then).
"""

from __future__ import annotations

import threading
from collections import Counter

from ..core import TooManyRequestsError


class ClientLimits:
    """At most ``limit`` queries in progress per client (0: no limit).

    >>> limits = ClientLimits(1)
    >>> limits.take("a")
    >>> try:
    ...     limits.take("a")
    ... except TooManyRequestsError as refused:
    ...     print(refused.status, refused.retry_after)
    429 1
    >>> limits.give_back("a"); limits.in_progress()
    0
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.refused = 0
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    def take(self, client: str) -> None:
        """Count one more query of ``client``'s in progress.

        Raises:
            TooManyRequestsError: it has ``limit`` in progress already.
        """
        if not self.limit:
            return
        with self._lock:
            running = self._running[client]
            if running >= self.limit:
                self.refused += 1
                queries = "query" if running == 1 else "queries"
                raise TooManyRequestsError(
                    f"{client} has {running} {queries} in progress already, as many as one"
                    " client may have (setting client_queries); send the next when one is"
                    " answered"
                )
            self._running[client] = running + 1

    def give_back(self, client: str) -> None:
        """One of ``client``'s queries is over (answered, refused or abandoned)."""
        if not self.limit:
            return
        with self._lock:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]

    def in_progress(self) -> int:
        """Queries in progress, over all clients."""
        with self._lock:
            return sum(self._running.values())
