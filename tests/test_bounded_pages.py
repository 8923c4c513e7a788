"""The entity pages' description, explanations and data documents read what they show, not
the dataset: the triples read to describe an entity or explain a fact stay the same however
many other entities the dataset holds (a store that counts what it gives says so). The entity
index's pages read rows of bounded queries: as many for 300 more films as for 1,000."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.stores.memory import Memory

from filmgraph import Settings
from filmgraph.core import FG, FGID, GRAPHS, OA, SCHEMA, bind_prefixes
from filmgraph.export import (
    OVERVIEW_SIZE,
    PAGE_SIZE,
    SEARCH_SIZE,
    Describer,
    EntityIndex,
    select_on,
)
from filmgraph.load import statement_iri
from filmgraph.reason import Explainer
from filmgraph.store import MemoryBackend
from filmgraph.web import create_app, state


class Counting(Memory):
    """rdflib's memory store, counting the triples its lookups give."""

    def __init__(self) -> None:
        super().__init__()
        self.read = 0

    def triples(self, triple_pattern: Any, context: Any = None) -> Any:
        for found in super().triples(triple_pattern, context):
            self.read += 1
            yield found


def _grown(dataset: Dataset, films: int) -> tuple[Dataset, Counting]:
    """The build, and ``films`` more films nobody links to (each asserted with a quote, and
    an inferred type), in a counting store."""
    store = Counting()
    grown = Dataset(store=store)
    bind_prefixes(grown)
    for s, p, o, g in dataset.quads((None, None, None, None)):
        grown.graph(g).add((s, p, o))
    asserted, inferred = grown.graph(GRAPHS["asserted"]), grown.graph(GRAPHS["inferred"])
    provenance = grown.graph(GRAPHS["provenance"])
    for i in range(films):
        film = FGID[f"grown-film-{i}"]
        for triple in ((film, RDF.type, SCHEMA.Movie), (film, SCHEMA.name, Literal(f"F {i}"))):
            asserted.add(triple)
            statement = statement_iri(triple)
            provenance.add((statement, RDF.subject, triple[0]))
            provenance.add((statement, RDF.predicate, triple[1]))
            provenance.add((statement, RDF.object, triple[2]))
            provenance.add((URIRef(f"{film}#claim"), OA.hasBody, statement))
        inferred.add((film, RDF.type, SCHEMA.CreativeWork))
    store.read = 0
    return grown, store


def _describing(dataset: Dataset, films: int, name: str) -> int:
    grown, store = _grown(dataset, films)
    describer = Describer(grown)
    description = describer.describe(FGID[name])
    describer.neighbourhood(description)
    return store.read


@pytest.mark.parametrize("name", ["kantemir-balagov", "beanpole", "closeness"])
def test_describing_an_entity_reads_the_same_however_large_the_data(dataset, name):
    small = _describing(dataset, 0, name)
    assert 0 < small == _describing(dataset, 3000, name)


def _page_reads(dataset, settings: Settings, films: int, path: str, shows: bytes) -> int:
    """The triples the store is read for to answer ``path`` with ``films`` more films."""
    grown, store = _grown(dataset, films)
    # Time enough for the scans (the untyped entities): on a busy machine one cut at the
    # 2 s scan_timeout reads fewer rows (what a cut scan shows is tested below).
    roomy = settings.with_(store="memory", scan_timeout=60.0, query_timeout=60.0)
    app = create_app(roomy, MemoryBackend(grown))
    try:
        client = app.test_client()
        store.read = 0
        answer = client.get(path)
        assert answer.status_code == 200 and shows in answer.data
        return int(store.read)
    finally:
        state(app).close()


def test_a_data_document_reads_the_same_however_large_the_data(dataset, settings: Settings):
    read = [_page_reads(dataset, settings, n, "/data/beanpole.ttl", b"Beanpole") for n in (0, 3000)]
    assert 0 < read[0] == read[1]


def test_the_index_finds_grown_films_on_no_page_shown(dataset):
    grown, _ = _grown(dataset, 300)
    index = EntityIndex(select_on(grown), Describer(grown))
    movies = {g.label: g for g in index.overview()}["movie"]
    assert movies.count == 302 and len(movies.entities) == OVERVIEW_SIZE
    assert "F 299" not in {name for _, name in movies.entities}
    found = index.search(["f", "299"])
    assert [name for g in found.groups for _, name in g.entities] == ["F 299"]
    assert not found.capped


def _index_reads(dataset, settings: Settings, films: int, path: str, shows: bytes):
    """The rows the store's answers give, and the triples looked up, to answer ``path``
    with ``films`` more films."""
    grown, store = _grown(dataset, films)
    # Time enough for the scans (the untyped entities): on a busy machine one cut at the
    # 2 s scan_timeout reads fewer rows (what a cut scan shows is tested below).
    roomy = settings.with_(store="memory", scan_timeout=60.0, query_timeout=60.0)
    app = create_app(roomy, MemoryBackend(grown))
    served = state(app)
    select, rows = served.select, []

    def counted(query: str, time_limit: float | None = None) -> list:
        found = select(query, time_limit)
        rows.append(len(found))
        return found

    served.select = counted
    try:
        store.read = 0
        answer = app.test_client().get(path)
        assert answer.status_code == 200 and shows in answer.data, answer.data[:300]
        return sum(rows), int(store.read)
    finally:
        served.close()


#: Each page of the index, what it shows, and the most rows its queries may give with 13
#: types (each query's rows are at most a page, and one more to know whether more follow;
#: a count is one row; a search's first query gives the entities found, its second the
#: ones kept with their types, one each here).
INDEX_PAGES = [
    ("/page/", b"of type movie", 1 + 2 * 13 + 13 * OVERVIEW_SIZE),
    ("/page/?type=schema:Movie&page=2", b'rel="next"', 1 + PAGE_SIZE + 1),
    ("/page/?q=f+1", b"More than 100 entities match", SEARCH_SIZE + 1 + SEARCH_SIZE),
    ("/page/?type=schema:Movie&q=f&page=2", b'rel="prev"', 1 + PAGE_SIZE + 1),
]


@pytest.mark.parametrize(("path", "shows", "most"), INDEX_PAGES, ids=lambda v: str(v))
def test_an_index_page_reads_the_same_however_large_the_data(
    dataset, settings: Settings, path: str, shows: bytes, most: int
):
    read = [_index_reads(dataset, settings, n, path, shows) for n in (300, 1000)]
    assert read[0][0] == read[1][0]  # as many rows (a search finds other entities first)
    assert all(0 < rows <= most and triples < 200 for rows, triples in read), read


EXPLAINED = [
    (FGID["kantemir-balagov"], RDF.type, FG.FilmDirector),
    (FGID.beanpole, RDF.type, SCHEMA.CreativeWork),
    (FGID["aleksandr-sokurov"], FG.mentorOf, FGID["kantemir-balagov"]),
]


@pytest.mark.parametrize("triple", EXPLAINED, ids=["cax-eqc2", "cax-sco", "prp-inv1"])
def test_explaining_a_fact_reads_the_same_however_large_the_data(dataset, triple):
    """An explanation chains backwards from its triple, looking each premise up: the
    thousands of films added (each a schema:Movie, so a schema:CreativeWork) are not read."""
    read = []
    for films in (0, 3000):
        grown, store = _grown(dataset, films)
        explanation = Explainer(grown).explain(triple)
        assert explanation.kind == "inferred"
        read.append(store.read)
    assert 0 < read[0] == read[1]


def test_an_entity_page_reads_the_same_however_large_the_data(dataset, settings: Settings):
    page = "/page/kantemir-balagov"
    read = [_page_reads(dataset, settings, n, page, b"inferred by") for n in (0, 3000)]
    assert 0 < read[0] == read[1]


def _served(dataset, settings: Settings, films: int):
    grown, _ = _grown(dataset, films)
    return create_app(settings.with_(store="memory"), MemoryBackend(grown))


def _text(page: bytes) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page.decode()).split())


def test_a_type_past_the_count_cap_is_paged_in_the_store_order(
    dataset, settings: Settings, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("filmgraph.web.index_page.COUNT_CAP", 100)
    app = _served(dataset, settings, 300)
    try:
        client = app.test_client()
        overview = _text(client.get("/page/").data)
        assert "Movie (more than 100)" in overview and "in the store\u2019s order" in overview
        seen: list[str] = []
        path: str | None = "/page/?type=schema:Movie"
        while path:
            page = client.get(path)
            assert page.status_code == 200
            text = _text(page.data)
            assert "of more than 100, in the store\u2019s order" in text and " of 4" not in text
            seen += re.findall(r'<li><a href="([^"]+)"', page.data.decode())
            found = re.search(r'<a rel="next" href="([^"]+)"', page.data.decode())
            path = html.unescape(found.group(1)) if found else None
        assert len(seen) == len(set(seen)) == 302  # every film once, over four pages
    finally:
        state(app).close()


def test_index_scans_past_their_time_limit_say_so(dataset, settings: Settings):
    app = _served(dataset, settings.with_(scan_timeout=1e-9, workers=1), 0)
    try:
        client = app.test_client()
        overview = client.get("/page/")
        assert overview.status_code == 200
        text = _text(overview.data)
        assert "Resource (not counted)" in text
        assert "The entities with no type were not counted" in text and "1e-09 s" in text
        search = client.get("/page/?q=cannes")
        assert search.status_code == 503 and b"time limit of 1e-09 s" in search.data
        assert client.get("/page/?type=schema:Movie").status_code == 200  # not a scan
    finally:
        state(app).close()
