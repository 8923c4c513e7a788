"""The pages people look at: the query page, Linked Data entity pages, the source document.

IRI scheme (Cool URIs, the 303 way): ``/id/NAME`` names the thing itself
(``https://w3id.org/filmgraph/id/NAME``), so it answers ``303 See Other`` pointing at a
document about it: ``/page/NAME`` (HTML) for browsers, ``/data/NAME.ttl`` (or ``.jsonld``,
``.nt``, ``.rdf``) for RDF clients, chosen by the Accept header. Pages are server-rendered
HTML (Jinja) that work without JavaScript; only the query editor and the neighbourhood
picture need it.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from rdflib import URIRef
from rdflib.namespace import RDF
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.wrappers import Response as WerkzeugResponse

from ..core import (
    ASSESSMENTS,
    DOUBTFUL,
    FGID,
    GRAPH_DESCRIPTIONS,
    GRAPHS,
    NotFoundError,
    Triple,
    new_graph,
)
from ..export import Assessment, Describer, Description
from ..load import Quote, statement_iri
from ..query import DEFAULT_GRAPHS, MEDIA_TYPES, TRIPLE_FORMATS, serialize_graph
from ..reason import RULES, Explanation
from .app_state import current
from .graph_store import download_size
from .links import data_url, link
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


@blueprint.route("/favicon.ico")
def favicon() -> WerkzeugResponse:
    """Browsers ask for /favicon.ico; the icon is an SVG among the static files."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


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
        link=link,
        data_url=data_url,
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


@blueprint.route("/downloads")
def downloads() -> str:
    """Every download with its size, each graph with its triple count and what it holds."""
    state = current()
    graphs = [
        (name, iri, state.graphs[iri], GRAPH_DESCRIPTIONS.get(name, ""))
        for name, iri in GRAPHS.items()
        if iri in state.graphs
    ]
    default = sum(state.graphs.get(GRAPHS[name], 0) for name in DEFAULT_GRAPHS)
    return render_template(
        "downloads.html",
        graphs=graphs,
        formats=TRIPLE_FORMATS,
        default=default,
        total=sum(state.graphs.values()),
        size=download_size,
        human=human_size,
    )


def human_size(size: int | None) -> str:
    """A file size for people: ``812 bytes``, ``14.2 kB``, ``3.1 MB`` (SI units).

    >>> human_size(812), human_size(14_200), human_size(None)
    ('812 bytes', '14.2 kB', 'size not measured')
    """
    if size is None:
        return "size not measured"
    if size < 1000:
        return f"{size} bytes"
    value, unit = size / 1000, "kB"
    for larger in ("MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, larger
    return f"{value:.1f} {unit}"


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
    describer = current().describer
    groups: list[tuple[str, list[tuple[Triple, Assessment, list[Quote]]]]] = []
    for name in ASSESSMENTS:
        if not Assessment(name).shown:
            continue  # unchecked facts are not listed: not even looked up
        facts = [(t, found, describer.quotes_of(t)) for t, found in describer.assessed(name)]
        if facts:
            groups.append((name, facts))
    return render_template(
        "assessments.html",
        groups=groups,
        label=describer.label,
        link=link,
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
