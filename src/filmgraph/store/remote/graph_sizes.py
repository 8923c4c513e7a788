"""The sizes of the graphs a remote store holds, counted when first needed.

Counting a graph is a scan of it in the store: at 1M asserted triples (2M with the
inferred), the one COUNT query took 2.6 s on Oxigraph, so about 25 s at 10M. ``serve
--store remote:URL`` and the command line need only which graphs the store holds (a query
of ``FILTER EXISTS``, at once whatever their size); the sizes, which the downloads page,
the service description and VoID show, are counted by the first of them that asks, once.
``/health`` says which are known (:meth:`GraphSizes.known`) without counting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping

from rdflib import URIRef


class GraphSizes(Mapping[URIRef, int]):
    """The graphs ``names`` (known now) with their triple counts, which ``count`` gives
    (called once, by the first reader of a size; a count that failed, the store not
    answering, is tried again by the next).

    Raises (from reading a size):
        UpstreamError: the store did not answer the count (as ``count`` raises it).
    """

    def __init__(self, names: Iterable[URIRef], count: Callable[[], Mapping[str, int]]) -> None:
        self._names = list(dict.fromkeys(names))
        self._count = count
        self._sizes: dict[URIRef, int] | None = None
        self._lock = threading.Lock()

    def _counted(self) -> dict[URIRef, int]:
        with self._lock:  # one count, whoever asks first; the others wait for it
            if self._sizes is None:
                counts = self._count()
                self._sizes = {name: int(counts.get(str(name), 0)) for name in self._names}
            return self._sizes

    def __getitem__(self, name: URIRef) -> int:
        if name not in self._names:
            raise KeyError(name)
        sizes = self._sizes
        return (sizes if sizes is not None else self._counted())[name]

    def __iter__(self) -> Iterator[URIRef]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def known(self) -> dict[URIRef, int | None]:
        """Each graph's size if counted yet, else None, without waiting."""
        sizes = self._sizes or {}
        return {name: sizes.get(name) for name in self._names}
