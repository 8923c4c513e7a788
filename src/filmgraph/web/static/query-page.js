/* The query page: YASGUI over this server's /sparql, one editor, and a searchable menu of
 * the example queries that loads the one picked into it.
 * Results: IRIs the served project describes link to their local pages (the rest open as
 * external links, marked), literals show their values with the datatype or language on hover.
 * Offline by design: YASGUI comes from this server, no autocompleter calls a vocabulary
 * service, and nothing is kept in (or restored from) the browser's storage. */
(function () {
  "use strict";
  var root = document.getElementById("yasgui");
  if (!root || typeof Yasgui === "undefined") return;
  var endpoint = new URL(root.dataset.endpoint, window.location.href).href;
  var examples = JSON.parse(document.getElementById("query-examples").textContent);
  // The prefixes the endpoint predeclares: results show IRIs with them.
  var prefixes = JSON.parse(document.getElementById("query-prefixes").textContent);
  // The IRIs outside the entity namespace that the served data describes.
  var described = new Set(JSON.parse(document.getElementById("query-described").textContent));
  var entityNamespace = root.dataset.entityNamespace;
  var entityPage = root.dataset.entityPage;
  var resourcePage = root.dataset.resourcePage;

  function escapeHtml(text) {
    return String(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  /* The IRI as the project writes it: prefixed where a prefix fits, else null. */
  function prefixed(iri, known) {
    for (var name in known) {
      var namespace = known[name];
      if (namespace && iri.indexOf(namespace) === 0) return name + ":" + iri.slice(namespace.length);
    }
    return null;
  }

  /* Where an IRI links to: its local page if the served project describes it, else null. */
  function localPage(iri) {
    if (entityNamespace && iri.indexOf(entityNamespace) === 0) {
      var name = iri.slice(entityNamespace.length);
      if (name && name.indexOf("/") < 0) return entityPage + encodeURIComponent(name);
    }
    if (described.has(iri)) return resourcePage + "?iri=" + encodeURIComponent(iri);
    return null;
  }

  /* An IRI cell: a same-tab link to the local page, or an external link (marked, new tab);
   * IRIs of other schemes (urn:, mailto:, ...) are text. */
  function iriHtml(iri, known) {
    var short = prefixed(iri, known);
    var text = escapeHtml(short || iri);
    var local = localPage(iri);
    var link;
    if (local) {
      link = "<a class='iri local' href='" + escapeHtml(local) + "' title='" + escapeHtml(iri) +
        "'>" + text + "</a>";
    } else if (/^https?:\/\//i.test(iri)) {
      link = "<a class='iri external' href='" + escapeHtml(iri) + "' title='" + escapeHtml(iri) +
        "' rel='external noopener noreferrer' target='_blank'>" + text +
        "<span class='visually-hidden'> (external)</span></a>";
    } else {
      link = "<span class='iri'>" + text + "</span>";
    }
    return short ? link : "&lt;" + link + "&gt;";
  }

  /* A literal cell: the value as it is; its datatype (or language) on hover. */
  function literalHtml(binding, known) {
    var lang = binding["xml:lang"];
    var datatype = binding.datatype;
    var hover;
    if (lang) hover = "@" + lang + " (rdf:langString)";
    else if (datatype) hover = prefixed(datatype, known) || datatype;
    else hover = "xsd:string";
    return "<span class='nonIri literal' title='" + escapeHtml(hover) + "'" +
      (datatype && !lang ? " data-datatype='" + escapeHtml(datatype) + "'" : "") +
      (lang ? " lang='" + escapeHtml(lang) + "'" : "") + ">" + escapeHtml(binding.value) +
      "</span>";
  }

  // The table plugin's cell renderer (YASR's Table.getCellContent: one cell's HTML, given
  // the binding and the prefixes): ours for IRIs and literals, YASR's for blank nodes.
  var Table = Yasgui.Yasr.plugins.table;
  var cellContent = Table.prototype.getCellContent;
  Table.prototype.getCellContent = function (binding, known) {
    if (binding.type === "uri") return "<div><span>" + iriHtml(binding.value, known) + "</span></div>";
    if (binding.type === "literal" || binding.type === "typed-literal") {
      return "<div>" + literalHtml(binding, known) + "</div>";
    }
    return cellContent.call(this, binding, known);
  };

  // Autocompleters that run in the page only: variables, and prefixes from YASQE's bundled
  // list (prefixCcApi stays null, so prefix.cc is never asked). The "class" and "property"
  // completers ask Linked Open Vocabularies: off. The list is replaced, not merged (YASGUI
  // merges arrays index by index), on the defaults every editor starts from.
  Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
  Yasgui.Yasqe.defaults.prefixCcApi = null;

  var request = { endpoint: endpoint, method: "POST" };
  var yasgui = new Yasgui(root, {
    // No localStorage: stale tabs of an earlier visit never replace the examples.
    persistenceId: null,
    autoAddOnInit: false,
    requestConfig: request,
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
    },
    yasqe: { prefixCcApi: null, editorHeight: "240px" },
    yasr: { prefixes: prefixes },
  });

  // Names for YASGUI's unlabelled fields (the editor's input, the endpoint field), given
  // again as YASGUI draws tabs; and two repairs for assistive technology: YASGUI puts its
  // "add tab" button inside the tab list (a tablist may hold only tabs), so it moves just
  // after the list; CodeMirror's scroll area takes no focus, so a keyboard could not scroll
  // a long query: it gets a place in the tab order.
  function labelWidgets() {
    root.querySelectorAll("[role=tablist] > button, [role=tablist] > * > button").forEach(
      function (button) {
        var list = button.closest("[role=tablist]");
        if (list && !button.closest("[role=tab]")) list.after(button);
      },
    );
    root.querySelectorAll(".CodeMirror-scroll[tabindex='-1']").forEach(function (scroller) {
      scroller.setAttribute("tabindex", "0");
      scroller.setAttribute("aria-label", "SPARQL query, scrolled");
    });
    var unlabelled = [
      [".CodeMirror textarea:not([aria-label])", "SPARQL query"],
      [".controlbar input.autocomplete:not([aria-label])", "SPARQL endpoint"],
    ];
    unlabelled.forEach(function (pair) {
      root.querySelectorAll(pair[0]).forEach(function (element) {
        element.setAttribute("aria-label", pair[1]);
      });
    });
  }
  new MutationObserver(labelWidgets).observe(root, { childList: true, subtree: true });

  var byId = {};
  examples.forEach(function (example) {
    byId[example.id] = example;
  });

  // One tab, holding the first example; a shared link (YASGUI's ?query=... on this page)
  // has opened its own tab instead. The + button still opens more.
  var shared = yasgui.persistentConfig.getTabs().length > 0;
  if (!shared && examples.length) {
    yasgui.addTab(true, {
      name: examples[0].name,
      yasqe: { value: examples[0].query },
      requestConfig: { endpoint: endpoint, method: "POST" },
    });
  }

  // The example menu: a <details> with a filter (an ARIA combobox) over the list of examples.
  var wrapper = document.querySelector(".query-page .examples-menu");
  var menu = document.getElementById("examples");
  var filter = document.getElementById("example-filter");
  var list = document.getElementById("example-list");
  var none = document.getElementById("example-none");
  var current = document.getElementById("example-current");
  var options = Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
  var active = null;
  wrapper.hidden = false;

  function shown() {
    return options.filter(function (option) {
      return !option.hidden;
    });
  }

  function activate(option) {
    options.forEach(function (o) {
      o.classList.toggle("active", o === option);
    });
    active = option;
    if (option) {
      filter.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      filter.removeAttribute("aria-activedescendant");
    }
  }

  function applyFilter() {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    options.forEach(function (option) {
      var text = option.textContent.toLowerCase();
      option.hidden = !words.every(function (word) {
        return text.indexOf(word) >= 0;
      });
    });
    var left = shown();
    none.hidden = left.length > 0;
    activate(left.indexOf(active) >= 0 ? active : left[0] || null);
  }

  function pick(option) {
    var example = byId[option.dataset.id];
    if (!example) return;
    var tab = yasgui.getTab();
    tab.setQuery(example.query);
    tab.setName(example.name);
    options.forEach(function (o) {
      o.setAttribute("aria-selected", o === option ? "true" : "false");
    });
    current.textContent = example.name;
    menu.open = false;
    tab.getYasqe().focus();
  }

  // Opening the menu puts the focus in its filter at once (not on the "toggle" event, which
  // comes a moment later: keys typed meanwhile would be lost), with the current example active.
  function opened() {
    var selected = list.querySelector("[aria-selected=true]");
    applyFilter();
    if (selected && !selected.hidden) activate(selected);
    filter.focus();
    filter.select();
  }

  menu.querySelector("summary").addEventListener("click", function (event) {
    event.preventDefault();
    menu.open = !menu.open;
    if (menu.open) opened();
  });

  filter.addEventListener("input", applyFilter);

  filter.addEventListener("keydown", function (event) {
    var left = shown();
    var at = left.indexOf(active);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!left.length) return;
      var step = event.key === "ArrowDown" ? 1 : -1;
      activate(left[at < 0 ? 0 : (at + step + left.length) % left.length]);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (active && !active.hidden) pick(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  list.addEventListener("click", function (event) {
    var option = event.target.closest("[role=option]");
    if (option) pick(option);
  });

  list.addEventListener("mousemove", function (event) {
    var option = event.target.closest("[role=option]");
    if (option && option !== active) activate(option);
  });

  // A click elsewhere closes the menu.
  document.addEventListener("click", function (event) {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });

  if (!shared && options.length) options[0].setAttribute("aria-selected", "true");
  else if (shared) current.textContent = "";
  window.filmgraphYasgui = yasgui; // for the browser tests and the curious
})();
