"""No evaluation stated as fact: evaluative or promotional words in the quote of a fact claim
must be the document's characterisation, recorded as such.

Each word or phrase of :data:`EVALUATIVE` found in a fact's quote must lie within the quote of
a characterisation claim of the same document. Otherwise the fact rests on praise: the check
would have caught "Balagov remains dedicated to nurturing emerging talent" (sentence 14)
stored as ``fg:mentorOf`` aspiring filmmakers, a mentoring relation no one can check.
"""

from __future__ import annotations

import re

from ..load import ClaimSet
from .report import Report, Violation

#: Words that evaluate or promote rather than state: the puffery and peacock terms of
#: Wikipedia's Manual of Style ("Words to watch") that such biographies use, and the
#: promotional phrasing of advocacy ("dedicated to", "championing", "nurturing").
EVALUATIVE = re.compile(
    r"\b("
    r"renowned|acclaim(?:ed)?|visionary|masterful|masterpieces?|legendary|iconic|"
    r"brillian(?:t|ce)|unparalleled|remarkable|celebrated|prestigious|world-class|"
    r"profound|poignant|haunting|mesmeri[sz]\w*|captivat\w*|rising star|unique voice|"
    r"dedicated to|champion(?:s|ing|ed)?|nurtur\w*|vibrant"
    r")\b",
    re.IGNORECASE,
)

CHECK = "no-evaluation-stated-as-fact"


def evaluation_check(claimset: ClaimSet, report: Report) -> None:
    """Add a violation for each evaluative word of a fact's quote that no characterisation
    of the same document covers."""
    report.checks_run.append(CHECK)
    covered = [
        (claim.document, claim.start, claim.end)
        for claim in claimset.claims
        if claim.kind == "characterisation"
    ]
    for claim in claimset.claims:
        if claim.kind != "fact":
            continue
        for found in EVALUATIVE.finditer(claim.quote):
            start, end = claim.start + found.start(), claim.start + found.end()
            if any(doc == claim.document and s <= start and end <= e for doc, s, e in covered):
                continue
            report.violations.append(
                Violation(
                    check=CHECK,
                    focus=f"claim:{claim.id}",
                    message=(
                        "evaluative words in a fact's quote: make the words a "
                        'characterisation (kind = "characterisation"), or quote only '
                        "what states the fact"
                    ),
                    value=f"{found.group()!r} at offset {start} (sentence {claim.sentence})",
                )
            )
