"""The remote backend (``store=remote:URL``): a SPARQL 1.1 store that holds our graphs
(``filmgraph push`` puts them there), its query endpoint found under URL by the
``store_layout`` setting. Nothing is built here: queries go to the store, live, and so do the
pages' lookups (:mod:`.dataset`): nothing is copied. Its answers are never kept
(the store may change while we serve it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rdflib import Dataset, URIRef

from ...core import Settings, Steps, user_agent
from ...query import Engine
from ..base import Backend, BackendSpec, Build
from .client import Endpoints, RemoteStore, endpoints
from .dataset import remote_dataset
from .engine import RemoteEngine, connect
from .graph_sizes import GraphSizes


@dataclass(frozen=True)
class RemoteSpec(BackendSpec):
    """The store's endpoints, the graphs of ours it holds, and how long to wait for it."""

    endpoints: Endpoints
    graphs: tuple[str, ...]
    timeout: float
    agent: str

    def open(self, *, allowed_services: Iterable[str] = (), max_rows: int | None = None) -> Engine:
        return RemoteEngine(
            RemoteStore(self.endpoints, timeout=self.timeout, agent=self.agent),
            graphs=self.graphs,
            allowed_services=allowed_services,
            max_rows=max_rows,
        )

    def reachable(self, allowed_services: Iterable[str]) -> tuple[str, ...]:
        """The store's query endpoint alone: the store makes any SERVICE call itself."""
        return (self.endpoints.query,)


class RemoteBackend(Backend):
    """A remote SPARQL 1.1 store holding our graphs (which ones: asked when it is opened;
    their sizes: counted when first read)."""

    name = "remote"
    cacheable = False
    evaluates_elsewhere = True

    def __init__(self, engine: RemoteEngine, sizes: GraphSizes) -> None:
        self.store = engine.store
        self._engine = engine
        self._graphs = sizes
        self._dataset: Dataset | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, build: Build | None, steps: Steps) -> RemoteBackend:
        """Connect to the store ``settings.store`` names; nothing is built.

        Raises:
            UpstreamError: the store did not answer (the message says so and names its URL).
            SettingError: it holds none of our graphs.
        """
        with steps.step("connecting to the remote store") as step:
            urls = endpoints(
                settings.store_url,
                settings.store_layout,
                use_update=False,
                answer_limit=settings.store_answer_limit,
            )
            agent = user_agent(settings.wikidata_contact)
            store = RemoteStore(urls, timeout=settings.store_timeout, agent=agent)
            held = connect(store)
            sizes = GraphSizes([URIRef(iri) for iri in held], lambda: store.counts(held))
            step.detail = f"{len(held)} graphs at {urls.query} (sizes counted when first read)"
        return cls(RemoteEngine(store, graphs=held), sizes)

    @property
    def graphs(self) -> Mapping[URIRef, int]:
        """The graphs of ours the store holds; their sizes are counted when one is first
        read (:class:`.graph_sizes.GraphSizes`), a scan of the store."""
        return self._graphs

    def known_sizes(self) -> dict[URIRef, int | None]:
        return self._graphs.known()

    @property
    def dataset(self) -> Dataset:
        """The store's graphs as a read-only Dataset whose every lookup is a query to the
        store (:func:`.dataset.remote_dataset`): nothing is copied.

        Raises:
            SettingError: the store lacks a graph the pages read.
        """
        with self._lock:
            if self._dataset is None:
                self._dataset = remote_dataset(self._engine, self._graphs)
            return self._dataset

    def spec(self) -> RemoteSpec:
        held = tuple(str(g) for g in self._engine.held)
        return RemoteSpec(self.store.endpoints, held, self.store.timeout, self.store.user_agent)
