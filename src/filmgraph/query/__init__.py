"""The SPARQL rules every backend shares, and what answers look like.

- :mod:`.prepared`: a query parsed with our prefixes, rdflib's known bugs repaired
  (:mod:`.repairs`), its kind, dataset clause and SERVICE endpoints read off; updates refused.
- :mod:`.engine`: :class:`Engine`, the dataset a query sees (only graphs we hold), the
  SERVICE allow-list and the row cap, checked before any backend evaluates.
- :mod:`.answer` and :mod:`.oxigraph_results`: answers, as rdflib results or as Oxigraph
  writes them.
- :mod:`.failures`: the one table that turns engine and library failures into our errors.
- :mod:`.formats`: the result formats and their media types.
- :mod:`.named`: the named queries of ``queries/``.
"""

from .answer import Answer, cap
from .engine import DEFAULT_BASE, DEFAULT_GRAPHS, Engine, default_graphs_of, remember
from .failures import (
    FAILURES,
    answering,
    as_error,
    buffer_full,
    engine_failure,
    is_engine_failure,
    name_memory_limit,
    syntax_error,
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
    tidy_jsonld,
)
from .named import NamedQuery, get_query, load_queries
from .oxigraph_results import (
    OxigraphAnswer,
    read_long_rows,
    read_results,
    solutions_tsv,
    stored_literal,
    to_graph,
    to_rdflib,
)
from .prepared import KINDS, Prepared, prepare, prepare_read, prepare_unparsed, valid_elsewhere
from .reading import PREFIX_IRIS
from .store_graphs import drop, graph_size, remove_quads

__all__ = [
    "DEFAULT_BASE",
    "DEFAULT_GRAPHS",
    "FAILURES",
    "FAMILY",
    "GRAPH",
    "KINDS",
    "MEDIA_TYPES",
    "PREFIX_IRIS",
    "QUAD_FORMATS",
    "TABULAR",
    "TRIPLE_FORMATS",
    "Answer",
    "Engine",
    "NamedQuery",
    "OxigraphAnswer",
    "Prepared",
    "answering",
    "as_error",
    "buffer_full",
    "cap",
    "default_graphs_of",
    "drop",
    "engine_failure",
    "format_result",
    "get_query",
    "graph_size",
    "is_engine_failure",
    "json_ld",
    "load_queries",
    "name_memory_limit",
    "not_acceptable",
    "prepare",
    "prepare_read",
    "prepare_unparsed",
    "read_long_rows",
    "read_results",
    "remember",
    "remove_quads",
    "serialize_graph",
    "solutions_tsv",
    "stored_literal",
    "syntax_error",
    "tidy_jsonld",
    "to_graph",
    "to_rdflib",
    "valid_elsewhere",
]
