"""The query page: YASGUI over this server's ``/sparql``, the example queries as tabs.

YASGUI (``@zazuko/yasgui``) is served from package data (``static/vendor/yasgui/``, with its
license), never from a CDN, so the page works offline. Its settings live in
``static/query-page.js``: the endpoint is this server's ``/sparql`` (POST), every query of
``queries/`` is a ready-to-run tab (the first one open), results show IRIs with the
project's prefixes, no autocompleter calls a vocabulary
service (prefix.cc, LOV), and nothing is kept in or restored from the browser's storage.
``GET /`` and a browser's bare ``GET /sparql`` serve it.
"""

from __future__ import annotations

from flask import render_template

from ..core import PREFIXES
from .app_state import current

__all__ = ["examples", "render_query_page"]


def examples() -> list[dict[str, str]]:
    """The tabs of the query page: one per query of ``queries/``, in file-name order.

    Each has the query's ``id`` (its file name), ``name`` (its title, the tab's label),
    ``description`` and ``query`` (the SPARQL text as written).
    """
    return [
        {"id": q.name, "name": q.title, "description": q.description, "query": q.text}
        for q in current().queries.values()
    ]


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
    return render_template("query.html", examples=examples(), prefixes=prefixes)
