"""Wikidata: links, the offline snapshot, link proposals and the comparison report.

- :mod:`.links`: the links graph (``schema:sameAs`` to confirmed items) from ``links.tsv``.
- :mod:`.snapshot`: the checked Wikidata statements as Wikidata's own RDF, in a graph of
  their own.
- :mod:`.proposals`: link proposals for unlinked entities (``filmgraph wikidata link``),
  from :mod:`.candidates` scored by :mod:`.scoring`; online through :mod:`.online` and
  :mod:`.client`.

Everything here works offline from the data shipped under ``data/wikidata/``, except the
linker's ``--online`` mode.
"""
