"""Where a term links to on the pages: the served project's IRIs to their local pages (and
data documents), other IRIs to themselves, literals to nothing."""

from __future__ import annotations

from flask import url_for
from rdflib import URIRef

from ..core import FGID
from .app_state import current


def link(term: object, described: bool = False) -> str | None:
    """Our entities link to their page, and so do other IRIs the data describes (served RDF
    files'; ``described``: known to be, not to be asked); other IRIs to themselves; literals
    to nothing."""
    if isinstance(term, URIRef):
        if term.startswith(str(FGID)):
            return url_for("pages.entity_page", name=term[len(str(FGID)) :])
        if described or current().describer.describes(term):
            return url_for("pages.resource", iri=str(term))
        return str(term)
    return None


def data_url(iri: URIRef, extension: str) -> str:
    """Where the data about ``iri`` is, in the format of ``extension``."""
    if iri.startswith(str(FGID)):
        return url_for("pages.entity_data", name=iri[len(str(FGID)) :], extension=extension)
    return url_for("pages.resource", iri=str(iri), format=extension)


def prefixed(term: object) -> str:
    """How the data writes a term (``schema:alumniOf``): shown on hover beside its label."""
    return current().describer.prefixed(term) if isinstance(term, URIRef) else ""


def external(href: str | None) -> bool:
    """Whether a link leaves the served project (it is marked, and opens as external)."""
    return bool(href) and not str(href).startswith("/")


def sentence_case(text: str) -> str:
    """The first letter upper case, the rest as it is (``defined term`` -> ``Defined term``)."""
    return text[:1].upper() + text[1:]
