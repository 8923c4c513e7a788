/* The query page: YASGUI over this server's /sparql, with the example queries as tabs.
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

  // A shared link (YASGUI's ?query=... on this page) has opened its own tab: keep it in front.
  var shared = yasgui.persistentConfig.getTabs().length > 0;
  examples.forEach(function (example, i) {
    yasgui.addTab(!shared && i === 0, {
      id: example.id,
      name: example.name,
      yasqe: { value: example.query },
      requestConfig: { endpoint: endpoint, method: "POST" },
    });
  });
  if (!shared && examples.length) yasgui.selectTabId(examples[0].id);
  window.filmgraphYasgui = yasgui; // for the browser tests and the curious
})();
