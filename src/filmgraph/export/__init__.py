"""Documents made from a built dataset: exports in every RDF format (stable text, streamed
from the store in bounded memory but for RDF/XML and framed JSON-LD; JSON-LD with a local
context, framed JSON-LD with the schema.org consequences of the data), entity descriptions,
and counts."""

from .counts import stats, stats_json, stats_text
from .describe import Assessment, Describer, Description, Fact, IndexGroup
from .exports import EXPORTS, STREAMED, export, export_nquads, export_stream, media_type
from .jsonld import schemaorg_view

__all__ = [
    "EXPORTS",
    "STREAMED",
    "Assessment",
    "Describer",
    "Description",
    "Fact",
    "IndexGroup",
    "export",
    "export_nquads",
    "export_stream",
    "media_type",
    "schemaorg_view",
    "stats",
    "stats_json",
    "stats_text",
]
