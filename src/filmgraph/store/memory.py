"""The memory backend (``store=memory``): the built rdflib dataset, queried by rdflib's own
SPARQL engine, with its known bugs repaired per query (:mod:`filmgraph.query.repairs`).

A worker process receives the dataset as N-Quads and parses its own copy.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib import Dataset, Graph, URIRef
from rdflib import __version__ as rdflib_version
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from ..core import EngineLimitError, SettingError, Settings, Steps, literals_as_written, new_dataset
from ..query import Answer, Engine, Prepared, cap, remember
from .base import Backend, BackendSpec, Build


class RdflibEngine(Engine):
    """Runs SPARQL over one rdflib dataset in memory, with views for the datasets queries
    ask for.

    Views are copies made once and kept (the dataset must not change while an engine uses
    it); prepared queries are kept too, so repeated queries skip parsing.

    Args:
        dataset: a built dataset (named graphs; see :func:`filmgraph.build`).
        allowed_services, max_rows: see :class:`~filmgraph.query.Engine`.

    >>> from filmgraph import build
    >>> engine = RdflibEngine(build())
    >>> answer = engine.run("SELECT ?name WHERE { fgid:closeness schema:name ?name }")
    >>> [str(row.name) for row in answer.result]
    ['Closeness']
    """

    def __init__(
        self,
        dataset: Dataset,
        *,
        allowed_services: Iterable[str] = (),
        max_rows: int | None = None,
        cache_size: int = 256,
    ) -> None:
        self.graphs = held_graphs(dataset)
        super().__init__(
            self.graphs,
            allowed_services=allowed_services,
            max_rows=max_rows,
            cache_size=cache_size,
        )
        self._views: OrderedDict[tuple[tuple[URIRef, ...], tuple[URIRef, ...]], Dataset] = (
            OrderedDict()
        )

    def view(
        self,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
    ) -> Dataset:
        """The rdflib dataset a query sees (see :meth:`Engine.dataset`), made once.

        Raises:
            QueryError: a graph we do not hold is named.
        """
        key = self.dataset(default_graphs, named_graphs)
        view = self._views.get(key)
        if view is None:
            default, named = key
            view = Dataset(default_union=False)
            union = view.default_graph
            for name in default:
                union += self.graphs[name]
            for name in named:
                target = view.graph(name)
                target += self.graphs[name]
            remember(self._views, key, view, 8)
        return view

    def unparsed(self, text: str, base: str, refused: Exception) -> Prepared:
        """rdflib evaluates only what its parser reads: a query it refused is an error of
        the client (400) when it is not SPARQL 1.1, else a limit of rdflib's (501), unless
        it calls a SERVICE off the allow-list, which :meth:`run` refuses first (403)."""
        prepared = super().unparsed(text, base, refused)  # refused again when not valid
        if not self.allowed_services.issuperset(prepared.services):
            return prepared  # refused by run(), never evaluated
        if isinstance(refused, EngineLimitError):  # its translator failed: says where
            raise refused
        raise EngineLimitError(
            f"the SPARQL engine (rdflib {rdflib_version}) cannot answer this query: its reader "
            "in rdflib.plugins.sparql cannot read it, though it is valid SPARQL 1.1 (the "
            f"oxigraph store answers it); rdflib says: {refused}"
        ) from refused

    def evaluate(
        self, prepared: Prepared, default: tuple[URIRef, ...], named: tuple[URIRef, ...]
    ) -> Answer:
        if prepared.query is None:
            raise EngineLimitError("rdflib cannot evaluate a query it did not parse")
        result = self.view(default, named).query(prepared.query)
        return cap(Answer(prepared.kind, result), self.max_rows)


def held_graphs(dataset: Dataset) -> dict[URIRef, Graph]:
    """The named graphs of ``dataset`` that hold triples, by name."""
    return {
        URIRef(str(g.identifier)): g
        for g in dataset.graphs()
        if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)
    }


@dataclass(frozen=True)
class MemorySpec(BackendSpec):
    """The dataset as N-Quads: a worker parses its own copy."""

    nquads: bytes = field(repr=False)

    def open(self, *, allowed_services: Iterable[str] = (), max_rows: int | None = None) -> Engine:
        dataset = new_dataset()
        with literals_as_written():
            dataset.parse(data=self.nquads, format="nquads")
        engine = RdflibEngine(dataset, allowed_services=allowed_services, max_rows=max_rows)
        engine.view()  # the default view, made now (before a worker's sandbox closes)
        return engine


class MemoryBackend(Backend):
    """A built dataset in memory, queried by rdflib.

    >>> from filmgraph import build
    >>> backend = MemoryBackend(build())
    >>> backend.engine().run("ASK { fgid:beanpole a schema:Movie }").result.askAnswer
    True
    """

    name = "memory"

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset
        self._graphs = {name: len(graph) for name, graph in held_graphs(dataset).items()}
        self._spec: MemorySpec | None = None

    @classmethod
    def open(cls, settings: Settings, build: Build | None, steps: Steps) -> MemoryBackend:
        if build is None:
            raise SettingError("the memory store holds a build: open it through the pipeline")
        return cls(build.dataset())

    @property
    def graphs(self) -> Mapping[URIRef, int]:
        return self._graphs

    @property
    def dataset(self) -> Dataset:
        return self._dataset

    def spec(self) -> MemorySpec:
        if self._spec is None:
            self._spec = MemorySpec(self._dataset.serialize(format="nquads", encoding="utf-8"))
        return self._spec

    def engine(
        self, *, allowed_services: Iterable[str] = (), max_rows: int | None = None
    ) -> Engine:
        """rdflib's engine over the dataset itself (no copy)."""
        return RdflibEngine(self._dataset, allowed_services=allowed_services, max_rows=max_rows)
