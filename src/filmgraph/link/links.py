"""The links graph: our entities' confirmed Wikidata items, as ``schema:sameAs``.

``data/wikidata/links.tsv`` maps each of our entity names to a QID, naming the entity as
``data/wikidata/qids.tsv`` does (the reference list of checked identifiers, shipped
verbatim). Only confirmed identifiers are linked; the entities the reference marks "not
confirmed" stay unlinked. ``schema:sameAs``, not ``owl:sameAs``: under OWL 2 RL the latter
would merge our entities with Wikidata's and copy every fact both ways.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from ..core import FGID, GRAPHS, SCHEMA, WD, DataError, new_graph


@dataclass(frozen=True)
class Link:
    """One row of links.tsv: our entity, its Wikidata item, the reference's name for it."""

    entity: URIRef
    item: URIRef
    reference_name: str
    line: int


def read_links(path: Path, reference: Path) -> list[Link]:
    """The links of ``path``, each checked against the reference list ``reference``.

    Raises:
        DataError: a row is malformed, names a QID the reference does not confirm for that
            entity, links an entity or item twice, or the reference marks the entity as
            not to be linked (file and line).
    """
    confirmed = read_reference(reference)
    links: list[Link] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            name, qid, reference_name = (
                row.get("entity"),
                row.get("qid"),
                row.get("wikidata_entity"),
            )
            if not name or not qid or not reference_name:
                raise DataError("needs entity, qid and wikidata_entity", path, line)
            known = confirmed.get(reference_name)
            if known is None:
                raise DataError(f"{reference_name!r} is not in {reference.name}", path, line)
            if known != qid:
                raise DataError(
                    f"{reference.name} gives {known!r} for {reference_name!r}, not {qid!r}",
                    path,
                    line,
                )
            for earlier in links:
                if earlier.item == WD[qid] or earlier.entity == FGID[name]:
                    raise DataError(
                        f"{name} / {qid}: already linked on line {earlier.line}", path, line
                    )
            links.append(Link(FGID[name], WD[qid], reference_name, line))
    return links


def read_reference(path: Path) -> dict[str, str]:
    """Reference name -> QID, for the confirmed rows of qids.tsv only ('-' marks not
    confirmed)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {r["entity"]: r["qid"] for r in rows if r["qid"] and r["qid"] != "-"}


def links_graph(links: list[Link], asserted: Graph, path: Path) -> Graph:
    """The links graph; every linked entity must be one the document's facts describe."""
    graph = new_graph(GRAPHS["links"])
    for link in links:
        if (link.entity, None, None) not in asserted:
            raise DataError(f"no entity <{link.entity}> in the asserted graph", path, link.line)
        graph.add((link.entity, SCHEMA.sameAs, link.item))
    return graph


def linked_items(dataset: Dataset) -> dict[URIRef, URIRef]:
    """Our entity -> its Wikidata item, from the links graph of a built dataset."""
    links = dataset.graph(GRAPHS["links"])
    return {
        entity: item
        for entity, item in links.subject_objects(SCHEMA.sameAs)
        if isinstance(entity, URIRef) and isinstance(item, URIRef) and item.startswith(str(WD))
    }
