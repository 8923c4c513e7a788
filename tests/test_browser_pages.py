"""Entity pages and the source document in a real browser (headless Chromium): facts,
quotes, inferred marks, an explanation opened, the neighbourhood picture drawn, a
highlighted span opened to its facts; not one request leaving 127.0.0.1.

Skipped, with the reason, where /usr/bin/chromium is missing; `.ci/run` installs it."""

from __future__ import annotations

import pytest

from browser import MISSING, BrowserPage, available, screenshot

pytestmark = pytest.mark.slow

if not available():
    pytest.skip(MISSING, allow_module_level=True)


def test_an_entity_page(browser_page: BrowserPage):
    page = browser_page.open("/id/kantemir-balagov")  # 303 to the page
    assert page.url.endswith("/page/kantemir-balagov")
    assert page.locator("h1").inner_text() == "Kantemir Balagov"
    facts = page.locator("table.facts").first.inner_text()
    assert "Born on January 25, 1991" in facts and "Nalchik" in facts
    # An inferred fact is marked, and opens its explanation down to the document's words.
    inferred = page.locator(".fact.inferred").first
    assert inferred.is_visible()
    mark = inferred.locator(".value").evaluate(
        "element => getComputedStyle(element, '::after').content"
    )
    assert "inferred" in mark
    explanation = inferred.locator("details.explanation")
    assert not explanation.locator("ul").first.is_visible()
    explanation.locator("summary").click()
    opened = explanation.inner_text()
    assert "inferred by" in opened and "asserted" in opened and "“" in opened
    # The neighbourhood picture is drawn: cytoscape.js holds the nodes, on a canvas.
    page.locator("#neighbourhood canvas").first.wait_for()
    nodes = page.evaluate("window.filmgraphNeighbourhood.nodes().length")
    assert nodes >= 10
    assert page.evaluate(
        "window.filmgraphNeighbourhood.getElementById('https://w3id.org/filmgraph/id/closeness')"
        ".length"
    )
    inferred.evaluate(  # the opened explanation, with the asserted facts above it
        "e => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 420)"
    )
    screenshot(page, "entity-page")
    picture = page.locator("#neighbourhood")
    picture.scroll_into_view_if_needed()
    screenshot(page, "entity-neighbourhood", clip=picture.bounding_box())
    assert browser_page.errors == []
    assert browser_page.outside() == []


def test_the_entity_page_works_on_a_phone(browser_page: BrowserPage):
    page = browser_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    browser_page.open("/page/closeness")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width}px)"
    assert "Closeness" in page.locator("h1").inner_text()


def test_the_source_document(browser_page: BrowserPage, dataset):
    from filmgraph.load.provenance import quote_index

    quoted = {q.sentence for quotes in quote_index(dataset).values() for q in quotes}
    page = browser_page.open("/document")
    for sentence in quoted:  # every sentence a fact was drawn from shows a highlighted span
        assert page.locator(f"#s-{sentence} mark.span").count() >= 1, sentence
    assert page.locator(".document .facts:visible").count() == 0  # prose until a span opens
    birth = page.locator("mark.span", has_text="January 25, 1991").first
    assert birth.is_visible()
    birth.locator("a").click()
    target = page.evaluate("location.hash")
    assert target.startswith("#q-")
    entry = page.locator(target)
    assert entry.is_visible()
    assert "states:" in entry.inner_text() and "1991-01-25" in entry.inner_text()
    assert "disputed" in entry.locator(".assessment").inner_text()
    screenshot(page, "source-document")
    assert browser_page.errors == []
    assert browser_page.outside() == []
