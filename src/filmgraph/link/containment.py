"""Which places lie within which, for grading a difference of place as a refinement.

Three sources, each edge keeping the reason it is believed:

- the document's own ``schema:containedInPlace`` (the asserted graph);
- the checked Wikidata statements ``P131`` (located in) and ``P17`` (country);
- ``data/wikidata/containment.tsv``: the few containments neither states, each with its
  basis written out (a human-curated grading aid, never loaded into any graph).

Places are keyed by our entity's IRI when the links graph ties a Wikidata item to one, and
by the ``wd:`` IRI otherwise, so that the three sources meet.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from ..core import FGID, SCHEMA, WD, DataError
from .snapshot import Statement

#: Wikidata properties whose item value is a place the subject lies within.
WITHIN_PROPERTIES = ("P131", "P17")

_QID = re.compile(r"^Q\d+$")


@dataclass(frozen=True)
class Edge:
    """``place`` lies within ``within``, because of ``basis``."""

    place: URIRef
    within: URIRef
    basis: str


class Containment:
    """The places-within-places relation, with a reason for every step."""

    def __init__(self, edges: Iterable[Edge]) -> None:
        self._up: dict[URIRef, list[Edge]] = {}
        for edge in edges:
            self._up.setdefault(edge.place, []).append(edge)

    def path(self, place: URIRef, within: URIRef) -> list[Edge] | None:
        """The shortest chain of edges from ``place`` up to ``within``, or None."""
        came_from: dict[URIRef, Edge | None] = {place: None}
        queue = deque([place])
        while queue:
            node = queue.popleft()
            if node == within and node != place:
                chain: list[Edge] = []
                step = came_from[node]
                while step is not None:
                    chain.append(step)
                    step = came_from[step.place]
                return chain[::-1]
            for edge in self._up.get(node, []):
                if edge.within not in came_from:
                    came_from[edge.within] = edge
                    queue.append(edge.within)
        return None


def place_key(item: URIRef, linked: Mapping[URIRef, URIRef]) -> URIRef:
    """Our entity for a linked Wikidata item, else the item itself."""
    return linked.get(item, item)


def document_edges(asserted: Graph) -> list[Edge]:
    """The document's ``schema:containedInPlace`` statements."""
    return [
        Edge(place, within, "the document (schema:containedInPlace)")
        for place, within in asserted.subject_objects(SCHEMA.containedInPlace)
        if isinstance(place, URIRef) and isinstance(within, URIRef)
    ]


def wikidata_edges(
    statements: Iterable[Statement], linked: Mapping[URIRef, URIRef], facts: Path
) -> list[Edge]:
    """The checked ``P131`` / ``P17`` statements between items."""
    edges = []
    for st in statements:
        if st.property in WITHIN_PROPERTIES and st.value_item:
            edges.append(
                Edge(
                    place_key(WD[st.item], linked),
                    place_key(WD[st.value_item], linked),
                    f"Wikidata {st.property} ({st.label}), {facts.name} line {st.line}",
                )
            )
    return edges


def read_containment(
    path: Path, confirmed: Iterable[str], asserted: Graph, linked: Mapping[URIRef, URIRef]
) -> list[Edge]:
    """The curated rows of ``containment.tsv``: ``place``, ``within`` (each a QID the
    reference confirms, or one of our entity names) and ``basis``.

    Raises:
        DataError: a row without basis, an unconfirmed QID, or a name the facts do not
            describe (file and line).
    """
    items = set(confirmed)
    edges = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            place, within, basis = row.get("place"), row.get("within"), row.get("basis")
            if not place or not within or not basis:
                raise DataError("needs place, within and basis", path, line)
            keys = [_key(name, items, asserted, linked, path, line) for name in (place, within)]
            edges.append(Edge(keys[0], keys[1], f"{path.name} line {line}: {basis}"))
    return edges


def _key(
    name: str,
    items: set[str],
    asserted: Graph,
    linked: Mapping[URIRef, URIRef],
    path: Path,
    line: int,
) -> URIRef:
    if _QID.match(name):
        if name not in items:
            raise DataError(f"{name} is not a confirmed item of the reference", path, line)
        return place_key(WD[name], linked)
    if (FGID[name], None, None) not in asserted:
        raise DataError(f"no entity {name!r} in the asserted graph", path, line)
    return FGID[name]
