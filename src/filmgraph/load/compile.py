"""Compiling the claims checklist: ``data/claims.toml`` into the asserted facts (the
project's facts file, ``data/balagov.ttl`` for the bundled one) and their provenance
(``data/provenance.ttl``), as ``filmgraph claims compile`` does."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from ..core import Settings, write_atomic
from .claims import read_claims
from .provenance import provenance_graph

GENERATED = (
    "# Generated from data/claims.toml by `filmgraph claims compile`: do not edit by hand.\n"
)


def compile_claims(settings: Settings) -> dict[Path, str]:
    """The Turtle text of the asserted facts and of the provenance graph, by target file."""
    claimset = read_claims(settings.claims_file)
    return {
        settings.facts_file: render_turtle(
            claimset.facts(), "# The facts the source document states.\n"
        ),
        settings.provenance_file: render_turtle(
            provenance_graph(claimset),
            f"# Where each fact of {settings.facts_file.name} is stated in the source document.\n",
        ),
    }


def write_compiled(settings: Settings) -> list[Path]:
    """Compile the checklist and write both Turtle files atomically; nothing on error."""
    outputs = compile_claims(settings)
    for path, text in outputs.items():
        write_atomic(path, text)
    return list(outputs)


def render_turtle(graph: Graph, description: str) -> str:
    """Turtle with the project's prefixes and a header saying where the file comes from."""
    body = graph.serialize(format="turtle")
    return GENERATED + description + "\n" + body
