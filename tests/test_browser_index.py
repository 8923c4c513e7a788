"""The entity index in a real browser (headless Chromium), at 1280 and 390 px: typing filters
the lists as you type, empty groups hide, the count says what is shown, and an entity is
two clicks from the home page; no request leaves 127.0.0.1.

Skipped, with the reason, where /usr/bin/chromium is missing; `.ci/run` installs it."""

from __future__ import annotations

import pytest

from browser import MISSING, BrowserPage, available

pytestmark = pytest.mark.slow

if not available():
    pytest.skip(MISSING, allow_module_level=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_typing_filters_the_index(browser_page: BrowserPage, width: int):
    page = browser_page.open("/page/")
    page.set_viewport_size({"width": width, "height": 844})
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
