"""The build in an Oxigraph store on disk: written from N-Quads (never through rdflib), its
default graph the union of the default graphs, and the literals Oxigraph would narrow kept
beside it.

- **The default graph is materialised.** :func:`load_store` copies the triples of the
  default graphs (:data:`filmgraph.query.DEFAULT_GRAPHS`) into the store's own default graph,
  once, and a query that does not choose its dataset is evaluated on that graph: Oxigraph
  answers faster from one graph than from a union of named graphs (1.2-2.1x on the growth
  benchmark's queries), at the price of storing those triples twice. The named graphs stay
  as they are (``GRAPH ?g`` never sees the default graph), and a query that names its
  dataset (FROM, FROM NAMED, the protocol's graph URIs) gets exactly those graphs. A store
  written without the copy (its default graph empty) is queried over the named graphs.
- **Literals as written.** Oxigraph 0.5 stores some literals with another datatype or
  lexical form (``"01"^^xsd:positiveInteger`` as ``"1"^^xsd:integer``); those quads are kept
  verbatim in a file beside the store (:func:`keep_datatypes`), which :mod:`.dataset` reads.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from ...core import write_atomic
from ...query import default_graphs_of


def key_file(path: Path) -> Path:
    """The file that names the build the store at ``path`` holds (``LAYOUT key``); removed
    by :func:`load_store` before anything else is written there."""
    return path.with_name(path.name + ".key")


def write_store(dataset: Dataset, path: Path) -> Path:
    """Write the named graphs of ``dataset`` into a new Oxigraph store at ``path``, as
    :func:`load_store` loads them, replacing any store there only once the new one is
    complete.
    """
    quads = path.with_name(path.name + ".nq")  # streamed to disk, never whole in memory
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        dataset.serialize(destination=str(quads), format="nquads", encoding="utf-8")
        return load_store(quads, path)
    finally:
        quads.unlink(missing_ok=True)


def load_store(nquads: Path, path: Path) -> Path:
    """Load the named graphs of the N-Quads file ``nquads`` into a new Oxigraph store at
    ``path``, replacing any store there only once the new one is complete. The store's
    default graph is the union of the default graphs (:func:`union_default_graph`; the
    file's own default graph is dropped), and the literals Oxigraph would store with another
    datatype are kept beside it (:func:`keep_datatypes`). Nothing passes through rdflib.

    Raises:
        OSError, SyntaxError: the file cannot be read or is not N-Quads.
    """
    key_file(path).unlink(missing_ok=True)  # whatever it said, the store will hold this file
    staging = path.with_name(path.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    store = ox.Store(str(staging))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    union_default_graph(store)
    # The copy's files overlap the load's: compacted once, six queries of the growth
    # benchmark take 12.4 s instead of 14.4-15.1 s at 1M triples (4.6 s more to write;
    # the store grows from 577 to 731 MB). At 100k it changes nothing measurable.
    store.optimize()
    store.flush()
    del store  # close it before it moves
    shutil.rmtree(path, ignore_errors=True)
    staging.rename(path)
    keep_datatypes(nquads, path)
    return path


#: The datatype of an N-Quads line's object, when it is a typed literal.
_TYPED = re.compile(r'"\^\^<([^>]*)>(?:\s+(?:<[^>]*>|_:\S+))?\s*\.\s*$')


def datatypes_file(path: Path) -> Path:
    """Where the quads whose literals Oxigraph would narrow are kept, beside the store."""
    return path.with_name(path.name + ".datatypes.nq")


def keep_datatypes(nquads: Path, path: Path) -> int:
    """Keep the quads of the N-Quads file ``nquads`` whose literal Oxigraph stores with
    another datatype or lexical form (Oxigraph 0.5 keeps ``"01"^^xsd:positiveInteger`` as
    ``"1"^^xsd:integer``) beside the store at ``path``; return how many.
    :mod:`filmgraph.store.oxigraph.dataset` puts them back on reading.

    Each datatype met is tried once in a scratch store: only those Oxigraph changes count.
    """
    narrowed: dict[str, bool] = {}
    kept: list[str] = []
    with nquads.open(encoding="utf-8") as lines:
        for line in lines:
            match = _TYPED.search(line)
            if match is None:
                continue
            datatype = match.group(1)
            if datatype not in narrowed:
                narrowed[datatype] = _narrows(line)
            if narrowed[datatype]:
                kept.append(line)
    write_atomic(datatypes_file(path), "".join(kept))
    return len(kept)


def _narrows(line: str) -> bool:
    """Whether Oxigraph stores the literal of this N-Quads line differently."""
    quad = next(iter(ox.parse(line.encode("utf-8"), format=ox.RdfFormat.N_QUADS)))
    probe = ox.Store()
    probe.add(quad)
    stored = next(iter(probe)).object
    return (stored.value, stored.datatype) != (quad.object.value, quad.object.datatype)


def memory_store(dataset: Dataset) -> ox.Store:
    """The named graphs of ``dataset`` in an Oxigraph store in memory, with the union of
    the default graphs as its default graph, as :func:`write_store` writes it (for tests)."""
    store = ox.Store()
    store.bulk_load(dataset.serialize(format="nquads").encode("utf-8"), ox.RdfFormat.N_QUADS)
    union_default_graph(store)
    return store


def default_graphs(store: ox.Store) -> list[ox.NamedNode]:
    """The graphs of :data:`sparql.DEFAULT_GRAPHS` the store holds
    (:func:`sparql.default_graphs_of`, as the engine chooses them)."""
    held = (URIRef(g.value) for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    return [ox.NamedNode(str(name)) for name in default_graphs_of(held)]


def union_default_graph(store: ox.Store) -> None:
    """Make the store's default graph the union of its default graphs (a graph is a set:
    a triple in two of them is stored once). Anything the default graph held before is
    dropped first.

    The quads are streamed from the store back into it, re-targeted one by one, so that
    each blank node stays the node it is in the named graphs (Oxigraph's parsers would give
    blank nodes read back from a dump new names). At 182k triples this takes 1.8 s, as long
    as the bulk load of the named graphs; at 1.8M, 21 s.
    """
    store.clear_graph(ox.DefaultGraph())
    graphs = default_graphs(store)
    default = ox.DefaultGraph()
    store.bulk_extend(
        ox.Quad(quad.subject, quad.predicate, quad.object, default)
        for graph in graphs
        for quad in store.quads_for_pattern(None, None, None, graph)
    )


def holds_default_graph(store: ox.Store) -> bool:
    """Whether the store's default graph holds anything: written by :func:`write_store` or
    :func:`memory_store`, it is the union of the default graphs (an earlier filmgraph
    left it empty)."""
    quads = store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    return next(iter(quads), None) is not None
