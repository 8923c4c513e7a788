"""``filmgraph init``: a new project from a document, its claims checklist ready to fill in.

The project gets its metadata (``filmgraph.toml``), a verbatim copy of the document, a claims
file listing every sentence with a claim to fill in (commented out), and empty folders for
its ontology extension, shapes, checks and queries. Everything is made in a temporary folder
beside the target and moved into place at the end: bad input leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..core import METADATA, DataError, read_text
from .document import SourceDocument

#: The source documents' IRIs: BASE + NAME, NAME from the file's name.
SOURCE_BASE = "https://w3id.org/filmgraph/source/"


def scaffold_project(target: Path, document: Path, title: str | None = None) -> list[Path]:
    """Make a project in ``target`` (a new or empty folder) for ``document`` (UTF-8 text);
    the files written, relative to ``target``.

    Raises:
        DataError: ``target`` is not empty, or the document is missing, not UTF-8 (line and
            column) or holds no sentence.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise DataError("not an empty folder: a new project needs one", target)
    text = read_text(document)
    name = _slug(document.stem) or "document"
    source = SourceDocument(SOURCE_BASE + name, document, title or name, text)
    sentences = source.sentences()
    if not sentences:
        raise DataError("holds no sentence to make claims from", document)
    title = title or _title_from(sentences[0].text, name)
    files = {
        METADATA: _metadata(title),
        f"data/sources/{name}.txt": text,
        "data/claims.toml": _claims(source, name, title),
        "ontology/extension.ttl": _EXTENSION,
        "ontology/shapes/README.md": _SHAPES,
        "ontology/checks/README.md": _CHECKS,
        "queries/README.md": _QUERIES,
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.init."))
    try:
        for relative, content in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            # newline="" keeps the document's own line ends: its offsets are the claims'.
            with path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(content)
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [Path(relative) for relative in files]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _title_from(first: str, fallback: str) -> str:
    """The document's first sentence (its title line), when it is short enough to be one."""
    line = " ".join(first.split())
    return line if 0 < len(line) <= 80 else fallback


def _toml(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _metadata(title: str) -> str:
    return f"""# The project: what its pages, its VoID description and its SPARQL Service
# Description say about it.

[project]
title = {_toml(title)}
description = ""
# The entity the pages start from, once the claims name it: home = "NAME" for fgid:NAME.
# home = ""
# The facts compiled from data/claims.toml (`filmgraph claims compile` writes them).
facts = "data/facts.ttl"
# The data's licence, as an IRI:
# licence = "https://creativecommons.org/licenses/by/4.0/"
"""


_CLAIMS_HEADER = """# The claims checklist: every sentence of the source document, and what it says.
#
# Each [[claim]] quotes the exact words of the document (`quote`) in sentence number
# `sentence` (1 is the title; `filmgraph claims sentences` lists them). The compiler finds
# the quote in its sentence; a quote that occurs there more than once also needs `start`
# (its offset in the document, in code points from 0), and the error lists the choices.
#
#   kind = "fact"              `triples` (Turtle, prefixes below) encode what the words state.
#                              They become the facts file; their provenance, data/provenance.ttl.
#   kind = "characterisation"  evaluative language ("visionary", "masterful"): kept as the
#                              document's characterisation of the entities in `about`,
#                              never as fact.
#
# Turtle prefixes available in `triples` and `about`: schema: fg: fgid: xsd: rdf: rdfs:
# Name entities fgid:some-name (lower-case words joined by hyphens); no blank nodes.
#
# Fill in a claim for each sentence (uncomment and complete the template below it), then:
#   filmgraph claims compile     # writes the facts and their provenance
#   filmgraph schemaorg subset   # the schema.org terms the facts use, into ontology/
#   filmgraph build              # checks, reasons and stores the graph
#   filmgraph serve              # the endpoint and pages on http://127.0.0.1:8000/
"""


def _claims(source: SourceDocument, name: str, title: str) -> str:
    parts = [
        _CLAIMS_HEADER,
        "\n[source]\n",
        f"iri = {_toml(source.iri)}\n",
        f"path = {_toml(f'sources/{name}.txt')}\n",
        f"name = {_toml(title)}\n",
    ]
    for sentence in source.sentences():
        rule = "-" * max(4, 64 - len(str(sentence.number)))
        parts.append(f"\n# {rule} sentence {sentence.number}\n")
        parts.extend(f"# > {line}\n" for line in sentence.text.splitlines() or [""])
        parts.append(
            "#\n# [[claim]]\n"
            f'# id = "claim-{sentence.number}"\n'
            f"# sentence = {sentence.number}\n"
            '# kind = "fact"\n'
            '# quote = ""\n'
            '# triples = """\n'
            "# fgid:... a schema:... ;\n"
            '#     schema:name "..." .\n'
            '# """\n'
        )
    return "".join(parts)


_EXTENSION = """# The project's own terms, beside filmgraph's vocabulary (fg:) and schema.org:
# classes and properties its claims use that neither defines. Every .ttl file in ontology/
# is loaded into the ontology graph.
@prefix fg: <https://w3id.org/filmgraph/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <http://schema.org/> .
"""

_SHAPES = """SHACL shapes (`*.ttl`) the project's data must conform to; `filmgraph validate`
and every build run them.
"""

_CHECKS = """SPARQL integrity checks (`*.rq`, SELECT queries: each row is a violation), run with
filmgraph's own checks by `filmgraph validate` and every build.
"""

_QUERIES = """The project's competency questions (`*.rq`): `filmgraph queries` lists them,
`filmgraph query NAME` runs one, and the query page offers them. A first comment line is
the title.
"""
