"""Every page passes an automated accessibility check in a real browser (headless Chromium):
axe-core, vendored in tests/vendor/axe-core/ (never fetched), run on each page at a desktop
width (1280 px) and a phone width (390 px), finds no serious or critical violation.

Skipped, with the reason, where /usr/bin/chromium is missing; `.ci/run` installs it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser import MISSING, VIEWPORTS, BrowserPage, available

pytestmark = pytest.mark.slow

if not available():
    pytest.skip(MISSING, allow_module_level=True)

#: axe-core's built file, copied from the npm registry by web-assets/vendor.sh (see
#: tests/vendor/README.md); injected from disk, so the check needs no network.
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

#: The impacts that fail the test (axe also reports "minor" and "moderate" ones).
SERIOUS = {"serious", "critical"}

#: Each page, and what to wait for before checking it: the parts its scripts draw.
PAGES = {
    "/": ".yasgui .CodeMirror",  # the query page: YASGUI's editor
    "/page/kantemir-balagov": "#neighbourhood canvas",
    "/page/beanpole": "#neighbourhood canvas",
    "/document": None,
    "/assessments": None,
    "/downloads": None,
    "/page/": None,  # the entity index
    "/page/?q=cannes": None,  # a search
    "/page/?type=schema:Person&limit=2&page=2": None,  # a type's listing, paged
    "/page/no-such-entity": None,  # a 404 page (NOT_FOUND)
    "/resource?iri=https://w3id.org/filmgraph/id/closeness": None,
}

NOT_FOUND = "/page/no-such-entity"

#: The parts of a page axe leaves out, each for a named reason: only third-party widgets whose
#: violations cannot be fixed in filmgraph's own code. Empty: nothing is left out.
EXCLUDE: dict[str, list[list[str]]] = {}

#: Where the page loads axe from: a URL of its own origin, which the test answers with the
#: vendored file, so that the pages' Content-Security-Policy (scripts from 'self' only, no
#: inline code) stays on while they are checked.
AXE_URL = "/__tests__/axe.min.js"


def inject_axe(browser_page: BrowserPage) -> None:
    """Load axe-core into the open page from the vendored copy, as one of its own scripts."""
    page = browser_page.page
    url = browser_page.base + AXE_URL
    page.route(url, lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
    page.add_script_tag(url=url)


RUN = """async ([exclude]) => {
  const context = exclude.length ? {include: [document], exclude} : document;
  const results = await axe.run(context, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.map(n => ({target: n.target, impact: n.impact, summary: n.failureSummary})),
  }));
}"""


OPEN_DETAILS = """() => {
  const closed = [...document.querySelectorAll("details:not([open])")];
  closed.forEach(d => { d.open = true; });
  return closed.length;
}"""


def _report(violations: list[dict[str, Any]]) -> str:
    """One paragraph per violation: its id, impact and help, then each element it names."""
    lines = []
    for v in violations:
        states = " and ".join(v["states"])
        lines.append(f"{v['id']} ({v['impact']}, {states}): {v['help']} <{v['helpUrl']}>")
        for node in v["targets"]:
            target = " ".join(" >>> ".join(t) if isinstance(t, list) else t for t in node["target"])
            lines.append(f"    {target}")
            summary = (node["summary"] or "").replace("\n", "\n        ")
            if summary:
                lines.append(f"        {summary}")
    return "\n".join(lines)


def _collect(found: dict[str, dict[str, Any]], violations: list[dict[str, Any]], state: str):
    """Add the serious and critical ``violations`` seen in ``state`` to ``found`` (by id)."""
    for v in violations:
        if v["impact"] not in SERIOUS:
            continue
        known = found.setdefault(v["id"], {**v, "targets": [], "states": []})
        known["states"].append(state)
        seen = {str(node["target"]) for node in known["targets"]}
        known["targets"] += [n for n in v["targets"] if str(n["target"]) not in seen]


def check(browser_page: BrowserPage, path: str, viewport: dict[str, int]) -> list[dict[str, Any]]:
    """The serious and critical violations axe finds on ``path`` at ``viewport``: on the page
    as it loads, then with every ``<details>`` opened (explanations, menus), so what a reader
    discloses is checked too."""
    page = browser_page.page
    page.set_viewport_size(viewport)
    response = page.goto(browser_page.base + path, wait_until="load")
    assert response is not None
    assert response.status == (404 if path == NOT_FOUND else 200), path
    if PAGES[path]:
        page.locator(PAGES[path]).first.wait_for()
    page.wait_for_load_state("networkidle")
    inject_axe(browser_page)
    context = [EXCLUDE.get(path, [])]
    found: dict[str, dict[str, Any]] = {}
    _collect(found, page.evaluate(RUN, context), "as loaded")
    if page.evaluate(OPEN_DETAILS):
        _collect(found, page.evaluate(RUN, context), "every <details> open")
    return list(found.values())


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", list(PAGES))
def test_no_serious_accessibility_violation(browser_page: BrowserPage, path: str, viewport: str):
    serious = check(browser_page, path, VIEWPORTS[viewport])
    assert not serious, (
        f"{path} at {VIEWPORTS[viewport]['width']}px: {len(serious)} serious or critical "
        f"accessibility violation(s):\n{_report(serious)}"
    )
    assert browser_page.errors == []
    assert browser_page.outside() == []
