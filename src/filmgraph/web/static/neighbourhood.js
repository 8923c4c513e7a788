// Draws the entity's neighbourhood with cytoscape.js (served from package data).
(function () {
  var data = JSON.parse(document.getElementById("neighbourhood-data").textContent);
  var container = document.getElementById("neighbourhood");
  if (!container || typeof cytoscape === "undefined") return;
  var centre = document.querySelector("article.entity").dataset.iri;
  var cy = cytoscape({
    container: container,
    elements: data.nodes.concat(data.edges),
    layout: { name: "cose", animate: false, nodeRepulsion: function () { return 9000; }, idealEdgeLength: function () { return 70; } },
    style: [
      { selector: "node", style: { label: "data(label)", "font-size": 10, "background-color": "#7a1f2b", width: 14, height: 14, "text-wrap": "wrap", "text-max-width": 90 } },
      { selector: "node[!ours]", style: { "background-color": "#9aa0a6" } },
      { selector: "node[id = '" + centre.replace(/'/g, "\\'") + "']", style: { width: 24, height: 24 } },
      { selector: "edge", style: { width: 1, "line-color": "#c7c7cc", "target-arrow-shape": "triangle", "target-arrow-color": "#c7c7cc", "curve-style": "bezier", label: "data(label)", "font-size": 7, color: "#5f6368" } },
      { selector: "edge[kind = 'inferred']", style: { "line-style": "dashed", "line-color": "#2f5d8a", "target-arrow-color": "#2f5d8a" } }
    ]
  });
  cy.on("tap", "node", function (event) {
    var id = event.target.id();
    var prefix = "https://w3id.org/filmgraph/id/";
    if (id.indexOf(prefix) === 0) window.location.href = "../page/" + id.slice(prefix.length);
  });
  window.filmgraphNeighbourhood = cy;
})();
