"""A bounded cache of answers: the dataset never changes while it is served, so the same
query over the same dataset in the same format always gets the same answer.

Least recently used answers go first once the cached bodies pass the size limit. The cache
is thread-safe; ``hits`` and ``misses`` feed ``/metrics``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ResultCache(Generic[V]):
    """An LRU map bounded by the total size its entries are said to have, in bytes.

    >>> cache = ResultCache(max_bytes=10)
    >>> cache.put("a", b"12345", 5); cache.put("b", b"123456", 6)
    >>> cache.get("a") is None, cache.get("b")
    (True, b'123456')
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def put(self, key: Hashable, value: V, size: int) -> None:
        """Keep ``value`` under ``key``, counted as ``size`` bytes (not kept if larger
        than the whole cache)."""
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def __len__(self) -> int:
        return len(self._items)
