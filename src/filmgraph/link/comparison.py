"""The document against Wikidata: every claim about a linked entity, graded.

For each entity the links graph ties to a Wikidata item, each asserted triple whose
predicate has a Wikidata counterpart (:data:`MAPPINGS`) is set against the checked
statements of ``data/wikidata/facts.tsv`` (the same statements as the offline snapshot,
with the references' notes and their line numbers) and gets one grade:

``agrees``
    Wikidata has the same value: the same item (through the links graph), the same day
    for dates, the same year for publication dates.
``refines``
    The values are different places, one of which lies within the other
    (:mod:`.containment`): a more or less specific statement of the same fact, not a
    contradiction. The reason names every step of the chain and its basis.
``conflicts``
    Wikidata has a different value, and the property takes one value (birth date, birth
    place, publication date); for the others, a different value leaves the document's own
    unsupported: ``not-in-wikidata``.
``not-in-wikidata``
    Wikidata was checked and has no matching statement: the claim is not corroborated.
``unchecked``
    The reference recorded nothing for this item and property: no verdict either way.

Values compare as items (the same item through the links graph; places also through
containment), dates (the same day), years (the same year) or titles (the reference's
original title transliterated to Latin letters, ``Теснота`` -> ``Tesnota``, against the
document's). Premieres have no statement of their own in the reference: its note on the
film's publication date (P577) says where the film premiered, and a premiere agrees when
that note names the festival edition the document names; the reason says it is a note.

Where the reference notes that the Wikidata statement itself was not seen (reference
sources state it), the reason of an agreement or refinement says so.

The document's claim is never changed: the report only says where the two disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping as MappingOf
from dataclasses import dataclass, field

from anyascii import anyascii
from rdflib import RDF, Dataset, URIRef

from ..core import FG, GRAPHS, SCHEMA, WD, Settings, Triple
from ..load import Quote, quote_index
from .containment import (
    Containment,
    Edge,
    document_edges,
    place_key,
    read_containment,
    wikidata_edges,
)
from .links import linked_items, read_reference
from .snapshot import CHECKED, NOT_SEEN, Statement, read_facts

GRADES = ("agrees", "refines", "conflicts", "not-in-wikidata", "unchecked")


@dataclass(frozen=True)
class Mapping:
    """A predicate of ours and its Wikidata property; ``kind`` says how values compare."""

    predicate: URIRef
    property: str
    label: str
    #: "item", "date" (same day), "year" (same year), "title" (transliterated) or
    #: "note" (named in the note of the reference's statement of ``property``)
    kind: str
    single: bool  # one value per subject: a different value is a conflict
    #: Compared only for subjects of this type (a title is a work's, not an occupation's).
    subject_type: URIRef | None = None


MAPPINGS: tuple[Mapping, ...] = (
    Mapping(SCHEMA.birthDate, "P569", "date of birth", "date", True),
    Mapping(SCHEMA.birthPlace, "P19", "place of birth", "item", True),
    Mapping(SCHEMA.hasOccupation, "P106", "occupation", "item", False),
    Mapping(FG.mentoredBy, "P1066", "student of", "item", False),
    Mapping(FG.influencedBy, "P737", "influenced by", "item", False),
    Mapping(SCHEMA.director, "P57", "director", "item", False),
    Mapping(SCHEMA.datePublished, "P577", "publication date", "year", True),
    Mapping(SCHEMA.contentLocation, "P840", "narrative location", "item", False),
    Mapping(SCHEMA.containedInPlace, "P17", "country", "item", False),
    Mapping(SCHEMA.superEvent, "P179", "part of the series", "item", False),
    Mapping(SCHEMA.alternateName, "P1476", "title", "title", False, SCHEMA.Movie),
    Mapping(FG.premieredAt, "P577", "publication date", "note", False),
)

_PARENTHESIS = re.compile(r"\s*\(.*\)$")
_LANGUAGE = re.compile(r"@[a-z]{2,3}$")


@dataclass(frozen=True)
class Value:
    """A value as shown: a date, a year or a name; the IRI and QID when it is an entity."""

    text: str
    iri: URIRef | None = None
    item: str | None = None
    #: For the reference's values: whether its statement was seen on Wikidata itself.
    seen: bool = True

    def as_dict(self) -> dict[str, str | None]:
        return {
            "value": self.text,
            "iri": str(self.iri) if self.iri else None,
            "wikidata": self.item,
        }


@dataclass(frozen=True)
class Comparison:
    """One document claim set against Wikidata's statements for the same property."""

    mapping: Mapping
    #: The asserted triple compared.
    triple: Triple
    document: Value
    quotes: tuple[Quote, ...]
    wikidata: tuple[Value, ...]
    grade: str
    reason: str
    more_specific: str | None  # for "refines": "document" or "wikidata"
    notes: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "property": str(self.mapping.predicate),
            "wikidata_property": self.mapping.property,
            "wikidata_property_label": self.mapping.label,
            "grade": self.grade,
            "reason": self.reason,
            "more_specific": self.more_specific,
            "document": {
                **self.document.as_dict(),
                "quotes": [
                    {"quote": q.exact, "sentence": q.sentence, "claim": str(q.claim)}
                    for q in self.quotes
                ],
            },
            "wikidata": [{**v.as_dict(), "seen": v.seen} for v in self.wikidata],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class EntityReport:
    """A linked entity and its graded claims."""

    entity: URIRef
    name: str
    item: str
    claims: tuple[Comparison, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "entity": str(self.entity),
            "name": self.name,
            "wikidata": str(WD[self.item]),
            "claims": [c.as_dict() for c in self.claims],
        }


@dataclass(frozen=True)
class Report:
    """The whole comparison: when Wikidata was checked, and every linked entity."""

    checked: str
    entities: tuple[EntityReport, ...] = field(default=())

    def counts(self) -> dict[str, int]:
        """How many claims got each grade, for every grade."""
        grades = [c.grade for e in self.entities for c in e.claims]
        return {grade: grades.count(grade) for grade in GRADES}

    def as_dict(self) -> dict[str, object]:
        return {
            "checked": self.checked,
            "grades": list(GRADES),
            "summary": self.counts(),
            "entities": [e.as_dict() for e in self.entities],
        }


class Comparer:
    """Grades the claims of a built dataset against the checked Wikidata statements."""

    def __init__(
        self,
        dataset: Dataset,
        statements: list[Statement],
        containment: Iterable[Edge],
        linked: dict[URIRef, URIRef],
        names: MappingOf[str, str] | None = None,
    ) -> None:
        """``linked``: each linked Wikidata item -> our entity (the links graph);
        ``names``: the reference's name of each confirmed QID (qids.tsv)."""
        self.asserted = dataset.graph(GRAPHS["asserted"])
        self.linked = linked
        self.items = {entity: item.removeprefix(str(WD)) for item, entity in linked.items()}
        self.statements = statements
        self.labels: dict[str, str] = {
            qid: _PARENTHESIS.sub("", name) for qid, name in (names or {}).items()
        }
        self.labels.update(
            (st.value_item, st.value_label) for st in statements if st.value_item and st.value_label
        )
        self.containment = Containment(containment)
        self.quotes = quote_index(dataset)

    def report(self) -> Report:
        """Every linked entity, by name, with its graded claims."""
        entities = [
            EntityReport(entity, self.name(entity), qid, tuple(self._claims(entity, qid)))
            for entity, qid in self.items.items()
        ]
        return Report(CHECKED, tuple(sorted(entities, key=lambda e: (e.name, str(e.entity)))))

    def name(self, entity: URIRef) -> str:
        return str(self.asserted.value(entity, SCHEMA.name) or entity)

    def _claims(self, entity: URIRef, qid: str) -> Iterable[Comparison]:
        for mapping in MAPPINGS:
            if (
                mapping.subject_type
                and (entity, RDF.type, mapping.subject_type) not in self.asserted
            ):
                continue
            rows = [s for s in self.statements if (s.item, s.property) == (qid, mapping.property)]
            notes = tuple(f"facts.tsv line {s.line}: {s.note}" for s in rows if s.note)
            theirs = tuple(self._wikidata_value(s, mapping) for s in rows if s.found)
            for value in sorted(self.asserted.objects(entity, mapping.predicate), key=str):
                ours = self._document_value(value, mapping)
                if mapping.kind == "note":
                    noting = self._noting(ours, rows)
                    verdict = self._grade_by_note(mapping, ours, rows, noting)
                    theirs = () if noting is None else (self._noted(ours),)
                else:
                    verdict = self._grade(mapping, ours, theirs, checked=bool(rows))
                quotes = tuple(self.quotes.get((entity, mapping.predicate, value), []))
                triple = (entity, mapping.predicate, value)
                yield Comparison(mapping, triple, ours, quotes, theirs, *verdict, notes=notes)

    def _document_value(self, value: object, mapping: Mapping) -> Value:
        if isinstance(value, URIRef):
            return Value(self.name(value), value, self.items.get(value))
        return Value(_shown(str(value), mapping.kind))

    def _wikidata_value(self, statement: Statement, mapping: Mapping) -> Value:
        qid = statement.value_item
        if mapping.kind != "item" or qid is None:
            text = (
                _LANGUAGE.sub("", statement.value) if mapping.kind == "title" else statement.value
            )
            return Value(_shown(text, mapping.kind), seen=statement.seen)
        entity = self.linked.get(WD[qid])
        label = self.labels.get(qid) or (self.name(entity) if entity else qid)
        return Value(label, WD[qid], qid, statement.seen)

    def _noting(self, ours: Value, rows: list[Statement]) -> Statement | None:
        """The first of ``rows`` whose note names the document's value (by the reference's
        name for its item), if any."""
        name = self.labels.get(ours.item or "")
        return next((row for row in rows if name and name in row.note), None)

    def _noted(self, ours: Value) -> Value:
        """The document's value as the reference's note gives it (no statement: not seen)."""
        return Value(self.labels[ours.item or ""], ours.iri, ours.item, seen=False)

    def _grade_by_note(
        self, mapping: Mapping, ours: Value, rows: list[Statement], noting: Statement | None
    ) -> tuple[str, str, str | None]:
        prop = f"{mapping.property} ({mapping.label})"
        if not rows:
            return "unchecked", f"the reference records no {prop} for the item", None
        if noting is not None:
            name = self.labels[ours.item or ""]
            said = f"the reference's note on Wikidata's {prop}, facts.tsv line {noting.line},"
            return "agrees", f"{said} names the {name}; a note, not a statement", None
        noted = "; ".join(row.note for row in rows if row.note) or "nothing"
        return "not-in-wikidata", f"the reference's note on Wikidata's {prop} says {noted}", None

    def _grade(
        self, mapping: Mapping, ours: Value, theirs: tuple[Value, ...], checked: bool
    ) -> tuple[str, str, str | None]:
        if not theirs:
            if checked:
                found = f"no {mapping.property} ({mapping.label}) statement found on {CHECKED}"
                return "not-in-wikidata", found, None
            unseen = f"the reference records no {mapping.property} ({mapping.label}) for the item"
            return "unchecked", unseen, None
        if same := [v for v in theirs if self._same(ours, v, mapping.kind)]:
            if ours.item:
                value = f"the same item, wd:{ours.item}"
            elif mapping.kind == "title":
                value = f"{same[0].text}, which transliterates to {anyascii(same[0].text)}"
            else:
                value = "the same value"
            reason = f"Wikidata's {mapping.property} ({mapping.label}) has {value}"
            return "agrees", _unseen(reason, same), None
        if mapping.kind == "item" and ours.iri is not None:
            for other in theirs:
                if refinement := self._refinement(ours, other):
                    return "refines", _unseen(refinement[0], [other]), refinement[1]
        shown = f"Wikidata's {mapping.property} ({mapping.label}) says " + ", ".join(
            v.text for v in theirs
        )
        if mapping.single:
            return "conflicts", f"the document says {ours.text}; {shown}", None
        return "not-in-wikidata", f"{shown}, not {ours.text}", None

    def _same(self, ours: Value, theirs: Value, kind: str) -> bool:
        if theirs.item is not None:
            return ours.item == theirs.item
        if kind == "title":
            return anyascii(theirs.text).casefold() == ours.text.casefold()
        return ours.text == theirs.text

    def _refinement(self, ours: Value, theirs: Value) -> tuple[str, str] | None:
        """(why, which side is more specific) when one place lies within the other."""
        assert ours.iri is not None and theirs.iri is not None
        mine, other = ours.iri, place_key(theirs.iri, self.linked)
        if chain := self.containment.path(other, mine):
            return f"Wikidata is more specific: {self._chain(chain)}", "wikidata"
        if chain := self.containment.path(mine, other):
            return f"the document is more specific: {self._chain(chain)}", "document"
        return None

    def _chain(self, chain: list[Edge]) -> str:
        return "; ".join(
            f"{self._place(e.place)} lies in {self._place(e.within)} ({e.basis})" for e in chain
        )

    def _place(self, key: URIRef) -> str:
        if key.startswith(str(WD)):
            qid = key.removeprefix(str(WD))
            return f"{self.labels.get(qid, qid)} (wd:{qid})"
        return self.name(key)


def _shown(text: str, kind: str) -> str:
    """A literal value as compared: a year's four digits, a date's ten, a title whole."""
    return {"year": text[:4], "date": text[:10]}.get(kind, text)


def _unseen(reason: str, values: Iterable[Value]) -> str:
    """``reason``, saying so when none of the reference's ``values`` was seen on Wikidata."""
    if any(value.seen for value in values):
        return reason
    return f"{reason}; {NOT_SEEN}: reference sources state it"


def compare(dataset: Dataset, settings: Settings) -> Report:
    """The comparison report of a built dataset, from the data files ``settings`` names.

    Raises:
        DataError: a malformed facts.tsv or containment.tsv (file and line).

    >>> from filmgraph import build
    >>> from filmgraph.core.settings import Settings
    >>> report = compare(build(), Settings.from_env())
    >>> report.counts()["conflicts"] >= 1
    True
    """
    statements = read_facts(settings.wikidata_facts)
    asserted = dataset.graph(GRAPHS["asserted"])
    linked = {item: entity for entity, item in linked_items(dataset).items()}
    reference = read_reference(settings.wikidata_reference)
    edges = [
        *document_edges(asserted),
        *wikidata_edges(statements, linked, settings.wikidata_facts),
        *read_containment(settings.wikidata_containment, reference.values(), asserted, linked),
    ]
    names = {qid: name for name, qid in reference.items()}
    return Comparer(dataset, statements, edges, linked, names).report()
