"""SPARQL over a built dataset, the way the endpoint and the library both run it.

- The default graph is the union of the asserted, inferred and links graphs; every graph of
  the dataset (ontology and provenance too) stays addressable by name (``GRAPH``, ``FROM``,
  ``FROM NAMED``, or the protocol's ``default-graph-uri`` / ``named-graph-uri``).
- A query is answered from the graphs we hold and nothing else: a dataset naming a graph we
  do not hold is refused (rdflib would fetch it from the web), and ``SERVICE`` is refused
  unless its endpoint is on an allow-list.
- rdflib's known query bugs are repaired per query (:mod:`filmgraph.query.repairs`).
- Results can be capped at a number of rows; the answer says when the cap was hit.
"""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from pyparsing import ParseBaseException
from rdflib import Dataset, Graph, URIRef, Variable
from rdflib import __version__ as rdflib_version
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result

from ..core import GRAPHS, PREFIXES, EngineLimitError, ForbiddenError, QueryError, QuerySyntaxError
from .formats import format_result
from .repairs import fix_algebra, fix_parse_tree, walk

#: The graphs whose union is the default graph a query sees.
DEFAULT_GRAPHS = ("asserted", "inferred", "links")


def default_graphs_of(held: Iterable[URIRef]) -> tuple[URIRef, ...]:
    """The graphs of :data:`DEFAULT_GRAPHS` among ``held``, in that order: the union a
    query sees as its default graph."""
    held = set(held)
    return tuple(GRAPHS[n] for n in DEFAULT_GRAPHS if n in GRAPHS and GRAPHS[n] in held)


KINDS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


@dataclass(frozen=True)
class Prepared:
    """A parsed, repaired query and the dataset it asks for.

    ``default_graphs`` / ``named_graphs`` are the query's FROM / FROM NAMED IRIs, or None
    when it has no dataset clause; ``services`` the endpoints of its SERVICE patterns.
    """

    text: str
    query: Query
    kind: str
    default_graphs: tuple[URIRef, ...] | None
    named_graphs: tuple[URIRef, ...] | None
    services: tuple[str, ...]


def prepare(text: str) -> Prepared:
    """Parse a SPARQL query with the project's prefixes predeclared.

    Raises:
        QuerySyntaxError: the text is not a query (with the 1-based line and column).
        ForbiddenError: the text is a SPARQL Update.

    >>> p = prepare("SELECT ?film FROM NAMED <https://w3id.org/filmgraph/graph/asserted> "
    ...             "WHERE { GRAPH ?g { ?film a schema:Movie } }")
    >>> p.kind, p.default_graphs, [str(g) for g in p.named_graphs]
    ('SELECT', (), ['https://w3id.org/filmgraph/graph/asserted'])
    """
    _check_escapes(text)
    try:
        tree = parseQuery(text)
    except ParseBaseException as exc:
        if _is_update(text):
            raise ForbiddenError(
                "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...) "
                "is not accepted"
            ) from exc
        raise QuerySyntaxError(exc.msg, exc.lineno, exc.col) from exc
    short_construct = fix_parse_tree(tree)
    try:
        query = translateQuery(tree, initNs=dict(PREFIXES))
    except Exception as exc:  # rdflib raises plain Exceptions, e.g. for an unknown prefix
        if type(exc) is Exception:
            raise QuerySyntaxError(str(exc)) from exc
        raise EngineLimitError(engine_failure(exc)) from exc
    algebra = query.algebra
    fix_algebra(algebra, short_construct)
    clause = algebra.datasetClause or []
    algebra["datasetClause"] = None  # never let rdflib resolve it: it would fetch IRIs
    default = tuple(dict.fromkeys(d.default for d in clause if d.default is not None))
    named = tuple(dict.fromkeys(d.named for d in clause if d.named is not None))
    services = tuple(str(n.term) for n in walk(algebra) if n.name == "ServiceGraphPattern")
    return Prepared(
        text,
        query,
        KINDS[algebra.name],
        default if clause else None,
        named if clause else None,
        services,
    )


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _check_escapes(text: str) -> None:
    """``\\u`` / ``\\U`` escapes must name characters: no surrogates, nothing past U+10FFFF."""
    for match in _ESCAPE.finditer(text):
        code = int(match.group(1) or match.group(2), 16)
        if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
            line = text.count("\n", 0, match.start()) + 1
            column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            raise QuerySyntaxError(
                f"{match.group(0)} is not a character (a surrogate, or past U+10FFFF)",
                line,
                column,
            )


def engine_failure(exc: BaseException) -> str:
    """What to tell a client when rdflib's engine fails on a query it accepted."""
    module, function = _deepest_frame(exc, ("rdflib",))
    where = f"{module}.{function}" if module else "rdflib"
    return (
        f"the SPARQL engine (rdflib {rdflib_version}) cannot answer this query: "
        f"{type(exc).__name__} in {where}"
    )


def is_engine_failure(exc: BaseException) -> bool:
    """Whether the deepest frame of ``exc`` that is rdflib's or ours is rdflib's: an
    engine limitation on a query it accepted (501), not a bug of filmgraph (500)."""
    return _deepest_frame(exc, ("rdflib", "filmgraph"))[0].startswith("rdflib")


def _deepest_frame(exc: BaseException, prefixes: tuple[str, ...]) -> tuple[str, str]:
    """(module, function) of the deepest traceback frame in a module with these prefixes."""
    found = ("", "")
    traceback = exc.__traceback__
    while traceback is not None:
        module = traceback.tb_frame.f_globals.get("__name__", "")
        if module.startswith(prefixes):
            found = (module, traceback.tb_frame.f_code.co_name)
        traceback = traceback.tb_next
    return found


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except ParseBaseException:
        return False
    return True


@dataclass
class Answer:
    """A query's result, and whether it was cut at the row limit.

    ``len()`` is its rows (SELECT), triples (CONSTRUCT, DESCRIBE) or 1 (ASK); :meth:`body`
    its text in a format. A backend may hold its answer in a form of its own and make
    ``result`` only when it is read (:class:`filmgraph.store.oxigraph.engine.OxigraphAnswer`).
    """

    kind: str
    result: Result
    truncated: bool = False

    def __len__(self) -> int:
        if self.kind in ("CONSTRUCT", "DESCRIBE"):
            return len(self.result.graph)  # type: ignore[arg-type]
        return 1 if self.kind == "ASK" else len(self.result.bindings)

    def body(self, fmt: str) -> bytes:
        """The answer in the format named ``fmt``, in UTF-8 (:func:`results.format_result`:
        the same formats, and the same errors for a format the result cannot have)."""
        return format_result(self.result, fmt).encode("utf-8")


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
        self._prepared: OrderedDict[str, Prepared] = OrderedDict()

    def prepare(self, text: str) -> Prepared:
        """:func:`prepare`, remembering the last queries."""
        prepared = self._prepared.get(text)
        if prepared is None:
            prepared = prepare(text)
            _remember(self._prepared, text, prepared, self._cache_size)
        else:
            self._prepared.move_to_end(text)
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

    def _held(self, names: Iterable[str] | None, default: tuple[URIRef, ...]) -> tuple:
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
    ) -> Answer:
        """Answer a query. Dataset arguments (the protocol's ``default-graph-uri`` and
        ``named-graph-uri``) take precedence over the query's own FROM / FROM NAMED.

        Raises:
            QuerySyntaxError, QueryError, ForbiddenError: see :func:`prepare` and
            :meth:`dataset`.
        """
        prepared = self.prepare(text)
        for service in prepared.services:
            if service not in self.allowed_services:
                raise ForbiddenError(
                    f"SERVICE <{service}> is refused: federated queries may only call the "
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
        raise NotImplementedError


class QueryEngine(Engine):
    """Runs SPARQL over one rdflib dataset in memory, with views for the datasets queries
    ask for.

    Views are copies made once and kept (the dataset must not change while an engine uses
    it); prepared queries are kept too, so repeated queries skip parsing.

    Args:
        dataset: a built dataset (named graphs; see :func:`filmgraph.build`).
        allowed_services, max_rows: see :class:`Engine`.

    >>> from filmgraph import build
    >>> engine = QueryEngine(build())
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
        self.graphs: dict[URIRef, Graph] = {
            g.identifier: g  # type: ignore[misc]
            for g in dataset.graphs()
            if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)
        }
        super().__init__(
            self.graphs,
            allowed_services=allowed_services,
            max_rows=max_rows,
            cache_size=cache_size,
        )
        self._views: OrderedDict[tuple, Dataset] = OrderedDict()

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
            _remember(self._views, key, view, 8)
        return view

    def evaluate(
        self, prepared: Prepared, default: tuple[URIRef, ...], named: tuple[URIRef, ...]
    ) -> Answer:
        result = self.view(default, named).query(prepared.query)
        return _cap(Answer(prepared.kind, result), self.max_rows)


def _remember(cache: OrderedDict, key: object, value: object, size: int) -> None:
    cache[key] = value
    while len(cache) > size:
        cache.popitem(last=False)


def _cap(answer: Answer, max_rows: int | None) -> Answer:
    """Cut a result at ``max_rows`` rows (SELECT) or triples (CONSTRUCT/DESCRIBE)."""
    result = answer.result
    if max_rows is None or answer.kind == "ASK":
        return answer
    if answer.kind == "SELECT":
        rows = list(itertools.islice(result, max_rows + 1))
        capped = Result("SELECT")
        capped.vars = result.vars
        capped.bindings = [
            {Variable(k): v for k, v in row.asdict().items()}  # type: ignore[union-attr]
            for row in rows[:max_rows]
        ]
        return Answer("SELECT", capped, len(rows) > max_rows)
    graph = result.graph
    if graph is None or len(graph) <= max_rows:
        return answer
    capped = Result(answer.kind)
    capped.graph = Graph()
    for triple in itertools.islice(sorted(graph), max_rows):
        capped.graph.add(triple)
    return Answer(answer.kind, capped, True)
