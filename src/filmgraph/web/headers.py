"""What every answer says in its HTTP headers, and where absolute URLs come from (issue 22).

- **Framing** (RFC 9112): the server's connection (:class:`~.connections.Connection`)
  refuses a request with both Content-Length and Transfer-Encoding (§6.1) and one with
  more than one Host (§3.2) as ``400 Bad Request`` and closes the connection, so whatever
  followed on it (a request smuggled in the body) is never read. This has to be the
  server: by the time a WSGI app runs, Transfer-Encoding is gone, and an app cannot close
  the connection (``Connection`` is hop-by-hop, PEP 3333). ``install`` refuses a Host list
  (repeated Hosts joined with ", ") too, for other servers.
- **Absolute URLs** never come from the request's Host: :func:`public_base` is the
  ``public_url`` setting, or by default the address the server is bound to
  (``http://HOST:PORT/``). Redirects are relative: a ``Location`` that werkzeug made absolute
  from the Host (the 308 of ``/id//name``, the 301 of ``/page``) is cut to its path.
- **Security headers** on every answer: a Content-Security-Policy (:data:`PAGE_POLICY` on HTML
  pages, :data:`OTHER_POLICY`, nothing at all, on the rest), ``X-Content-Type-Options:
  nosniff``, ``X-Frame-Options: DENY`` and ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, request
from werkzeug.exceptions import BadRequest
from werkzeug.utils import redirect

from .app_state import current

#: The policy of HTML pages. Scripts only from our own files (the pages' inline ``<script
#: type="application/json">`` blocks are data, never run). ``style-src`` allows inline styles
#: because the vendored libraries insert ``<style>`` elements as they start (cytoscape.js for
#: its container, YASGUI for its editor and table), which the browser refuses otherwise
#: (``style-src-elem``); inline styles cannot run code. Images may be ``data:`` URLs
#: (YASGUI's icons); queries go to our own endpoint only.
PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

#: The policy of everything else (RDF, JSON, CSV, scripts, icons): nothing may load or run,
#: should a browser ever render one as a document.
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def security_headers(html: bool) -> dict[str, str]:
    """The security headers of an answer (``html``: an HTML page)."""
    return {"Content-Security-Policy": PAGE_POLICY if html else OTHER_POLICY, **SECURITY_HEADERS}


def public_base() -> str:
    """The base URL absolute IRIs are made from (ending in ``/``): the ``public_url``
    setting, else the address the server is bound to, never the request's Host."""
    settings = current().settings
    if settings.public_url:
        return settings.public_url.rstrip("/") + "/"
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    port = settings.port or request.environ.get("SERVER_PORT", "80")  # port 0: the one bound
    return f"http://{host}:{port}/"


def _relative(location: str) -> str:
    """``location`` less its scheme and authority where they are this request's own."""
    parts = urlsplit(location)
    if parts.scheme and parts.netloc and parts.netloc.lower() == request.host.lower():
        return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    return location


def install(app: Flask) -> None:
    """Refuse a Host list, make redirects relative and add the security headers; templates
    get ``public_base()``."""
    app.jinja_env.globals["public_base"] = public_base

    @app.before_request
    def one_host() -> None:
        if "," in request.environ.get("HTTP_HOST", ""):
            raise BadRequest("more than one Host (RFC 9112, 3.2)")

    @app.after_request
    def secure(response: Response) -> Response:
        location = response.headers.get("Location")
        if location and (relative := _relative(location)) != location:
            # werkzeug's own redirect (308: slashes merged or added): its page links it too
            response.set_data(redirect(relative, response.status_code).get_data())
            response.headers["Location"] = relative
        response.headers.update(security_headers(response.mimetype == "text/html"))
        return response
