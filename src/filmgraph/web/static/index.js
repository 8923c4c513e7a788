// The entity index: as you type, ask the server for the same page the form would give
// (/page/?q=WORDS, with the type on a type's listing) and put its results and count in place
// of these. The search runs in the store, so it finds entities on no page shown; without
// JavaScript the form does the same.
(function () {
  "use strict";
  var form = document.querySelector("form.index-search");
  var input = document.getElementById("index-q");
  var count = document.getElementById("index-count");
  if (!form || !input || !count || !window.fetch || !window.DOMParser) return;
  var timer = null;
  var asking = null;
  var asked = 0;

  function address() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (String(value).trim()) params.append(name, String(value).trim());
    });
    var query = params.toString();
    return form.getAttribute("action") + (query ? "?" + query : "");
  }

  function show(url, html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var results = page.getElementById("index-results");
    var said = page.getElementById("index-count");
    var here = document.getElementById("index-results");
    if (!results || !said || !here) return;
    here.replaceWith(document.importNode(results, true));
    count.textContent = said.textContent.trim();
    history.replaceState(null, "", url);
  }

  function ask() {
    var url = address();
    var mine = ++asked;
    if (asking) asking.abort();
    asking = window.AbortController ? new AbortController() : null;
    var results = document.getElementById("index-results");
    if (results) results.setAttribute("aria-busy", "true");
    fetch(url, { headers: { Accept: "text/html" }, signal: asking ? asking.signal : undefined })
      .then(function (answer) {
        return answer.text().then(function (text) {
          if (mine !== asked) return;
          if (answer.ok) {
            show(url, text);
          } else {
            count.textContent = "The search failed (HTTP " + answer.status + "); press Find to try again.";
          }
        });
      })
      .catch(function (error) {
        if (mine === asked && error.name !== "AbortError") {
          count.textContent = "The search failed; press Find to try again.";
        }
      })
      .then(function () {
        var now = document.getElementById("index-results");
        if (mine === asked && now) now.removeAttribute("aria-busy");
      });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
})();
