"""The entity page's neighbourhood picture in a real browser (headless Chromium), at 1280 px
and at phone width (390 px): no two node labels overlap, no edge label overlaps a node label
or another edge label, every label is drawn at 10 px or more and inside the canvas, inferred
edges are dashed, and a legend says what the picture shows.

The label boxes are cytoscape.js's own (``renderedBoundingBox`` of each label alone).

Skipped, with the reason, where /usr/bin/chromium is missing; `.ci/run` installs it."""

from __future__ import annotations

from typing import Any

import pytest

from browser import MISSING, BrowserPage, available

pytestmark = pytest.mark.slow

if not available():
    pytest.skip(MISSING, allow_module_level=True)

WIDTHS = [1280, 390]
#: Balagov is the densest entity; Beanpole has the longest labels.
ENTITIES = ["kantemir-balagov", "beanpole"]
#: How far (px) two label boxes may share an edge before they count as overlapping.
TOLERANCE = 0.5

#: Every label of the picture, as drawn: its rendered box within the canvas, font size and
#: text; each edge's line style and kind; the canvas size.
LABELS = """() => {
  const cy = window.filmgraphNeighbourhood;
  const only = {includeNodes: false, includeEdges: false, includeLabels: true,
                includeMainLabels: true, includeSourceLabels: false,
                includeTargetLabels: false, includeOverlays: false, includeUnderlays: false};
  const label = (kind) => (ele) => {
    const box = ele.renderedBoundingBox(only);
    return {kind: kind, id: ele.id(), text: ele.pstyle("label").strValue,
            x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2,
            font: ele.pstyle("font-size").pfValue * cy.zoom()};
  };
  const labelled = (ele) => ele.pstyle("label").strValue !== "";
  return {
    width: cy.width(), height: cy.height(),
    labels: cy.nodes().filter(labelled).map(label("node"))
      .concat(cy.edges().filter(labelled).map(label("edge"))),
    edges: cy.edges().map((e) => ({id: e.id(), kind: e.data("kind"), unlabelled: !labelled(e),
                                   style: e.pstyle("line-style").strValue})),
    nodes: cy.nodes().length,
  };
}"""


def overlap(a: dict[str, Any], b: dict[str, Any]) -> float:
    """The area two boxes share, each shrunk by :data:`TOLERANCE`."""
    width = min(a["x2"], b["x2"]) - max(a["x1"], b["x1"]) - 2 * TOLERANCE
    height = min(a["y2"], b["y2"]) - max(a["y1"], b["y1"]) - 2 * TOLERANCE
    return max(width, 0) * max(height, 0)


def picture(browser_page: BrowserPage, width: int, entity: str) -> dict[str, Any]:
    page = browser_page.page
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 800})
    browser_page.open(f"/page/{entity}")
    page.locator("#neighbourhood canvas").first.wait_for()
    page.wait_for_function("window.filmgraphNeighbourhood !== undefined")
    drawn: dict[str, Any] = page.evaluate(LABELS)
    return drawn


@pytest.mark.parametrize("entity", ENTITIES)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_labels_of_the_picture_can_be_read(browser_page: BrowserPage, width, entity):
    drawn = picture(browser_page, width, entity)
    labels = drawn["labels"]
    assert drawn["nodes"] >= 5 and len(labels) >= drawn["nodes"]
    assert not [e["id"] for e in drawn["edges"] if e["unlabelled"]], "an edge has no label"
    small = [(x["text"], round(x["font"], 1)) for x in labels if x["font"] < 10]
    assert not small, f"labels drawn under 10 px: {small}"
    outside = [
        (x["text"], [round(x[k]) for k in ("x1", "y1", "x2", "y2")])
        for x in labels
        if x["x1"] < -TOLERANCE
        or x["y1"] < -TOLERANCE
        or x["x2"] > drawn["width"] + TOLERANCE
        or x["y2"] > drawn["height"] + TOLERANCE
    ]
    assert not outside, f"labels outside the {drawn['width']}x{drawn['height']} canvas: {outside}"
    clashes = [
        (a["text"], b["text"], round(area))
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if (area := overlap(a, b)) > 0
    ]
    assert not clashes, f"{len(clashes)} overlapping labels (text, text, px²): {clashes}"
    page = browser_page.page
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, f"the page scrolls sideways ({scroll}px)"
    assert browser_page.errors == []
    assert browser_page.outside() == []


@pytest.mark.parametrize("width", WIDTHS)
def test_inferred_edges_are_dashed_and_the_legend_says_so(browser_page: BrowserPage, width):
    drawn = picture(browser_page, width, "kantemir-balagov")
    styles = {(e["kind"], e["style"]) for e in drawn["edges"]}
    assert styles == {("asserted", "solid"), ("inferred", "dashed")}, styles
    page = browser_page.page
    legend = page.locator(".neighbourhood-legend")
    assert legend.is_visible()
    text = legend.inner_text()
    for words in ("Kantemir Balagov", "asserted", "inferred"):
        assert words in text, words
    # each kind of node the picture colours is in the legend, with the colour it is drawn in
    kinds = page.evaluate(
        """() => {
          const seen = {};
          window.filmgraphNeighbourhood.nodes().forEach((n) => {
            seen[n.data("kind")] = n.pstyle("background-color").strValue; });
          return seen;
        }"""
    )
    assert len(kinds) >= 3, kinds
    for kind, colour in kinds.items():
        swatch = legend.locator(f'[data-kind="{kind}"] .swatch')
        assert swatch.count() == 1, f"the legend does not list {kind}"
        shown = swatch.evaluate("e => getComputedStyle(e).backgroundColor").replace(" ", "")
        assert shown == colour.replace(" ", ""), (kind, shown, colour)
    # the line samples: solid for asserted, dashed for inferred
    asserted = legend.locator('[data-edge="asserted"] .line')
    inferred = legend.locator('[data-edge="inferred"] .line')
    assert asserted.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
    assert inferred.evaluate("e => getComputedStyle(e).borderTopStyle") == "dashed"
    assert browser_page.errors == []
