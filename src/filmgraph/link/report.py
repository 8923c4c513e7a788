"""The comparison report as text (for people) and as JSON (stable, for programs).

The JSON shape (``filmgraph wikidata compare --format json``; documented in the README)::

    {"checked": "2026-11-24", "grades": [...], "summary": {grade: count, ...},
     "entities": [{"entity": IRI, "name": str, "wikidata": IRI,
                   "claims": [{"property": IRI, "wikidata_property": "P569",
                               "wikidata_property_label": str, "grade": str, "reason": str,
                               "more_specific": "document" | "wikidata" | null,
                               "document": {"value", "iri", "wikidata", "quotes": [...]},
                               "wikidata": [{"value", "iri", "wikidata"}, ...],
                               "notes": [str, ...]}]}]}

Entities are sorted by name, claims by property (in the order of ``MAPPINGS``) and value;
keys keep the order above, so the same data always gives the same bytes.
"""

from __future__ import annotations

import json

from ..core import new_graph
from .comparison import Comparison, Report


def report_json(report: Report) -> str:
    """The report as indented JSON, ending with a newline."""
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"


def report_text(report: Report) -> str:
    """The report for reading: a summary line, then each entity with its graded claims."""
    counts = " · ".join(f"{n} {grade}" for grade, n in report.counts().items())
    lines = [
        f"The document against Wikidata (statements checked {report.checked})",
        counts,
    ]
    quiet = []
    for entity in report.entities:
        if not entity.claims:
            quiet.append(f"{entity.name} (wd:{entity.item})")
            continue
        lines += ["", f"{entity.name} — wd:{entity.item}"]
        for claim in entity.claims:
            lines += _claim_lines(claim)
    if quiet:
        lines += ["", "Linked, with no claim that has a Wikidata counterpart: " + ", ".join(quiet)]
    return "\n".join(lines) + "\n"


def _claim_lines(claim: Comparison) -> list[str]:
    namespaces = new_graph().namespace_manager
    mapping = claim.mapping
    head = f"{mapping.label} ({mapping.property}; {mapping.predicate.n3(namespaces)})"
    document = claim.document.text
    if claim.quotes:
        document += "   " + "; ".join(f'"{q.exact}" (sentence {q.sentence})' for q in claim.quotes)
    wikidata = (
        ", ".join(f"{v.text} (wd:{v.item})" if v.item else v.text for v in claim.wikidata)
        or "(none)"
    )
    lines = [
        f"  {claim.grade:<16} {head}",
        f"      document   {document}",
        f"      Wikidata   {wikidata}",
        f"      why        {claim.reason}",
    ]
    lines += [f"      note       {note}" for note in claim.notes]
    return lines
