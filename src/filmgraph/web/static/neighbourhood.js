// Draws the entity's neighbourhood with cytoscape.js (served from package data), in a layout
// computed here so that every label can be read at the default size:
//
// - the entity is the centre; each entity one link away gets a block of rows, one row per
//   link between the two (parallel links stay together, each with its own label);
// - each link runs from the centre to its row, along the row (its label sits there, on a white
//   background, with an arrow for the way it reads) and on to the neighbour, whose label sits
//   beside it; inferred links are dashed;
// - where the picture is wide enough the blocks stand in two columns, left and right of the
//   centre, the links fanning out from it; on a phone in one column, the links running down a
//   trunk below the centre. The picture is as tall as its blocks need.
//
// Labels are measured and wrapped here (the same font as cytoscape draws), so the rows and
// blocks leave room for them; the picture is drawn at zoom 1 and is not panned or zoomed.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("neighbourhood-data").textContent);
  var container = document.getElementById("neighbourhood");
  if (!container || typeof cytoscape === "undefined") return;
  var centre = document.querySelector("article.entity").dataset.iri;

  var FONT = 'system-ui, -apple-system, "Segoe UI", sans-serif';
  var NODE_FONT = 13, CENTRE_FONT = 14, EDGE_FONT = 11, LINE_HEIGHT = 1.2;
  var ROW = 22; // the height of a link's row
  var GAP = 12; // between two blocks
  var MARGIN = 12; // around the picture
  var NODE = 12, CENTRE_NODE = 24;
  var FAN = 28, FAN_MAX = 150; // from the centre to the column of link labels, in two columns
  var TRUNK = 18; // and from the trunk below the centre, in one
  var JOIN = 30; // from the column of link labels to the neighbours
  var BESIDE = 6; // between a node and its label
  var PAD = 3; // the white background around a link's label
  var INK = "#1d1d1f", ASSERTED = "#7c7c82", INFERRED = "#2f5d8a";

  var context = document.createElement("canvas").getContext("2d");
  function measure(text, size, weight) {
    context.font = (weight || "normal") + " " + size + "px " + FONT;
    return context.measureText(text).width;
  }

  // Lines of at most `max` px: broken at spaces and after hyphens, a longer word cut.
  function wrap(text, size, weight, max) {
    var tokens = []; // [glue, piece]
    text.split(" ").forEach(function (word, i) {
      word.split(/(?<=-)/).forEach(function (piece, j) {
        tokens.push([j === 0 && i > 0 ? " " : "", piece]);
      });
    });
    var lines = [], line = "";
    tokens.forEach(function (token) {
      var glue = token[0], word = token[1];
      if (line && measure(line + glue + word, size, weight) > max) {
        lines.push(line);
        line = word;
      } else {
        line = line + glue + word;
      }
      while (measure(line, size, weight) > max && line.length > 1) {
        var cut = line.length - 1;
        while (cut > 1 && measure(line.slice(0, cut), size, weight) > max) cut--;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    });
    if (line) lines.push(line);
    return lines;
  }

  function widest(lines, size, weight) {
    return Math.max.apply(null, lines.map(function (l) { return measure(l, size, weight); }));
  }

  // Each kind's colour is its swatch's in the legend (the CSS keeps them in one place).
  function swatch(kind) {
    var element = document.querySelector('.neighbourhood-legend [data-kind="' + kind + '"] .swatch');
    if (!element) return { fill: "#6b6b70", border: null };
    var style = getComputedStyle(element);
    var bordered = parseFloat(style.borderTopWidth) > 0;
    return { fill: style.backgroundColor, border: bordered ? style.borderTopColor : null };
  }

  var cy = cytoscape({
    container: container,
    elements: data.nodes.concat(data.edges),
    layout: { name: "preset", fit: false },
    userZoomingEnabled: false,
    userPanningEnabled: false,
    boxSelectionEnabled: false,
    autoungrabify: true,
    autounselectify: true,
    style: [
      { selector: "node", style: {
        label: "data(text)", "font-family": FONT, "font-size": NODE_FONT, color: INK,
        width: NODE, height: NODE, "text-wrap": "wrap", "text-max-width": 1000,
        "line-height": LINE_HEIGHT, "text-valign": "center", "text-halign": "right",
        "text-margin-x": BESIDE, "text-background-color": "#fff", "text-background-opacity": 0.85,
        "text-background-padding": 1, "min-zoomed-font-size": 0 } },
      { selector: "node.centre", style: {
        width: CENTRE_NODE, height: CENTRE_NODE, "font-size": CENTRE_FONT, "font-weight": 700,
        "border-width": 3, "border-color": INK, "text-background-opacity": 1,
        "text-background-padding": 3, "text-background-shape": "round-rectangle" } },
      { selector: "edge", style: {
        width: 1.5, "line-color": ASSERTED, "curve-style": "round-segments", "segment-radii": 6,
        "edge-distances": "node-position", "target-arrow-shape": "none",
        label: "data(text)", "font-family": FONT, "font-size": EDGE_FONT, color: "#3c3c40",
        "text-background-color": "#fff", "text-background-opacity": 1,
        "text-background-padding": PAD, "text-background-shape": "round-rectangle" } },
      { selector: "edge[kind = 'inferred']", style: {
        "line-style": "dashed", "line-dash-pattern": [6, 3], "line-color": INFERRED,
        color: INFERRED } }
    ]
  });

  var centreNode = cy.getElementById(centre);
  centreNode.addClass("centre");
  cy.nodes().forEach(function (node) {
    var colour = swatch(node.data("kind"));
    var style = { "background-color": colour.fill };
    if (colour.border && !node.same(centreNode)) {
      style["border-width"] = 2;
      style["border-color"] = colour.border;
    }
    node.style(style);
  });

  // The neighbours, in the data's order, each with its links (outgoing first).
  var blocks = [], byId = {};
  cy.nodes().forEach(function (node) {
    if (node.same(centreNode)) return;
    byId[node.id()] = { node: node, edges: [] };
    blocks.push(byId[node.id()]);
  });
  var out = [], back = [];
  cy.edges().forEach(function (edge) {
    var s = edge.source().id(), t = edge.target().id();
    if (s === centre && byId[t]) out.push([byId[t], edge]);
    else if (t === centre && byId[s]) back.push([byId[s], edge]);
    else edge.data("text", edge.data("label")); // a loop on the centre: drawn as cytoscape does
  });
  out.concat(back).forEach(function (pair) { pair[0].edges.push(pair[1]); });
  blocks = blocks.filter(function (block) { return block.edges.length; });

  // Where the segment points (x, y) lie, as cytoscape wants them: relative to the line from
  // the edge's source to its target.
  function segments(edge, points) {
    var s = edge.source().position(), t = edge.target().position();
    var dx = t.x - s.x, dy = t.y - s.y, length = Math.sqrt(dx * dx + dy * dy) || 1;
    var weights = [], distances = [];
    points.forEach(function (p) {
      weights.push(((p[0] - s.x) * dx + (p[1] - s.y) * dy) / (length * length));
      distances.push(((p[0] - s.x) * -dy + (p[1] - s.y) * dx) / length);
    });
    return { "segment-weights": weights.join(" "), "segment-distances": distances.join(" ") };
  }

  function layout() {
    var width = container.clientWidth;
    var linkWidth = 0;
    blocks.forEach(function (block) {
      block.edges.forEach(function (edge) {
        edge.scratch("_words", edge.data("label"));
        linkWidth = Math.max(linkWidth, measure(edge.data("label") + " →", EDGE_FONT) + 2 * PAD);
      });
    });
    linkWidth = Math.ceil(linkWidth) + 4;
    var centreLines = wrap(centreNode.data("label"), CENTRE_FONT, "bold", 180);
    var centreWidth = widest(centreLines, CENTRE_FONT, "bold");
    var centreHeight = centreLines.length * CENTRE_FONT * LINE_HEIGHT;
    var natural = Math.max.apply(null, [0].concat(blocks.map(function (block) {
      return measure(block.node.data("label"), NODE_FONT);
    })));

    // Two columns where each half has room for the centre's label, a link's and 110 px of
    // a neighbour's label (or the widest of them); else one.
    var inner = Math.max(FAN, centreWidth / 2 + 10);
    var fixed = inner + linkWidth + JOIN + NODE / 2 + BESIDE;
    var half = (width - 2 * MARGIN) / 2;
    var two = blocks.length > 1 && half - fixed >= Math.min(natural, 110) + 2;
    var labelWidth, fan;
    if (two) {
      labelWidth = Math.min(half - fixed - 2, Math.max(natural, 60), 200);
      fan = Math.min(inner + Math.max(0, half - fixed - 2 - labelWidth), Math.max(inner, FAN_MAX));
    } else {
      fan = TRUNK;
      labelWidth = Math.max(60, width - 2 * MARGIN - CENTRE_NODE / 2 - fan - linkWidth - JOIN - NODE / 2 - BESIDE - 2);
    }

    // The blocks' sizes, and which column each stands in.
    blocks.forEach(function (block) {
      var lines = wrap(block.node.data("label"), NODE_FONT, "normal", labelWidth);
      block.node.data("text", lines.join("\n"));
      block.height = Math.max(block.edges.length * ROW, lines.length * NODE_FONT * LINE_HEIGHT + 4);
    });
    var total = blocks.reduce(function (sum, b) { return sum + b.height + GAP; }, 0);
    var split = blocks.length;
    if (two) {
      var best = Infinity, running = 0;
      for (var i = 0; i <= blocks.length; i++) {
        var worst = Math.max(running, total - running);
        if (worst < best) { best = worst; split = i; }
        if (i < blocks.length) running += blocks[i].height + GAP;
      }
    }
    function columnHeight(list) {
      return list.reduce(function (sum, b) { return sum + b.height + GAP; }, 0) - GAP;
    }
    var right = blocks.slice(0, split), left = blocks.slice(split);

    var height, cx, cyPos, top;
    if (two) {
      var tallest = Math.max(columnHeight(right), columnHeight(left));
      height = Math.max(tallest, 2 * (centreHeight + CENTRE_NODE)) + 2 * MARGIN;
      cx = width / 2;
      cyPos = height / 2;
      centreNode.style({ "text-valign": "top", "text-halign": "center", "text-margin-x": 0,
        "text-margin-y": -6, "text-justification": "center" });
    } else {
      cx = MARGIN + CENTRE_NODE / 2;
      cyPos = MARGIN + Math.max(centreHeight, CENTRE_NODE) / 2;
      top = cyPos + Math.max(centreHeight, CENTRE_NODE) / 2 + 14;
      height = top + columnHeight(right) + MARGIN;
      centreNode.style({ "text-valign": "center", "text-halign": "right", "text-margin-x": BESIDE,
        "text-margin-y": 0, "text-justification": "left" });
    }
    centreNode.data("text", centreLines.join("\n"));
    centreNode.position({ x: cx, y: cyPos });

    function place(list, side, start) {
      var x1 = cx + side * fan, x2 = x1 + side * linkWidth, xn = x2 + side * JOIN;
      var y = start;
      list.forEach(function (block) {
        var rows = block.edges.length;
        block.node.position({ x: xn, y: y + block.height / 2 });
        block.node.style(side > 0
          ? { "text-halign": "right", "text-margin-x": BESIDE, "text-justification": "left" }
          : { "text-halign": "left", "text-margin-x": -BESIDE, "text-justification": "right" });
        var first = y + (block.height - rows * ROW) / 2 + ROW / 2;
        block.edges.forEach(function (edge, j) {
          var outward = edge.source().same(centreNode);
          var rightward = outward === side > 0;
          var words = edge.scratch("_words");
          edge.data("text", rightward ? words + " →" : "← " + words);
          var row = first + j * ROW;
          // in two columns the links fan out from the centre; in one they run down a trunk
          // below it (a link's label is midway between its middle two points)
          var points = two
            ? [[x1, row], [x2, row]]
            : [[cx, row], [x1, row], [x2, row], [x2 + side * JOIN / 3, row]];
          edge.scratch("_points", outward ? points : points.reverse());
        });
        y += block.height + GAP;
      });
    }
    if (two) {
      place(right, 1, (height - columnHeight(right)) / 2);
      place(left, -1, (height - columnHeight(left)) / 2);
    } else {
      place(right, 1, top);
    }
    blocks.forEach(function (block) {
      block.edges.forEach(function (edge) { edge.style(segments(edge, edge.scratch("_points"))); });
    });

    container.style.height = Math.ceil(height + 2) + "px"; // and its 1px border
    cy.resize();
    cy.zoom(1);
    cy.pan({ x: 0, y: 0 });
  }

  cy.batch(layout);
  var drawnWidth = container.clientWidth, pending = null;
  window.addEventListener("resize", function () {
    if (container.clientWidth === drawnWidth) return;
    clearTimeout(pending);
    pending = setTimeout(function () {
      drawnWidth = container.clientWidth;
      cy.batch(layout);
    }, 150);
  });

  cy.on("tap", "node", function (event) {
    var id = event.target.id();
    var prefix = "https://w3id.org/filmgraph/id/";
    if (id.indexOf(prefix) === 0) window.location.href = "../page/" + id.slice(prefix.length);
  });
  cy.on("mouseover", "node", function () { container.style.cursor = "pointer"; });
  cy.on("mouseout", "node", function () { container.style.cursor = ""; });
  window.filmgraphNeighbourhood = cy;
})();
