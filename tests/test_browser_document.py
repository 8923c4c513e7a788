"""The source document in a real browser (headless Chromium), at a desktop width (1280 px) and
a phone width (390 px): the text reads as prose, with no list of facts in sight until a
highlighted span is opened (by a click, or from the keyboard: Tab to it, Enter); the opened
span shows its facts grouped by entity, in label order; a link to /document#q-START-END opens
that span; an opened span passes the accessibility check (axe-core); without JavaScript, a
span still leads to its facts. Not one request leaves 127.0.0.1.

Skipped, with the reason, where /usr/bin/chromium is missing; `.ci/run` installs it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from browser import MISSING, VIEWPORTS, BrowserPage, Server, available, open_browser
from test_browser_a11y import RUN, SERIOUS, inject_axe

pytestmark = pytest.mark.slow

if not available():
    pytest.skip(MISSING, allow_module_level=True)

from playwright.sync_api import Locator, Page  # noqa: E402

#: The span of the birth date and place: three entities' facts (Balagov's, Nalchik's, Russia's
#: come from its pieces); its piece "Nalchik, Russia" states facts of two entities.
NALCHIK = "Nalchik, Russia"


def _open_document(browser_page: BrowserPage, viewport: str, path: str = "/document") -> Page:
    page = browser_page.page
    page.set_viewport_size(VIEWPORTS[viewport])
    browser_page.open(path)
    return page


def _reads_as_prose(page: Page, width: int) -> None:
    """Paragraphs of text, no facts panel in sight, nothing wider than the window."""
    document = page.locator(".document")
    assert page.locator(".document .facts:visible").count() == 0
    assert page.locator(".document ul, .document dl:visible").count() == 0
    paragraphs = document.locator(".paragraph > p")
    assert paragraphs.count() >= 5
    first = paragraphs.first.inner_text()
    assert "stands Kantemir Balagov" in first and "Born on January 25, 1991" in first
    assert "states:" not in document.inner_text()
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, f"the page scrolls sideways ({scroll}px at {width}px)"


def _entities(panel: Locator) -> list[tuple[str, list[str]]]:
    """A facts panel as (entity, [its facts' property labels]), in the order shown."""
    groups: list[tuple[str, list[str]]] = []
    for item in panel.locator("dl > *").all():
        tag = item.evaluate("e => e.tagName")
        if tag == "DT":
            groups.append((item.inner_text().strip(), []))
        else:
            groups[-1][1].append(item.locator("em").first.inner_text().strip())
    return groups


def _shows_facts_by_entity(panel: Locator, *entities: str) -> None:
    assert panel.is_visible()
    groups = _entities(panel)
    names = [name for name, _ in groups]
    for entity in entities:
        assert entity in names, (entity, names)
    assert names == sorted(names, key=str.casefold), names  # entities in label order
    for name, properties in groups:  # each one's facts in property-label order
        assert properties, name
        assert properties == sorted(properties, key=str.casefold), (name, properties)


def _inside_window(page: Page, panel: Locator, width: int) -> None:
    box = panel.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, box


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_document_reads_as_prose_and_a_click_opens_a_span(
    browser_page: BrowserPage, viewport: str
):
    page = _open_document(browser_page, viewport)
    width = VIEWPORTS[viewport]["width"]
    _reads_as_prose(page, width)
    span = page.locator("mark.span", has_text=NALCHIK).first
    link = span.locator("a")
    assert link.get_attribute("aria-expanded") == "false"
    link.click()
    panel = page.locator(link.get_attribute("href") or "")
    _shows_facts_by_entity(panel, "Nalchik", "Russia")
    assert "“Nalchik, Russia” states:" in panel.inner_text()
    assert link.get_attribute("aria-expanded") == "true"
    assert page.evaluate("location.hash") == link.get_attribute("href")  # shareable
    assert page.locator(".document .facts:visible").count() == 1
    _inside_window(page, panel, width)
    # the popover is by the span, not below the paragraph
    span_box, panel_box = span.bounding_box(), panel.bounding_box()
    assert span_box and panel_box and 0 <= panel_box["y"] - span_box["y"] < 80
    # the disputed birth date: its span marked, its fact marked in the panel
    birth = page.locator("mark.span.contradicted", has_text="January 25, 1991").first
    birth.locator("a").click()
    assert not panel.is_visible()  # one span open at a time
    opened = page.locator(".document .facts:visible")
    assert opened.count() == 1
    assert "disputed: the reference says 1991-07-28" in opened.locator(".assessment").inner_text()
    page.keyboard.press("Escape")
    assert page.locator(".document .facts:visible").count() == 0
    assert page.evaluate("location.hash") == ""
    assert browser_page.errors == []
    assert browser_page.outside() == []


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_span_opens_from_the_keyboard(browser_page: BrowserPage, viewport: str):
    page = _open_document(browser_page, viewport)
    first = page.locator("mark.span a").first
    for _ in range(60):  # Tab through the page's links to the first highlighted span
        page.keyboard.press("Tab")
        if first.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reaches the first highlighted span")
    page.keyboard.press("Tab")  # and on to the second
    second = page.locator("mark.span a").nth(1)
    assert second.evaluate("e => e === document.activeElement")
    page.keyboard.press("Enter")
    panel = page.locator(second.get_attribute("href") or "")
    _shows_facts_by_entity(panel, "Kantemir Balagov", "film director")
    _inside_window(page, panel, VIEWPORTS[viewport]["width"])
    # focus moves into the panel: the next Tab reaches its first entity's link
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('.facts')?.id")
    assert focused == panel.get_attribute("id")
    page.keyboard.press("Escape")  # closes it, and focus returns to the span
    assert not panel.is_visible()
    assert second.evaluate("e => e === document.activeElement")
    assert browser_page.errors == []
    assert browser_page.outside() == []


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_quote_link_opens_its_span(browser_page: BrowserPage, dataset, viewport: str):
    # Beanpole's last quote (far down the page), linked as the entity pages link quotes
    from filmgraph.core import FGID
    from filmgraph.load.provenance import quote_index

    quotes = [q for t, qs in quote_index(dataset).items() if t[0] == FGID.beanpole for q in qs]
    quote = max(quotes, key=lambda q: (q.start, q.end))
    href = f"/document#q-{quote.start}-{quote.end}"
    page = _open_document(browser_page, viewport, href)
    panel = page.locator(href.removeprefix("/document"))
    panel.wait_for(state="visible")
    _shows_facts_by_entity(panel, "Beanpole")
    assert page.locator(".document .facts:visible").count() == 1
    assert panel.is_visible() and panel.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0 }"
    ), "the opened span's facts are in view"
    _inside_window(page, panel, VIEWPORTS[viewport]["width"])
    assert browser_page.errors == []
    assert browser_page.outside() == []


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_an_opened_span_passes_the_accessibility_check(browser_page: BrowserPage, viewport: str):
    page = _open_document(browser_page, viewport)
    page.locator("mark.span.contradicted a").first.click()
    assert page.locator(".document .facts:visible").count() == 1
    inject_axe(browser_page)
    violations = page.evaluate(RUN, [[]])
    assert [(v["id"], v["targets"]) for v in violations if v["impact"] in SERIOUS] == []
    assert browser_page.errors == []
    assert browser_page.outside() == []


@pytest.fixture
def no_script(server: Server, tmp_path: Path) -> Iterator[BrowserPage]:
    """A tab of a headless Chromium with JavaScript off, at a phone's width, recording every
    request."""
    with open_browser(server, tmp_path / "profile", VIEWPORTS["phone"], javascript=False) as seen:
        yield seen


def test_without_javascript_a_span_leads_to_its_facts(no_script: BrowserPage):
    page = no_script.open("/document")
    _reads_as_prose(page, VIEWPORTS["phone"]["width"])
    link = page.locator("mark.span", has_text=NALCHIK).first.locator("a")
    link.focus()
    page.keyboard.press("Enter")  # the panel below the paragraph is the :target
    panel = page.locator(link.get_attribute("href") or "")
    _shows_facts_by_entity(panel, "Nalchik", "Russia")
    assert page.locator(".document .facts:visible").count() == 1
    panel.get_by_role("link", name="Back to the text").click()
    assert page.locator(".document .facts:visible").count() == 0
    birth = page.locator("mark.span.contradicted a", has_text="January 25, 1991").first
    anchor = birth.get_attribute("href") or ""
    no_script.open("/page/kantemir-balagov")
    no_script.open("/document" + anchor)  # as a quote link from another page
    panel = page.locator(anchor)
    assert panel.is_visible() and "1991-01-25" in panel.inner_text()
    assert page.locator(".document .facts:visible").count() == 1
    assert no_script.outside() == []
