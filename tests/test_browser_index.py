"""The entity index in a real browser (headless Chromium), at 1280 and 390 px: typing filters
the lists as you type, empty groups hide, the count says what is shown, and an entity is
two clicks from the home page; no request leaves 127.0.0.1.

Skipped, with the reason, where /usr/bin/chromium is missing; `.ci/run` installs it."""

from __future__ import annotations

import re

import pytest

from browser import MISSING, BrowserPage, available

pytestmark = pytest.mark.slow

if not available():
    pytest.skip(MISSING, allow_module_level=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_typing_filters_the_index(browser_page: BrowserPage, width: int):
    browser_page.page.set_viewport_size({"width": width, "height": 844})  # loads at it
    page = browser_page.open("/page/")
    items = page.locator(".index-group li")
    everything = items.count()
    assert everything >= 20
    search = page.get_by_label("Find an entity by name")
    assert search.is_visible()
    search.press_sequentially("canne")
    shown = page.locator(".index-group li:visible")
    assert sorted(shown.all_inner_texts()) == [
        "2017 Cannes Film Festival",
        "2019 Cannes Film Festival",
        "Cannes Film Festival",
    ]
    assert items.count() == everything  # the others are hidden, not removed
    assert page.locator(".index-group:visible").count() == 2  # Festival, Event series
    assert "3 entities in 2 types match" in page.locator("#index-count").inner_text()
    search.fill("")
    search.dispatch_event("input")
    assert page.locator(".index-group li:visible").count() == everything
    # the page fits the width: nothing scrolls sideways
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert browser_page.outside() == []


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
