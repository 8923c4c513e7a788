"""The offline Wikidata snapshot: the checked statements of ``data/wikidata/facts.tsv`` for
the linked items, as Wikidata's own RDF (``wd:`` items, ``wdt:`` truthy statements), in a
named graph of its own, never mixed with the document's facts.

``filmgraph wikidata snapshot`` writes ``data/wikidata/snapshot.ttl`` from the TSV; a test
fails when the two drift apart. Values follow the Wikidata Query Service's shapes: items as
``wd:Q…``, dates as ``xsd:dateTime`` at midnight UTC (a year alone as its first of January,
since a truthy statement carries no precision), titles as language-tagged strings.

Where the reference notes that the Wikidata statement itself was not seen (reference sources
state it; :data:`NOT_SEEN`), the ``wdt:`` triple is still written, and beside it a reified
statement marks it as not seen, so that no query mistakes it for one read on Wikidata::

    <https://w3id.org/filmgraph/wikidata-statement/…> a rdf:Statement ;
        rdf:subject wd:Q30346628 ; rdf:predicate wdt:P106 ; rdf:object wd:Q2526255 ;
        fg:seenOnWikidata false ;
        rdfs:comment "stated by reference sources; the Wikidata statement itself was not seen" .
"""

from __future__ import annotations

import builtins
import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from ..core import FG, GRAPHS, WD, WDT, DataError, new_graph

#: The day the statements were checked against stored public sources (data/wikidata/README).
CHECKED = "2026-11-24"

_ITEM = re.compile(r"^(Q\d+)(?:\s.*)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")
_TEXT = re.compile(r"^(.+)@([a-z]{2,3})$")

#: How facts.tsv notes a statement the references state but nobody saw on Wikidata itself.
NOT_SEEN = "the Wikidata statement itself was not seen"

#: Where the reified statements of the snapshot (those marked not seen) are named.
STATEMENT = "https://w3id.org/filmgraph/wikidata-statement/"


@dataclass(frozen=True)
class Statement:
    """One row of facts.tsv: a statement as the references record it, or its absence."""

    item: str
    property: str
    label: str
    value: str
    note: str
    line: int

    @builtins.property  # (the field ``property`` hides the builtin in this class)
    def found(self) -> bool:
        return not self.value.startswith("(no statement")

    @builtins.property  # (the field ``property`` hides the builtin in this class)
    def seen(self) -> bool:
        """Whether the statement was seen on Wikidata itself, not only in reference sources."""
        return NOT_SEEN not in self.note

    @builtins.property  # (the field ``property`` hides the builtin in this class)
    def value_item(self) -> str | None:
        """The QID when the value is an item (``Q5265 Nalchik`` -> ``Q5265``), else None."""
        match = _ITEM.match(self.value)
        return match.group(1) if match else None

    @builtins.property  # (the field ``property`` hides the builtin in this class)
    def value_label(self) -> str:
        """The reference's name for an item value (``Nalchik``); empty for other values."""
        return self.value.partition(" ")[2] if self.value_item else ""


def read_facts(path: Path) -> list[Statement]:
    """The statements of facts.tsv.

    Raises:
        DataError: a row lacks its subject, property or value (file and line).
    """
    statements = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            subject, prop, value = row.get("subject"), row.get("property"), row.get("value")
            if not subject or not prop or not value:
                raise DataError("needs subject, property and value", path, line)
            pid, _, label = prop.partition(" ")
            statements.append(Statement(subject, pid, label, value, row.get("note") or "", line))
    return statements


def rdf_value(statement: Statement, path: Path) -> URIRef | Literal:
    """The statement's value as the Wikidata Query Service writes it.

    Raises:
        DataError: a value of no shape we know (file and line).
    """
    value = statement.value
    if qid := statement.value_item:
        return WD[qid]
    if _DATE.match(value):
        return Literal(f"{value}T00:00:00Z", datatype=XSD.dateTime, normalize=False)
    if _YEAR.match(value):
        return Literal(f"{value}-01-01T00:00:00Z", datatype=XSD.dateTime, normalize=False)
    if match := _TEXT.match(value):
        return Literal(match.group(1), lang=match.group(2))
    raise DataError(f"a value of no known shape: {value!r}", path, statement.line)


def snapshot_graph(statements: list[Statement], path: Path) -> Graph:
    """The snapshot: one ``wdt:`` triple per statement found, when it was checked, and a
    mark on each statement that was not seen on Wikidata itself."""
    graph = new_graph(GRAPHS["wikidata"])
    about = GRAPHS["wikidata"]
    graph.add((about, DCTERMS.created, Literal(CHECKED, datatype=XSD.date)))
    graph.add((about, DCTERMS.source, URIRef("https://www.wikidata.org/")))
    graph.add(
        (
            about,
            RDFS.comment,
            Literal(
                "Wikidata statements for the items the graph links to, as checked "
                "against stored public sources; not the document's facts.",
                lang="en",
            ),
        )
    )
    for statement in statements:
        if statement.found:
            triple = (WD[statement.item], WDT[statement.property], rdf_value(statement, path))
            graph.add(triple)
            if not statement.seen:
                _mark_not_seen(graph, triple, statement.note)
    return graph


def _mark_not_seen(
    graph: Graph, triple: tuple[URIRef, URIRef, URIRef | Literal], note: str
) -> None:
    """A reified statement beside ``triple`` saying it was not seen on Wikidata itself; its
    IRI is a hash of the triple, so it stays the same from one build to the next."""
    key = " ".join(term.n3() for term in triple).encode("utf-8")
    node = URIRef(STATEMENT + hashlib.sha256(key).hexdigest()[:16])
    graph.add((node, RDF.type, RDF.Statement))
    graph.add((node, RDF.subject, triple[0]))
    graph.add((node, RDF.predicate, triple[1]))
    graph.add((node, RDF.object, triple[2]))
    graph.add((node, FG.seenOnWikidata, Literal(False)))
    graph.add((node, RDFS.comment, Literal(note, lang="en")))


def snapshot_text(facts: Path) -> str:
    """The snapshot as the Turtle of ``data/wikidata/snapshot.ttl``."""
    graph = snapshot_graph(read_facts(facts), facts)
    header = (
        f"# Generated by `filmgraph wikidata snapshot` from {facts.name}; do not edit.\n"
        f"# Wikidata statements as checked on {CHECKED}.\n"
    )
    return header + graph.serialize(format="turtle")
