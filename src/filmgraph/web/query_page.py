"""The query page: YASGUI over this server's ``/sparql``, with a searchable menu of the
example queries.

YASGUI (``@zazuko/yasgui``) is served from package data (``static/vendor/yasgui/``, with its
license), never from a CDN, so the page works offline. Its settings live in
``static/query-page.js``: the endpoint is this server's ``/sparql`` (POST); the queries of
``queries/`` are a menu (filter as you type) that loads the one picked into the editor (the
first one to begin with); results show IRIs with the project's prefixes, linked to their
local pages where the served project describes them (the rest marked external), and literals
as their values, the datatype or language on hover; no autocompleter calls a vocabulary
service (prefix.cc, LOV), and nothing is kept in or restored from the browser's storage.
Without JavaScript the page lists the examples as links that run them (CSV).
``GET /`` and a browser's bare ``GET /sparql`` serve it.
"""

from __future__ import annotations

from flask import current_app, render_template, url_for

from ..core import FGID, GRAPHS, PREFIXES
from .app_state import current

__all__ = ["described", "examples", "render_query_page"]


def examples() -> list[dict[str, str]]:
    """The examples of the query page: one per query of ``queries/``, in file-name order.

    Each has the query's ``id`` (its file name), ``name`` (its title, the menu's label),
    ``description`` and ``query`` (the SPARQL text as written).
    """
    return [
        {"id": q.name, "name": q.title, "description": q.description, "query": q.text}
        for q in current().queries.values()
    ]


def described() -> list[str]:
    """The IRIs outside the entity namespace (``FGID``) the served data describes (those of
    served RDF files): results link them to ``/resource?iri=IRI``, as the pages do.

    Worked out once per app (the data served does not change while it runs), sorted.
    """
    extensions = current_app.extensions
    key = "filmgraph.query_page.described"
    if key not in extensions:
        graphs = " ".join(f"<{GRAPHS[name]}>" for name in ("asserted", "inferred"))
        rows = current().select(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} VALUES ?g {{ {graphs} }}"
            f' FILTER(isIRI(?s) && !STRSTARTS(STR(?s), "{FGID}")) }}'
        )
        extensions[key] = sorted(row["s"]["value"] for row in rows)
    found: list[str] = extensions[key]
    return found


def render_query_page() -> str:
    """The query page's HTML, for the app handling this request.

    >>> from filmgraph import Settings, open_store
    >>> from filmgraph.web import create_app
    >>> app = create_app(Settings(), open_store())
    >>> with app.test_request_context("/"):
    ...     "vendor/yasgui/yasgui.min.js" in render_query_page()
    True
    """
    prefixes = {name: str(namespace) for name, namespace in PREFIXES.items()}
    # /page/NAME for the IRI FGID + NAME: the route's URL for a name, less that name.
    entity_page = url_for("pages.entity_page", name="NAME").removesuffix("NAME")
    return render_template(
        "query.html",
        examples=examples(),
        prefixes=prefixes,
        entity_namespace=str(FGID),
        entity_page=entity_page,
        described=described(),
    )
