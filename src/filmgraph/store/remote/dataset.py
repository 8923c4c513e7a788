"""The remote store's graphs as a read-only rdflib ``Dataset``, each lookup a query to the
store: the pages, ``/explain`` and the data documents read the store live, and nothing is
copied when ``serve`` starts.

- A lookup (``graph.triples((s, p, o))``) is one SELECT sent to the store's query endpoint,
  its dataset given by the protocol (the named graphs we hold; the default graph
  :data:`~.engine.EMPTY`), so an entity's page asks for its facts, their quotes and the
  labels it shows, never for a whole graph.
- ``Dataset.query`` (the entity index) is sent to the store as it is, under the same rules as
  every query (:class:`~.engine.RemoteEngine`); a query rdflib has already parsed is
  evaluated by rdflib over the lookups.
- Terms come back as rdflib's parsers make them (a plain string has no ``xsd:string``
  datatype). A blank node cannot be named in a query, so lookups about one are answered from
  the ontology alone, which is read once (one query; it is the vocabulary, whose size does
  not grow with the data): restriction classes are blank nodes there, and the stores we
  serve from name a blank node the same way in every answer. A lookup of a named subject
  with a blank node as object (an entity's membership of a restriction, which an
  explanation asks for) is answered from that subject's triples.
- The default graph is empty, as in a build; sizes are the store's counts, taken in the
  background once it is opened (:class:`.graph_sizes.GraphSizes`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Generator, Iterator, Mapping
from typing import Any

from rdflib import BNode, Dataset, Graph, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.stores.memory import Memory
from rdflib.store import Store
from rdflib.term import Node

from ...core import GRAPHS, SettingError, bind_prefixes
from ...query import to_rdflib
from ..read_only import ReadOnly
from .engine import PAGES_NEED, RemoteEngine, select_rows
from .scan import scan

_S, _P, _O, _G = (Variable(n) for n in "spog")

#: How long the triples of a subject, once asked for, answer lookups about it (seconds),
#: and of how many subjects at most.
KEPT_FOR = 2.0
KEPT = 4096


class RemoteReadOnly(ReadOnly, Store):
    """An rdflib store over a remote SPARQL store's named graphs, read-only: every lookup a
    query (see the module's documentation).

    Args:
        engine: the store's engine (its client, and the graphs of ours it holds).
        counts: the triples in each graph held (a remote store's, counted when first read).
    """

    context_aware = True
    graph_aware = True

    def __init__(self, engine: RemoteEngine, counts: Mapping[URIRef, int]) -> None:
        super().__init__()
        self.engine = engine
        self.counts = counts  # not copied: a remote store's sizes are counted when read
        self.queries = 0  # lookups sent to the store (tests count them)
        self._ontology: Graph | None = None
        self._subjects: OrderedDict[Node, tuple[float, list[tuple[Graph, Any]]]] = OrderedDict()
        self._lock = threading.Lock()
        self._names = Memory()  # the prefixes bound, as rdflib's memory store keeps them

    # ------------------------------------------------------------ reading

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:
        name = _name(context)
        if name == DATASET_DEFAULT_GRAPH_ID:
            return iter(())  # the build's default graph is empty
        if name is not None and name not in self.engine.held:
            return iter(())
        ontology = GRAPHS["ontology"]
        subject, predicate, obj = triple_pattern
        if name == ontology or _blank(subject, predicate, obj):
            if name not in (None, ontology) or ontology not in self.engine.held:
                return iter(())  # a blank node outside the ontology: not to be asked for
            graph = Graph(self, identifier=ontology)
            found = self.ontology.triples(triple_pattern)
            return (((s, p, o), iter((graph,))) for s, p, o in found)
        if subject is not None:
            return self._about(subject, predicate, obj, name)
        return self._ask(triple_pattern, name)

    def _about(
        self, subject: Node, p: Node | None, o: Node | None, name: URIRef | None
    ) -> Iterator[Any]:
        """A lookup about one subject, from every triple of that subject in the graphs held:
        asked once and kept a moment (:data:`KEPT_FOR` seconds, the :data:`KEPT` subjects
        asked last), as a page asks many lookups of the same few subjects (its labels, its
        facts' quotes and assessments)."""
        now = time.monotonic()
        with self._lock:
            kept = self._subjects.get(subject)
        if kept is None or now - kept[0] > KEPT_FOR:
            quads = [(g, t) for t, graphs in self._ask((subject, None, None), None) for g in graphs]
            kept = (now, quads)
            with self._lock:
                self._subjects[subject] = kept
                self._subjects.move_to_end(subject)
                while len(self._subjects) > KEPT:
                    self._subjects.popitem(last=False)
        for graph, triple in kept[1]:
            if name is not None and graph.identifier != name:
                continue
            if (p is None or triple[1] == p) and (o is None or triple[2] == o):
                yield triple, iter((graph,))

    def _ask(self, pattern: tuple[Node | None, ...], name: URIRef | None) -> Iterator[Any]:
        """The triples matching ``pattern`` in the graph ``name`` (every graph held: None):
        about one subject, one SELECT over the graphs; else (a scan that may match a whole
        graph: an export, the ontology) one CONSTRUCT a graph, its N-Triples parsed as they
        arrive (:meth:`RemoteStore.construct`), so that no answer is held whole, in parts
        where the store will not give it in one (:func:`.scan.scan`)."""
        if pattern[0] is None:
            return self._scan(pattern, name)
        return self._select(pattern, name)

    def _graphs(self, name: URIRef | None) -> list[URIRef]:
        """The graph ``name``, or every graph held (None)."""
        return [name] if name is not None else list(self.engine.held)

    def _scan(self, pattern: tuple[Node | None, ...], name: URIRef | None) -> Iterator[Any]:
        for graph_name in self._graphs(name):
            graph = Graph(self, identifier=graph_name)
            self.queries += 1
            for found in scan(self.engine.store, graph_name, pattern):
                triple = (
                    to_rdflib(found.subject),
                    to_rdflib(found.predicate),
                    to_rdflib(found.object),
                )
                yield triple, iter((graph,))

    def _select(self, pattern: tuple[Node | None, ...], name: URIRef | None) -> Iterator[Any]:
        graphs = self._graphs(name)
        values = " ".join(f"<{g}>" for g in graphs)
        text = (
            f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} "
            f"GRAPH ?g {{ {_pattern_text(pattern)} }} }}"
        )
        self.queries += 1
        s, p, o = pattern
        for row in select_rows(self.engine.store, text, [str(g) for g in graphs]):
            triple = tuple(
                t if t is not None else row[v] for t, v in zip((s, p, o), (_S, _P, _O), strict=True)
            )
            yield triple, iter((Graph(self, identifier=URIRef(str(row[_G]))),))

    @property
    def ontology(self) -> Graph:
        """The ontology graph, read once."""
        if self._ontology is None:
            graph = Graph()
            if GRAPHS["ontology"] in self.engine.held:
                for triple, _ in self._select((None, None, None), GRAPHS["ontology"]):
                    graph.add(triple)
            self._ontology = graph
        return self._ontology

    def __len__(self, context: Any = None) -> int:
        name = _name(context)
        if name is None:
            return sum(self.counts.values())
        return self.counts.get(name, 0)

    def contexts(self, triple: Any = None) -> Generator[Graph, None, None]:
        for name in self.engine.held:
            graph = Graph(self, identifier=name)
            if triple is None or next(self.triples(triple, graph), None) is not None:
                yield graph

    def query(
        self, query: Any, initNs: Any, initBindings: Any, queryGraph: Any, **kwargs: Any
    ) -> Any:
        """A query as text goes to the store (its bindings as a VALUES clause); rdflib
        answers any other over the lookups."""
        if not isinstance(query, str) or queryGraph != DATASET_DEFAULT_GRAPH_ID:
            raise NotImplementedError
        if initBindings:
            names = list(initBindings)
            if any(isinstance(initBindings[n], BNode) for n in names):
                raise NotImplementedError
            row = " ".join(initBindings[n].n3() for n in names)
            query += f"\nVALUES ({' '.join('?' + n for n in names)}) {{ ({row}) }}"
        self.queries += 1
        return self.engine.run(query, [], list(self.engine.held)).result

    # ------------------------------------------------------------ prefixes

    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        self._names.bind(prefix, namespace, override)

    def namespace(self, prefix: str) -> URIRef | None:
        return self._names.namespace(prefix)

    def prefix(self, namespace: URIRef) -> str | None:
        return self._names.prefix(namespace)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        return self._names.namespaces()


def _blank(subject: Node | None, predicate: Node | None, obj: Node | None) -> bool:
    """Must a lookup be answered from the ontology: a blank node the query would have to
    name (as subject or predicate, or as object with no subject to ask about)?"""
    return (
        isinstance(subject, BNode)
        or isinstance(predicate, BNode)
        or (isinstance(obj, BNode) and subject is None)
    )


def _pattern_text(pattern: tuple[Node | None, ...]) -> str:
    """A lookup's triple pattern in SPARQL, ``?s ?p ?o`` where a term is not given."""
    return " ".join(
        t.n3() if t is not None else v.n3() for t, v in zip(pattern, (_S, _P, _O), strict=True)
    )


def _name(context: Any) -> URIRef | None:
    if context is None:
        return None
    identifier = getattr(context, "identifier", context)
    return URIRef(str(identifier))


def remote_dataset(engine: RemoteEngine, counts: Mapping[URIRef, int]) -> Dataset:
    """The graphs of ours the store holds as a read-only, store-backed rdflib Dataset.

    Raises:
        SettingError: the store lacks a graph the pages read.
    """
    missing = [name for name in PAGES_NEED if GRAPHS[name] not in engine.held]
    if missing:
        raise SettingError(
            f"the remote store at {engine.store.endpoints.query} lacks the graphs the pages "
            f"read ({', '.join(missing)}); push every graph: "
            "`filmgraph push --to URL --graphs all`"
        )
    dataset = Dataset(store=RemoteReadOnly(engine, counts))
    bind_prefixes(dataset)
    return dataset
