"""The SPARQL rules every backend shares: preparing a query (parse, repairs of rdflib's known
bugs, the dataset it asks for, refusing updates), the dataset rules and the SERVICE
allow-list (:class:`Engine`), the row cap, result formats, and the named queries."""

from .engine import (
    DEFAULT_GRAPHS,
    Answer,
    Engine,
    Prepared,
    QueryEngine,
    _cap,
    default_graphs_of,
    engine_failure,
    is_engine_failure,
    prepare,
)
from .formats import (
    FAMILY,
    GRAPH,
    MEDIA_TYPES,
    QUAD_FORMATS,
    TABULAR,
    TRIPLE_FORMATS,
    format_result,
    json_ld,
    not_acceptable,
    serialize_graph,
)
from .named import NamedQuery, get_query, load_queries, run_query

__all__ = [
    "DEFAULT_GRAPHS",
    "FAMILY",
    "GRAPH",
    "MEDIA_TYPES",
    "QUAD_FORMATS",
    "TABULAR",
    "TRIPLE_FORMATS",
    "Answer",
    "Engine",
    "NamedQuery",
    "Prepared",
    "QueryEngine",
    "_cap",
    "default_graphs_of",
    "engine_failure",
    "format_result",
    "get_query",
    "is_engine_failure",
    "json_ld",
    "load_queries",
    "not_acceptable",
    "prepare",
    "run_query",
    "serialize_graph",
]
