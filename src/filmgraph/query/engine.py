"""What every engine shares: the dataset a query sees and the rules it runs under, checked
before any backend evaluates it.

- The default graph is the union of the asserted, inferred and links graphs
  (:data:`DEFAULT_GRAPHS`); every graph held (ontology and provenance too) stays addressable
  by name (``GRAPH``, ``FROM``, ``FROM NAMED``, or the protocol's ``default-graph-uri`` /
  ``named-graph-uri``, which win over the query's own).
- A query is answered from the graphs we hold and nothing else: a dataset naming a graph we
  do not hold is refused (rdflib would fetch it from the web), and ``SERVICE`` is refused
  unless its endpoint is on an allow-list.
- Results can be capped at a number of rows; the answer says when the cap was hit.

Each backend's engine (:mod:`filmgraph.store`) only evaluates a checked query.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import TypeVar

from rdflib import URIRef

from ..core import FGID, GRAPHS, EngineLimitError, ForbiddenError, QueryError, QuerySyntaxError
from .answer import Answer
from .prepared import Prepared, prepare, prepare_unparsed, valid_elsewhere

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: The graphs whose union is the default graph a query sees.
DEFAULT_GRAPHS = ("asserted", "inferred", "links")

#: The IRI a query's relative IRIs resolve against unless its caller gives another (the
#: setting ``base_iri``): the project's entity namespace, so ``<kantemir-balagov>`` is
#: ``fgid:kantemir-balagov``. A query's own ``BASE`` wins.
DEFAULT_BASE = str(FGID)


def default_graphs_of(held: Iterable[URIRef]) -> tuple[URIRef, ...]:
    """The graphs of :data:`DEFAULT_GRAPHS` among ``held``, in that order: the union a
    query sees as its default graph."""
    held = set(held)
    return tuple(GRAPHS[n] for n in DEFAULT_GRAPHS if n in GRAPHS and GRAPHS[n] in held)


class Engine:
    """What every backend shares: the dataset rules and the SERVICE allow-list, checked on
    rdflib's parse of the query before any backend sees it; a backend only evaluates.

    Args:
        graphs: the names of the graphs the backend holds.
        allowed_services: SERVICE endpoints a query may call; none by default.
        max_rows: cut results longer than this (``Answer.truncated`` says so).
    """

    def __init__(
        self,
        graphs: Iterable[URIRef],
        *,
        allowed_services: Iterable[str] = (),
        max_rows: int | None = None,
        cache_size: int = 256,
    ) -> None:
        self.held: tuple[URIRef, ...] = tuple(sorted(graphs, key=str))
        self.default_graphs = default_graphs_of(self.held)
        self.allowed_services = frozenset(allowed_services)
        self.max_rows = max_rows
        self._cache_size = cache_size
        self._prepared: OrderedDict[tuple[str, str], Prepared] = OrderedDict()
        self._preparing = threading.Lock()  # threads may share an engine (serve/inline.py)

    def prepare(self, text: str, base: str = DEFAULT_BASE) -> Prepared:
        """:func:`prepare`, remembering the last queries."""
        key = (text, base)
        prepared = self._prepared.get(key)
        if prepared is None:
            prepared = self.read(text, base)
        with self._preparing:
            remember(self._prepared, key, prepared, self._cache_size)
        return prepared

    def read(self, text: str, base: str) -> Prepared:
        """How this engine reads a query before the rules are checked: parsed by rdflib
        (:func:`prepare`), or, when rdflib's parser refuses it, as :meth:`unparsed` says.
        An engine that parses queries itself may read them otherwise."""
        try:
            return prepare(text, base)
        except (QuerySyntaxError, EngineLimitError, RecursionError) as refused:
            return self.unparsed(text, base, refused)

    def unparsed(self, text: str, base: str, refused: Exception) -> Prepared:
        """The query rdflib's parser refused (``refused``), for an engine that parses
        queries itself: read from its tokens (:func:`prepare_unparsed`), its engine's parser
        deciding whether it is valid (Oxigraph's parser: what it refuses keeps rdflib's
        error, with its line and column). An engine that needs rdflib's parse raises
        instead."""
        prepared = prepare_unparsed(text, base, refused)
        if not valid_elsewhere(prepared):
            raise refused
        return prepared

    def dataset(
        self,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
    ) -> tuple[tuple[URIRef, ...], tuple[URIRef, ...]]:
        """(default graphs, named graphs) a query sees: ``default_graphs`` as its default
        graph (ours when None) and ``named_graphs`` as its named graphs (all when None).

        Raises:
            QueryError: a graph we do not hold is named.
        """
        return self._held(default_graphs, self.default_graphs), self._held(named_graphs, self.held)

    def _held(self, names: Iterable[str] | None, default: tuple[URIRef, ...]) -> tuple[URIRef, ...]:
        if names is None:
            return default
        chosen = tuple(dict.fromkeys(URIRef(str(n)) for n in names))
        unknown = [str(n) for n in chosen if n not in self.held]
        if unknown:
            held = ", ".join(f"<{g}>" for g in self.held)
            raise QueryError(
                f"the dataset holds no graph named <{unknown[0]}>; graphs are never fetched "
                f"from elsewhere. The graphs it holds: {held}"
            )
        return chosen

    def run(
        self,
        text: str,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        *,
        base: str | None = None,
    ) -> Answer:
        """Answer a query. Dataset arguments (the protocol's ``default-graph-uri`` and
        ``named-graph-uri``) take precedence over the query's own FROM / FROM NAMED.
        Relative IRIs in the query resolve against ``base`` (:data:`DEFAULT_BASE` when
        None; a ``BASE`` of the query's own wins).

        Raises:
            QuerySyntaxError, QueryError, ForbiddenError: see :func:`prepare` and
            :meth:`dataset`.
        """
        prepared = self.prepare(text, base or DEFAULT_BASE)
        for service in prepared.services:
            if service not in self.allowed_services:
                endpoint = service if service.startswith(("?", "$")) else f"<{service}>"
                raise ForbiddenError(
                    f"SERVICE {endpoint} is refused: federated queries may only call the "
                    "endpoints on the allow-list (setting service_allow, empty by default)"
                )
        if default_graphs is None and named_graphs is None:
            default_graphs, named_graphs = prepared.default_graphs, prepared.named_graphs
        elif default_graphs is None or named_graphs is None:
            default_graphs, named_graphs = default_graphs or (), named_graphs or ()
        default, named = self.dataset(default_graphs, named_graphs)
        return self.evaluate(prepared, default, named)

    def evaluate(
        self, prepared: Prepared, default: tuple[URIRef, ...], named: tuple[URIRef, ...]
    ) -> Answer:
        """Evaluate a checked query over the given dataset (each backend's own part)."""
        raise NotImplementedError(f"{type(self).__name__} does not evaluate queries")


def remember(cache: OrderedDict[K, V], key: K, value: V, size: int) -> None:
    """Keep ``value`` under ``key``, as the most recent, in an LRU ``cache`` of at most
    ``size`` entries."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)
