"""OWL 2 RL reasoning: the engines by name (owlrl, reasonable), the W3C rules as matchers,
the noise filter, the consistency check, and explanations of every inferred triple."""

from .explanations import (
    Explainer,
    Explanation,
    explain,
    explanation_json,
    explanation_text,
    parse_triple,
)
from .reasoning import ENGINES, Reasoning, engine_version, reason
from .rules import RULES

__all__ = [
    "ENGINES",
    "RULES",
    "Explainer",
    "Explanation",
    "Reasoning",
    "engine_version",
    "explain",
    "explanation_json",
    "explanation_text",
    "parse_triple",
    "reason",
]
