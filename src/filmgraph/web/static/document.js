// The source document: the facts of a highlighted span in a popover by the span. Without this
// script each span links to its facts panel below the paragraph (#q-START-END), which the
// browser shows as the :target; with it, the same panel opens beside the words (click, or
// Enter on the focused span), Escape or a click elsewhere closes it, and the address still
// names the span, so it can be shared and reopens the panel.
(function () {
  "use strict";
  var root = document.querySelector(".document");
  if (!root) return;
  root.classList.add("enhanced");
  var open = null;  // {panel, link}

  function panelOf(link) {
    var hash = link.getAttribute("href");
    return /^#q-\d+-\d+$/.test(hash) ? document.getElementById(hash.slice(1)) : null;
  }

  function links(panel) {
    return root.querySelectorAll('mark.span a[href="#' + panel.id + '"]');
  }

  function place(panel, link) {
    var box = root.getBoundingClientRect();
    var rects = link.getClientRects();
    var line = rects[rects.length - 1] || link.getBoundingClientRect();
    var width = panel.offsetWidth;
    var left = Math.min(Math.max(line.left - box.left, 0), Math.max(box.width - width, 0));
    panel.style.left = left + "px";
    panel.style.top = line.bottom - box.top + 6 + "px";
  }

  function close(restore) {
    if (!open) return;
    var was = open;
    open = null;
    was.panel.classList.remove("open");
    links(was.panel).forEach(function (a) {
      a.setAttribute("aria-expanded", "false");
      a.parentNode.classList.remove("open");
    });
    if (location.hash === "#" + was.panel.id) {
      history.replaceState(null, "", location.pathname + location.search);
    }
    if (restore) was.link.focus();
  }

  function show(panel, link, focus) {
    close(false);
    open = {panel: panel, link: link};
    panel.classList.add("open");
    links(panel).forEach(function (a) {
      a.setAttribute("aria-expanded", "true");
      a.parentNode.classList.add("open");
    });
    place(panel, link);
    if (location.hash !== "#" + panel.id) history.replaceState(null, "", "#" + panel.id);
    if (focus) panel.focus({preventScroll: true});
  }

  root.querySelectorAll("mark.span a").forEach(function (a) {
    var panel = panelOf(a);
    if (!panel) return;
    a.setAttribute("aria-controls", panel.id);
    a.setAttribute("aria-expanded", "false");
    a.addEventListener("click", function (event) {
      event.preventDefault();
      if (open && open.panel === panel) close(true);
      else show(panel, a, true);
    });
  });

  root.querySelectorAll(".facts .back a").forEach(function (a) {
    a.textContent = "Close";
    a.addEventListener("click", function (event) {
      event.preventDefault();
      close(true);
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && open) close(true);
  });
  document.addEventListener("click", function (event) {
    if (open && !open.panel.contains(event.target) && !event.target.closest("mark.span")) {
      close(false);
    }
  });
  root.addEventListener("focusout", function (event) {
    // Tabbing out of an open panel (past its last link) closes it.
    if (!open || !open.panel.contains(event.target)) return;
    var next = event.relatedTarget;
    if (next && !open.panel.contains(next) && next !== open.link) close(false);
  });
  window.addEventListener("resize", function () {
    if (open) place(open.panel, open.link);
  });

  // A link from another page (/document#q-START-END), or back and forward: open that span.
  function fromAddress() {
    var match = /^#(q-\d+-\d+)$/.exec(location.hash);
    var panel = match && document.getElementById(match[1]);
    if (!panel) {
      close(false);
      return;
    }
    var link = links(panel)[0];
    if (!link) return;
    link.scrollIntoView({block: "center"});
    show(panel, link, false);
  }
  window.addEventListener("hashchange", fromAddress);
  fromAddress();
})();
