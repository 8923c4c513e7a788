"""The pages' scripts under the Content-Security-Policy the server sends (issue 22), in a real
browser (headless Chromium against `filmgraph serve` on 127.0.0.1): the query page runs a
query (YASGUI), an entity page draws its neighbourhood picture (cytoscape.js), the document
page opens a span, the index filters as you type; the browser reports no CSP violation and
no error.

Skipped, with the reason, where /usr/bin/chromium is missing; `.ci/run` installs it."""

from __future__ import annotations

import pytest

from browser import MISSING, BrowserPage, available

pytestmark = pytest.mark.slow

if not available():
    pytest.skip(MISSING, allow_module_level=True)

#: Every CSP violation a document sees, kept on its window (read before leaving the page).
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


def test_the_pages_work_under_the_content_security_policy(browser_page: BrowserPage):
    page = browser_page.page
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else 0)
    page.add_init_script(RECORD_VIOLATIONS)
    violations: list[str] = []

    def policy(path: str) -> str:
        response = page.goto(browser_page.base + path, wait_until="load")
        assert response is not None and response.ok, path
        found = response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in found and "frame-ancestors 'none'" in found, path
        return found

    # The query page: YASGUI's editor, the example menu, a query run and its table drawn.
    policy("/")
    page.locator(".tabPanel.active .CodeMirror").first.wait_for()
    with page.expect_response(lambda r: r.url.endswith("/sparql")) as answer:
        page.locator(".tabPanel.active .yasqe_queryButton").click()
    assert answer.value.status == 200
    page.locator(".tabPanel.active .yasr_results table tbody tr").first.wait_for()
    violations += page.evaluate("window.cspViolations")

    # An entity page: the neighbourhood picture drawn by cytoscape.js.
    policy("/page/kantemir-balagov")
    page.locator("#neighbourhood canvas").first.wait_for()
    assert page.evaluate("window.filmgraphNeighbourhood.nodes().length") >= 10
    violations += page.evaluate("window.cspViolations")

    # The source document: a highlighted span opened to its facts (document.js).
    policy("/document")
    link = page.locator("mark.span", has_text="Nalchik, Russia").first.locator("a")
    link.click()
    assert link.get_attribute("aria-expanded") == "true"
    assert page.locator(".document .facts:visible").count() == 1
    violations += page.evaluate("window.cspViolations")

    # The entity index asks the server as you type (index.js: a fetch to our own origin).
    policy("/page/")
    page.get_by_label("Find an entity by name").press_sequentially("canne")
    page.locator("#index-count", has_text="3 entities in 2 types match").wait_for()
    assert page.locator(".index-group li").count() == 3
    violations += page.evaluate("window.cspViolations")

    assert violations == []
    assert [m for m in console if "Content Security Policy" in m] == []
    assert browser_page.errors == []
    assert browser_page.outside() == []
