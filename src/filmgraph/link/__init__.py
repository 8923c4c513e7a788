"""Wikidata: links, the offline snapshot, link proposals and the comparison report.

- :mod:`.links`: the links graph (``schema:sameAs`` to confirmed items) from ``links.tsv``.
- :mod:`.snapshot`: the checked Wikidata statements as Wikidata's own RDF, in a graph of
  their own.
- :mod:`.comparison` and :mod:`.report`: every claim about a linked entity graded against the
  checked statements (places through :mod:`.containment`), as text and JSON.
- :mod:`.assessments`: what the comparison says of each claim, as a graph of its own
  (corroborated, contradicted, uncorroborated, unchecked, characterisation).
- :mod:`.proposals`: link proposals for unlinked entities (``filmgraph wikidata link``),
  from :mod:`.candidates` scored by :mod:`.scoring`; online through :mod:`.online` and
  :mod:`.client`.

Everything here works offline from the data shipped under ``data/wikidata/``, except the
linker's ``--online`` mode.
"""

from .assessments import assessment_graph
from .comparison import GRADES, compare
from .comparison import Report as ComparisonReport
from .links import links_graph, read_links
from .proposals import proposals_json, proposals_text, propose_links
from .report import report_json, report_text
from .snapshot import snapshot_text

__all__ = [
    "GRADES",
    "ComparisonReport",
    "assessment_graph",
    "compare",
    "links_graph",
    "proposals_json",
    "proposals_text",
    "propose_links",
    "read_links",
    "report_json",
    "report_text",
    "snapshot_text",
]
