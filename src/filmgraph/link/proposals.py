"""Link proposals: for each of our entities without a Wikidata link, the candidates found and
how each scores (:mod:`.scoring`), as text for people and JSON for programs.

Nothing here writes a link: ``data/wikidata/links.tsv`` is edited by people, who check a
proposal before they add it.

The JSON shape (``filmgraph wikidata link --format json``; documented in the README)::

    {"mode": "offline" | "online",
     "source": "snapshot" | "search" | "reconcile",
     "weights": {"name": 0.5, "type": 0.25, "date": 0.15, "director": 0.1},
     "thresholds": {"strong": 0.8, "weak": 0.5, "name": 0.8},
     "entities": [{"entity": IRI, "name": str, "kind": str, "linked": QID | null,
                   "candidates": [{"qid": str, "label": str, "description": str,
                                   "source": str, "score": float, "verdict": str,
                                   "vetoes": [str, ...],
                                   "components": [{"name", "weight", "value", "reason"}]}]}],
     "skipped": [IRI, ...]}

Entities are sorted by IRI, candidates by score (best first), then QID.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rdflib import Dataset, URIRef

from ..core import NotFoundError, Settings
from .candidates import Candidate, Entity, linked_qids, our_entities, snapshot_candidates
from .client import WikidataClient
from .online import live_candidates
from .scoring import NAME_GATE, SEARCH_FLOOR, STRONG, WEAK, WEIGHTS, Proposal, name_match, score


@dataclass(frozen=True)
class EntityProposals:
    """One entity and its candidates, scored, best first."""

    entity: Entity
    proposals: tuple[Proposal, ...]


@dataclass(frozen=True)
class LinkProposals:
    """What ``filmgraph wikidata link`` reports."""

    mode: str
    source: str
    entities: tuple[EntityProposals, ...]
    #: Entities of no kind we link (themes, groups of people, terms).
    skipped: tuple[URIRef, ...] = ()


def select(entities: list[Entity], names: tuple[str, ...] = ()) -> list[Entity]:
    """The entities to link: without ``names``, every unlinked entity of a kind we link;
    with them, the entities so named (``schema:name``, ``alternateName``, ``fgid:x`` or
    the IRI), linked or not.

    Raises:
        NotFoundError: a name matches no entity, or one of no kind we link.
    """
    if not names:
        return [e for e in entities if e.kind is not None and e.linked is None]
    chosen = []
    for wanted in names:
        found = [
            e
            for e in entities
            if wanted in (str(e.iri), e.short)
            or wanted.casefold() in (n.casefold() for n in e.names)
        ]
        if not found:
            raise NotFoundError(f"no entity named {wanted!r}")
        for entity in found:
            if entity.kind is None:
                raise NotFoundError(
                    f"{entity.short} is a theme, group or term: not linked to Wikidata"
                )
            if entity not in chosen:
                chosen.append(entity)
    return chosen


def offline_search(entity: Entity, pool: list[Candidate]) -> list[Candidate]:
    """The shipped items whose name is at least :data:`SEARCH_FLOOR` similar to ours."""
    return [c for c in pool if name_match(entity, c)[0] >= SEARCH_FLOOR]


def propose_links(
    dataset: Dataset,
    settings: Settings | None = None,
    *,
    online: bool = False,
    names: tuple[str, ...] = (),
    client: Any = None,
) -> LinkProposals:
    """Score the Wikidata candidates of our unlinked entities (or of those ``names``).

    Offline (the default) the candidates are the items of the reference list with the
    snapshot's statements; ``online`` asks Wikidata through ``client`` (by default a
    :class:`~.client.WikidataClient` made from ``settings``).

    Raises:
        NotFoundError: a name matches none of our entities.
        UpstreamError: online, Wikidata or the reconciliation service failed.

    >>> from filmgraph import build
    >>> found = propose_links(build(), names=("Closeness",))
    >>> best = found.entities[0].proposals[0]
    >>> best.candidate.qid, best.score, best.verdict
    ('Q29413154', 1.0, 'strong')
    """
    settings = settings or Settings()
    everyone = our_entities(dataset)
    chosen = select(everyone, names)
    taken = {q: iri for iri, q in linked_qids(dataset).items()}
    if online:
        client = client or WikidataClient.from_settings(settings)
        found = live_candidates(client, chosen)
        source = "reconcile" if client.reconcile_url else "search"
    else:
        pool = snapshot_candidates(dataset, settings.wikidata_reference)
        found = {str(e.iri): offline_search(e, pool) for e in chosen}
        source = "snapshot"
    results = []
    for entity in chosen:
        scored = [score(entity, c, taken) for c in found.get(str(entity.iri), [])]
        scored.sort(key=lambda p: (-p.score, p.candidate.qid))
        results.append(EntityProposals(entity, tuple(scored)))
    skipped = tuple(e.iri for e in everyone if e.kind is None) if not names else ()
    return LinkProposals("online" if online else "offline", source, tuple(results), skipped)


def proposals_dict(found: LinkProposals) -> dict[str, Any]:
    """The proposals as the JSON shape above."""
    return {
        "mode": found.mode,
        "source": found.source,
        "weights": WEIGHTS,
        "thresholds": {"strong": STRONG, "weak": WEAK, "name": NAME_GATE},
        "entities": [
            {
                "entity": str(item.entity.iri),
                "name": item.entity.name,
                "kind": item.entity.kind.name if item.entity.kind else None,
                "linked": item.entity.linked,
                "candidates": [
                    {
                        "qid": p.candidate.qid,
                        "label": p.candidate.label,
                        "description": p.candidate.description,
                        "source": p.candidate.source,
                        "score": p.score,
                        "verdict": p.verdict,
                        "vetoes": list(p.vetoes),
                        "components": [
                            {
                                "name": c.name,
                                "weight": c.weight,
                                "value": c.value,
                                "reason": c.reason,
                            }
                            for c in p.components
                        ],
                    }
                    for p in item.proposals
                ],
            }
            for item in found.entities
        ],
        "skipped": [str(iri) for iri in found.skipped],
    }


def proposals_json(found: LinkProposals) -> str:
    """The proposals as indented JSON, ending with a newline."""
    return json.dumps(proposals_dict(found), indent=2, ensure_ascii=False) + "\n"


def proposals_text(found: LinkProposals) -> str:
    """The proposals for people: per entity, one line per candidate and its reasons."""
    lines = [
        f"Wikidata link proposals ({found.mode}: {found.source}); none is written to links.tsv"
    ]
    for item in found.entities:
        entity = item.entity
        kind = entity.kind.name if entity.kind else "-"
        linked = f", linked to {entity.linked}" if entity.linked else ""
        lines.append("")
        lines.append(f"{entity.short}  {entity.name!r} ({kind}{linked})")
        if not item.proposals:
            lines.append("  no candidate")
        for p in item.proposals:
            about = f" ({p.candidate.description})" if p.candidate.description else ""
            head = f"  {p.candidate.qid:<10} {p.score:.2f}  {p.verdict:<8}"
            lines.append(f"{head} {p.candidate.label}{about}")
            for c in p.components:
                lines.append(f"      {c.name:<8} {c.value:.2f} x {c.weight:.2f}  {c.reason}")
            for veto in p.vetoes:
                lines.append(f"      rejected: {veto}")
    if found.skipped:
        lines.append("")
        count = len(found.skipped)
        lines.append(f"not linked: {count} themes, groups and terms (the document's own notions)")
    return "\n".join(lines) + "\n"
