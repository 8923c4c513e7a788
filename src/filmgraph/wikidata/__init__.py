"""Wikidata: links, the offline snapshot, link proposals and the comparison report.

- :mod:`.links`: the links graph (``schema:sameAs`` to confirmed items) from ``links.tsv``.
- :mod:`.snapshot`: the checked Wikidata statements as Wikidata's own RDF, in a graph of
  their own.

Everything here works offline from the data shipped under ``data/wikidata/``.
"""
