"""The one place that turns every error into a response: its status and a plain-text
message, or, for a person who asked for HTML, a page (a 404 with links to start from).

filmgraph's errors carry their status (a query worker sends back the error a query met,
and ``/sparql`` raises it here too); Werkzeug's (404, 405, 413, ...) keep theirs. Any other
exception is a bug: it is logged with its traceback and answered with a 500 that shows
neither the traceback nor any path.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from ..core import FilmgraphError

log = logging.getLogger("filmgraph.web")

#: The statuses a person who asked for HTML gets a page for: status -> template.
PAGES = {404: "not_found.html"}


#: What a client is told of an unexpected error (a bug: logged with its traceback).
UNEXPECTED = "500 Internal Server Error: the error has been logged"


def error_text(message: str) -> str:
    """An error's plain-text body: its message, ending with a newline."""
    return message.rstrip("\n") + "\n"


def text_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text error response; the message ends with a newline."""
    return Response(
        error_text(message),
        status=status,
        mimetype="text/plain",
        headers=headers or {},
    )


def respond(
    status: int, message: str, headers: dict[str, str] | None = None, *, page_text: str = ""
) -> Response:
    """The error response: a page (:data:`PAGES`, saying ``page_text`` or the message) when
    the client prefers HTML to text, else the plain message."""
    page = PAGES.get(status)
    if page and request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html":
        shown = page_text or message
        return Response(render_template(page, message=shown), status, mimetype="text/html")
    return text_response(status, message, headers)


def retry_after(exc: FilmgraphError) -> dict[str, str]:
    """The Retry-After header of an error that says when to try again (429, 503)."""
    return {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else {}


def install(app: Flask) -> None:
    @app.errorhandler(FilmgraphError)
    def filmgraph_error(exc: FilmgraphError) -> Response:
        return respond(exc.status, exc.message, retry_after(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        headers = {k: v for k, v in exc.get_headers() if k.lower() in ("allow", "retry-after")}
        status = exc.code or 500
        description = exc.description or ""
        if status == 405:
            description = (
                f"{request.method} is not allowed on {request.path}; "
                f"use {headers.get('Allow', 'GET, POST')}"
            )
        message = f"{status} {exc.name}: {description}"
        return respond(status, message, headers, page_text=description)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error")
        return text_response(500, UNEXPECTED)
