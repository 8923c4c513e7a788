"""The query page's example menu and result table in a real browser (headless Chromium against
`filmgraph serve` on 127.0.0.1), at a phone's width (390x844) and a desktop's (1280x800): the
editor above the fold, the menu filtered by typing and picked from (mouse and keyboard), the
query picked run; literals shown as their values with the datatype on hover; our IRIs linked
to their local pages, others marked external; not one request leaving 127.0.0.1.

Skipped, with the reason, where /usr/bin/chromium is missing; `.ci/run` installs it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from browser import MISSING, VIEWPORTS, BrowserPage, available

pytestmark = pytest.mark.slow

if not available():
    pytest.skip(MISSING, allow_module_level=True)

EDITOR = ".tabPanel.active .CodeMirror"
OPTIONS = "#example-list [role=option]"
YASQE = "window.filmgraphYasgui.getTab().getYasqe()"

#: A film (ours), its title, year and the director's birth date (typed literals), a word in
#: Russian (a language-tagged literal), and an IRI of another site.
LITERALS = """PREFIX schema: <http://schema.org/>
PREFIX fgid: <https://w3id.org/filmgraph/id/>
SELECT ?film ?title ?year ?born ?word ?elsewhere WHERE {
  ?film schema:director fgid:kantemir-balagov ;
    schema:name ?title ;
    schema:datePublished ?year .
  fgid:kantemir-balagov schema:birthDate ?born .
  VALUES (?word ?elsewhere) { ("Теснота"@ru <https://www.wikidata.org/wiki/Q4>) }
}
ORDER BY ?year
"""


def _examples(page) -> list[dict[str, str]]:
    return page.evaluate("JSON.parse(document.getElementById('query-examples').textContent)")


def _shown(page) -> list[str]:
    """The titles of the examples the menu shows."""
    return [t.strip() for t in page.locator(f"{OPTIONS}:visible .title").all_inner_texts()]


def _run(page):
    """Run the editor's query; the result table's rows once they are drawn."""
    with page.expect_response(lambda r: r.url.endswith("/sparql")) as answer:
        page.locator(".tabPanel.active .yasqe_queryButton").click()
    assert answer.value.status == 200
    rows = page.locator(".tabPanel.active .yasr_results table tbody tr")
    rows.first.wait_for()
    return rows


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_editor_is_above_the_fold_and_the_menu_loads_an_example(
    browser_page: BrowserPage, viewport: str
):
    size = VIEWPORTS[viewport]
    page = browser_page.page
    page.set_viewport_size(size)
    browser_page.open("/")
    page.locator(EDITOR).wait_for()
    examples = _examples(page)
    assert len(examples) >= 10

    # The editor's top, and a few lines of it, are in the first viewport; the page does not
    # scroll sideways; one tab, holding the first example.
    editor = page.locator(EDITOR).bounding_box()
    assert editor is not None and editor["y"] + 100 < size["height"], editor
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    assert page.locator(".yasgui .tabsList .tab").count() == 1
    assert page.evaluate(f"{YASQE}.getValue()") == examples[0]["query"]

    # The menu is one line, closed, above the editor: every example is in it, none shown.
    summary = page.locator("#examples summary")
    box = summary.bounding_box()
    assert box is not None and box["height"] < 60 and box["y"] + box["height"] <= editor["y"]
    assert page.locator(OPTIONS).count() == len(examples)
    assert _shown(page) == []
    titles = [t.strip() for t in page.locator(f"{OPTIONS} .title").all_text_contents()]
    assert titles == [e["name"] for e in examples]

    # Opened, it shows them all with their descriptions, the focus in its filter; typing
    # filters them (every word, title or description, any case).
    summary.click()
    filter_ = page.locator("#example-filter")
    assert filter_.evaluate("element => element === document.activeElement")
    assert _shown(page) == [e["name"] for e in examples]
    described = next(e for e in examples if e["description"])
    option = page.locator(f"#example-{described['id']}")
    assert described["description"] in option.locator(".description").inner_text()
    page.keyboard.type("MENTORED whom")
    shown = _shown(page)
    assert shown and len(shown) < len(examples)
    text = {e["name"]: f"{e['name']} {e['description']}".lower() for e in examples}
    assert all("mentored" in text[t] and "whom" in text[t] for t in shown), shown
    assert any("mentored whom" in t.lower() for t in shown)
    page.keyboard.type(" nothing-like-this")
    assert _shown(page) == [] and page.locator("#example-none").is_visible()

    # Picked with the mouse: the editor holds that query, the menu closes, the tab and the
    # menu's line name it; run, its rows appear.
    filter_.fill("films direct year")
    picked = next(e for e in examples if e["id"] == "films-directed")
    assert _shown(page) == [picked["name"]]
    page.locator(f"#example-{picked['id']}").click()
    assert not page.locator("#example-filter").is_visible()
    assert page.evaluate(f"{YASQE}.getValue()") == picked["query"]
    assert "schema:director" in page.locator(EDITOR).inner_text()
    assert page.locator(".tabsList .tab.active > a > span").inner_text().strip() == picked["name"]
    assert page.locator("#example-current").inner_text() == picked["name"]
    rows = _run(page)
    table = page.locator(".tabPanel.active .yasr_results table").inner_text()
    assert rows.count() == 2 and "Closeness" in table and "Beanpole" in table

    assert browser_page.errors == []
    assert browser_page.outside() == [], "requests left 127.0.0.1"


def test_the_menu_works_from_the_keyboard(browser_page: BrowserPage):
    page = browser_page.open("/")
    page.locator(EDITOR).wait_for()
    examples = _examples(page)
    summary = page.locator("#examples summary")
    summary.focus()
    page.keyboard.press("Enter")  # opens the menu, the focus in its filter
    filter_ = page.locator("#example-filter")
    assert filter_.is_visible() and filter_.get_attribute("role") == "combobox"
    assert filter_.evaluate("element => element === document.activeElement")
    # The example in the editor is the active option; the arrows move through those shown.
    assert filter_.get_attribute("aria-activedescendant") == f"example-{examples[0]['id']}"
    page.keyboard.press("ArrowDown")
    assert filter_.get_attribute("aria-activedescendant") == f"example-{examples[1]['id']}"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # wraps round to the last
    assert filter_.get_attribute("aria-activedescendant") == f"example-{examples[-1]['id']}"
    # Escape closes it, the focus back on its line; typed words and Enter load the first shown.
    page.keyboard.press("Escape")
    assert not filter_.is_visible()
    assert summary.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    page.keyboard.type("university")
    shown = _shown(page)
    assert shown
    page.keyboard.press("Enter")
    wanted = next(e for e in examples if e["name"] == shown[0])
    assert page.evaluate(f"{YASQE}.getValue()") == wanted["query"]
    assert not filter_.is_visible()
    # The focus is in the editor: Ctrl+Enter runs the query.
    with page.expect_response(lambda r: r.url.endswith("/sparql")) as answer:
        page.keyboard.press("Control+Enter")
    assert answer.value.status == 200
    page.locator(".tabPanel.active .yasr_results table tbody tr").first.wait_for()
    assert browser_page.errors == []
    assert browser_page.outside() == []


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_results_show_values_and_link_locally(browser_page: BrowserPage, settings, viewport: str):
    from filmgraph.core import FGID

    page = browser_page.page
    page.set_viewport_size(VIEWPORTS[viewport])
    browser_page.open("/")
    page.locator(EDITOR).wait_for()
    page.evaluate(f"query => {YASQE}.setValue(query)", LITERALS)
    rows = _run(page)
    assert rows.count() == 2
    first = rows.first
    cells = first.locator("td")
    table = page.locator(".tabPanel.active .yasr_results table").inner_text()
    assert "^^" not in table and '"' not in table and "@ru" not in table

    # Literals: the value, its datatype (or language) in the title.
    literals = {
        cell.inner_text(): cell.get_attribute("title") for cell in first.locator(".literal").all()
    }
    assert literals["Closeness"] == "xsd:string"
    assert literals["2017"] == "xsd:gYear"
    assert literals["1991-01-25"] == "xsd:date"
    assert "@ru" in (literals["Теснота"] or "")
    assert first.locator(".literal[lang=ru]").inner_text() == "Теснота"

    # Our IRI: shown prefixed, a same-tab link to its page on this server.
    film = cells.nth(1).locator("a")
    assert film.inner_text() == "fgid:closeness"
    assert film.get_attribute("href") == "/page/closeness"
    assert film.get_attribute("target") is None
    assert (film.get_attribute("title") or "") == str(FGID.closeness)
    # Another site's IRI: an external link, marked as such, opening apart.
    elsewhere = cells.nth(6).locator("a")
    assert elsewhere.get_attribute("href") == "https://www.wikidata.org/wiki/Q4"
    assert "external" in (elsewhere.get_attribute("class") or "").split()
    assert "external" in (elsewhere.get_attribute("rel") or "").split()
    assert "noopener" in (elsewhere.get_attribute("rel") or "").split()
    assert elsewhere.get_attribute("target") == "_blank"
    assert "(external)" in elsewhere.inner_text()
    marker = elsewhere.evaluate("element => getComputedStyle(element, '::after').content")
    assert "↗" in marker
    assert page.locator(".yasr_results a[href^='https://w3id.org/']").count() == 0

    # Followed, our IRI's link stays on this server, in this tab.
    with page.expect_navigation():
        film.click()
    assert urlsplit(page.url).netloc == urlsplit(browser_page.base).netloc
    assert urlsplit(page.url).path == "/page/closeness"
    assert page.locator("h1").inner_text() == "Closeness"
    assert len(page.context.pages) == 1
    assert browser_page.errors == []
    assert browser_page.outside() == [], "requests left 127.0.0.1"
