"""Documents made from a built dataset: exports in every RDF format (stable text, JSON-LD
with a local context, framed JSON-LD), entity descriptions, and counts."""

from .describe import Describer, Description, Fact
from .exports import EXPORTS, export, media_type
from .stats import stats, stats_json, stats_text

__all__ = [
    "EXPORTS",
    "Describer",
    "Description",
    "Fact",
    "export",
    "media_type",
    "stats",
    "stats_json",
    "stats_text",
]
