"""Content negotiation as data: which format answers a request, for each kind of result.

The tables are :data:`filmgraph.query.formats.MEDIA_TYPES` (format name -> media type, preferred
first); :func:`choose` is the one function that picks, from the ``format=`` parameter or
the Accept header's q-values (parsed by Werkzeug). No Accept header, or ``*/*``, gets the
first format of the family: SPARQL JSON for SELECT/ASK, Turtle for graphs.
"""

from __future__ import annotations

from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..core import QueryError
from ..query import MEDIA_TYPES, not_acceptable

#: Media types clients also send for a family, mapped to the format that serves them.
ALIASES: dict[str, dict[str, str]] = {
    "SELECT": {"application/json": "json", "application/xml": "xml"},
    "ASK": {"application/json": "json", "application/xml": "xml"},
    "GRAPH": {"application/x-turtle": "ttl", "text/n3": "ttl", "application/json": "jsonld"},
}

#: ``format=`` names that mean another name in a family (xml for a graph is RDF/XML).
FORMAT_ALIASES: dict[str, dict[str, str]] = {
    "SELECT": {"srj": "json", "srx": "xml"},
    "ASK": {"srj": "json", "srx": "xml"},
    "GRAPH": {"xml": "rdf", "turtle": "ttl", "json-ld": "jsonld", "ntriples": "nt"},
}

FAMILIES = tuple(MEDIA_TYPES)


#: Every name ``format=`` accepts, in any family.
KNOWN_FORMAT_NAMES = frozenset(
    name for family in FAMILIES for name in (*MEDIA_TYPES[family], *FORMAT_ALIASES[family])
)


def parse_accept(header: str | None) -> MIMEAccept:
    """An Accept header, with media type parameters other than q dropped (clients send
    ``application/sparql-results+json;charset=utf-8``, which Werkzeug would not match)."""
    parsed = parse_accept_header(header, MIMEAccept)
    if not parsed.provided:
        return parsed
    return MIMEAccept([(value.split(";", 1)[0].strip().lower(), q) for value, q in parsed])


def choose(family: str, accept: MIMEAccept, format_name: str | None = None) -> str | None:
    """The format name for a result of ``family``, or None when nothing acceptable exists.

    ``format_name`` (the ``format=`` parameter) wins over the Accept header.

    >>> choose("SELECT", parse_accept("text/csv;q=0.5, application/sparql-results+xml"))
    'xml'
    >>> choose("GRAPH", parse_accept(None)), choose("ASK", parse_accept("text/csv"))
    ('ttl', None)
    """
    formats = MEDIA_TYPES[family]
    if format_name is not None:
        name = FORMAT_ALIASES[family].get(format_name, format_name)
        return name if name in formats else None
    if not accept.provided:
        return next(iter(formats))
    by_type = {media: name for name, media in formats.items()}
    by_type.update({m: n for m, n in ALIASES[family].items() if m not in by_type})
    best = accept.best_match(list(by_type))
    return by_type[best] if best else None


def choices(accept_header: str | None, format_name: str | None = None) -> dict[str, str | None]:
    """:func:`choose` for every family, for a query whose kind is not known yet.

    Clients send the same few Accept headers again and again, so the answers are kept.

    Raises:
        QueryError: ``format_name`` is not a format of any family.
    """
    if format_name is not None and format_name not in KNOWN_FORMAT_NAMES:
        raise QueryError(
            f"unknown format {format_name!r}; formats: {', '.join(sorted(KNOWN_FORMAT_NAMES))}"
        )
    return dict(_choices(accept_header, format_name))


@lru_cache(maxsize=512)
def _choices(
    accept_header: str | None, format_name: str | None
) -> tuple[tuple[str, str | None], ...]:
    accept = parse_accept(accept_header)
    return tuple((family, choose(family, accept, format_name)) for family in FAMILIES)


def choose_or_406(family: str, accept: MIMEAccept, format_name: str | None, what: str) -> str:
    """:func:`choose`, raising NotAcceptableError (406) that names what could be sent."""
    chosen = choose(family, accept, format_name)
    if chosen is None:
        raise not_acceptable(family, what)
    return chosen
