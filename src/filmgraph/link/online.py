"""Online candidates: search (or reconcile) each of our names, then read the found items'
labels, aliases and claims (P31, P569, P577, P57) with ``wbgetentities``.

Statements ranked deprecated, and "no value" / "some value" statements, are left out; a
time keeps the precision Wikidata gives it (year, month or day).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .candidates import Candidate, Entity, When, parse_when
from .client import WikidataClient


def _values(entity: Mapping[str, Any], prop: str) -> list[Any]:
    """The values of a property's statements, deprecated ones and no-value/some-value left out."""
    values = []
    for claim in (entity.get("claims") or {}).get(prop, []):
        snak = claim.get("mainsnak", {}) if isinstance(claim, dict) else {}
        if claim.get("rank") == "deprecated" or snak.get("snaktype", "value") != "value":
            continue
        value = (snak.get("datavalue") or {}).get("value")
        if value is not None:
            values.append(value)
    return values


def _items(entity: Mapping[str, Any], prop: str) -> tuple[str, ...]:
    return tuple(
        sorted(v["id"] for v in _values(entity, prop) if isinstance(v, dict) and "id" in v)
    )


def _when(entity: Mapping[str, Any], prop: str) -> When | None:
    dates = [
        w
        for v in _values(entity, prop)
        if isinstance(v, dict)
        and (w := parse_when(str(v.get("time", "")), int(v.get("precision", 11))))
    ]
    return min(dates, key=str, default=None)


def candidate_from_entity(
    qid: str, entity: Mapping[str, Any], source: str, hit: Mapping[str, Any]
) -> Candidate:
    """A candidate from a wbgetentities entity (and the search or reconciliation hit)."""
    label = (
        ((entity.get("labels") or {}).get("en") or {}).get("value")
        or hit.get("label")
        or hit.get("name")
        or qid
    )
    description = ((entity.get("descriptions") or {}).get("en") or {}).get("value") or hit.get(
        "description", ""
    )
    aliases = [
        a.get("value", "")
        for a in (entity.get("aliases") or {}).get("en", [])
        if isinstance(a, dict)
    ]
    match = hit.get("match")
    if isinstance(match, dict) and match.get("type") == "alias":
        aliases.append(str(match.get("text", "")))
    dates = {p: w for p in ("P569", "P577") if (w := _when(entity, p))}
    return Candidate(
        qid=qid,
        label=str(label),
        source=source,
        description=str(description),
        aliases=tuple(dict.fromkeys(a for a in aliases if a and a != label)),
        types=_items(entity, "P31"),
        dates=dates,
        directors=_items(entity, "P57"),
    )


def live_candidates(
    client: WikidataClient, entities: list[Entity], limit: int = 5
) -> dict[str, list[Candidate]]:
    """Our entity's IRI -> the candidates Wikidata finds for its names, with their claims.

    Searches each name with wbsearchentities, or, when the client has a reconciliation
    service, sends one batch of queries (typed when the reference confirms a class).
    """
    hits: dict[str, dict[str, dict[str, Any]]] = {}
    if client.reconcile_url:
        queries: dict[str, dict[str, Any]] = {}
        owners: dict[str, str] = {}
        for entity in entities:
            for name in entity.names:
                key = f"q{len(queries)}"
                query: dict[str, Any] = {"query": name, "limit": limit}
                if entity.kind is not None and entity.kind.wikidata_class:
                    query["type"] = entity.kind.wikidata_class
                queries[key], owners[key] = query, str(entity.iri)
        results = client.reconcile(queries) if queries else {}
        for key, found in results.items():
            for hit in found:
                hits.setdefault(owners[key], {}).setdefault(hit["id"], hit)
        source = "reconcile"
    else:
        for entity in entities:
            for name in entity.names:
                for hit in client.search(name, limit):
                    hits.setdefault(str(entity.iri), {}).setdefault(hit["id"], hit)
        source = "search"
    details = client.entities({q for found in hits.values() for q in found})
    return {
        str(entity.iri): [
            candidate_from_entity(q, details.get(q, {}), source, hit)
            for q, hit in hits.get(str(entity.iri), {}).items()
        ]
        for entity in entities
    }
