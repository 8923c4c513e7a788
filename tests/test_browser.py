"""The query page in a real browser: headless Chromium (Debian's, driven by Playwright)
against `filmgraph serve` on 127.0.0.1. A query typed and run, its rows seen in the result
table, and not one request leaving 127.0.0.1.

Skipped, with the reason, where /usr/bin/chromium is missing; `.ci/run` installs it."""

from __future__ import annotations

import pytest

from browser import MISSING, BrowserPage, available, screenshot

pytestmark = pytest.mark.slow

if not available():
    pytest.skip(MISSING, allow_module_level=True)

QUERY = """PREFIX schema: <http://schema.org/>
PREFIX fgid: <https://w3id.org/filmgraph/id/>
SELECT ?title ?year WHERE {
  ?film schema:director fgid:kantemir-balagov ;
    schema:name ?title ;
    schema:datePublished ?year .
}
ORDER BY ?year
"""


TAB = ".yasgui .tabsList .tab"
OPTION = "#example-list [role=option]"


def _examples(page) -> list[str]:
    """The names of the tabs, in order."""
    return [name.strip() for name in page.locator(f"{TAB} > a > span").all_inner_texts()]


def test_the_query_page_runs_a_typed_query_offline(browser_page: BrowserPage, settings):
    from filmgraph.query.named import load_queries

    page = browser_page.open("/")
    assert page.title().startswith("Query")
    # Every example query is in the menu, by its title, in order; one tab is open, named by
    # the first example's title and holding its query.
    queries = list(load_queries(settings.queries_dir).values())
    titles = [q.title for q in queries]
    page.locator(TAB).first.wait_for()
    assert [t.strip() for t in page.locator(f"{OPTION} .title").all_text_contents()] == titles
    assert _examples(page) == titles[:1]
    assert page.locator(f"{TAB}.active > a > span").inner_text().strip() == titles[0]
    assert "SELECT" in page.locator(".tabPanel.active .CodeMirror").inner_text()
    assert page.evaluate("window.filmgraphYasgui.getTab().getYasqe().getValue()") == (
        queries[0].text
    )

    # Type a query into the editor of the open tab, run it, see the rows.
    page.locator(".tabPanel.active .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(QUERY)
    with page.expect_response(lambda r: r.url.endswith("/sparql")) as answer:
        page.locator(".tabPanel.active .yasqe_queryButton").click()
    assert answer.value.status == 200
    assert answer.value.request.method == "POST"
    rows = page.locator(".tabPanel.active .yasr_results table tbody tr")
    rows.first.wait_for()
    table = page.locator(".tabPanel.active .yasr_results table").inner_text()
    assert "Closeness" in table and "Beanpole" in table
    assert table.index("Closeness") < table.index("Beanpole")  # ordered by year
    assert rows.count() >= 2

    screenshot(page, "query-page", full_page=True)
    assert browser_page.errors == []
    assert browser_page.outside() == [], "requests left 127.0.0.1"
    assert any(url.endswith("/static/vendor/yasgui/yasgui.min.js") for url in browser_page.requests)


def test_an_example_of_the_menu_runs_as_it_is(browser_page: BrowserPage):
    page = browser_page.open("/")
    page.locator("#examples summary").click()
    page.locator("#example-films-directed").click()  # the example of films-directed.rq
    assert "schema:director" in page.locator(".tabPanel.active .CodeMirror").inner_text()
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    table = page.locator(".tabPanel.active .yasr_results table")
    table.locator("tbody tr").first.wait_for()
    assert "Beanpole" in table.inner_text()
    assert "fgid:beanpole" in table.inner_text()  # IRIs shown with the project's prefixes
    assert browser_page.outside() == []


def test_the_browser_gets_the_page_at_sparql_and_tabs_are_not_restored(
    browser_page: BrowserPage,
):
    """A browser's bare GET /sparql is the same page; an edited tab is not brought back by
    the next visit (YASGUI keeps nothing in localStorage), so the first example is always
    there."""
    yasqe = "window.filmgraphYasgui.getTab().getYasqe()"
    page = browser_page.open("/sparql")
    page.locator(TAB).first.wait_for()
    first = _examples(page)
    query = page.evaluate(f"{yasqe}.getValue()")
    page.locator("#examples summary").click()
    page.locator(f"{OPTION}:visible").last.click()  # another example, in the same tab
    assert page.evaluate(f"{yasqe}.getValue()") != query
    page.locator(".yasgui .addTab").click()
    assert len(_examples(page)) == len(first) + 1
    page.reload()
    page.locator(TAB).first.wait_for()
    assert _examples(page) == first
    assert page.evaluate(f"{yasqe}.getValue()") == query
    stored = page.evaluate("Object.keys(window.localStorage)")
    assert [key for key in stored if key != "prefixes"] == []  # YASQE's bundled prefix list
    assert browser_page.outside() == []


def test_no_autocompleter_asks_another_host(browser_page: BrowserPage):
    """Typing where YASQE would complete a PREFIX declaration (prefix.cc), a class and a
    property (Linked Open Vocabularies) asks nothing of any other host: the prefixes come
    from YASQE's bundled list, the class and property completers are off."""
    page = browser_page.open("/")
    page.locator(".tabPanel.active .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("PREFIX foaf:", delay=20)
    page.wait_for_timeout(300)
    assert "xmlns.com/foaf" in page.locator(".CodeMirror-hints").inner_text()
    page.keyboard.press("Enter")  # the bundled completion
    page.keyboard.type("\nSELECT * WHERE { ?s a foaf:Pers", delay=20)
    page.keyboard.press("Control+Space")
    page.keyboard.type(" ; foaf:na", delay=20)
    page.keyboard.press("Control+Space")
    page.wait_for_timeout(1500)  # a completer's request would have been sent by now
    assert (
        "PREFIX foaf: <http://xmlns.com/foaf/0.1/>"
        in page.locator(".tabPanel.active .CodeMirror").inner_text()
    )
    assert browser_page.outside() == [], "an autocompleter asked another host"
    yasqe = "window.filmgraphYasgui.getTab().getYasqe()"
    enabled = page.evaluate(f"Object.keys({yasqe}.autocompleters)")
    assert set(enabled) == {"variables", "prefixes"}
