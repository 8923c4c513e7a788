"""The pages for people: entity pages (303 from /id/, HTML and RDF documents), the source
document with its highlighted spans, downloads, and the 404 page. (Browser tests, with the
query editor and the picture, are in test_browser.py.)"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from filmgraph.core.namespaces import FGID, SCHEMA
from filmgraph.load import SourceDocument
from filmgraph.load.provenance import quote_index

pytestmark = pytest.mark.every_store(remote=True)

NAV = ('href="/"', 'href="/page/"', 'href="/document"', 'href="/downloads"')


@pytest.mark.parametrize(
    ("accept", "location"),
    [
        ("text/html", "/page/kantemir-balagov"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", "/page/kantemir-balagov"),
        (None, "/page/kantemir-balagov"),
        ("text/turtle", "/data/kantemir-balagov.ttl"),
        ("application/ld+json", "/data/kantemir-balagov.jsonld"),
        ("application/n-triples", "/data/kantemir-balagov.nt"),
        ("application/rdf+xml", "/data/kantemir-balagov.rdf"),
    ],
)
def test_an_entity_iri_is_a_303_to_a_document_about_it(client, accept, location):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/id/kantemir-balagov", headers=headers)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(location)
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "nt", "rdf"])
def test_entity_data_documents(client, dataset, ext):
    response = client.get(f"/data/closeness.{ext}")
    assert response.status_code == 200
    rdflib_format = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}[ext]
    graph = Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)
    assert (FGID.closeness, SCHEMA.name, None) in graph
    assert (FGID["kantemir-balagov"], URIRef(FGID[""] + "x"), None) not in graph
    # the description holds what the graph says about it, incoming links included
    assert (FGID["kantemir-balagov"], None, FGID.closeness) in graph


def test_unknown_entities_are_a_404_page_or_message(client):
    page = client.get("/page/nobody", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "no entity named" in page.get_data(as_text=True)
    assert client.get("/id/nobody").status_code == 404
    plain = client.get("/data/nobody.ttl", headers={"Accept": "text/plain"})
    assert plain.status_code == 404 and plain.mimetype == "text/plain"


def _text(page: str) -> str:
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_entity_page(client):
    response = client.get("/page/kantemir-balagov")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    text = _text(page)
    assert "<h1>Kantemir Balagov</h1>" in page
    for nav in NAV:
        assert nav in page
    # an asserted fact with the document's words behind it
    assert "Born on January 25, 1991" in text
    # an inferred fact, marked, that opens its explanation down to the document's words
    inferred = re.search(r'<div class="fact inferred">.*?</details>', page, flags=re.S)
    assert inferred, "no inferred fact on the page"
    assert "<summary>why?</summary>" in inferred.group(0)
    assert "inferred by <code>" in inferred.group(0) and "asserted" in inferred.group(0)
    assert 'class="quote"' in inferred.group(0)
    # the neighbourhood, as data for the picture
    data = json.loads(
        re.search(
            r'id="neighbourhood-data" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )
    ids = {node["data"]["id"] for node in data["nodes"]}
    assert str(FGID.closeness) in ids and str(FGID["aleksandr-sokurov"]) in ids
    assert any(edge["data"]["kind"] == "inferred" for edge in data["edges"])


def test_incoming_links_are_shown(client):
    page = client.get("/page/aleksandr-sokurov").get_data(as_text=True)
    assert "Linked from" in page
    assert 'href="/page/kantemir-balagov"' in page


def _facts_panels(page: str) -> dict[str, str]:
    """The document page's facts panels, by their anchor (``q-START-END``): their HTML."""
    return dict(re.findall(r'<div class="facts" id="(q-\d+-\d+)"[^>]*>(.*?)\n  </div>', page, re.S))


def test_the_source_document_page_highlights_every_quoted_span(client, dataset, document):
    page = client.get("/document").get_data(as_text=True)
    for nav in NAV:
        assert nav in page
    index = quote_index(dataset)
    quotes = {q for qs in index.values() for q in qs}
    marks = [
        (int(offset), int(start), int(end), html.unescape(words))
        for offset, start, end, words in re.findall(
            r'<mark class="span(?: [a-z]+)?" data-start="(\d+)">'
            r'<a href="#q-(\d+)-(\d+)">(.*?)</a></mark>',
            page,
            re.S,
        )
    ]
    panels = _facts_panels(page)
    assert set(panels) == {f"q-{q.start}-{q.end}" for q in quotes}
    for quote in quotes:
        # each quoted span has its panel of the facts it states, one entry a fact ...
        panel = panels[f"q-{quote.start}-{quote.end}"]
        assert (
            html.unescape(panel).lstrip().startswith(f'<p class="said">“{quote.exact}” states:</p>')
        ), quote.exact
        stated = {
            t for t, qs in index.items() for q in qs if (q.start, q.end) == (quote.start, quote.end)
        }
        assert panel.count("<dd>") == len(stated), quote.exact
        assert panel.count("<dt>") == len({t[0] for t in stated}), quote.exact
        # ... and every piece of it is highlighted
        inside = [m for m in marks if quote.start <= m[0] < quote.end]
        assert "".join(m[3] for m in inside) == quote.exact, quote.exact
    # every highlighted piece is the document's words, linked to a quote that holds it
    for offset, start, end, words in marks:
        assert document[offset : offset + len(words)] == words
        assert start <= offset and offset + len(words) <= end
        assert f'id="q-{start}-{end}"' in page
    # the text of the page is the whole document, as its paragraphs, sentence by sentence
    text = page[page.index('<div class="document">') :]
    prose = re.findall(
        r"<(?:p|h2 class=\"title\")>(.*?)</(?:p|h2)>",
        re.sub(r'<div class="facts".*?\n  </div>', "", text, flags=re.S),
        re.S,
    )
    words = [" ".join(html.unescape(re.sub(r"<[^>]+>", "", p)).split()) for p in prose]
    assert words == [" ".join(p.split()) for p in re.split(r"\n\s*\n", document.strip())]
    sentences = SourceDocument("x:d", Path("d.txt"), "d", document).sentences()
    shown = dict(re.findall(r'<span class="sentence" id="s-(\d+)">(.*?)</span>', text, re.S))
    assert {int(n) for n in shown} == {s.number for s in sentences}
    for sentence in sentences:  # each sentence's words, at its anchor (#s-N)
        words = html.unescape(re.sub(r"<[^>]+>", "", shown[str(sentence.number)]))
        assert words == sentence.text, sentence.number


def test_the_document_page_shows_a_span_s_facts_by_entity_in_label_order(client):
    page = client.get("/document").get_data(as_text=True)
    panels = _facts_panels(page)
    # the birth date and place: Nalchik's facts, then Russia's, each by property label
    nalchik = next(p for p in panels.values() if "“Nalchik, Russia” states:" in html.unescape(p))
    entities = re.findall(r"<dt>.*?>([^<>]+)</a></dt>", nalchik)
    assert entities == ["Nalchik", "Russia"]
    properties = re.findall(r'<dd><em title="([^"]+)"', nalchik)
    assert properties == [
        "schema:containedInPlace",
        "schema:name",
        "rdf:type",
        "schema:name",
        "rdf:type",
    ]
    for panel in panels.values():
        groups = re.split(r"<dt>", panel)[1:]
        names = [html.unescape(re.sub(r"<[^>]+>", "", g.split("</dt>")[0])) for g in groups]
        assert names == sorted(names, key=str.casefold), names
        for group in groups:
            labels = [html.unescape(x) for x in re.findall(r"<dd><em[^>]*>([^<]+)</em>", group)]
            assert labels == sorted(labels, key=str.casefold), labels
    # each fact with its assessment mark: the disputed birth date says so by its span
    birth = next(
        p for p in panels.values() if "“Born on January 25, 1991” states:" in html.unescape(p)
    )
    assert '<span class="assessment contradicted"' in birth
    assert "disputed: the reference says 1991-07-28" in birth
    # the panel leads back to the sentence; the page's script makes the panels popovers
    assert '<p class="back"><a href="#s-3">Back to the text</a></p>' in birth
    assert '<script src="/static/document.js"></script>' in page
    assert client.get("/static/document.js").status_code == 200


def test_downloads_page_links_each_graph(client):
    page = client.get("/downloads").get_data(as_text=True)
    for name in ("asserted", "inferred", "ontology", "provenance", "links", "wikidata"):
        assert f'<th scope="row">{name}<br>' in page
    links = re.findall(r'href="(/(?:graph\?|export\.)[^"]+)"', page)
    assert len(links) >= 6 * 4 + 6
    for link in links:
        response = client.get(html.unescape(link))
        assert response.status_code == 200, link
        assert "attachment" in response.headers["Content-Disposition"]


def test_the_wikidata_link_is_shown_for_confirmed_items_only(client):
    page = client.get("/page/kantemir-balagov").get_data(as_text=True)
    assert 'href="http://www.wikidata.org/entity/Q30346628"' in page
    # the reference marks the university as not confirmed: it stays unlinked
    unlinked = client.get("/page/kabardino-balkarian-state-university").get_data(as_text=True)
    assert "wikidata.org" not in unlinked
