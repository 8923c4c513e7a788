"""Documents made from a built dataset: exports in every RDF format (stable text, streamed
from the store in bounded memory but for framed JSON-LD; JSON-LD with a local
context, framed JSON-LD with the schema.org consequences of the data), entity descriptions,
the entity index, and counts."""

from .counts import stats, stats_json, stats_text
from .describe import Assessment, Describer, Description, Fact
from .entity_index import (
    COUNT_CAP,
    MAX_PAGE_SIZE,
    OVERVIEW_SIZE,
    PAGE_SIZE,
    SEARCH_SIZE,
    EntityIndex,
    Found,
    IndexGroup,
    Listing,
    select_on,
    words_of,
)
from .exports import EXPORTS, STREAMED, export, export_nquads, export_stream, media_type
from .jsonld import schemaorg_view

__all__ = [
    "COUNT_CAP",
    "EXPORTS",
    "MAX_PAGE_SIZE",
    "OVERVIEW_SIZE",
    "PAGE_SIZE",
    "SEARCH_SIZE",
    "STREAMED",
    "Assessment",
    "Describer",
    "Description",
    "EntityIndex",
    "Fact",
    "Found",
    "IndexGroup",
    "Listing",
    "export",
    "export_nquads",
    "export_stream",
    "media_type",
    "schemaorg_view",
    "select_on",
    "stats",
    "stats_json",
    "stats_text",
    "words_of",
]
