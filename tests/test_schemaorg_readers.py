"""What a schema.org consumer reads: the framed JSON-LD export, read by an independent JSON-LD
processor (pyld) with schema.org's context alone, carries the premieres, themes, period and
series; every node has a schema.org type; every schema.org property is used within its
domain and range as schema.org 30.0 declares them.

The expectations come from the claims checklist (what the document states, in our terms), and
the answers from the export as a consumer reads it (in schema.org's terms)."""

from __future__ import annotations

import json

import pytest
from pyld import jsonld
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from conftest import as_written, node_objects
from filmgraph.core.namespaces import FG, FGID, GRAPHS, SCHEMA, new_graph
from filmgraph.export import export, schemaorg_view
from filmgraph.export.jsonld import SCHEMAORG_CONTEXT, schemaorg_loader
from filmgraph.load import load_files, read_claims
from filmgraph.query import DEFAULT_GRAPHS

# ---------------------------------------------------------------- the domain/range checker

#: schema.org's data types -> the XSD datatypes (and rdf:langString) whose literals are values
#: of it. A year (xsd:gYear) or a month is an ISO 8601 date of reduced precision: a
#: schema:Date. A data type's subclasses' values are its values too (URL is a Text, Integer a
#: Number): :func:`_literal_classes` reads that from the vocabulary.
DATATYPES: dict[URIRef, set[URIRef]] = {
    SCHEMA.Text: {XSD.string, RDF.langString},
    SCHEMA.URL: {XSD.anyURI},
    SCHEMA.Number: {XSD.decimal, XSD.double, XSD.float},
    SCHEMA.Integer: {
        XSD.integer,
        XSD.positiveInteger,
        XSD.nonNegativeInteger,
        XSD.negativeInteger,
        XSD.nonPositiveInteger,
        XSD.long,
        XSD.int,
        XSD.short,
        XSD.byte,
        XSD.unsignedLong,
        XSD.unsignedInt,
        XSD.unsignedShort,
        XSD.unsignedByte,
    },
    SCHEMA.Date: {XSD.date, XSD.gYear, XSD.gYearMonth},
    SCHEMA.DateTime: {XSD.dateTime, XSD.dateTimeStamp},
    SCHEMA.Time: {XSD.time},
    SCHEMA.Boolean: {XSD.boolean},
}


def _is_schema(term: Node) -> bool:
    return isinstance(term, URIRef) and term.startswith(str(SCHEMA))


def _above(vocabulary: Graph, cls: Node) -> set[Node]:
    """``cls`` and its superclasses in the vocabulary (``rdfs:subClassOf``, transitively)."""
    return set(vocabulary.transitive_objects(cls, RDFS.subClassOf))


def _types(graph: Graph, vocabulary: Graph, node: Node) -> set[Node]:
    """The schema.org classes ``node`` is an instance of: its schema.org types in ``graph``
    and their superclasses."""
    return {
        c for t in graph.objects(node, RDF.type) if _is_schema(t) for c in _above(vocabulary, t)
    }


def _literal_classes(vocabulary: Graph, literal: Literal) -> set[Node]:
    """The schema.org data types ``literal`` is a value of."""
    datatype = literal.datatype or (RDF.langString if literal.language else XSD.string)
    direct = {d for d, xsd in DATATYPES.items() if datatype in xsd}
    return {c for d in direct for c in _above(vocabulary, d)}


def schemaorg_misuses(graph: Graph, vocabulary: Graph) -> list[str]:
    """Every use of a schema.org property in ``graph`` outside what ``vocabulary`` (schema.org)
    declares: a subject none of whose schema.org types is within the property's
    ``schema:domainIncludes`` (classes and their subclasses), or a value not within its
    ``schema:rangeIncludes``: a node of none of those classes, or a literal of none of those
    data types (an IRI is a value of ``schema:URL``). A property the vocabulary does not
    define is a misuse too. Each misuse is one line, saying what is wrong."""
    misuses = []
    for s, p, o in sorted(graph):
        if p == RDF.type or not _is_schema(p):
            continue
        domains = set(vocabulary.objects(p, SCHEMA.domainIncludes))
        ranges = set(vocabulary.objects(p, SCHEMA.rangeIncludes))
        if not domains or not ranges:
            misuses.append(f"{p}: not a schema.org property")
            continue
        if not domains & _types(graph, vocabulary, s):
            misuses.append(f"{s} {p}: the subject is none of {_names(domains)}")
        if isinstance(o, Literal):
            fits = bool(ranges & _literal_classes(vocabulary, o))
        else:
            fits = bool(ranges & _types(graph, vocabulary, o))
            fits |= isinstance(o, URIRef) and bool(ranges & {SCHEMA.URL, SCHEMA.Text})
        if not fits:
            misuses.append(f"{s} {p} {o.n3()}: the value is none of {_names(ranges)}")
    return misuses


def _names(classes: set[Node]) -> str:
    return ", ".join(sorted(str(c).removeprefix(str(SCHEMA)) for c in classes))


# ---------------------------------------------------------------- reading as a consumer


@pytest.fixture(scope="module")
def loader(settings):
    """pyld's document loader: schema.org's context (the shipped copy) and nothing else."""
    return schemaorg_loader(settings.schemaorg_context)


@pytest.fixture(scope="module")
def vocabulary(settings) -> Graph:
    return load_files([settings.schemaorg_vocabulary])


@pytest.fixture(scope="module")
def facts(settings) -> Graph:
    """What the document states, from the claims checklist."""
    return read_claims(settings.claims_file).facts()


@pytest.fixture(scope="module")
def exported(dataset) -> dict:
    """The framed export as the command line writes it (the asserted graph)."""
    return json.loads(export(dataset, "jsonld-framed"))


def _read(data: dict, loader) -> Graph:
    """The export as a JSON-LD processor reads it: pyld, whose only remote document is
    schema.org's context (served from the shipped copy), to RDF."""
    options = {"documentLoader": loader, "format": "application/n-quads"}
    return as_written(Graph(), data=jsonld.to_rdf(data, options), format="nquads")


@pytest.fixture(scope="module")
def read(exported, loader) -> Graph:
    return _read(exported, loader)


def _films(facts: Graph) -> set[Node]:
    return set(facts.subjects(RDF.type, SCHEMA.Movie))


def test_the_films_are_closeness_and_beanpole(facts, read):
    films = _films(facts)
    assert {str(facts.value(f, SCHEMA.name)) for f in films} == {"Closeness", "Beanpole"}
    assert films <= set(read.subjects(RDF.type, SCHEMA.Movie))


def test_premieres_are_works_featured_at_festival_editions_of_a_series(facts, read):
    """Each premiere the document states is, in schema.org's words, the festival edition's
    schema:workFeatured; the edition (a schema:Festival) starts in its year and is a
    schema:superEvent's part, the series, a schema:EventSeries."""
    premieres = set(facts.subject_objects(FG.premieredAt))
    assert {film for film, _ in premieres} == _films(facts)
    for film, edition in premieres:
        assert (edition, SCHEMA.workFeatured, film) in read
        assert (edition, RDF.type, SCHEMA.Festival) in read
        year = facts.value(edition, FG.editionYear)
        assert year is not None and (edition, SCHEMA.startDate, year) in read
        series = facts.value(edition, SCHEMA.superEvent)
        assert series is not None and (edition, SCHEMA.superEvent, series) in read
        assert (series, RDF.type, SCHEMA.EventSeries) in read
        assert (series, SCHEMA.name, facts.value(series, SCHEMA.name)) in read
    assert (FGID["cannes-film-festival"], RDF.type, SCHEMA.Festival) not in read  # a series


def test_themes_are_what_the_films_are_about(facts, read):
    themes = set(facts.subject_objects(FG.theme))
    assert {film for film, _ in themes} == _films(facts)
    for film, theme in themes:
        assert (film, SCHEMA.about, theme) in read
        assert (theme, RDF.type, SCHEMA.DefinedTerm) in read
        assert (theme, SCHEMA.name, facts.value(theme, SCHEMA.name)) in read
    assert set(read.subject_objects(SCHEMA.about)) == themes


def test_the_period_is_the_films_temporal_coverage(settings, facts, read):
    """Only Beanpole has a period in the document ("post-World War II"); schema:temporalCoverage
    is asserted from the document's words, since fg:setAfter names the event the story comes
    after, not the period it covers."""
    periods = set(facts.subject_objects(SCHEMA.temporalCoverage))
    assert {film for film, _ in periods} == set(facts.subjects(FG.setAfter))
    assert {str(facts.value(f, SCHEMA.name)) for f, _ in periods} == {"Beanpole"}
    quotes = {c.quote for c in read_claims(settings.claims_file).claims}
    for film, period in periods:
        assert (film, SCHEMA.temporalCoverage, period) in read
        assert any(str(period) in quote for quote in quotes)  # the document's own words


def test_the_other_alignments_reach_the_consumer(facts, read):
    """Filmography numbers as schema:position, interests as schema:knowsAbout, the award as
    a schema:Intangible."""
    for film, number in facts.subject_objects(FG.filmographyNumber):
        assert (film, SCHEMA.position, number) in read
    interests = set(facts.subject_objects(FG.interestedIn))
    assert interests and interests <= set(read.subject_objects(SCHEMA.knowsAbout))
    for award in facts.subjects(RDF.type, FG.Award):
        assert {SCHEMA.Intangible, FG.Award} <= set(read.objects(award, RDF.type))


def test_a_consumer_without_our_prefixes_sees_the_same_schema_org_facts(exported, loader, read):
    """With schema.org's context alone (ours dropped), our IRIs stay unexpanded (``fgid:...``)
    and our own terms mean nothing, but every schema.org statement is still there."""
    alone = {**exported, "@context": SCHEMAORG_CONTEXT}
    bare = _read(alone, loader)
    prefixes = exported["@context"][1]

    def short(term: Node) -> Node:
        for prefix, namespace in prefixes.items():
            if (
                isinstance(namespace, str)
                and isinstance(term, URIRef)
                and term.startswith(namespace)
            ):
                return URIRef(f"{prefix}:{term.removeprefix(namespace)}")
        return term

    wanted = {
        (short(s), p, short(o) if not isinstance(o, Literal) else Literal(str(o)))
        for s, p, o in read
        if _is_schema(p) or (p == RDF.type and _is_schema(o))
    }
    seen = {(s, p, Literal(str(o)) if isinstance(o, Literal) else o) for s, p, o in bare}
    assert wanted and wanted <= seen
    assert (
        URIRef("fgid:cannes-film-festival-2019"),
        SCHEMA.workFeatured,
        URIRef("fgid:beanpole"),
    ) in seen


# ---------------------------------------------------------------- types


def _nodes(graph: Graph) -> set[Node]:
    """Every node the graph describes or points to (not its classes, not literals)."""
    subjects = set(graph.subjects())
    objects = {
        o for p, o in graph.predicate_objects() if p != RDF.type and not isinstance(o, Literal)
    }
    return subjects | objects


def test_every_node_has_a_schema_org_type(read):
    untyped = {n for n in _nodes(read) if not any(_is_schema(t) for t in read.objects(n, RDF.type))}
    assert untyped == set()


def test_our_types_stay_as_extra_types(facts, read):
    for node, cls in facts.subject_objects(RDF.type):
        assert (node, RDF.type, cls) in read
    for theme in facts.subjects(RDF.type, FG.Theme):
        assert set(read.objects(theme, RDF.type)) == {SCHEMA.DefinedTerm, FG.Theme}


def test_only_the_most_specific_schema_org_types_are_added(read, vocabulary):
    for node in _nodes(read):
        types = {t for t in read.objects(node, RDF.type) if _is_schema(t)}
        for t in types:
            above = _above(vocabulary, t) - {t}
            assert not above & types, (node, t, above & types)


def test_the_web_download_types_every_node_it_describes(dataset):
    """The endpoint's download frames the default graph (asserted, inferred, links): every
    node it describes has a schema.org type there too."""
    graph = schemaorg_view(dataset, DEFAULT_GRAPHS)
    untyped = {
        s for s in graph.subjects() if not any(_is_schema(t) for t in graph.objects(s, RDF.type))
    }
    assert untyped == set()


# ---------------------------------------------------------------- what the view adds


def test_the_view_adds_only_schema_org_consequences(dataset):
    asserted = dataset.graph(GRAPHS["asserted"])
    inferred = dataset.graph(GRAPHS["inferred"])
    view = schemaorg_view(dataset)
    added = {t for t in view if t not in asserted}
    assert added and added <= set(inferred)
    for s, p, o in added:
        assert (s, None, None) in asserted
        assert _is_schema(o) if p == RDF.type else _is_schema(p), (s, p, o)
    # no twin read the other way: the editions say superEvent, the series no subEvent
    assert (None, SCHEMA.subEvent, None) not in view
    assert (None, SCHEMA.containsPlace, None) not in view
    assert (None, SCHEMA.alumni, None) not in view
    assert (FGID["cannes-film-festival"], SCHEMA.subEvent, None) in inferred


def test_the_graphs_alone_when_asked(dataset):
    alone = json.loads(export(dataset, "jsonld-framed", schemaorg=False))
    assert "workFeatured" not in json.dumps(alone)
    assert "workFeatured" in json.dumps(json.loads(export(dataset, "jsonld-framed")))


def test_each_edition_is_nested_under_the_film_that_premiered_there(facts, exported):
    """No orphans: the edition is written in full inside its film's object, with the film
    as its schema:workFeatured and the series as its schema:superEvent; another film's
    edition is not inside it."""
    by_id = {node["id"]: node for node in exported["@graph"]}
    premieres = dict(facts.subject_objects(FG.premieredAt))
    for film, edition in premieres.items():
        film_id, edition_id = _short(film), _short(edition)
        inside = [o for o in node_objects(by_id[film_id]) if o["id"] == edition_id and len(o) > 1]
        assert len(inside) == 1
        assert inside[0]["workFeatured"] == {"id": film_id}
        assert inside[0]["superEvent"]["type"] == "EventSeries"
        others = {_short(e) for f, e in premieres.items() if f != film}
        assert not others & {o["id"] for o in node_objects(by_id[film_id])}
    assert set(by_id) == {_short(f) for f in facts.subjects(RDF.type, SCHEMA.Movie)} | {
        _short(p) for p in facts.subjects(RDF.type, SCHEMA.Person)
    }


def _short(iri: Node) -> str:
    return str(iri).replace(str(FGID), "fgid:")


# ---------------------------------------------------------------- domains and ranges


def test_every_schema_org_property_is_used_within_its_domain_and_range(read, vocabulary):
    assert schemaorg_misuses(read, vocabulary) == []


def test_the_web_download_is_within_domains_and_ranges(dataset, loader, vocabulary):
    data = json.loads(export(dataset, "jsonld-framed", DEFAULT_GRAPHS))
    assert schemaorg_misuses(_read(data, loader), vocabulary) == []


def test_the_checker_catches_a_wrong_use(vocabulary):
    graph = new_graph()
    film, person, place = FGID.film, FGID.person, FGID.place
    graph.add((film, RDF.type, SCHEMA.Movie))
    graph.add((person, RDF.type, SCHEMA.Person))
    graph.add((place, RDF.type, SCHEMA.City))
    graph.add((person, SCHEMA.birthDate, Literal("1991-07-28", datatype=XSD.date)))
    graph.add((person, SCHEMA.birthPlace, place))
    assert schemaorg_misuses(graph, vocabulary) == []  # the control: right uses pass
    graph.add((film, SCHEMA.birthDate, Literal("2017", datatype=XSD.gYear)))
    assert schemaorg_misuses(graph, vocabulary) == [
        f"{film} {SCHEMA.birthDate}: the subject is none of Person"
    ]
    wrong = new_graph()
    wrong += graph
    wrong.remove((film, SCHEMA.birthDate, None))
    wrong.add((person, SCHEMA.birthPlace, film))  # a value outside the range
    wrong.add((person, SCHEMA.deathDate, Literal("soon")))  # Text where a Date is due
    wrong.add((person, SCHEMA.knowsAbout, BNode()))  # a node of no schema.org type
    wrong.add((person, SCHEMA.birthplace, place))  # no such property
    found = schemaorg_misuses(wrong, vocabulary)
    assert len(found) == 4, found
    assert any("birthPlace <https://w3id.org/filmgraph/id/film>" in m for m in found)
    assert any('deathDate "soon": the value is none of Date' in m for m in found)
    assert any(f"{SCHEMA.birthplace}: not a schema.org property" == m for m in found)
