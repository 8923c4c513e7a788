"""How well a candidate fits one of our entities: a score from 0 to 1 that shows its working.

Four components, each a value from 0 to 1 with a weight and a reason in words:

========  ======  ==============================================================
name      0.50    best similarity of our ``schema:name``/``alternateName`` and the
                  candidate's label/aliases, accent-folded and case-folded: 1 when
                  equal, else the larger of difflib's ratio and the shared words
type      0.25    1 when P31 (instance of) holds the class the reference confirms
                  for our kind (Q5 human, Q11424 film), else 0
date      0.15    people: birth date against P569; films: publication year against
                  P577. 1 when they agree, 0.5 for the same year but another day, 0
                  when they differ or Wikidata has none; only when we have a date
director  0.10    films: 1 when P57 holds the item our director is linked to;
                  only when our director is linked
========  ======  ==============================================================

The score is the weighted mean over the components that apply, rounded to two places. A
candidate is **strong** at 0.8 or more, **weak** at 0.5 or more, else **rejected**. Without
a confirmed type a candidate scores at most 0.75, so only a confirmed P31 makes it strong.
Vetoes reject a candidate whatever its score: a name below :data:`NAME_GATE`, a P31 that is
a class of another kind (a human is not a film), an item already linked to another of our
entities. A proposal is never written as a link: ``links.tsv`` stays curated by people.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

from rdflib import URIRef

from .candidates import KINDS, PROPERTY_LABELS, Candidate, Entity, When, short

WEIGHTS = {"name": 0.50, "type": 0.25, "date": 0.15, "director": 0.10}
STRONG = 0.8
WEAK = 0.5
#: A candidate whose name is less similar than this is rejected, whatever else agrees.
NAME_GATE = 0.8
#: Offline, an item is a candidate when its name is at least this similar (the "search").
SEARCH_FLOOR = 0.5

#: The Wikidata classes the reference confirms, and the kind each stands for.
_CLASS_KIND = {k.wikidata_class: k for k in KINDS if k.wikidata_class}


@dataclass(frozen=True)
class Component:
    """One part of a score: its value, weight and the reason for the value."""

    name: str
    weight: float
    value: float
    reason: str


@dataclass(frozen=True)
class Proposal:
    """A candidate for one entity, scored."""

    entity: Entity
    candidate: Candidate
    components: tuple[Component, ...]
    score: float
    verdict: str
    vetoes: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """Accent-folded, case-folded words.

    >>> normalise("Krzysztof Kieślowski"), normalise("Kabardino-Balkaria")
    ('krzysztof kieslowski', 'kabardino balkaria')
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def similarity(ours: str, theirs: str) -> float:
    """1.0 for the same words, else the larger of difflib's ratio and the words shared.

    >>> similarity("Kieslowski", "Kieślowski"), similarity("Kantemir Balagov", "Ingmar Bergman")
    (1.0, 0.33)
    """
    a, b = normalise(ours), normalise(theirs)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    words_a, words_b = set(a.split()), set(b.split())
    shared = len(words_a & words_b) / len(words_a | words_b)
    return round(max(SequenceMatcher(None, a, b).ratio(), shared), 2)


def name_match(entity: Entity, candidate: Candidate) -> tuple[float, str, str]:
    """The best similarity over both sides' names, and the two names that gave it."""
    pairs = [(similarity(o, t), o, t) for o in entity.names for t in candidate.names if t]
    return max(pairs, key=lambda p: p[0], default=(0.0, entity.name, candidate.label))


def _name(entity: Entity, candidate: Candidate) -> Component:
    value, ours, theirs = name_match(entity, candidate)
    if value == 1.0:
        same = "same name" if ours == theirs else "same name, accent- and case-folded"
        reason = f"{same}: {ours!r}"
    else:
        reason = f"{ours!r} ~ {theirs!r}: {value:.2f}"
    return Component("name", WEIGHTS["name"], value, reason)


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _type(entity: Entity, candidate: Candidate) -> tuple[Component, str | None]:
    kind = entity.kind
    assert kind is not None
    shown = ", ".join(candidate.types)
    if kind.wikidata_class and kind.wikidata_class in candidate.types:
        reason = f"P31 {kind.wikidata_class}, the class of {_a(kind.name)}, as ours"
        return Component("type", WEIGHTS["type"], 1.0, reason), None
    other = [_CLASS_KIND[t] for t in candidate.types if t in _CLASS_KIND]
    if other:
        reason = f"P31 {shown}: {_a(other[0].name)}, not {_a(kind.name)}"
        return Component("type", WEIGHTS["type"], 0.0, reason), reason
    if not kind.wikidata_class:
        reason = f"no Wikidata class is confirmed for {_a(kind.name)}: P31 cannot be checked"
    elif candidate.types:
        reason = f"P31 {shown}, not {kind.wikidata_class} (the class of {_a(kind.name)})"
    else:
        reason = f"no P31 (instance of) known for {candidate.qid}"
    return Component("type", WEIGHTS["type"], 0.0, reason), None


def _date(entity: Entity, candidate: Candidate) -> Component | None:
    kind = entity.kind
    if kind is None or kind.date_property is None or entity.date is None:
        return None
    prop = kind.date_property
    ours, theirs = entity.date, candidate.dates.get(prop)
    what = f"{prop} ({PROPERTY_LABELS[prop]})"
    if theirs is None:
        return Component("date", WEIGHTS["date"], 0.0, f"no {what} known; ours {ours}")
    value, verdict = _compare_dates(ours, theirs)
    return Component(
        "date", WEIGHTS["date"], value, f"{what}: ours {ours}, Wikidata {theirs}: {verdict}"
    )


def _compare_dates(ours: When, theirs: When) -> tuple[float, str]:
    if ours.year != theirs.year:
        return 0.0, "different years"
    if ours.day is None or theirs.day is None:
        return 1.0, "same year"
    if (ours.month, ours.day) == (theirs.month, theirs.day):
        return 1.0, "same day"
    return 0.5, "same year, another day (a disagreement to report)"


def _director(entity: Entity, candidate: Candidate) -> Component | None:
    if entity.kind is None or entity.kind.name != "film" or not entity.directors:
        return None
    ours = ", ".join(entity.directors)
    if set(entity.directors) & set(candidate.directors):
        return Component("director", WEIGHTS["director"], 1.0, f"P57 (director) {ours}, as ours")
    if candidate.directors:
        theirs = ", ".join(candidate.directors)
        return Component("director", WEIGHTS["director"], 0.0, f"P57 {theirs}, ours {ours}")
    return Component("director", WEIGHTS["director"], 0.0, f"no P57 (director) known; ours {ours}")


def score(
    entity: Entity, candidate: Candidate, taken: Mapping[str, URIRef] | None = None
) -> Proposal:
    """Score ``candidate`` for ``entity``; ``taken`` maps QIDs already linked to our entities.

    >>> from filmgraph.core.namespaces import FGID
    >>> from .candidates import KINDS
    >>> film = Entity(FGID.closeness, "Closeness", ("Tesnota",), KINDS[0], When(2017))
    >>> item = Candidate("Q29413154", "Closeness", "snapshot", types=("Q11424",),
    ...                  dates={"P577": When(2017)})
    >>> p = score(film, item)
    >>> p.score, p.verdict, [c.value for c in p.components]
    (1.0, 'strong', [1.0, 1.0, 1.0])
    """
    if entity.kind is None:
        raise ValueError(f"{entity.short} is not of a kind the linker scores")
    name = _name(entity, candidate)
    kind, conflict = _type(entity, candidate)
    components = tuple(
        c for c in (name, kind, _date(entity, candidate), _director(entity, candidate)) if c
    )
    total = sum(c.weight * c.value for c in components) / sum(c.weight for c in components)
    value = round(total, 2)
    vetoes = []
    if name.value < NAME_GATE:
        vetoes.append(f"name similarity {name.value:.2f} is below {NAME_GATE}")
    if conflict:
        vetoes.append(conflict)
    owner = (taken or {}).get(candidate.qid)
    if owner is not None and owner != entity.iri:
        vetoes.append(f"{candidate.qid} is already linked to {short(owner)}")
    if vetoes:
        verdict = "rejected"
    else:
        verdict = "strong" if value >= STRONG else "weak" if value >= WEAK else "rejected"
    return Proposal(entity, candidate, components, value, verdict, tuple(vetoes))
