"""Credentials sent ahead of time by the remote store's client (:mod:`.client`): HTTP Digest
(RFC 7616: MD5, SHA-256 and their ``-sess`` forms, ``qop=auth``) and Basic (RFC 7617), once the
store's challenge is known, so that a request's body is sent once, and authenticated.

urllib's own handlers (``HTTPDigestAuthHandler``, ``HTTPBasicAuthHandler``) only answer a
challenge: every request is sent first without credentials, body and all, gets 401 and is
sent again. That doubles every body, and Virtuoso answers the 401 of its Digest endpoints and
closes the connection while a large body is still being sent (a broken pipe, a failed push).
:class:`Authenticator` instead, as requests' ``HTTPDigestAuth`` and curl do:

- remembers the last challenge of each protection space (a Digest challenge's ``domain``,
  which Virtuoso gives per endpoint, or the whole authority without one; for Basic the
  request's folder, RFC 7617 2.2) and sends ``Authorization`` with every later request to a
  URL there: Digest with the nonce count (``nc``) one higher and a fresh ``cnonce`` each time;
- before a request with a body to a URL of no known space, learns its challenge from a small
  request without a body to the same URL (a *probe*): ``HEAD`` (the Graph Store Protocol
  defines it; Virtuoso and HTTP servers in general check credentials before they look at the
  method), or ``GET`` (its answer closed unread) where the server refuses ``HEAD`` (405, 501).
  A probe goes to the very URL because a store may protect one endpoint and not another on
  the same server (Virtuoso's ``/sparql`` and ``/sparql-auth``); a probe answered without a
  challenge is not repeated for that path (the request then goes as urllib's would);
- on a 401, takes the new challenge and sends the request again, once: a request that went
  without credentials (a small one, before any challenge was known), or whose Digest nonce
  is ``stale`` or no longer the server's (Virtuoso gives a new one with every 401), or that
  the server now asks another scheme of; otherwise, or after that one retry, the 401 is the
  answer (the store refused the credentials).

The nonce count is the nonce's, whichever spaces it came with. Bodies are bytes, sent again
as they are (never copied). Basic does not use urllib's ``HTTPPasswordMgrWithPriorAuth``,
whose flag any answer but a 2xx clears (a 404 of a graph the store does not have), and which
has no probe. Without credentials for a URL nothing is added, probed or retried: a 401 is
the answer, as before.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from http.client import HTTPException
from typing import IO, Any
from urllib.error import HTTPError
from urllib.parse import urljoin, urlsplit
from urllib.request import (
    AbstractDigestAuthHandler,
    BaseHandler,
    HTTPPasswordMgrWithDefaultRealm,
    Request,
    parse_http_list,
)

#: The Digest algorithms we answer (RFC 7616 3.3), by the name of their hash in hashlib; each
#: also in its ``-sess`` form.
DIGEST_HASHES = {"MD5": "md5", "SHA-256": "sha256"}

#: A challenge's scheme, then its parameters (or a token68), in one item of the header.
_SCHEME = re.compile(r"([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s+(.*))?", re.S)


@dataclass
class Challenge:
    """One challenge of a ``WWW-Authenticate`` header: its scheme in lower case (``digest``,
    ``basic``) and its parameters (names in lower case, values unquoted)."""

    scheme: str
    params: dict[str, str]


def _unquoted(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1], flags=re.S)
    return value


def challenges(values: list[str]) -> list[Challenge]:
    """The challenges of ``WWW-Authenticate`` header values (one header may hold several,
    and several headers may be given), in order.

    >>> [(c.scheme, c.params) for c in challenges(['Digest realm="a, b", nonce=n, Basic'])]
    [('digest', {'realm': 'a, b', 'nonce': 'n'}), ('basic', {})]
    """
    found: list[Challenge] = []
    for value in values:
        for item in parse_http_list(value):
            head = _SCHEME.fullmatch(item.strip())
            if head and not (head[2] or "").startswith("="):  # a scheme, not "name = value"
                found.append(Challenge(head[1].lower(), {}))
                item = head[2] or ""
            if found and "=" in item:
                name, _, given = item.partition("=")
                found[-1].params[name.strip().lower()] = _unquoted(given)
    return found


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _where(url: str) -> tuple[str, str]:
    """The origin (scheme and authority) and the path of ``url``."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}", parts.path or "/"


def _timed_out(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or isinstance(getattr(exc, "reason", None), TimeoutError)


class _Probe(Request):
    """A request sent only to learn a URL's challenge: its 401 is not answered."""


class Authenticator(AbstractDigestAuthHandler, BaseHandler):
    """An urllib handler that sends Basic or Digest credentials ahead of time (module
    docstring): build an opener with it instead of urllib's two auth handlers.

    Args:
        passwords: the user and password of each URL the credentials are for; other URLs
            get none.

    From urllib's Digest handler it keeps the password manager, the cnonce
    (:meth:`get_cnonce`) and the hash functions (:meth:`get_algorithm_impls`, here also
    SHA-256, over UTF-8). Safe to share between threads.
    """

    def __init__(self, passwords: HTTPPasswordMgrWithDefaultRealm) -> None:
        super().__init__(passwords)
        self._passwords = passwords
        self._lock = threading.Lock()
        # (origin, path prefix) -> the last challenge of the protection space there
        self._spaces: dict[tuple[str, str], Challenge] = {}
        # (origin, nonce) -> requests sent with that nonce so far (the nonce count is the
        # nonce's, whichever spaces it came with)
        self._counts: dict[tuple[str, str], int] = {}
        self._probed: set[tuple[str, str]] = set()  # (origin, path): probed, no challenge
        self._retried: set[Request] = set()  # requests being sent again after a 401

    # ------------------------------------------------------------------ urllib's hooks

    def http_request(self, req: Request) -> Request:
        """Add ``Authorization`` to a request whose URL has credentials and a known
        challenge; first probe for the challenge when the request has a body."""
        if not self._has_credentials(req.full_url) or isinstance(req, _Probe):
            return req
        known = self._challenge_for(req.full_url)
        if known is None and req.data is not None and not self._was_probed(req.full_url):
            self._probe(req)
            known = self._challenge_for(req.full_url)
        if known is not None:
            header = self._authorization(req, known)
            if header:
                req.add_unredirected_header("Authorization", header)
        return req

    https_request = http_request

    def http_error_401(
        self, req: Request, fp: IO[bytes], code: int, msg: str, headers: Message
    ) -> Any:
        """Learn the challenge of a 401; send the request again once when that may help
        (module docstring). None leaves the 401 as the answer."""
        if not self._has_credentials(req.full_url):
            return None
        challenge = self._supported(challenges(headers.get_all("WWW-Authenticate") or []))
        if challenge is None:
            return None
        sent = req.get_header("Authorization")
        with self._lock:
            self._learn(req.full_url, challenge)
            again = (
                not isinstance(req, _Probe)
                and req not in self._retried
                and _worth_retrying(sent, challenge)
            )
            if again:
                self._retried.add(req)
        if not again:
            return None
        with contextlib.suppress(OSError, HTTPException):
            fp.close()
        try:
            return self.parent.open(req, timeout=req.timeout)
        finally:
            with self._lock:
                self._retried.discard(req)

    def get_algorithm_impls(
        self, algorithm: str
    ) -> tuple[Callable[[str], str], Callable[[str, str], str]]:
        """The hash ``H`` and keyed digest ``KD`` of a Digest algorithm (RFC 7616 3.3), its
        ``-sess`` form alike (the session key is made in :meth:`_digest`).

        Raises:
            ValueError: an algorithm not in :data:`DIGEST_HASHES`.
        """
        name = DIGEST_HASHES.get(algorithm.upper().removesuffix("-SESS"))
        if name is None:
            raise ValueError(f"unsupported Digest algorithm {algorithm!r}")
        hash_name = name

        def digest(text: str) -> str:
            return hashlib.new(hash_name, text.encode("utf-8")).hexdigest()

        def keyed(secret: str, data: str) -> str:
            return digest(f"{secret}:{data}")

        return digest, keyed

    # ------------------------------------------------------------------ spaces

    def _has_credentials(self, url: str) -> bool:
        return self._passwords.find_user_password(None, url)[0] is not None

    def _challenge_for(self, url: str) -> Challenge | None:
        with self._lock:
            return self._find(*_where(url))

    def _was_probed(self, url: str) -> bool:
        with self._lock:
            return _where(url) in self._probed

    def _find(self, origin: str, path: str) -> Challenge | None:
        """The challenge of the space of ``path`` at ``origin`` with the longest prefix,
        if any (called with the lock held)."""
        found = [
            (len(prefix), challenge)
            for (where, prefix), challenge in self._spaces.items()
            if where == origin and path.startswith(prefix)
        ]
        return max(found, key=lambda pair: pair[0])[1] if found else None

    def _learn(self, url: str, challenge: Challenge) -> None:
        """Remember ``challenge`` for its space (called with the lock held), and forget
        the counts of the nonces no space has any more."""
        origin, path = _where(url)
        if challenge.scheme == "digest":
            domain = challenge.params.get("domain", "").split()
            prefixes = {path} if domain else {"/"}
            for uri in domain:
                where, prefix = _where(urljoin(url, uri))
                if where == origin:
                    prefixes.add(prefix)
        else:
            prefixes = {path[: path.rfind("/") + 1] or "/"}
        for prefix in prefixes:
            self._spaces[(origin, prefix)] = challenge
        self._probed.discard((origin, path))
        held = {(where, c.params.get("nonce", "")) for (where, _), c in self._spaces.items()}
        self._counts = {key: n for key, n in self._counts.items() if key in held}

    def _supported(self, found: list[Challenge]) -> Challenge | None:
        """The first Digest challenge we can answer (qop absent or offering ``auth``, a
        known algorithm), else the first Basic one."""
        for challenge in found:
            params = challenge.params
            if challenge.scheme != "digest" or "realm" not in params or "nonce" not in params:
                continue
            algorithm = params.get("algorithm", "MD5")
            qops = [qop.strip().lower() for qop in params.get("qop", "").split(",")]
            if "qop" in params and "auth" not in qops:
                continue
            if algorithm.upper().endswith("-SESS") and "qop" not in params:
                continue
            try:
                self.get_algorithm_impls(algorithm)
            except ValueError:
                continue
            return challenge
        return next((c for c in found if c.scheme == "basic"), None)

    def _probe(self, req: Request) -> None:
        """Learn the challenge of ``req``'s URL by a request without a body: HEAD, or GET
        where HEAD is refused. A probe that times out raises (the store does not answer);
        any other failure is left to the request itself to meet and report."""
        url = req.full_url
        agent = req.get_header("User-agent")
        for method in ("HEAD", "GET"):
            probe = _Probe(url, headers={"User-Agent": agent} if agent else {}, method=method)
            try:
                with self.parent.open(probe, timeout=req.timeout):
                    pass
                break
            except HTTPError as exc:
                exc.close()
                if exc.code not in (405, 501):
                    break
            except (OSError, HTTPException, ValueError) as exc:
                if _timed_out(exc):
                    raise
                break
        if self._challenge_for(url) is None:
            with self._lock:
                self._probed.add(_where(url))

    # ------------------------------------------------------------------ the header

    def _authorization(self, req: Request, challenge: Challenge) -> str | None:
        """The ``Authorization`` value for ``req`` answering ``challenge`` (a Digest
        nonce's count one up)."""
        params = challenge.params
        user, password = self._passwords.find_user_password(params.get("realm"), req.full_url)
        if user is None:
            return None
        if challenge.scheme == "basic":
            pair = f"{user}:{password or ''}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        key = (_where(req.full_url)[0], params["nonce"])
        with self._lock:
            count = self._counts[key] = self._counts.get(key, 0) + 1
        return self._digest(req, params, user, password or "", count)

    def _digest(
        self, req: Request, params: dict[str, str], user: str, password: str, count: int
    ) -> str:
        """A Digest ``Authorization`` value (RFC 7616 3.4), ``qop=auth`` when offered."""
        realm, nonce = params["realm"], params["nonce"]
        algorithm = params.get("algorithm", "MD5")
        digest, keyed = self.get_algorithm_impls(algorithm)
        cnonce = self.get_cnonce(nonce)
        secret = digest(f"{user}:{realm}:{password}")
        if algorithm.upper().endswith("-SESS"):
            secret = digest(f"{secret}:{nonce}:{cnonce}")
        uri = req.selector
        asked = digest(f"{req.get_method()}:{uri}")
        fields = [
            f"username={_quoted(user)}",
            f"realm={_quoted(realm)}",
            f"nonce={_quoted(nonce)}",
            f"uri={_quoted(uri)}",
            f"algorithm={algorithm}",
        ]
        if "qop" in params:
            nc = f"{count:08x}"
            response = keyed(secret, f"{nonce}:{nc}:{cnonce}:auth:{asked}")
            fields += ["qop=auth", f"nc={nc}", f"cnonce={_quoted(cnonce)}"]
        else:  # RFC 2069's, without nc or cnonce
            response = keyed(secret, f"{nonce}:{asked}")
        fields.append(f"response={_quoted(response)}")
        if "opaque" in params:
            fields.append(f"opaque={_quoted(params['opaque'])}")
        return "Digest " + ", ".join(fields)


def _worth_retrying(sent: str | None, challenge: Challenge) -> bool:
    """Whether a request that got ``challenge`` may pass if sent again: it went without
    credentials or with another scheme, or its Digest nonce is stale or no longer the
    server's. Not when the same credentials were refused for the same nonce."""
    if sent is None or not sent.lower().startswith(challenge.scheme + " "):
        return True
    if challenge.scheme != "digest":
        return False
    if challenge.params.get("stale", "").lower() == "true":
        return True
    ours = challenges([sent])
    return not ours or ours[0].params.get("nonce") != challenge.params.get("nonce")
