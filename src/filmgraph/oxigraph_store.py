"""The embedded Oxigraph backend: the built dataset in a pyoxigraph store on disk, queried
by Oxigraph's own SPARQL engine (Rust) instead of rdflib's.

The rules stay the library's: every query is first parsed by rdflib (:func:`sparql.prepare`)
so that updates, SERVICE off the allow-list and graphs we do not hold are refused exactly as
on the in-memory backend, with the same messages and statuses; only then does Oxigraph
evaluate it, over the dataset the query asked for (its default graph the union of the
asserted, inferred and links graphs unless FROM or the protocol says otherwise). Results
come back as rdflib results, so every serializer, cap and route works unchanged.

Oxigraph never fetches a graph named in FROM (it only looks in the store), and SERVICE is
refused before it is reached; its own I/O is Rust's, which the worker sandbox's audit hook
does not see, so those refusals are the guard.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.query import Result

from .errors import EngineLimitError, QueryError, UpstreamError
from .namespaces import PREFIXES
from .sparql import Answer, Engine, Prepared, _cap

_PREFIXES = {name: str(namespace) for name, namespace in PREFIXES.items()}
_PLAIN = {str(XSD.string), str(RDF.langString)}


def write_store(dataset: Dataset, path: Path) -> Path:
    """Write the named graphs of ``dataset`` into a new Oxigraph store at ``path``,
    replacing any store there only once the new one is complete.
    """
    staging = path.with_name(path.name + ".new")
    quads = path.with_name(path.name + ".nq")  # streamed to disk, never whole in memory
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    try:
        dataset.serialize(destination=str(quads), format="nquads", encoding="utf-8")
        store = ox.Store(str(staging))
        store.bulk_load(path=str(quads), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store  # close it before it moves
    finally:
        quads.unlink(missing_ok=True)
    shutil.rmtree(path, ignore_errors=True)
    staging.rename(path)
    return path


def memory_store(dataset: Dataset) -> ox.Store:
    """The named graphs of ``dataset`` in an Oxigraph store in memory (for tests)."""
    store = ox.Store()
    store.bulk_load(dataset.serialize(format="nquads").encode("utf-8"), ox.RdfFormat.N_QUADS)
    return store


class OxigraphEngine(Engine):
    """Runs SPARQL on an Oxigraph store, under the same rules as :class:`QueryEngine`.

    >>> from filmgraph import build
    >>> engine = OxigraphEngine(memory_store(build()))
    >>> answer = engine.run("SELECT ?name WHERE { fgid:closeness schema:name ?name }")
    >>> [str(row.name) for row in answer.result]
    ['Closeness']
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

    def evaluate(
        self, prepared: Prepared, default: tuple[URIRef, ...], named: tuple[URIRef, ...]
    ) -> Answer:
        try:
            found = self.store.query(
                prepared.text,
                prefixes=_PREFIXES,
                default_graph=[ox.NamedNode(str(g)) for g in default] or ox.DefaultGraph(),
                named_graphs=[ox.NamedNode(str(g)) for g in named],
            )
            result = self._result(prepared.kind, found)  # evaluation happens as it is read
        except SyntaxError as exc:  # rdflib accepted what Oxigraph's parser does not
            raise QueryError(f"the query cannot be evaluated by Oxigraph: {exc}") from exc
        except (OSError, RuntimeError) as exc:
            if prepared.services:  # Oxigraph calls SERVICE endpoints itself
                where = ", ".join(prepared.services)
                raise UpstreamError(f"a SERVICE endpoint failed: {exc}", where) from exc
            raise EngineLimitError(f"Oxigraph cannot answer this query: {exc}") from exc
        return _cap(Answer(prepared.kind, result), self.max_rows)

    def _result(self, kind: str, found: object) -> Result:
        result = Result(kind)
        if kind == "ASK":
            result.askAnswer = bool(found)
        elif kind == "SELECT":
            solutions: ox.QuerySolutions = found  # type: ignore[assignment]
            names = [Variable(v.value) for v in solutions.variables]
            result.vars = names
            limit = None if self.max_rows is None else self.max_rows + 1
            result.bindings = [
                {name: to_rdflib(solution[name]) for name in names if solution[name] is not None}
                for solution in itertools.islice(solutions, limit)
            ]
        else:
            graph = Graph()
            for triple in found:  # type: ignore[attr-defined]
                graph.add(
                    (
                        to_rdflib(triple.subject),
                        to_rdflib(triple.predicate),
                        to_rdflib(triple.object),
                    )
                )
            result.graph = graph
        return result


def to_rdflib(term: object) -> URIRef | BNode | Literal:
    """An Oxigraph term as rdflib's (a plain string keeps no ``xsd:string`` datatype, as
    rdflib's parsers do).

    >>> to_rdflib(ox.Literal("1991-01-25", datatype=ox.NamedNode(str(XSD.date))))
    rdflib.term.Literal('1991-01-25', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=None if datatype in _PLAIN else URIRef(datatype))
    raise QueryError(f"a term rdflib cannot hold: {term!r}")
