"""The claims checklist (``data/claims.toml``): read, validate and compile it.

Each claim quotes the exact words of the source document at a character offset and either
encodes them as triples (a *fact*) or records them as the document's *characterisation* of
entities. ``compile_claims`` turns the checklist into the asserted facts (the project's facts file)
and their provenance (``data/provenance.ttl``). Every problem is reported with the claims
file's name and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, URIRef

from ..core import (
    FGID,
    DataError,
    Triple,
    expand,
    new_graph,
    parse_toml,
    read_text,
    turtle_prefix_header,
)
from .document import Sentence, SourceDocument
from .parsing import parse_into

KINDS = ("fact", "characterisation")
_REQUIRED = {"id", "sentence", "kind", "quote"}
_OPTIONAL = {"start", "triples", "about", "document"}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SNIPPET_PREFIXES = ("schema", "fg", "fgid", "xsd", "rdf", "rdfs")


@dataclass(frozen=True)
class Claim:
    """One entry of the checklist."""

    id: str
    sentence: int
    kind: str
    quote: str
    start: int
    line: int
    triples: tuple[Triple, ...] = ()
    about: tuple[URIRef, ...] = ()
    #: The key of the source document it quotes.
    document: str = ""

    @property
    def end(self) -> int:
        """Offset just past the quote (exclusive), as in a W3C TextPositionSelector."""
        return self.start + len(self.quote)


@dataclass(frozen=True)
class ClaimSet:
    """The whole checklist with the documents it quotes."""

    path: Path
    sources: tuple[SourceDocument, ...]
    claims: tuple[Claim, ...]

    @property
    def source(self) -> SourceDocument:
        """The first source document (the only one of most projects)."""
        return self.sources[0]

    def source_of(self, claim: Claim) -> SourceDocument:
        """The document ``claim`` quotes."""
        return next(s for s in self.sources if s.key == claim.document)

    def facts(self) -> Graph:
        """The asserted graph: the union of every fact's triples."""
        graph = new_graph()
        for claim in self.claims:
            for triple in claim.triples:
                graph.add(triple)
        return graph

    def uncovered_sentences(self) -> list[tuple[SourceDocument, Sentence]]:
        """Sentences of the documents that no claim accounts for."""
        covered = {(claim.document, claim.sentence) for claim in self.claims}
        return [
            (source, sentence)
            for source in self.sources
            for sentence in source.sentences()
            if (source.key, sentence.number) not in covered
        ]


def read_claims(path: Path, *, empty_ok: bool = False) -> ClaimSet:
    """Read and validate the checklist; one without claims only when ``empty_ok`` (a new
    project's, for listing its sentences).

    Raises:
        DataError: with the file and line of the first problem found.
    """
    raw = read_text(path)
    data = parse_toml(raw, path)
    sources = _read_sources(path, data.get("source"))
    claim_lines = [n for n, text in enumerate(raw.splitlines(), 1) if text.strip() == "[[claim]]"]
    entries = data.get("claim", [])
    if not entries and not empty_ok:
        raise DataError("no [[claim]] entries: fill in a claim for a sentence first", path)
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    for entry, line in zip(entries, claim_lines, strict=True):
        claim = _read_claim(entry, line, path, raw, sources)
        if claim.id in seen:
            raise DataError(
                f"duplicate claim id {claim.id!r} (first at line {seen[claim.id]})", path, line
            )
        seen[claim.id] = line
        claims.append(claim)
    return ClaimSet(path=path, sources=sources, claims=tuple(claims))


def read_sources(path: Path) -> tuple[SourceDocument, ...]:
    """Only the source documents the checklist at ``path`` quotes (its ``[source]`` table,
    or ``[[source]]`` tables).

    Raises:
        DataError: the file is not valid TOML or names no readable document.
    """
    return _read_sources(path, parse_toml(read_text(path), path).get("source"))


def _read_sources(path: Path, tables: object) -> tuple[SourceDocument, ...]:
    """The documents of a ``[source]`` table, or of ``[[source]]`` tables (one per document,
    each with a ``key`` claims name it by, by default its file's name)."""
    entries = tables if isinstance(tables, list) else [tables]
    sources: list[SourceDocument] = []
    for table in entries:
        if not isinstance(table, dict) or not {"iri", "path", "name"} <= table.keys():
            raise DataError("each [source] table needs iri, path and name", path)
        document = path.parent / table["path"]
        if not document.is_file():
            raise DataError(f"source document {document} not found", path)
        key = table.get("key", "")
        if not isinstance(key, str) or (key and not _ID.match(key)):
            raise DataError(f"source key {key!r}: lower-case words joined by hyphens", path)
        source = SourceDocument.read(table["iri"], document, table["name"], key)
        if any(s.key == source.key or s.iri == source.iri for s in sources):
            raise DataError(f"two sources share the key {source.key!r} or an IRI", path)
        sources.append(source)
    return tuple(sources)


def _read_claim(
    entry: dict[str, Any],
    line: int,
    path: Path,
    raw: str,
    sources: tuple[SourceDocument, ...],
) -> Claim:
    def fail(reason: str, at: int = line) -> DataError:
        return DataError(f"claim {entry.get('id', '?')!r}: {reason}", path, at)

    missing = _REQUIRED - entry.keys()
    unknown = entry.keys() - _REQUIRED - _OPTIONAL
    if missing:
        raise fail(f"missing {', '.join(sorted(missing))}")
    if unknown:
        raise fail(f"unknown key(s) {', '.join(sorted(unknown))}")
    if not isinstance(entry["id"], str) or not _ID.match(entry["id"]):
        raise fail("id must be lower-case words joined by hyphens")
    if entry["kind"] not in KINDS:
        raise fail(f"kind must be one of {', '.join(KINDS)}")
    source = _source_named(entry.get("document"), sources, fail)
    sentence = {s.number: s for s in source.sentences()}.get(entry["sentence"])
    if sentence is None:
        raise fail(f"the document has no sentence {entry['sentence']!r}")
    quote, start = entry["quote"], entry.get("start")
    if not isinstance(quote, str) or not quote:
        raise fail("quote must be a non-empty string")
    if start is None:
        start = _find_quote(quote, sentence, source, fail)
    if not isinstance(start, int) or isinstance(start, bool):
        raise fail("start must be an integer (or left out: the quote is found in its sentence)")
    actual = source.text[start : start + len(quote)]
    if actual != quote:
        raise fail(
            f"the document has {actual!r} at offset {start}, not the quote; "
            + _occurrences(quote, source.text)
        )
    if not (sentence.start <= start and start + len(quote) <= sentence.end):
        raise fail(f"the quote is not inside sentence {sentence.number}")
    claim = Claim(
        entry["id"], sentence.number, entry["kind"], quote, start, line, document=source.key
    )
    if claim.kind == "fact":
        if "about" in entry or not entry.get("triples", "").strip():
            raise fail("a fact needs `triples` and no `about`")
        return _with_triples(claim, entry["triples"], path, raw)
    if "triples" in entry or not entry.get("about"):
        raise fail("a characterisation needs `about` and no `triples`")
    about = tuple(expand(name) for name in entry["about"])
    if not all(iri.startswith(str(FGID)) for iri in about):
        raise fail("`about` must name our entities (fgid:...)")
    return replace(claim, about=about)


def _source_named(
    key: object, sources: tuple[SourceDocument, ...], fail: Callable[[str], DataError]
) -> SourceDocument:
    """The document a claim's ``document`` names; the only one when it names none."""
    keys = ", ".join(s.key for s in sources)
    if key is None:
        if len(sources) == 1:
            return sources[0]
        raise fail(f"the checklist quotes several documents: say which (document = one of {keys})")
    found = next((s for s in sources if s.key == key), None)
    if found is None:
        raise fail(f"no source document {key!r} (the documents: {keys})")
    return found


def _find_quote(
    quote: str, sentence: Sentence, source: SourceDocument, fail: Callable[[str], DataError]
) -> int:
    """The offset of ``quote`` in its sentence, when it occurs there exactly once."""
    found = [sentence.start + m.start() for m in re.finditer(re.escape(quote), sentence.text)]
    if len(found) == 1:
        return found[0]
    if found:
        raise fail(
            f"the quote occurs {len(found)} times in sentence {sentence.number}, at offsets "
            f"{', '.join(map(str, found))}: give `start` to choose one"
        )
    raise fail(
        f"the quote is not in sentence {sentence.number}; " + _occurrences(quote, source.text)
    )


def _occurrences(quote: str, text: str) -> str:
    found = [m.start() for m in re.finditer(re.escape(quote), text)]
    return f"the quote occurs at {found}" if found else "the quote does not occur in the document"


def _with_triples(claim: Claim, turtle: str, path: Path, raw: str) -> Claim:
    """Parse a fact's Turtle snippet; errors point at the line inside the claims file."""
    header = turtle_prefix_header(_SNIPPET_PREFIXES)
    first_line = _snippet_first_line(raw, claim.line)
    graph = Graph(bind_namespaces="none")
    try:
        parse_into(graph, path, data=header + turtle, fmt="turtle")
    except DataError as exc:
        line = None if exc.line is None else first_line + exc.line - 1 - header.count("\n")
        raise DataError(f"claim {claim.id!r}: {exc.reason}", path, line, exc.column) from exc
    if not len(graph):
        raise DataError(f"claim {claim.id!r}: `triples` holds no triple", path, first_line)
    if any(map(_is_blank, _terms(graph))):
        raise DataError(f"claim {claim.id!r}: no blank nodes; name every entity", path, first_line)
    return replace(claim, triples=tuple(sorted(graph)))


def _snippet_first_line(raw: str, claim_line: int) -> int:
    """The file line of the first Turtle line of the claim starting at ``claim_line``."""
    lines = raw.splitlines()
    for number in range(claim_line, len(lines) + 1):
        if lines[number - 1].lstrip().startswith("triples"):
            return number + 1
    return claim_line


def _terms(graph: Graph) -> Iterator[object]:
    for triple in graph:
        yield from triple


def _is_blank(term: object) -> bool:
    return isinstance(term, BNode)
