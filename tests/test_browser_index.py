"""The entity index in a real browser (headless Chromium), at 1280 and 390 px: typing asks
the server (the search runs in the store) and shows its answer in place, so it finds entities
on no page shown; the count says what matched; without JavaScript the form does the same; an
entity is two clicks from the home page; no request leaves 127.0.0.1.

Skipped, with the reason, where /usr/bin/chromium is missing; `.ci/run` installs it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from browser import MISSING, VIEWPORTS, BrowserPage, Server, available, open_browser

pytestmark = pytest.mark.slow

if not available():
    pytest.skip(MISSING, allow_module_level=True)

CANNES = ["2017 Cannes Film Festival", "2019 Cannes Film Festival", "Cannes Film Festival"]


@pytest.mark.parametrize("width", [1280, 390])
def test_typing_searches_the_store_and_shows_its_answer(browser_page: BrowserPage, width: int):
    browser_page.page.set_viewport_size({"width": width, "height": 844})  # loads at it
    page = browser_page.open("/page/")
    items = page.locator(".index-group li")
    everything = items.count()
    assert everything >= 20
    search = page.get_by_label("Find an entity by name")
    assert search.is_visible()
    with page.expect_response(lambda r: r.url.endswith("/page/?q=canne")) as answer:
        search.press_sequentially("canne")
    assert answer.value.status == 200
    count = page.locator("#index-count")
    count.filter(has_text="3 entities in 2 types match “canne”.").wait_for()
    assert sorted(items.all_inner_texts()) == CANNES  # the server's answer, in place
    assert page.locator(".index-group").count() == 2  # Festival, Event series
    assert urlsplit(page.url).query == "q=canne"  # the address gives the same page
    search.fill("")
    search.dispatch_event("input")
    count.filter(has_text="13 types").wait_for()
    assert items.count() == everything
    # the page fits the width: nothing scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert browser_page.errors == []
    assert browser_page.outside() == []


def test_typing_on_a_type_s_page_finds_entities_on_no_page_shown(browser_page: BrowserPage):
    page = browser_page.open("/page/?type=schema:Person&limit=2")
    items = page.locator(".index-group li")
    assert items.all_inner_texts() == ["Aleksandr Sokurov", "Andrei Tarkovsky"]
    page.get_by_label("Find an entity of this type by name").press_sequentially("kie")
    page.locator("#index-count", has_text="of those with a name that holds “kie”").wait_for()
    assert items.all_inner_texts() == ["Krzysztof Kieślowski"]  # from the third page
    assert page.locator("a[rel=next], a[rel=prev]").count() == 0
    page.locator(".index-group a", has_text="Krzysztof Kieślowski").click()
    page.wait_for_url("**/page/krzysztof-kieslowski")
    assert browser_page.outside() == []


def test_a_type_s_listing_pages_by_its_links(browser_page: BrowserPage):
    page = browser_page.open("/page/?type=schema:Person&limit=2")
    seen = page.locator(".index-group li").all_inner_texts()
    while page.locator("a[rel=next]").count():
        page.locator("a[rel=next]").click()
        page.wait_for_load_state()
        seen += page.locator(".index-group li").all_inner_texts()
    assert len(seen) == 5 and seen == sorted(seen)
    assert "Page 3 of 3" in page.locator(".pager").inner_text()
    page.locator("a[rel=prev]").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert browser_page.outside() == []


@pytest.fixture
def no_script(server: Server, tmp_path: Path) -> Iterator[BrowserPage]:
    """A tab of a headless Chromium with JavaScript off, at a phone's width."""
    with open_browser(server, tmp_path / "profile", VIEWPORTS["phone"], javascript=False) as seen:
        yield seen


def test_without_javascript_the_form_searches(no_script: BrowserPage):
    page = no_script.open("/page/")
    page.get_by_label("Find an entity by name").fill("canne")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url("**/page/?q=canne")
    assert sorted(page.locator(".index-group li").all_inner_texts()) == CANNES
    assert "3 entities in 2 types match" in page.locator("#index-count").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_script.outside() == []


def test_an_entity_is_two_clicks_from_the_home_page(browser_page: BrowserPage):
    page = browser_page.open("/")
    page.get_by_role("link", name="Entities", exact=True).click()
    page.wait_for_url("**/page/")
    page.get_by_role("link", name="Beanpole", exact=True).click()
    page.wait_for_url("**/page/beanpole")
    assert page.locator("h1").inner_text() == "Beanpole"
    assert browser_page.outside() == []


def test_every_page_has_its_icon_and_no_request_fails(browser_page: BrowserPage):
    failed: list[str] = []
    page = browser_page.page
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    for path in ("/", "/page/", "/page/kantemir-balagov", "/document", "/downloads"):
        browser_page.open(path)
        page.wait_for_load_state("networkidle")
        icon = page.locator("link[rel=icon]").get_attribute("href")
        assert icon and page.request.get(browser_page.base + icon).ok
    assert page.request.get(browser_page.base + "/favicon.ico").ok  # followed to the SVG
    assert failed == []


@pytest.mark.parametrize("width", [1280, 390])
def test_labels_in_words_with_the_name_on_hover_and_external_links_marked(
    browser_page: BrowserPage, width: int
):
    browser_page.page.set_viewport_size({"width": width, "height": 844})  # loads at it
    page = browser_page.open("/page/kantemir-balagov")
    heading = page.locator("table.facts th a", has_text="alumni of").first
    assert heading.get_attribute("title") == "schema:alumniOf"
    assert heading.evaluate("e => getComputedStyle(e, '::after').content") == '" ↗"'
    local = page.locator("table.facts td a", has_text="Nalchik").first
    assert local.get_attribute("href") == "/page/nalchik"
    assert local.evaluate("e => getComputedStyle(e, '::after').content") in ("none", "normal")
    types = page.locator("p.types").inner_text()
    assert "directed some movie" in types and "[" not in types
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_downloads_show_sizes_and_what_each_graph_holds(browser_page: BrowserPage, width: int):
    browser_page.page.set_viewport_size({"width": width, "height": 844})  # loads at it
    page = browser_page.open("/downloads")
    rows = page.locator("table.downloads tbody tr")
    assert rows.count() >= 6
    for row in rows.all():
        text = row.inner_text()
        assert re.search(r"[\d,]+ triples", text) and re.search(
            r"\((\d+ bytes|[\d.]+ [kMG]B)\)", text
        )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
