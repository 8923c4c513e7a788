"""The pages people look at: the query page, Linked Data entity pages, the source document.

IRI scheme (Cool URIs, the 303 way): ``/id/NAME`` names the thing itself
(``https://w3id.org/filmgraph/id/NAME``), so it answers ``303 See Other`` pointing at a
document about it: ``/page/NAME`` (HTML) for browsers, ``/data/NAME.ttl`` (or ``.jsonld``,
``.nt``, ``.rdf``) for RDF clients, chosen by the Accept header. Pages are server-rendered
HTML (Jinja) that work without JavaScript; only the query editor and the neighbourhood
picture need it.
"""

from __future__ import annotations

import itertools

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from rdflib import URIRef
from rdflib.namespace import RDF
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.wrappers import Response as WerkzeugResponse

from ..core import ASSESSMENTS, DOUBTFUL, FGID, GRAPHS, NotFoundError, Triple, new_graph
from ..export import Assessment, Describer, Description
from ..load import Quote, Sentence, SourceDocument, statement_iri
from ..query import MEDIA_TYPES, TRIPLE_FORMATS, serialize_graph
from ..reason import RULES, Explanation
from .app_state import current
from .negotiation import parse_accept
from .query_page import render_query_page

blueprint = Blueprint("pages", __name__)


@blueprint.route("/")
def home() -> str:
    return render_query_page()


@blueprint.route("/id/<name>")
def entity(name: str) -> WerkzeugResponse:
    """303 to the page (HTML) or the data (RDF) about the entity, by Accept."""
    _described(name)
    offers = ["text/html"] + [MEDIA_TYPES["GRAPH"][n] for n in TRIPLE_FORMATS]
    best = parse_accept(request.headers.get("Accept")).best_match(offers, default="text/html")
    if best == "text/html":
        target = url_for("pages.entity_page", name=name)
    else:
        extension = next(n for n in TRIPLE_FORMATS if MEDIA_TYPES["GRAPH"][n] == best)
        target = url_for("pages.entity_data", name=name, extension=extension)
    response = redirect(target, code=303)
    response.headers["Vary"] = "Accept"
    return response


@blueprint.route("/page/<name>")
def entity_page(name: str) -> str:
    return _entity_page(_described(name))


@blueprint.route("/resource")
def resource() -> str | WerkzeugResponse:
    """The page (or, with ``format=EXT``, the data) about any IRI the data describes:
    served RDF files name their entities in namespaces of their own."""
    iri = request.args.get("iri", "")
    if not iri:
        raise BadRequest("give the IRI to describe: /resource?iri=IRI")
    if iri.startswith(str(FGID)):
        name = iri[len(str(FGID)) :]
        return redirect(url_for("pages.entity_page", name=name), code=301)
    try:
        description = current().describer.describe(URIRef(iri))
    except NotFoundError as exc:
        raise NotFound(f"the data has nothing about <{iri}>.") from exc
    extension = request.args.get("format")
    if extension is not None:
        if extension not in TRIPLE_FORMATS:
            raise NotFound(f"no format {extension!r}: one of {', '.join(TRIPLE_FORMATS)}")
        return _data(description, extension)
    return _entity_page(description)


def _entity_page(description: Description) -> str:
    state = current()
    describer = state.describer
    explanations = {
        fact.triple: state.explainer.explain(fact.triple)
        for table in (description.facts, description.incoming)
        for facts in table.values()
        for fact in facts
        if fact.kind == "inferred"
    }
    inherited = {
        triple: found
        for triple, why in explanations.items()
        if (found := _inherited(why, describer)) is not None
    }
    return render_template(
        "entity.html",
        d=description,
        formats=TRIPLE_FORMATS,
        label=describer.label,
        link=_link,
        data_url=_data_url,
        explanations=explanations,
        inherited=inherited,
        rules=RULES,
        neighbourhood=describer.neighbourhood(description),
        text=lambda term: describer.label(term),
    )


@blueprint.route("/data/<name>.<extension>")
def entity_data(name: str, extension: str) -> Response:
    """The entity's description as RDF: every asserted and inferred triple it is in."""
    if extension not in TRIPLE_FORMATS:
        abort(404)
    return _data(_described(name), extension)


def _data(description: Description, extension: str) -> Response:
    graph = new_graph()
    for table in (description.facts, description.incoming):
        for facts in table.values():
            for fact in facts:
                graph.add(fact.triple)
    for type_ in description.types:
        graph.add((description.iri, RDF.type, type_))
    return Response(serialize_graph(graph, extension), mimetype=MEDIA_TYPES["GRAPH"][extension])


@blueprint.route("/document")
def document() -> str:
    """The source document, every quoted span highlighted and linked to its facts; with
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
        return url_for("pages.document") + anchor
    if len(sources) == 1:
        return url_for("pages.document") + anchor
    key = next((s.key for s in sources if URIRef(s.iri) == quote.source), None)
    if key is None:
        return url_for("pages.document")
    return url_for("pages.document_named", key=key) + anchor


def _document(source: SourceDocument) -> str:
    state = current()
    describer = state.describer
    by_sentence: dict[int, list[tuple[Quote, Triple]]] = {}
    for triple, quotes in describer.quotes.items():
        for quote in quotes:
            if quote.source == URIRef(source.iri):
                by_sentence.setdefault(quote.sentence, []).append((quote, triple))
    sentences = []
    for sentence in source.sentences():
        spans: dict[tuple[int, int], tuple[str, list[Triple]]] = {}
        for quote, triple in sorted(
            by_sentence.get(sentence.number, []), key=lambda qt: qt[0].start
        ):
            spans.setdefault((quote.start, quote.end), (quote.exact, []))[1].append(triple)
        sentences.append((sentence, _segments(sentence, list(spans)), spans))
    marks = {
        span: gravest
        for _, _, spans in sentences
        for span, (_, triples) in spans.items()
        if (gravest := _gravest(triples, describer)) is not None
    }
    return render_template(
        "document.html",
        source=source,
        sentences=sentences,
        label=describer.label,
        link=_link,
        assess=describer.assessment,
        marks=marks,
    )


def _gravest(triples: list[Triple], describer: Describer) -> str | None:
    """The gravest doubt among the facts a span states (its mark on the document page)."""
    names = {a.name for t in triples if (a := describer.assessment(t)) is not None}
    return next((name for name in DOUBTFUL if name in names), None)


@blueprint.route("/downloads")
def downloads() -> str:
    state = current()
    graphs = [(name, iri, state.graphs.get(iri, 0)) for name, iri in GRAPHS.items()]
    return render_template("downloads.html", graphs=graphs, formats=TRIPLE_FORMATS)


def _inherited(why: Explanation, describer: Describer) -> Assessment | None:
    """The gravest doubt among the asserted facts an inference rests on: an inference from
    a disputed or uncorroborated fact is no better than its premise."""
    found = [
        (a, leaf.triple)
        for leaf in why.leaves()
        if leaf.kind == "asserted" and (a := describer.assessment(leaf.triple)) is not None
    ]
    doubtful = [(a, t) for a, t in found if a.name in DOUBTFUL]
    if not doubtful:
        return None
    assessment, triple = min(doubtful, key=lambda at: DOUBTFUL.index(at[0].name))
    premise = " ".join(describer.label(term) for term in triple)
    return Assessment(assessment.name, f"rests on a fact that is {assessment.name}: {premise}")


@blueprint.route("/assessments")
def assessments() -> str:
    """What is known of every fact the document states, gravest first: each with the reason,
    the reference's values and the words that state it."""
    state = current()
    describer = state.describer
    asserted = state.dataset.graph(GRAPHS["asserted"])
    groups: dict[str, list[tuple[Triple, Assessment, list[Quote]]]] = {}
    for triple in sorted(asserted, key=lambda t: tuple(map(str, t))):
        found = describer.assessment(triple)
        if found is not None and found.shown:
            quotes = describer.quotes.get(triple, [])
            groups.setdefault(found.name, []).append((triple, found, quotes))
    order = [name for name in ASSESSMENTS if name in groups]
    return render_template(
        "assessments.html",
        groups=[(name, groups[name]) for name in order],
        label=describer.label,
        link=_link,
        anchor=assessment_anchor,
    )


def assessment_anchor(triple: Triple) -> str:
    """The id of a fact's row on the assessments page."""
    return "a-" + statement_iri(triple).rsplit("/", 1)[-1]


def _described(name: str) -> Description:
    try:
        return current().describer.describe(FGID[name])
    except NotFoundError as exc:
        raise NotFound(f"filmgraph has no entity named {name!r}.") from exc


def _link(term: object) -> str | None:
    """Our entities link to their page, and so do other IRIs the data describes (served RDF
    files'); other IRIs to themselves; literals to nothing."""
    if isinstance(term, URIRef):
        if term.startswith(str(FGID)):
            return url_for("pages.entity_page", name=term[len(str(FGID)) :])
        if current().describer.describes(term):
            return url_for("pages.resource", iri=str(term))
        return str(term)
    return None


def _data_url(iri: URIRef, extension: str) -> str:
    """Where the data about ``iri`` is, in the format of ``extension``."""
    if iri.startswith(str(FGID)):
        return url_for("pages.entity_data", name=iri[len(str(FGID)) :], extension=extension)
    return url_for("pages.resource", iri=str(iri), format=extension)


def _segments(
    sentence: Sentence, spans: list[tuple[int, int]]
) -> list[tuple[int, str, tuple[int, int] | None]]:
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
