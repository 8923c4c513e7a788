"""One place that turns every error into a response: its status and a plain-text message.

filmgraph's errors carry their status; Werkzeug's (404, 405, 413, ...) keep theirs. Any
other exception is a bug: it is logged with its traceback and answered with a 500 that
shows neither the traceback nor any path.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from ..core import FilmgraphError

log = logging.getLogger("filmgraph.web")


def text_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text error response; the message ends with a newline."""
    return Response(
        message.rstrip("\n") + "\n",
        status=status,
        mimetype="text/plain",
        headers=headers or {},
    )


def install(app: Flask) -> None:
    @app.errorhandler(FilmgraphError)
    def filmgraph_error(exc: FilmgraphError) -> Response:
        return text_response(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        headers = {k: v for k, v in exc.get_headers() if k.lower() in ("allow", "retry-after")}
        status = exc.code or 500
        description = exc.description
        if status == 405:
            description = (
                f"{request.method} is not allowed on {request.path}; "
                f"use {headers.get('Allow', 'GET, POST')}"
            )
        return text_response(status, f"{status} {exc.name}: {description}", headers)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error")
        return text_response(500, "500 Internal Server Error: the error has been logged")
