"""What the app serves, made once by ``create_app`` and read by every request."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

from flask import Flask, current_app
from rdflib import Dataset, Graph, URIRef

from ..core import METADATA, NotFoundError, Project, Settings
from ..export import Describer
from ..load import SourceDocument, read_sources
from ..query import NamedQuery, default_graphs_of
from ..reason import Explainer
from ..serve import ClientLimits, Job, Reply, ResultCache, WorkerPool
from ..store import Backend


@dataclass
class Metrics:
    """Counters for ``/metrics``: requests by route and status, query time, timeouts."""

    requests: dict[tuple[str, int], int] = field(default_factory=dict)
    query_seconds: float = 0.0
    queries: int = 0
    truncated: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, route: str, status: int) -> None:
        with self.lock:
            key = (route, status)
            self.requests[key] = self.requests.get(key, 0) + 1

    def query(self, seconds: float, truncated: bool) -> None:
        with self.lock:
            self.queries += 1
            self.query_seconds += seconds
            self.truncated += truncated


@dataclass
class State:
    """The settings, the backend served, the named queries, the worker pool, the result
    cache and the counters; the explainer, describer and source document made on first use."""

    settings: Settings
    backend: Backend
    queries: dict[str, NamedQuery]
    pool: WorkerPool
    results: ResultCache[Reply] = field(default_factory=lambda: ResultCache(0))
    clients: ClientLimits = field(default_factory=lambda: ClientLimits(0))
    metrics: Metrics = field(default_factory=Metrics)
    descriptions: dict[tuple[str, str], Graph] = field(default_factory=dict)
    #: The size in bytes of each download (graph name or "default"/"dataset", extension).
    sizes: dict[tuple[str, str], int] = field(default_factory=dict)
    _explainer: Explainer | None = None
    _describer: Describer | None = None
    _sources: tuple[SourceDocument, ...] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def select(self, query: str, time_limit: float | None = None) -> list[dict[str, Any]]:
        """The rows of a SELECT query answered by the query workers, as ``/sparql`` answers
        it (the store evaluates it: nothing is read into this process but the rows), each a
        map of variable to its SPARQL JSON term; stopped after ``time_limit`` seconds where
        that is shorter than the server's limit.

        Raises:
            FilmgraphError: the error the query met (its HTTP status with it;
                :class:`~filmgraph.core.TimeLimitError` at the time limit).
        """
        reply = self.pool.run(Job(query, time_limit=time_limit))
        if reply.error is not None:
            raise reply.error
        rows: list[dict[str, Any]] = json.loads(reply.read())["results"]["bindings"]
        return rows

    @property
    def dataset(self) -> Dataset:
        """The dataset the pages, ``/explain``, data documents and exports read."""
        return self.backend.dataset

    @property
    def graphs(self) -> Mapping[URIRef, int]:
        """The named graphs served, with their sizes."""
        return self.backend.graphs

    @property
    def default_graphs(self) -> tuple[URIRef, ...]:
        """The graphs whose union is the default graph."""
        return default_graphs_of(self.backend.graphs)

    @property
    def explainer(self) -> Explainer:
        """The dataset's explainer (each explanation computed when asked for), made on first
        use."""
        with self._lock:
            if self._explainer is None:
                self._explainer = Explainer(
                    self.dataset,
                    max_depth=self.settings.explain_depth,
                    time_budget=self.settings.explain_time,
                )
            return self._explainer

    @property
    def describer(self) -> Describer:
        """Entity descriptions for the pages, made on first use (with the quote index)."""
        with self._lock:
            if self._describer is None:
                self._describer = Describer(self.dataset)
            return self._describer

    @property
    def sources(self) -> tuple[SourceDocument, ...]:
        """The source documents, read once (part of what the dataset was built from).

        Raises:
            NotFoundError: the project's files are not here (serving a remote store from
                elsewhere: the document's text is read from them, not from the graphs).
        """
        if not self.project.claims:
            raise NotFoundError(
                f"{self.project.title} has no source document: plain RDF files carry no "
                "claims, so no quotes or provenance"
            )
        with self._lock:
            if self._sources is None:
                if not self.settings.claims_file.is_file():
                    raise NotFoundError(
                        f"the source document is not available here: it is read from the "
                        f"project's files ({self.settings.claims_file}), which this server lacks"
                    )
                self._sources = read_sources(self.settings.claims_file)
            return self._sources

    def source(self, key: str | None = None) -> SourceDocument:
        """The source document named ``key``; the only one when ``key`` is None.

        Raises:
            NotFoundError: no such document, or several and no key, or none here (see
                :attr:`sources`).
        """
        sources = self.sources
        if key is None and len(sources) == 1:
            return sources[0]
        found = next((s for s in sources if s.key == key), None)
        if found is None:
            raise NotFoundError(f"no source document named {key!r}")
        return found

    @cached_property
    def project(self) -> Project:
        """The served project's metadata; a server without the project's files (a remote
        store served from elsewhere) is titled plainly, with no home entity.

        Raises:
            DataError: a malformed metadata file.
        """
        if not (self.settings.root / METADATA).is_file():
            return Project(root=self.settings.root, title="filmgraph")
        return self.settings.project

    @cached_property
    def home(self) -> tuple[str, str] | None:
        """The home entity's page name and label, when the project names one the data has."""
        iri = self.project.home_iri
        if iri is None or next(self.dataset.quads((URIRef(iri), None, None, None)), None) is None:
            return None
        return self.project.home, self.describer.label(URIRef(iri))

    def close(self) -> None:
        """Stop the query workers and release the backend."""
        self.pool.close()
        self.backend.close()


def current() -> State:
    """The state of the app handling this request."""
    return cast(State, current_app.extensions["filmgraph"])


def state(app: Flask) -> State:
    """The filmgraph state of an app made by :func:`~filmgraph.web.create_app`."""
    return cast(State, app.extensions["filmgraph"])
