"""A deterministic synthetic film world, in the project's vocabulary, for benchmarks and tests.

:func:`generate` returns asserted facts only (no ontology) shaped like ``data/balagov.ttl``:

- places: cities (``schema:City``) in regions (``schema:AdministrativeArea``) in countries
  (``schema:Country``), chained by ``schema:containedInPlace`` (so the transitive property
  has work), and universities (``schema:CollegeOrUniversity``) in cities;
- festivals (``schema:Festival``) and their editions (``schema:Festival`` with
  ``schema:superEvent`` the festival and ``fg:editionYear`` an ``xsd:gYear``), awards
  (``fg:Award``) ``fg:presentedAt`` an edition;
- themes (``fg:Theme``);
- teachers and directors (``schema:Person``: ``schema:name``, ``schema:birthDate``,
  ``schema:birthPlace``, ``schema:alumniOf``; directors also ``fg:debutFeature``,
  ``fg:mentoredBy``, ``fg:influencedBy``, ``schema:hasOccupation``);
- films (``schema:Movie``: ``schema:name``, ``schema:director``, ``schema:datePublished``,
  ``schema:contentLocation``, ``fg:theme``, ``fg:premieredAt``, ``fg:wonAward`` with the
  award's name as ``schema:award`` text, ``fg:filmographyNumber``).

The world is consistent with ``ontology/filmgraph.ttl``: people, works, places and events
never share an individual, every functional property has one value, and every domain and
range holds. The same ``(triples, seed)`` always gives the same graph: all randomness comes
from one ``random.Random(seed)`` and nothing iterates over a set.

>>> g = generate(1000, seed=1)
>>> 950 <= len(g) <= 1050
True
>>> sorted(g) == sorted(generate(1000, seed=1))
True

Command line::

    python -m benchmarks.filmworld --triples 100000 --seed 0 -o world.nt
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import resource
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as Literal_
from typing import overload

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

#: Where every synthetic entity is minted.
SYNTHETIC = Namespace("https://w3id.org/filmgraph/synthetic/")
SCHEMA = Namespace("http://schema.org/")
FG = Namespace("https://w3id.org/filmgraph/ontology#")

#: The one occupation every synthetic director has (as ``fgid:film-director`` in the real data).
FILM_DIRECTOR = SYNTHETIC["occupation/film-director"]

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "sh")
_VOWELS = ("a", "e", "i", "o", "u", "ia", "ei")
_WORDS = (
    "silent", "river", "winter", "closeness", "house", "night", "mother", "garden",
    "road", "glass", "salt", "summer", "bridge", "letters", "harbour", "fire", "dust",
    "mirror", "stranger", "north", "bells", "island", "echo", "orchard",
)  # fmt: skip
_THEMES = (
    "trauma", "friendship", "memory", "exile", "family", "faith", "war", "youth",
    "grief", "love", "solitude", "power", "home", "identity", "resilience",
)  # fmt: skip
_AWARDS = ("Best Film", "Best Director", "Jury Prize", "Best Screenplay", "Audience Award")


class Lines:
    """The film world as a set of N-Triples lines (without their newline) instead of an rdflib
    graph: what :func:`generate` fills with ``lines=True``. A tenth of the memory (10M triples
    in about 2 GB, where an rdflib graph needs over 10 GB), the same triples: each line is the
    triple's terms in N-Triples, as rdflib's N-Triples writer gives them."""

    def __init__(self) -> None:
        self.lines: set[str] = set()

    def add(self, triple: tuple[URIRef, URIRef, URIRef | Literal]) -> None:
        s, p, o = triple
        self.lines.add(f"{s.n3()} {p.n3()} {o.n3()} .")

    def __len__(self) -> int:
        return len(self.lines)


@dataclass
class _Edition:
    iri: URIRef
    year: int
    awards: list[tuple[URIRef, str]] = field(default_factory=list)  # not yet won


class _World:
    """The generator's state: one random source, the graph, and the pools drawn from."""

    def __init__(self, seed: int, graph: Graph | Lines | None = None) -> None:
        self.rng = random.Random(seed)
        if graph is None:
            graph = Graph(bind_namespaces="none")
            graph.bind("schema", SCHEMA)
            graph.bind("fg", FG)
            graph.bind("syn", SYNTHETIC)
        self.graph = graph
        self.counters: dict[str, int] = {}
        self.cities: list[URIRef] = []
        self.places: list[URIRef] = []  # cities and regions: where films are set
        self.universities: list[URIRef] = []
        self.editions: list[_Edition] = []  # sorted by year once the festivals are made
        self.edition_years: list[int] = []
        self.themes: list[URIRef] = []
        self.people: list[URIRef] = []  # teachers and directors, in order of creation
        self.directors: list[URIRef] = []

    # ------------------------------------------------------------ helpers

    def mint(self, kind: str) -> URIRef:
        number = self.counters.get(kind, 0) + 1
        self.counters[kind] = number
        return SYNTHETIC[f"{kind}/{number}"]

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    def word(self, syllables: int) -> str:
        rng = self.rng
        text = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))
        return text.capitalize()

    def thing(self, kind: str, cls: URIRef, name: str) -> URIRef:
        iri = self.mint(kind)
        self.add(iri, RDF.type, cls)
        self.add(iri, SCHEMA.name, Literal(name))
        return iri

    # ------------------------------------------------------------ pools

    def make_places(self, cities: int) -> None:
        regions = max(2, cities // 6)
        countries = max(1, regions // 8)
        country_list = [
            self.thing("country", SCHEMA.Country, self.word(2) + "ia") for _ in range(countries)
        ]
        # A third of the regions lie directly in a country; the rest in one of those: a city
        # is up to four containedInPlace steps from its country (a university, five).
        region_list: list[URIRef] = []
        tops = max(1, regions // 3)
        for i in range(regions):
            region = self.thing("region", SCHEMA.AdministrativeArea, self.word(3) + " Region")
            parents = country_list if i < tops else region_list
            parent = parents[self.rng.randrange(len(parents) if i < tops else tops)]
            self.add(region, SCHEMA.containedInPlace, parent)
            region_list.append(region)
        for _ in range(cities):
            city = self.thing("city", SCHEMA.City, self.word(self.rng.randint(2, 3)))
            self.add(city, SCHEMA.containedInPlace, self.rng.choice(region_list))
            self.cities.append(city)
        self.places = self.cities + region_list

    def make_universities(self, count: int) -> None:
        for _ in range(count):
            city = self.rng.choice(self.cities)
            name = f"{self.word(2)} State University"
            university = self.thing("university", SCHEMA.CollegeOrUniversity, name)
            self.add(university, SCHEMA.containedInPlace, city)
            self.universities.append(university)

    def make_festivals(self, count: int) -> None:
        rng = self.rng
        editions: list[_Edition] = []
        for _ in range(count):
            name = f"{self.word(2)} Film Festival"
            festival = self.thing("festival", SCHEMA.Festival, name)
            founded = rng.randint(1946, 2015)
            years = sorted(
                rng.sample(range(founded, 2026), min(2026 - founded, rng.randint(3, 10)))
            )
            for year in years:
                edition = SYNTHETIC[f"{festival.removeprefix(SYNTHETIC)}/{year}"]
                self.add(edition, RDF.type, SCHEMA.Festival)
                self.add(edition, SCHEMA.name, Literal(f"{year} {name}"))
                self.add(edition, SCHEMA.superEvent, festival)
                self.add(edition, FG.editionYear, Literal(str(year), datatype=XSD.gYear))
                found = _Edition(edition, year)
                for prize in rng.sample(_AWARDS, rng.randint(1, 3)):
                    award_name = f"{year} {name} {prize}"
                    award = self.thing("award", FG.Award, award_name)
                    self.add(award, FG.presentedAt, edition)
                    found.awards.append((award, award_name))
                editions.append(found)
        editions.sort(key=lambda e: e.year)  # stable: creation order within a year
        self.editions = editions
        self.edition_years = [e.year for e in editions]

    def make_themes(self, count: int) -> None:
        for i in range(count):
            base = _THEMES[i % len(_THEMES)]
            name = base if i < len(_THEMES) else f"{base} ({self.word(2).lower()})"
            self.themes.append(self.thing("theme", FG.Theme, name))

    # ------------------------------------------------------------ people and films

    def person(self) -> tuple[URIRef, int]:
        """A person with name, birth date and place, and (mostly) a university."""
        rng = self.rng
        born = rng.randint(1920, 2000)
        iri = self.thing("person", SCHEMA.Person, f"{self.word(2)} {self.word(3)}")
        date = f"{born}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        self.add(iri, SCHEMA.birthDate, Literal(date, datatype=XSD.date))
        self.add(iri, SCHEMA.birthPlace, rng.choice(self.cities))
        if rng.random() < 0.8:
            self.add(iri, SCHEMA.alumniOf, rng.choice(self.universities))
        self.people.append(iri)
        return iri, born

    def teacher(self) -> None:
        iri, _ = self.person()
        if self.rng.random() < 0.5:
            self.add(iri, FG.studiedSubject, Literal("directing", lang="en"))

    def director(self, films: int) -> None:
        """A director, their teacher and influences, and ``films`` films (at least one)."""
        rng = self.rng
        earlier = len(self.people)  # mentors and influences come from before: no self-links
        iri, born = self.person()
        self.add(iri, SCHEMA.hasOccupation, FILM_DIRECTOR)
        if earlier and rng.random() < 0.7:
            self.add(iri, FG.mentoredBy, self.people[rng.randrange(earlier)])
        if self.directors:
            for other in rng.sample(self.directors, min(len(self.directors), rng.randint(0, 3))):
                self.add(iri, FG.influencedBy, other)
        self.directors.append(iri)
        plans = sorted((self.plan_film(born) for _ in range(films)), key=lambda p: p[0])
        for number, (year, edition) in enumerate(plans, 1):
            film = self.film(iri, number, year, edition)
            if number == 1:
                self.add(iri, FG.debutFeature, film)

    def plan_film(self, born: int) -> tuple[int, _Edition | None]:
        """A year for a film, and the festival edition of that year where it premiered."""
        rng = self.rng
        start, end = born + 20, min(born + 75, 2025)
        lo = bisect.bisect_left(self.edition_years, start)
        hi = bisect.bisect_right(self.edition_years, end)
        if hi > lo and rng.random() < 0.7:
            edition = self.editions[rng.randrange(lo, hi)]
            return edition.year, edition
        return rng.randint(start, end), None

    def film(self, director: URIRef, number: int, year: int, edition: _Edition | None) -> URIRef:
        rng = self.rng
        title = f"{rng.choice(_WORDS).capitalize()} {rng.choice(_WORDS)}"
        film = self.thing("film", SCHEMA.Movie, title)
        self.add(film, SCHEMA.director, director)
        self.add(film, SCHEMA.datePublished, Literal(str(year), datatype=XSD.gYear))
        self.add(film, SCHEMA.contentLocation, rng.choice(self.places))
        for theme in rng.sample(self.themes, rng.randint(1, 3)):
            self.add(film, FG.theme, theme)
        self.add(film, FG.filmographyNumber, Literal(str(number), datatype=XSD.positiveInteger))
        if edition is not None:
            self.add(film, FG.premieredAt, edition.iri)
            if edition.awards and rng.random() < 0.35:
                award, name = edition.awards.pop(0)
                self.add(film, FG.wonAward, award)
                self.add(film, SCHEMA.award, Literal(name))
        return film


@overload
def generate(triples: int, seed: int = 0) -> Graph: ...
@overload
def generate(triples: int, seed: int = 0, *, lines: Literal_[True]) -> Lines: ...
def generate(triples: int, seed: int = 0, *, lines: bool = False) -> Graph | Lines:
    """A synthetic film world of about ``triples`` triples (within 5%), the same for a seed:
    an rdflib graph, or with ``lines`` its N-Triples lines (:class:`Lines`).

    Only asserted facts: load the ontology separately to reason over it.

    >>> sorted(generate(1000, seed=1, lines=True).lines) == sorted(
    ...     f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in generate(1000, seed=1))
    True
    """
    if triples < 200:
        raise ValueError(f"a film world needs at least 200 triples, not {triples}")
    world = _World(seed, Lines() if lines else None)
    scale = triples / 1000
    # Fixed pools first, sized with the world; then directors with their films until full.
    world.make_places(cities=max(8, round(6 * scale)))
    world.make_universities(max(2, round(1.5 * scale)))
    world.make_festivals(max(2, round(0.8 * scale)))
    world.make_themes(max(5, round(5 * math.sqrt(scale))))
    world.graph.add((FILM_DIRECTOR, RDF.type, SCHEMA.Occupation))
    world.graph.add((FILM_DIRECTOR, SCHEMA.name, Literal("film director")))
    for _ in range(max(3, round(2 * scale))):
        world.teacher()
    graph, rng = world.graph, world.rng
    # A director with one film adds about 20 triples, each further film about 11: stop
    # before the last one would overshoot.
    while len(graph) + 20 <= triples:
        films = 1 + min(rng.randint(0, 5), (triples - len(graph) - 20) // 12)
        world.director(films)
    while len(graph) + 5 <= triples:  # teachers (about 5 triples each) fill the rest
        world.teacher()
    return graph


def write(graph: Graph | Lines, path: Path) -> None:
    """Write ``graph`` as N-Triples (lines sorted: byte-identical for the same graph), or
    Turtle if ``path`` ends in ``.ttl`` (an rdflib graph only)."""
    if isinstance(graph, Lines):
        if path.suffix == ".ttl":
            raise ValueError("N-Triples lines are written as .nt")
        found = sorted(graph.lines)
    elif path.suffix == ".ttl":
        path.write_text(graph.serialize(format="turtle"), encoding="utf-8")
        return
    else:
        text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
        found = sorted(filter(None, text))
    with path.open("w", encoding="utf-8") as out:  # line by line: no second copy in memory
        out.writelines(line + "\n" for line in found)


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.filmworld --triples N [--seed S] -o FILE``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, required=True, help="about how many triples")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "-o", "--output", type=Path, required=True, help="file to write: .nt or .ttl"
    )
    parser.add_argument(
        "--memory-limit-mb", type=int, default=0, help="address-space limit (0: none)"
    )
    args = parser.parse_args(argv)
    if args.memory_limit_mb > 0:
        limit = args.memory_limit_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        # N-Triples from lines (a tenth of an rdflib graph's memory), Turtle from a graph.
        graph = generate(args.triples, args.seed, lines=args.output.suffix != ".ttl")
    except ValueError as exc:
        parser.error(str(exc))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write(graph, args.output)
    print(f"{len(graph)} triples written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
