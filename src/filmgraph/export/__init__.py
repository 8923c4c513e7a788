"""Documents made from a built dataset: exports in every RDF format (stable text, JSON-LD
with a local context, framed JSON-LD), entity descriptions, and counts."""

from .counts import stats, stats_json, stats_text
from .describe import Assessment, Describer, Description, Fact
from .exports import EXPORTS, export, media_type

__all__ = [
    "EXPORTS",
    "Assessment",
    "Describer",
    "Description",
    "Fact",
    "export",
    "media_type",
    "stats",
    "stats_json",
    "stats_text",
]
