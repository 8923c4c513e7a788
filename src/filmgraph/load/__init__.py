"""From files to graphs: the source document and its sentences (:mod:`.document`), the claims
checklist (:mod:`.claims`) and its compilation (:mod:`.compile`), the Web Annotation
provenance (:mod:`.provenance`), parsing RDF files into named graphs with errors that name
file, line and column (:mod:`.parsing`), the schema.org subset the project uses
(:mod:`.schemaorg`), and a new project from a document (:mod:`.scaffold`)."""

from .claims import KINDS, Claim, ClaimSet, read_claims, read_sources
from .compile import compile_claims, render_turtle, write_compiled
from .document import Sentence, SourceDocument
from .parsing import (
    RDF_FORMATS,
    load_dataset,
    load_files,
    load_rdf_files,
    ontology_files,
    parse_into,
    rdf_files,
)
from .provenance import (
    Quote,
    characterisations_of,
    provenance_graph,
    quote_index,
    quotes_for,
    statement_iri,
)
from .scaffold import scaffold_project
from .schemaorg import project_subset, project_undefined

__all__ = [
    "KINDS",
    "RDF_FORMATS",
    "Claim",
    "ClaimSet",
    "Quote",
    "Sentence",
    "SourceDocument",
    "characterisations_of",
    "compile_claims",
    "load_dataset",
    "load_files",
    "load_rdf_files",
    "ontology_files",
    "parse_into",
    "project_subset",
    "project_undefined",
    "provenance_graph",
    "quote_index",
    "quotes_for",
    "rdf_files",
    "read_claims",
    "read_sources",
    "render_turtle",
    "scaffold_project",
    "statement_iri",
    "write_compiled",
]
