"""The source document as a page: the document's paragraphs as prose, every quoted span
highlighted (the doubtful ones marked), and the facts of a span on demand, grouped by entity;
with several documents, the list of them."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, render_template, url_for
from rdflib import URIRef
from rdflib.term import Node
from werkzeug.exceptions import NotFound

from ..core import DOUBTFUL, NotFoundError, Triple
from ..export import Describer
from ..load import Quote, Sentence, SourceDocument, quote_index
from .app_state import current
from .links import link

blueprint = Blueprint("document", __name__)

#: Where one paragraph of a document ends and the next begins: a blank line.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")

#: A cut of a sentence: (its offset in the document, its text, the shortest quoted span
#: covering it, or None).
Piece = tuple[int, str, tuple[int, int] | None]


@dataclass(frozen=True)
class Span:
    """A quoted span of the document and the facts it states, by entity (subject): the
    entities in label order, each one's facts by property label, then value label."""

    start: int
    end: int
    exact: str
    sentence: int
    entities: list[tuple[Node, list[Triple]]]
    #: The gravest doubt among its facts (``contradicted``, ``uncorroborated``), or None.
    mark: str | None

    @property
    def anchor(self) -> str:
        """Its id on the page: ``q-START-END``, where quote links point (:func:`quote_url`)."""
        return f"q-{self.start}-{self.end}"

    @property
    def facts(self) -> int:
        return sum(len(triples) for _, triples in self.entities)


@dataclass(frozen=True)
class Part:
    """One sentence within a paragraph: its pieces, and the text up to the next sentence
    (the document's own spacing)."""

    sentence: Sentence
    pieces: list[Piece]
    after: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the document (a title when the document opens with a line of its own),
    and the quoted spans of its sentences, in the order of the text."""

    parts: list[Part]
    spans: list[Span]
    title: bool = False


@blueprint.route("/document")
def document() -> str:
    """The source document, every quoted span highlighted and its facts on demand; with
    several, the list of them."""
    sources = current().sources
    if len(sources) == 1:
        return _document(sources[0])
    return render_template("documents.html", sources=sources)


@blueprint.route("/document/<key>")
def document_named(key: str) -> str:
    """One of the project's source documents."""
    try:
        return _document(current().source(key))
    except NotFoundError as exc:
        raise NotFound(str(exc)) from exc


def quote_url(quote: Quote) -> str:
    """The page and place of a quote: its document's page, at its span (``/document``,
    which says why, when the documents are not here)."""
    anchor = f"#q-{quote.start}-{quote.end}"
    try:
        sources = current().sources
    except NotFoundError:
        return url_for("document.document") + anchor
    if len(sources) == 1:
        return url_for("document.document") + anchor
    key = next((s.key for s in sources if URIRef(s.iri) == quote.source), None)
    if key is None:
        return url_for("document.document")
    return url_for("document.document_named", key=key) + anchor


def _document(source: SourceDocument) -> str:
    describer = current().describer
    parts = paragraphs(source, describer)
    return render_template(
        "document.html",
        source=source,
        paragraphs=parts,
        marks={(s.start, s.end): s.mark for p in parts for s in p.spans if s.mark},
        label=describer.label,
        link=link,
        assess=describer.assessment,
    )


def paragraphs(source: SourceDocument, describer: Describer) -> list[Paragraph]:
    """The document as paragraphs of sentences cut at their quoted spans, each paragraph
    with the spans of its sentences and the facts each states."""
    quoted: dict[tuple[int, int], tuple[Quote, set[Triple]]] = {}
    for triple, quotes in quote_index(describer.dataset, URIRef(source.iri)).items():
        for quote in quotes:
            quoted.setdefault((quote.start, quote.end), (quote, set()))[1].add(triple)
    by_sentence: dict[int, list[tuple[int, int]]] = {}
    for span, (quote, _) in sorted(quoted.items()):
        by_sentence.setdefault(quote.sentence, []).append(span)
    breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(source.text)]
    sentences = source.sentences()
    paragraph_of = [sum(b < s.start for b in breaks) for s in sentences]
    result = []
    for _, members in itertools.groupby(range(len(sentences)), key=paragraph_of.__getitem__):
        parts, spans = [], []
        for index in members:
            sentence = sentences[index]
            own = by_sentence.get(sentence.number, [])
            after = ""  # the document's spacing up to its next sentence in the paragraph
            if index + 1 < len(sentences) and paragraph_of[index + 1] == paragraph_of[index]:
                after = source.text[sentence.end : sentences[index + 1].start]
            parts.append(Part(sentence, _segments(sentence, own), after))
            for start, end in own:
                quote, triples = quoted[(start, end)]
                entities = _by_entity(triples, describer.label)
                mark = _gravest(triples, describer)
                spans.append(Span(start, end, quote.exact, sentence.number, entities, mark))
        result.append(Paragraph(parts, spans))
    if len(result) > 1 and _is_title(result[0]):
        result[0] = Paragraph(result[0].parts, result[0].spans, title=True)
    return result


def _is_title(paragraph: Paragraph) -> bool:
    """A document's opening line of its own, without a full stop, is its title."""
    if len(paragraph.parts) != 1:
        return False
    text = paragraph.parts[0].sentence.text
    return "\n" not in text and not text.rstrip().endswith((".", "!", "?"))


def _by_entity(
    triples: set[Triple], label: Callable[[Node], str]
) -> list[tuple[Node, list[Triple]]]:
    """The facts grouped by their subject: subjects by label, each one's facts by property
    label, then value label (the IRIs break ties, so the order is stable)."""

    def key(term: Node) -> tuple[str, str]:
        return (label(term).casefold(), str(term))

    ordered = sorted(triples, key=lambda t: (key(t[0]), key(t[1]), key(t[2])))
    return [(subject, list(facts)) for subject, facts in itertools.groupby(ordered, lambda t: t[0])]


def _gravest(triples: set[Triple], describer: Describer) -> str | None:
    """The gravest doubt among the facts a span states (its mark on the document page)."""
    names = {a.name for t in triples if (a := describer.assessment(t)) is not None}
    return next((name for name in DOUBTFUL if name in names), None)


def _segments(sentence: Sentence, spans: list[tuple[int, int]]) -> list[Piece]:
    """The sentence cut at every span boundary: (offset, text, the shortest span covering
    it, or None) pieces, so that each piece links to the most specific quote it is in."""
    cuts = {sentence.start, sentence.end}
    for span in spans:
        cuts.update(c for c in span if sentence.start <= c <= sentence.end)
    pieces = []
    for start, end in itertools.pairwise(sorted(cuts)):
        covering = [span for span in spans if span[0] <= start and end <= span[1]]
        shortest = min(covering, key=lambda span: span[1] - span[0]) if covering else None
        text = sentence.text[start - sentence.start : end - sentence.start]
        pieces.append((start, text, shortest))
    return pieces
