"""The one seam for where the built dataset lives and how queries reach it.

A :class:`Backend` is opened once, by the name the ``store`` setting gives it
(:func:`filmgraph.store.open_backend`), and then gives everything above it what it needs:

- :meth:`Backend.engine`: an engine to run queries on in this process (the CLI's, a
  notebook's);
- :meth:`Backend.spec`: a small picklable :class:`BackendSpec` from which a query worker
  process opens its own engine (and learns which URLs its sandbox may let through);
- :attr:`Backend.dataset`: the rdflib dataset the pages, ``/explain``, the data documents
  and the exports read;
- :attr:`Backend.graphs`: the graphs it holds, with their sizes;
- :attr:`Backend.cacheable`: whether its answers may be kept and served again.

A backend is handed the build it is to hold as a :class:`Build`, which makes the dataset
(or its N-Quads) only when asked: a store that already holds the current build, or a remote
store, never builds. The pipeline (:mod:`filmgraph.pipeline`) makes the :class:`Build`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import ClassVar, Protocol

from rdflib import Dataset, URIRef

from ..core import Settings, Steps
from ..query import Engine


class Build(Protocol):
    """The build a backend is opened on, made only when the backend asks for it."""

    #: The fingerprint of the inputs the build is made from (None: a build that is not
    #: kept, because the cache is off or the checks were skipped).
    key: str | None

    def dataset(self) -> Dataset:
        """The build in memory: made (or read from the cache) on the first call."""
        ...

    def nquads(self) -> AbstractContextManager[Path]:
        """A file of N-Quads holding the build, while the context lasts (the cache file
        when it holds the build, else one written for the occasion)."""
        ...


class BackendSpec(ABC):
    """What a query worker process needs to open a backend's engine: picklable (it is sent
    to the process), and small (the memory store's is its N-Quads)."""

    #: Whether a query known to be cheap may be answered in the web process, over an
    #: engine opened there from this spec (:mod:`filmgraph.serve.inline`): true where the
    #: engine evaluates it the same way in any process, without Python code or I/O.
    inline: ClassVar[bool] = False

    @abstractmethod
    def open(self, *, allowed_services: Iterable[str] = (), max_rows: int | None = None) -> Engine:
        """The engine, under the rules every engine shares (SERVICE allow-list, row cap)."""

    def reachable(self, allowed_services: Iterable[str]) -> tuple[str, ...]:
        """The URLs a worker's sandbox lets it reach: the SERVICE allow-list by default."""
        return tuple(allowed_services)


class Backend(ABC):
    """Where the built dataset lives; see the module's documentation."""

    #: The name the ``store`` setting gives it (:data:`filmgraph.core.settings.STORES`).
    name: ClassVar[str]
    #: Whether answers may be kept and served again: true where the data cannot change
    #: while it is served.
    cacheable: ClassVar[bool] = True
    #: Whether another process (a remote store) evaluates the queries: a query worker
    #: only waits for its answer, so the CPU priority of the heavy-query lane means nothing
    #: there and heavy queries need not queue behind one another (:func:`heavy_lane`).
    evaluates_elsewhere: ClassVar[bool] = False

    @classmethod
    @abstractmethod
    def open(cls, settings: Settings, build: Build | None, steps: Steps) -> Backend:
        """The backend the settings describe, holding ``build`` (which a remote store,
        holding its own graphs, does not need).

        Raises:
            SettingError: the backend cannot be opened as set (the message says why).
            UpstreamError: a remote store that does not answer.
        """

    @property
    @abstractmethod
    def graphs(self) -> Mapping[URIRef, int]:
        """The named graphs it holds (those with triples), each with its number of triples."""

    def known_sizes(self) -> dict[URIRef, int | None]:
        """Each graph's size, or None where it has not been counted yet (a remote store
        counts its graphs when a size is first read): what can be said without counting."""
        return dict(self.graphs)

    @property
    @abstractmethod
    def dataset(self) -> Dataset:
        """The rdflib dataset the pages, ``/explain``, data documents and exports read:
        the named graphs, its default graph empty."""

    @abstractmethod
    def spec(self) -> BackendSpec:
        """What a worker process opens its engine from."""

    def engine(
        self, *, allowed_services: Iterable[str] = (), max_rows: int | None = None
    ) -> Engine:
        """An engine over this backend in this process."""
        return self.spec().open(allowed_services=allowed_services, max_rows=max_rows)

    def close(self) -> None:  # noqa: B027  (most backends hold nothing to release)
        """Release what the backend holds open."""

    def __repr__(self) -> str:
        triples = sum(self.graphs.values())
        return f"<{type(self).__name__}: {triples} triples in {len(self.graphs)} graphs>"


def heavy_lane(backend: Backend, workers: int, heavy_workers: int) -> int:
    """How many workers the heavy-query lane of a pool over ``backend`` has: the
    ``heavy_workers`` setting; over a store that evaluates the queries itself, at least
    ``workers``, so that heavy queries reach it as many at once as cheap ones (one heavy
    worker over a remote store sent its heavy queries one at a time: at 1M triples the
    query mix over HTTP reached 0.58x of Virtuoso's own throughput), while the regular
    workers stay free for cheap queries."""
    if backend.evaluates_elsewhere and heavy_workers > 0:
        return max(heavy_workers, workers)
    return heavy_workers
