"""The embedded Oxigraph backend (``store=oxigraph``): the build in an Oxigraph store on
disk (``BUILD_DIR/oxigraph``), queried by Oxigraph's engine.

The store is kept with the key of the build it holds (``BUILD_DIR/oxigraph.key``): while the
inputs are unchanged, opening it builds nothing; otherwise it is loaded from the build's
N-Quads (the cache file, when that holds the build: nothing passes through rdflib).
Before it is opened, its files and companion files are checked against the manifest
written with them (:func:`.files.damage`): a store found damaged (a file missing, cut short
or changed) is reported in one line and written again from the build. The
pages, exports and CLI read it through a read-only rdflib view (:mod:`.dataset`), with no
copy of the build in memory; each query worker opens the store read-only.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from ...core import SettingError, Settings, Steps
from ...query import Engine
from ..base import Backend, BackendSpec, Build
from .dataset import open_dataset
from .engine import OxigraphEngine
from .files import damage, key_file, load_store, write_store

#: What a store written by filmgraph holds; a store of another layout is written again
#: (``/3``: with a manifest of its files, :func:`.files.write_manifest`).
LAYOUT = "filmgraph-oxigraph/3"

_COUNT = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def holds(path: Path, key: str) -> bool:
    """Whether the store at ``path`` holds the build with this ``key``."""
    try:
        return key_file(path).read_text(encoding="utf-8").split() == [LAYOUT, key]
    except OSError:  # no key
        return False


#: Up to how many quads a query worker copies the store into memory: Oxigraph answers the
#: competency mix 1.8x faster from memory than from its store on disk on the Balagov build
#: and 2.7x faster on the 100k film world (benchmarks/oxigraph_storage.py), whose 382k
#: quads (with the stored default graph) take a worker 2.1 s and 42 MB to copy.
MEMORY_QUADS = 500_000


@dataclass(frozen=True)
class OxigraphSpec(BackendSpec):
    """The store's folder: a worker opens it read-only, and copies it into a store in
    memory when it holds no more than :data:`MEMORY_QUADS` quads (``in_memory``)."""

    path: str
    in_memory: bool = False
    inline: ClassVar[bool] = True  # Oxigraph's evaluation: Rust, deterministic, no I/O

    def open(self, *, allowed_services: Iterable[str] = (), max_rows: int | None = None) -> Engine:
        return OxigraphEngine.read_only(
            self.path,
            in_memory=self.in_memory,
            allowed_services=allowed_services,
            max_rows=max_rows,
        )


class OxigraphBackend(Backend):
    """The Oxigraph store on disk at ``path``, opened read-only.

    Raises:
        SettingError: there is no Oxigraph store at ``path``.
    """

    name = "oxigraph"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            store = ox.Store.read_only(str(self.path))
        except (OSError, RuntimeError) as exc:  # missing, or damaged (RocksDB's Corruption)
            raise SettingError(f"no Oxigraph store at {self.path}: {exc}") from exc
        rows = store.query(_COUNT)
        if not isinstance(rows, ox.QuerySolutions):
            raise TypeError("a SELECT query gives solutions")
        self._graphs = {URIRef(row["g"].value): int(row["n"].value) for row in rows}
        self._dataset: Dataset | None = None

    @classmethod
    def open(cls, settings: Settings, build: Build | None, steps: Steps) -> OxigraphBackend:
        """The store of the current build: opened as it is while it holds the build's key,
        else (re)loaded from the build's N-Quads first."""
        path = settings.oxigraph_dir
        if build is None:
            return cls(path)
        with steps.step("opening the Oxigraph store") as step:
            opened, damaged = cls._kept(path, build.key)
            step.detail = "current" if opened is not None else damaged or "missing or stale"
        if opened is not None:
            return opened
        if damaged:
            # One line on stderr, whatever shows the steps (as the build lock's wait is
            # said): the CLI without a terminal and the server's log both show it.
            print(
                f"filmgraph: the Oxigraph store {path} is damaged ({damaged}); "
                "rebuilding it from the sources",
                file=sys.stderr,
                flush=True,
            )
        with build.nquads() as nquads, steps.step("writing the Oxigraph store") as step:
            # Written whole beside the old store, then swapped in with its key (a full disk
            # leaves the old store, its key and companion files as they were).
            load_store(nquads, path, f"{LAYOUT} {build.key}\n" if build.key else None)
            step.detail = str(path)
        return cls(path)

    @classmethod
    def _kept(cls, path: Path, key: str | None) -> tuple[OxigraphBackend | None, str | None]:
        """The store at ``path`` if it holds the build with this ``key``, else None; and
        what is damaged in it, if its key is the build's but its files are not as built."""
        if key is None or not holds(path, key):
            return None, None
        damaged = damage(path)
        if damaged is not None:
            return None, damaged
        try:
            return cls(path), None
        except SettingError as exc:  # the key is there, the store behind it is not
            return None, str(exc).splitlines()[0]

    @classmethod
    def write(cls, dataset: Dataset, path: Path) -> OxigraphBackend:
        """``dataset`` written to a new store at ``path`` (replacing any there), opened."""
        return cls(write_store(dataset, path))

    @property
    def graphs(self) -> Mapping[URIRef, int]:
        return self._graphs

    @property
    def dataset(self) -> Dataset:
        """The store's named graphs as a read-only rdflib dataset (opened on first use)."""
        if self._dataset is None:
            self._dataset = open_dataset(self.path)
        return self._dataset

    def engine(
        self, *, allowed_services: Iterable[str] = (), max_rows: int | None = None
    ) -> Engine:
        """Oxigraph's engine over the store in place, in this process (the CLI, a
        notebook): the copy into memory pays off over a worker's many queries, not here."""
        return OxigraphEngine.read_only(
            self.path, allowed_services=allowed_services, max_rows=max_rows
        )

    def spec(self) -> OxigraphSpec:
        quads = sum(self._graphs.values())  # named graphs; the default graph at most as many
        return OxigraphSpec(str(self.path), in_memory=2 * quads <= MEMORY_QUADS)
