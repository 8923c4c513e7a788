"""What to say when an HTTP request to another service got no answer at all.

One translation for every client of ours (Wikidata's API, a remote SPARQL store, a remote
endpoint in a notebook): a time-out, a connection that could not be made, or one that broke,
each an :class:`~filmgraph.core.errors.UpstreamError` (502) naming the URL, never a traceback.
"""

from __future__ import annotations

from urllib.error import URLError

from .errors import UpstreamError


def unreachable(exc: BaseException, url: str, timeout: float, doing: str = "") -> UpstreamError:
    """The error for a request to ``url`` that failed with ``exc`` before any HTTP answer.

    >>> str(unreachable(TimeoutError(), "http://127.0.0.1:9/q", 2.5, "POST"))
    'http://127.0.0.1:9/q: POST: no answer within 2.5 s'
    >>> refused = URLError(ConnectionRefusedError(111, "Connection refused"))
    >>> str(unreachable(refused, "http://h/", 1))
    'http://h/: cannot connect: Connection refused'
    """
    prefix = f"{doing}: " if doing else ""
    reason = exc.reason if isinstance(exc, URLError) else exc
    if isinstance(reason, TimeoutError):
        return UpstreamError(f"{prefix}no answer within {timeout:g} s", url)
    if isinstance(exc, URLError):
        said = getattr(reason, "strerror", None) or reason  # "Connection refused", no errno
        return UpstreamError(f"{prefix}cannot connect: {said}", url)
    return UpstreamError(f"{prefix}connection failed: {exc!r}", url)
