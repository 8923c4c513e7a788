"""The entity index, ``/page/``: every type with its count and first entities, a type's own
listing a page at a time, and a search by name, each read with bounded queries that the
store evaluates on the query workers (:mod:`filmgraph.export.entity_index`).

- ``/page/``: the types in label order, each with its entity count (up to
  :data:`~filmgraph.export.COUNT_CAP`: "more than" past it) and its first
  :data:`~filmgraph.export.OVERVIEW_SIZE` entities, and a link to the rest; read on the
  first visit and kept (the data served does not change). The entities with no type are
  found within the ``scan_timeout`` setting, else shown as not counted.
- ``/page/?type=T``: the entities of type ``T`` (a prefixed name, ``schema:Movie``, or an
  IRI), :data:`~filmgraph.export.PAGE_SIZE` a page; ``page=N`` (from 1) and ``limit=L``
  (at most :data:`~filmgraph.export.MAX_PAGE_SIZE`), with ``rel="prev"``/``rel="next"``
  links; by name, or in the store's order for a type of more than the count cap.
- ``q=WORDS``: the entities with a name or label holding every word. Over every type, the
  first :data:`~filmgraph.export.SEARCH_SIZE` found, shown by name, said to be "more than"
  when more matched; with ``type``, that type's matches, paged. A search that passes the
  ``scan_timeout`` setting answers 503.

The search form works without JavaScript; where it runs, ``index.js`` fetches the same
URL as you type and puts its answer in place of the results.
"""

from __future__ import annotations

import math
import re
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from rdflib import URIRef
from werkzeug.exceptions import BadRequest, NotFound

from ..export import (
    COUNT_CAP,
    MAX_PAGE_SIZE,
    OVERVIEW_SIZE,
    PAGE_SIZE,
    SEARCH_SIZE,
    EntityIndex,
    IndexGroup,
    Listing,
    words_of,
)
from .app_state import current
from .links import link

blueprint = Blueprint("index", __name__)

#: Where an app keeps its overview (see :func:`_overview`).
_OVERVIEW = "filmgraph.index_page.overview"

#: The longest search the form takes (characters).
MAX_QUERY = 200

#: Entities a page lists when there is no row cap (``max_rows`` 0).
PAGE = 10_000

#: An absolute IRI as the type parameter may give it (nothing a query could not hold).
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


@blueprint.route("/page/")
def index() -> str:
    """The overview, a type's listing (``type``) or a search (``q``): see the module."""
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY:
        raise BadRequest(f"a search may have at most {MAX_QUERY} characters")
    state = current()
    scan_limit = min(state.settings.scan_timeout, state.settings.query_timeout)
    entities = EntityIndex(
        state.select, state.describer, lambda text: state.select(text, scan_limit), COUNT_CAP
    )
    most = max(1, (state.settings.row_cap or PAGE) - 1)  # a page, and a row that says more
    given = request.args.get("type")
    common: dict[str, Any] = {
        "query": query,
        "link": link,
        "type_param": type_param,
        "cap": entities.cap,
        "scan_timeout": f"{scan_limit:g}",
    }
    if given is not None:
        listing = _listing(entities, _type_arg(given), words_of(query), most)
        return render_template("index.html", listing=listing, **common, **_pages(listing, query))
    if query:
        found = entities.search(words_of(query), min(SEARCH_SIZE, most))
        return render_template("index.html", found=found, groups=found.groups, **common)
    return render_template("index.html", groups=_overview(entities, most), **common)


def _overview(entities: EntityIndex, most: int) -> list[IndexGroup]:
    """The overview, read once per app: the data served does not change while it runs, and
    the overview is the same whoever asks (a few thousand entities at most: 50 a type)."""
    kept: dict[int, list[IndexGroup]] = current_app.extensions.setdefault(_OVERVIEW, {})
    size = min(OVERVIEW_SIZE, most)
    if size not in kept:
        kept[size] = entities.overview(size)
    return kept[size]


def _listing(entities: EntityIndex, type_: URIRef, words: list[str], most: int) -> Listing:
    page = _number("page", 1)
    limit = min(_number("limit", PAGE_SIZE), MAX_PAGE_SIZE, most)
    listing = entities.listing(type_, (page - 1) * limit, limit, words)
    if not words and listing.total == 0:
        raise NotFound(f"no entity has the type <{type_}>.")
    if page > 1 and not listing.group.entities:
        raise NotFound(f"page {page} is past the last page of <{type_}>'s entities.")
    return listing


def _pages(listing: Listing, query: str) -> dict[str, Any]:
    """The page's number, the number of pages (when counted) and the links to the pages
    before and after it."""
    limit = listing.limit
    page = listing.offset // limit + 1

    def at(number: int) -> str:
        return url_for(
            "index.index",
            type=type_param(listing.group.type),
            q=query or None,
            page=number if number > 1 else None,
            limit=limit if limit != PAGE_SIZE else None,
        )

    total = listing.total
    return {
        "page": page,
        "pages": None
        if total is None or listing.group.capped
        else max(1, math.ceil(total / limit)),
        "previous": at(page - 1) if page > 1 else None,
        "next": at(page + 1) if listing.more else None,
    }


def _number(name: str, default: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise BadRequest(f"{name} must be a whole number from 1, not {value!r}")
    return int(value)


def type_param(type_: URIRef) -> str:
    """How a link names a type: its prefixed name (``schema:Movie``) where it has one that
    reads back as it, else its IRI."""
    namespaces = current().describer.namespaces
    try:
        short = namespaces.curie(type_, generate=False)
        if namespaces.expand_curie(short) == type_:
            return short
    except ValueError:
        pass
    return str(type_)


def _type_arg(value: str) -> URIRef:
    """The type a ``type`` parameter names: a prefixed name we bind, or an absolute IRI.

    Raises:
        BadRequest: neither.
    """
    value = value.strip()
    try:
        return URIRef(current().describer.namespaces.expand_curie(value))
    except ValueError:
        pass
    if not _IRI.match(value):
        raise BadRequest(f"type must be a prefixed name (schema:Movie) or an IRI, not {value!r}")
    return URIRef(value)
