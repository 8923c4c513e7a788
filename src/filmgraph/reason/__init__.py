"""OWL 2 RL reasoning: the engines by name (owlrl, reasonable), the W3C rules as matchers,
the noise filter, the consistency check, and explanations of every inferred triple; and
bounded reasoning from files into an Oxigraph store (:func:`reason_into_store`), for inputs
too large to hold as rdflib graphs; and the rules evaluated by the store itself
(:func:`rules_into_store`, :func:`materialise`), for inputs too large for any engine's
memory."""

from .bounded import (
    TRIPLE_FILES,
    StoreGraph,
    WorkFiles,
    load_triples,
    reason_into_store,
    store_graph,
    write_nquads,
)
from .explanations import (
    Explainer,
    Explanation,
    explain,
    explanation_json,
    explanation_text,
    parse_triple,
)
from .in_store import materialise, rules_into_store
from .reasoning import ENGINES, Reasoning, engine_version, reason
from .rules import RULES

__all__ = [
    "ENGINES",
    "RULES",
    "TRIPLE_FILES",
    "Explainer",
    "Explanation",
    "Reasoning",
    "StoreGraph",
    "WorkFiles",
    "engine_version",
    "explain",
    "explanation_json",
    "explanation_text",
    "load_triples",
    "materialise",
    "parse_triple",
    "reason",
    "reason_into_store",
    "rules_into_store",
    "store_graph",
    "write_nquads",
]
