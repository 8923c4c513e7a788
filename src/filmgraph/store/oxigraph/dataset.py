"""The build read from its Oxigraph store as an rdflib ``Dataset``, without a copy in memory.

With ``store=oxigraph`` the pages, ``/explain``, the data documents, the exports and the CLI
read the same named graphs as with the in-memory build, but every lookup is a lookup in the
store on disk (through rdflib's store plugin for pyoxigraph, ``oxrdflib``): a server over
a million triples holds none of them in Python.

The view is read-only and keeps the build's shape:

- the named graphs are the store's named graphs;
- the default graph is empty, as in a build (the store's own default graph holds the union
  the queries see, which is for the query engine, not for the pages);
- terms are rdflib's as the parsers make them: a plain string has no ``xsd:string``
  datatype (:func:`oxigraph_store.to_rdflib`);
- literals read back as they were written. Oxigraph 0.5 narrows some datatypes when it
  stores a literal (``"01"^^xsd:positiveInteger`` is kept as ``"1"^^xsd:integer``); the
  quads it would narrow are kept verbatim in a file beside the store
  (:func:`keep_datatypes`) and put back on reading;
- rdflib's engine answers ``Graph.query`` over these lookups, with those terms.

The queries of the endpoint never come here: :class:`oxigraph_store.OxigraphEngine` runs
them on the store itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from oxrdflib._converter import to_ox_quad_pattern
from rdflib import Dataset, Graph, Literal

from ...core import bind_prefixes
from ...query import graph_size, to_rdflib
from ..read_only import ReadOnly
from .files import datatypes_file

Key = tuple[object, object, object]


def _kept(path: Path | None) -> dict[Key, list[Literal]]:
    """The quads :func:`keep_datatypes` kept for the store at ``path``, by graph, subject
    and predicate."""
    found: dict[Key, list[Literal]] = {}
    side = datatypes_file(path) if path is not None else None
    if side is None or not side.is_file():
        return found
    for quad in ox.parse(path=str(side), format=ox.RdfFormat.N_QUADS):
        key = (to_rdflib(quad.graph_name), to_rdflib(quad.subject), to_rdflib(quad.predicate))
        literal = to_rdflib(quad.object)
        if isinstance(literal, Literal):  # the file holds only quads of literals
            found.setdefault(key, []).append(literal)
    return found


class ReadOnlyOxigraph(ReadOnly, OxigraphStore):
    """rdflib's Oxigraph store plugin, read-only, over the named graphs of a store."""

    def __init__(self, store: ox.Store, path: Path | None = None) -> None:
        super().__init__(store=store)
        self.path = path  # where the store lives on disk (None: in memory)
        self._originals: dict[Key, list[Literal]] | None = None

    def _restore(self, quad: ox.Quad) -> tuple[Any, Any, Any]:
        """A stored quad's triple as rdflib terms, its literal as it was written."""
        s, p, o = to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)
        if type(o) is Literal and o.datatype is not None:
            if self._originals is None:
                self._originals = _kept(self.path)
            for original in self._originals.get((to_rdflib(quad.graph_name), s, p), ()):
                if original.eq(o):
                    return s, p, original
        return s, p, o

    def _named(self) -> list[ox.NamedNode | ox.BlankNode]:
        return list(self._inner.named_graphs())

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:
        s, p, o, g = to_ox_quad_pattern(triple_pattern, context)
        if isinstance(g, ox.DefaultGraph):
            return iter(())  # the build's default graph is empty
        try:  # made now, not while iterating, so that a bad pattern is caught here
            found = itertools.chain.from_iterable(
                [
                    self._inner.quads_for_pattern(s, p, o, graph)
                    for graph in ([g] if g is not None else self._named())
                ]
            )
        except (TypeError, ValueError):  # e.g. a literal as predicate: nothing matches
            return iter(())
        return (
            (self._restore(q), iter((Graph(self, identifier=to_rdflib(q.graph_name)),)))
            for q in found
        )

    def __len__(self, context: Any = None) -> int:
        name = None if context is None else to_ox_quad_pattern((None, None, None), context)[3]
        if name is None:
            return sum(graph_size(self._inner, graph) for graph in self._named())
        return 0 if isinstance(name, ox.DefaultGraph) else graph_size(self._inner, name)

    def contexts(self, triple: Any = None) -> Generator[Graph, None, None]:
        if triple is None:
            names = self._named()
        else:
            try:
                quads = self._inner.quads_for_pattern(*to_ox_quad_pattern(triple))
            except (TypeError, ValueError):  # a term Oxigraph cannot hold: in no graph
                return
            names = list(
                dict.fromkeys(
                    q.graph_name for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)
                )
            )
        for name in names:
            yield Graph(self, identifier=to_rdflib(name))

    def query(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError  # rdflib's engine answers, over the lookups above


def open_dataset(path: Path) -> Dataset:
    """The named graphs of the Oxigraph store at ``path``, read-only, as an rdflib Dataset.

    Raises:
        OSError: there is no store at ``path``.
    """
    dataset = Dataset(store=ReadOnlyOxigraph(ox.Store.read_only(str(path)), path))
    bind_prefixes(dataset)
    return dataset


def store_path(dataset: Dataset) -> Path | None:
    """Where the Oxigraph store behind ``dataset`` lives, or None for any other dataset."""
    store = dataset.store
    return store.path if isinstance(store, ReadOnlyOxigraph) else None
