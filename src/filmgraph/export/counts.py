"""Counts per graph, class and property: what ``filmgraph stats`` prints."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from rdflib import Dataset
from rdflib.namespace import RDF

from ..core import GRAPHS


@dataclass
class GraphStats:
    """Counts for one named graph."""

    name: str
    iri: str
    triples: int
    subjects: int
    classes: dict[str, int] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)


def stats(dataset: Dataset) -> list[GraphStats]:
    """Triples, distinct subjects, instances per class and uses per property, per named graph.

    >>> from filmgraph import build
    >>> [s.name for s in stats(build(check=False))]
    ['ontology', 'asserted', 'inferred', 'provenance', 'links', 'wikidata', 'assessments']
    """
    out = []
    for name, iri in GRAPHS.items():
        graph = dataset.graph(iri)
        nm = dataset.namespace_manager
        classes: dict[str, int] = {}
        properties: dict[str, int] = {}
        for _, p, o in graph:
            key = p.n3(nm)
            properties[key] = properties.get(key, 0) + 1
            if p == RDF.type:
                cls = o.n3(nm)
                classes[cls] = classes.get(cls, 0) + 1
        out.append(
            GraphStats(
                name=name,
                iri=str(iri),
                triples=len(graph),
                subjects=len(set(graph.subjects())),
                classes=dict(sorted(classes.items(), key=lambda kv: (-kv[1], kv[0]))),
                properties=dict(sorted(properties.items(), key=lambda kv: (-kv[1], kv[0]))),
            )
        )
    return out


def stats_json(all_stats: list[GraphStats]) -> str:
    return json.dumps([asdict(s) for s in all_stats], indent=2, ensure_ascii=False)


def stats_text(all_stats: list[GraphStats], top: int = 12) -> str:
    """A readable summary: a line per graph, then its most frequent classes and properties."""
    lines = []
    for s in all_stats:
        lines.append(f"{s.name:<11} {s.triples:>6} triples  {s.subjects:>5} subjects  <{s.iri}>")
        for title, counts in (("classes", s.classes), ("properties", s.properties)):
            if counts:
                shown = list(counts.items())[:top]
                more = f", ... {len(counts) - top} more" if len(counts) > top else ""
                lines.append(f"  {title}: " + ", ".join(f"{k} {v}" for k, v in shown) + more)
    return "\n".join(lines) + "\n"
