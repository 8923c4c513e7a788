"""What every HTTP client of ours shares: who we say we are, and what to say when a request
got no answer at all.

- :data:`VERSION` and :func:`user_agent`: every request (to Wikidata's API, a remote SPARQL
  store, a SERVICE endpoint, an endpoint asked from a notebook) names filmgraph, its
  version and a contact, as Wikimedia's policy asks.
- :func:`unreachable`: a time-out, a connection that could not be made, or one that broke,
  each an :class:`~filmgraph.core.errors.UpstreamError` (502) naming the URL, never a
  traceback.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from urllib.error import URLError

from .errors import UpstreamError

try:
    #: The installed filmgraph's version (0.0.0 in a source tree that is not installed).
    VERSION = version("filmgraph-kg")
except PackageNotFoundError:  # pragma: no cover - a source tree that is not installed
    VERSION = "0.0.0"


def user_agent(contact: str, client: str = "python-urllib") -> str:
    """The User-Agent of our requests: who we are, how to reach whoever runs us, and which
    client sends it.

    >>> user_agent("https://example.org/").startswith("filmgraph/")
    True
    """
    return f"filmgraph/{VERSION} ({contact}) {client}"


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
