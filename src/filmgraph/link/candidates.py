"""Both sides of a link: our entities (:class:`Entity`), and the Wikidata items that might be
them (:class:`Candidate`), with the offline source of candidates.

Our side is read from a built dataset: every entity of the asserted graph with a
``schema:name``, its kind (:data:`KINDS`, from its asserted and inferred types), the date
that identifies it (a person's birth date, a film's publication year), the items its
film's directors are linked to, and its own link if it has one.

Offline (the default), the candidates are the confirmed items of the reference list
``data/wikidata/qids.tsv``, with their statements from the snapshot graph. The snapshot
holds no labels, so an offline candidate's label is the reference's name for it, the words
before any parenthesis: "Un Certain Regard (Cannes section)" gives the label "Un Certain
Regard" and the description "Cannes section". It is a name someone checked, not Wikidata's
own label. The reference's classes ("human (class)") are never candidates; rows marked
"not confirmed" have no QID and so never appear. Online candidates come from
:mod:`.client`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import RDF, XSD

from ..core import FG, FGID, GRAPHS, SCHEMA, WD, WDT


@dataclass(frozen=True)
class Kind:
    """A kind of thing we link, and how a candidate of that kind is checked."""

    name: str
    cls: URIRef
    #: Its class on Wikidata (the P31 value), only when the reference confirms it.
    wikidata_class: str | None = None
    #: Our property holding its identifying date, and Wikidata's.
    date: URIRef | None = None
    date_property: str | None = None


#: The kinds, most specific first: an entity takes the first its types include. Themes,
#: groups of people and defined terms are the document's own notions, never linked.
KINDS: tuple[Kind, ...] = (
    Kind("film", SCHEMA.Movie, "Q11424", SCHEMA.datePublished, "P577"),
    Kind("person", SCHEMA.Person, "Q5", SCHEMA.birthDate, "P569"),
    Kind("award", FG.Award),
    Kind("organization", SCHEMA.Organization),
    Kind("event", SCHEMA.Event),
    Kind("place", SCHEMA.Place),
    Kind("occupation", SCHEMA.Occupation),
)

#: Wikidata's names of the properties we read.
PROPERTY_LABELS = {
    "P31": "instance of",
    "P57": "director",
    "P569": "date of birth",
    "P577": "publication date",
}


@dataclass(frozen=True)
class When:
    """A date as precise as it is known: a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        return text


_DATE = re.compile(r"^([+-]?\d{1,})(?:-(\d\d)(?:-(\d\d))?)?")


def parse_when(text: str, precision: int = 11) -> When | None:
    """A date from ISO-like text, cut to Wikidata's precision (9 year, 10 month, 11 day).

    >>> str(parse_when("+1991-07-28T00:00:00Z")), str(parse_when("+2019-00-00T00:00:00Z", 9))
    ('1991-07-28', '2019')
    """
    match = _DATE.match(text.strip())
    if match is None or precision < 9:
        return None
    year, month, day = match.groups()
    months = int(month) if month and precision >= 10 and month != "00" else None
    days = int(day) if day and months and precision >= 11 and day != "00" else None
    return When(int(year), months, days)


def when_of(literal: object, *, snapshot: bool = False) -> When | None:
    """A date from one of our literals (xsd:date, xsd:gYear) or a snapshot's xsd:dateTime.

    The snapshot writes a year alone as its first of January (a truthy statement has no
    precision), so with ``snapshot`` a first of January is read as the year only.
    """
    if not isinstance(literal, Literal):
        return None
    text = str(literal)
    if literal.datatype == XSD.gYear:
        return parse_when(text, 9)
    when = parse_when(text)
    if snapshot and when is not None and (when.month, when.day) == (1, 1):
        return When(when.year)
    return when


@dataclass(frozen=True)
class Entity:
    """One of our entities, as the linker sees it."""

    iri: URIRef
    name: str
    alternate_names: tuple[str, ...]
    kind: Kind | None
    date: When | None = None
    #: The QIDs our film's directors are linked to.
    directors: tuple[str, ...] = ()
    #: The QID this entity is linked to, if it is.
    linked: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.alternate_names)

    @property
    def short(self) -> str:
        return short(self.iri)


@dataclass(frozen=True)
class Candidate:
    """A Wikidata item that might be one of our entities, and where it was found."""

    qid: str
    label: str
    #: ``snapshot``, ``search`` (wbsearchentities) or ``reconcile`` (a reconciliation API).
    source: str
    description: str = ""
    aliases: tuple[str, ...] = ()
    #: P31 values (instance of).
    types: tuple[str, ...] = ()
    #: Date statements by property (P569, P577): the earliest of each.
    dates: dict[str, When] = field(default_factory=dict)
    #: P57 values (director).
    directors: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


def short(iri: str) -> str:
    """``fgid:name`` for one of our entities, else the IRI."""
    return "fgid:" + iri.removeprefix(str(FGID)) if iri.startswith(str(FGID)) else str(iri)


def qid(item: object) -> str | None:
    """The QID of a ``wd:`` IRI, or None."""
    if isinstance(item, URIRef) and item.startswith(str(WD)):
        return item.removeprefix(str(WD))
    return None


def linked_qids(dataset: Dataset) -> dict[URIRef, str]:
    """Our entity -> the QID the links graph ties it to."""
    links = dataset.graph(GRAPHS["links"])
    pairs = ((s, qid(o)) for s, o in links.subject_objects(SCHEMA.sameAs))
    return {s: q for s, q in pairs if isinstance(s, URIRef) and q}


def our_entities(dataset: Dataset) -> list[Entity]:
    """Every named entity of the asserted graph, sorted by IRI; ``kind`` None for the
    document's own notions (themes, groups, terms)."""
    asserted = dataset.graph(GRAPHS["asserted"])
    inferred = dataset.graph(GRAPHS["inferred"])
    linked = linked_qids(dataset)
    entities = []
    for subject in sorted({s for s in asserted.subjects(SCHEMA.name) if isinstance(s, URIRef)}):
        if not subject.startswith(str(FGID)):
            continue
        types = set(asserted.objects(subject, RDF.type)) | set(inferred.objects(subject, RDF.type))
        kind = next((k for k in KINDS if k.cls in types), None)
        date = None
        if kind is not None and kind.date is not None:
            date = min(
                (w for w in map(when_of, asserted.objects(subject, kind.date)) if w),
                key=str,
                default=None,
            )
        directors = sorted(
            linked[d]
            for d in asserted.objects(subject, SCHEMA.director)
            if isinstance(d, URIRef) and d in linked
        )
        entities.append(
            Entity(
                iri=subject,
                name=str(asserted.value(subject, SCHEMA.name)),
                alternate_names=tuple(
                    sorted(map(str, asserted.objects(subject, SCHEMA.alternateName)))
                ),
                kind=kind,
                date=date,
                directors=tuple(directors),
                linked=linked.get(subject),
            )
        )
    return entities


def reference_name(text: str) -> tuple[str, str]:
    """Label and description from a name of qids.tsv: the words before a parenthesis, and
    the words inside it.

    >>> reference_name("Un Certain Regard (Cannes section)")
    ('Un Certain Regard', 'Cannes section')
    """
    label, paren, rest = text.partition(" (")
    return label.strip(), rest.removesuffix(")").strip() if paren else ""


def snapshot_candidates(dataset: Dataset, reference: Path) -> list[Candidate]:
    """The offline candidates: each confirmed item of ``reference`` (qids.tsv) that is not
    a class, labelled with the reference's name, with its statements from the snapshot."""
    snapshot = dataset.graph(GRAPHS["wikidata"])
    with reference.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t") if r.get("qid", "-") != "-"]
    candidates = []
    for row in rows:
        label, description = reference_name(row["entity"])
        if description == "class" or not row["qid"]:
            continue
        item = WD[row["qid"]]
        dates = {}
        for prop in ("P569", "P577"):
            found = [
                w for o in snapshot.objects(item, WDT[prop]) if (w := when_of(o, snapshot=True))
            ]
            if found:
                dates[prop] = min(found, key=str)
        candidates.append(
            Candidate(
                qid=row["qid"],
                label=label,
                source="snapshot",
                description=description,
                types=tuple(sorted(q for o in snapshot.objects(item, WDT.P31) if (q := qid(o)))),
                dates=dates,
                directors=tuple(
                    sorted(q for o in snapshot.objects(item, WDT.P57) if (q := qid(o)))
                ),
            )
        )
    return candidates
