"""The embedded Oxigraph backend: the built dataset in a pyoxigraph store on disk, queried
by Oxigraph's own SPARQL engine (Rust) instead of rdflib's.

The rules stay the library's, but rdflib's parser is not asked (:meth:`OxigraphEngine.read`):
a query is read from its tokens (:func:`~filmgraph.query.prepare_read`: its kind, FROM /
FROM NAMED and SERVICE endpoints), so that SERVICE off the allow-list and graphs we do not
hold are refused exactly as on the in-memory backend, with the same messages and statuses;
then Oxigraph parses and evaluates it, over the dataset the query asked for (its default
graph the union of the asserted, inferred and links graphs unless FROM or the protocol says
otherwise), and its syntax errors keep their line and column. A text that does not start as
a query (an update: 403) and a query that calls a SERVICE (evaluated by rdflib, below) are
parsed by rdflib as on the other stores. Reading tokens takes microseconds where rdflib's
parse takes milliseconds, and no valid query depends on what rdflib can parse.

- **The default graph is materialised** (:mod:`.files`): a query that does not choose its
  dataset is evaluated on the store's own default graph, the union of the default graphs.
- **Oxigraph writes SELECT and ASK answers itself**
  (:class:`~filmgraph.query.OxigraphAnswer`; with no row cap, a SELECT's solutions are
  written as they are evaluated, never held): the rdflib result (``answer.result``, for the
  library, the CLI and the other formats) is made only when asked for. CONSTRUCT and
  DESCRIBE answers come back as rdflib graphs, so every serializer, cap and route works
  unchanged.

Oxigraph never fetches a graph named in FROM (it only looks in the store), and SERVICE is
refused before it is reached; its own I/O is Rust's, which the worker sandbox's audit hook
does not see, so those refusals are the guard.

**A query that calls a SERVICE** (on the allow-list) is evaluated by rdflib's engine over
the store (:meth:`OxigraphEngine.federating`): rdflib joins by calling the service once per
solution with that solution's values, while Oxigraph 0.5 sends the SERVICE pattern alone,
unbound (``?item wdt:P577 ?date`` would ask the Wikidata Query Service for every dated item
it holds). rdflib's calls also go through Python, where the worker sandbox sees them. A
query rdflib cannot parse stays with Oxigraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, URIRef
from rdflib.query import Result

from ...core import EngineLimitError
from ...query import (
    PREFIX_IRIS,
    Answer,
    Engine,
    OxigraphAnswer,
    Prepared,
    answering,
    cap,
    prepare,
    prepare_read,
    solutions_tsv,
    to_graph,
)
from ..memory import RdflibEngine
from .dataset import ReadOnlyOxigraph
from .files import holds_default_graph

_UNKNOWN_FUNCTION = re.compile(r"The custom function <([^>]*)> is not supported")


def _errs(*arguments: object) -> None:
    """A function Oxigraph does not know: an error (None) whatever its arguments."""
    return None


class OxigraphEngine(Engine):
    """Runs SPARQL on an Oxigraph store, under the same rules as every engine
    (:class:`~filmgraph.query.Engine`).

    >>> from filmgraph import build
    >>> from filmgraph.store.oxigraph import memory_store
    >>> engine = OxigraphEngine(memory_store(build()))
    >>> answer = engine.run("SELECT ?name WHERE { fgid:closeness schema:name ?name }")
    >>> [str(row.name) for row in answer.result]
    ['Closeness']
    >>> answer.body("csv").split()
    [b'name', b'Closeness']
    """

    def __init__(
        self,
        store: ox.Store,
        *,
        allowed_services: Iterable[str] = (),
        max_rows: int | None = None,
        cache_size: int = 256,
    ) -> None:
        graphs = [URIRef(g.value) for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
        super().__init__(
            graphs, allowed_services=allowed_services, max_rows=max_rows, cache_size=cache_size
        )
        self.store = store
        #: Whether the store's own default graph is the union of :attr:`default_graphs`
        #: (see :func:`write_store`); else the union is made per query from the named graphs.
        self.materialised = bool(self.default_graphs) and holds_default_graph(store)
        self._federating: RdflibEngine | None = None

    @classmethod
    def read_only(
        cls, path: str | Path, *, in_memory: bool = False, **options: Any
    ) -> OxigraphEngine:
        """The engine over the store on disk at ``path``, opened read-only; with
        ``in_memory``, over a copy of it in memory (every quad, the stored default graph
        too, blank nodes as stored), which Oxigraph answers from faster (a query worker's
        choice, :class:`.backend.OxigraphSpec`). ``options`` as the constructor's."""
        store = ox.Store.read_only(str(path))
        if in_memory:
            copy = ox.Store()
            copy.bulk_extend(store.quads_for_pattern(None, None, None, None))
            store = copy
        return cls(store, **options)

    def read(self, text: str, base: str) -> Prepared:
        """``text`` read from its tokens for Oxigraph to parse, unless it is no query (an
        update) or calls a SERVICE: those are parsed by rdflib (:meth:`Engine.read`)."""
        prepared = prepare_read(text, base)
        if prepared is None or prepared.services:
            return super().read(text, base)
        return prepared

    def _query(
        self, prepared: Prepared, default_graph: Any, named: tuple[URIRef, ...]
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Oxigraph's answer to ``prepared``. A function Oxigraph does not know is an error
        where it is called (SPARQL 1.1, 17.6: an unbound value, a false FILTER), not the
        query's failure: Oxigraph refuses such a query, so it is asked again with each
        unknown function defined as one that always errs."""
        unknown: dict[ox.NamedNode, Any] = {}
        while True:
            try:
                return self.store.query(
                    prepared.text,
                    base_iri=prepared.base,
                    prefixes=PREFIX_IRIS,
                    default_graph=default_graph,
                    named_graphs=[ox.NamedNode(str(g)) for g in named],
                    custom_functions=unknown or None,
                )
            except RuntimeError as exc:
                found = _UNKNOWN_FUNCTION.fullmatch(str(exc))
                if found is None or len(unknown) >= 64:
                    raise
                unknown[ox.NamedNode(found[1])] = _errs

    @staticmethod
    def refused(prepared: Prepared) -> None:
        """Oxigraph's parser refused ``prepared``, read from its tokens: raise rdflib's
        error for it when rdflib's parser refuses it too (its messages name what is wrong in
        words: an unknown prefix, where Oxigraph lists the characters it expected); else
        return, and Oxigraph's error stands."""
        if prepared.query is not None:
            return
        try:
            prepare(prepared.text, prepared.base)
        except (EngineLimitError, RecursionError):  # rdflib cannot judge it: Oxigraph's stands
            return

    def federating(self) -> RdflibEngine:
        """rdflib's engine over this store (read through :class:`.dataset.ReadOnlyOxigraph`,
        the graphs a query reads copied into its view), for the queries that call a SERVICE;
        made on first use."""
        if self._federating is None:
            self._federating = RdflibEngine(
                Dataset(store=ReadOnlyOxigraph(self.store)),
                allowed_services=self.allowed_services,
                max_rows=self.max_rows,
            )
        return self._federating

    def evaluate(
        self, prepared: Prepared, default: tuple[URIRef, ...], named: tuple[URIRef, ...]
    ) -> Answer:
        if prepared.services and prepared.query is not None:
            return self.federating().evaluate(prepared, default, named)
        default_graph: ox.DefaultGraph | list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
        if self.materialised and set(default) == set(self.default_graphs):
            default_graph = ox.DefaultGraph()
        else:
            default_graph = [ox.NamedNode(str(g)) for g in default]  # [] is an empty graph
        with answering("oxigraph", prepared.services):
            try:
                found = self._query(prepared, default_graph, named)
            except SyntaxError:
                self.refused(prepared)
                raise
            # evaluation happens as the answer is read
            if isinstance(found, ox.QuerySolutions) and self.max_rows is None:
                return OxigraphAnswer(  # no cap: evaluated as it is written, never held
                    "SELECT", found, 0, reading=lambda: answering("oxigraph", prepared.services)
                )
            if isinstance(found, ox.QuerySolutions):
                rows, count, truncated = solutions_tsv(found, self.max_rows)
                return OxigraphAnswer("SELECT", rows, count, truncated)
            if isinstance(found, ox.QueryBoolean):
                bool(found)
                return OxigraphAnswer("ASK", found, 1)
            result = Result(prepared.kind)
            result.graph = to_graph(found)
        return cap(Answer(prepared.kind, result), self.max_rows)
