"""A backend added the way docs/architecture.md shows: this one module, plus one row of
``filmgraph.core.settings.STORES`` (which ``tests/test_architecture.py`` adds).

It holds the build in an Oxigraph store in memory: the web process keeps the built rdflib
dataset for the pages and an in-memory Oxigraph store for its own queries; each query worker
is sent the build's N-Quads and loads its own store from them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from filmgraph.core import SettingError, Settings, Steps
from filmgraph.query import Engine
from filmgraph.store import Backend, BackendSpec, Build
from filmgraph.store.oxigraph import OxigraphEngine, memory_store


@dataclass(frozen=True)
class OxigraphMemorySpec(BackendSpec):
    """The build as N-Quads: a worker loads them into a store of its own."""

    nquads: bytes = field(repr=False)

    def open(self, *, allowed_services: Iterable[str] = (), max_rows: int | None = None) -> Engine:
        store = ox.Store()
        store.bulk_load(self.nquads, ox.RdfFormat.N_QUADS)
        return OxigraphEngine(store, allowed_services=allowed_services, max_rows=max_rows)


class OxigraphMemoryBackend(Backend):
    """The build in an Oxigraph store in memory (``store=oxigraph-memory``)."""

    name = "oxigraph-memory"

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset
        self._store = memory_store(dataset)
        held = [name for name in self._store.named_graphs() if isinstance(name, ox.NamedNode)]
        self._graphs = {
            URIRef(name.value): sum(
                1 for _ in self._store.quads_for_pattern(None, None, None, name)
            )
            for name in held
        }

    @classmethod
    def open(cls, settings: Settings, build: Build | None, steps: Steps) -> Backend:
        if build is None:
            raise SettingError("the oxigraph-memory store holds a build: open it with open_store")
        with steps.step("loading the build into Oxigraph in memory"):
            return cls(build.dataset())

    @property
    def graphs(self) -> Mapping[URIRef, int]:
        return self._graphs

    @property
    def dataset(self) -> Dataset:
        return self._dataset

    def spec(self) -> OxigraphMemorySpec:
        return OxigraphMemorySpec(self._store.dump(format=ox.RdfFormat.N_QUADS) or b"")

    def engine(
        self, *, allowed_services: Iterable[str] = (), max_rows: int | None = None
    ) -> Engine:
        """Oxigraph's engine over the store itself (no copy)."""
        return OxigraphEngine(self._store, allowed_services=allowed_services, max_rows=max_rows)
