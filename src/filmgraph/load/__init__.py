"""From files to graphs: the source document and its sentences, the claims checklist and
its compilation, the Web Annotation provenance, parsing RDF files into named graphs (errors
with file, line and column), and the schema.org subset the project uses."""

from .claims import read_source
from .document import Sentence, SourceDocument
from .parsing import load_dataset, load_files
from .provenance import Quote, characterisations_of, quote_index, quotes_for

__all__ = [
    "Quote",
    "Sentence",
    "SourceDocument",
    "characterisations_of",
    "load_dataset",
    "load_files",
    "quote_index",
    "quotes_for",
    "read_source",
]
