"""A client for a remote SPARQL 1.1 store: the Protocol for queries and updates, the Graph
Store Protocol for whole graphs; urllib only.

A store has up to three endpoints, at paths that differ from product to product, so they
are derived from one base URL by a named layout (:data:`LAYOUTS`) and each may be given
explicitly instead. Every request sends an identifying User-Agent, waits at most
``timeout`` seconds for an answer, and may authenticate (HTTP Basic or Digest, whichever
the store asks for, sent ahead of time once the store's challenge is known, so that a body
goes once: :mod:`.auth`). Every failure (a bad URL, unreachable, timed out, an HTTP error, an
answer that is not what the protocol promises) is an
:class:`~filmgraph.core.UpstreamError` naming the URL and the HTTP status, with the first
words of the store's own message. A query's answer may be read as it arrives
(:meth:`RemoteStore.open_query`, an :class:`OpenAnswer`), so that a long one is never held
whole.

Used by :mod:`.pushing` (graphs in) and :mod:`.engine` (queries out, ``store=remote:URL``).
(A notebook reads an endpoint through :class:`filmgraph.analysis.RemoteSource` instead.)
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode, urlsplit
from urllib.request import (
    BaseHandler,
    HTTPPasswordMgrWithDefaultRealm,
    OpenerDirector,
    Request,
    build_opener,
)

import pyoxigraph as ox
from rdflib import Graph
from rdflib.exceptions import ParserError

from ...core import (
    STORE_LAYOUTS,
    SettingError,
    Settings,
    Triple,
    UpstreamError,
    literals_as_written,
    nt_line,
    unreachable,
    user_agent,
)
from .auth import Authenticator

#: Where each product puts its endpoints, relative to the base URL given with ``--to``:
#: layout -> (query, update, Graph Store) (the table is the settings', which check it).
LAYOUTS = STORE_LAYOUTS

#: Layouts whose store lets a query's own FROM / FROM NAMED win over the protocol's
#: ``default-graph-uri`` / ``named-graph-uri`` (the protocol says they lose): Virtuoso 7.2.
FROM_WINS = frozenset({"virtuoso"})

#: Layouts whose store fails on blank nodes in an update template of two graphs (Virtuoso
#: 7.2: "string_output_string needs a string output", after inserting part of it): blank
#: nodes go in one request per graph there, so two graphs cannot share one.
SPLIT_BLANKS = frozenset({"virtuoso"})

#: The most triples a layout's store gives in one answer, by default (the
#: ``store_answer_limit`` setting overrides it): Virtuoso 7.2 refuses a CONSTRUCT over its
#: ``MaxVectorSize`` (1,000,000 by default) and cuts any answer over HTTP at 1,048,576 rows
#: (2**20, whatever ``ResultSetMaxRows`` says). A scan of a larger graph is read in parts
#: (:mod:`.scan`).
ANSWER_LIMITS: dict[str, int] = {"virtuoso": 1_000_000}

#: What we send with PUT: N-Triples text, which is also Turtle (every Graph Store reads
#: ``text/turtle``; not every one knows ``application/n-triples``).
SEND_TYPE = "text/turtle; charset=utf-8"
RESULTS_JSON = "application/sparql-results+json"

#: The header with which a store says it cut a query's answer at a limit of its own, and no
#: error was raised: Virtuoso's ``ResultSetMaxRows`` (10,000 rows in Debian's package).
CUT_HEADER = "X-SPARQL-MaxRows"


@dataclass(frozen=True)
class QueryAnswer:
    """The store's answer to a query: its media type (without parameters), its body, and the
    row limit at which the store says it cut it (:data:`CUT_HEADER`; None when whole)."""

    media_type: str
    body: bytes
    cut_at: int | None = None


class OpenAnswer:
    """The store's answer to a query, its body not read yet: read as a file (:meth:`read`)
    as it arrives, so that it is never held whole. What is read is kept while
    ``recording`` (so that :meth:`whole` can give the body from its first byte after a
    reader gave up on it); closed once read, or by :meth:`close`.

    A failure to read is raised as an :class:`~filmgraph.core.errors.UpstreamError` naming
    the URL."""

    def __init__(
        self, response: Any, url: str, timeout: float, media_type: str, cut_at: int | None
    ) -> None:
        self.url = url
        self.media_type = media_type
        #: The row limit at which the store says it cut the answer (:data:`CUT_HEADER`).
        self.cut_at = cut_at
        self.recording = True
        self._response = response
        self._timeout = timeout
        self._kept: list[bytes] = []

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of the body (all that is left when negative)."""
        try:
            # HTTPResponse reads all only when given no size (-1 misreads a chunked body)
            data: bytes = self._response.read() if size < 0 else self._response.read(size)
        except (OSError, HTTPException, ValueError) as exc:
            raise unreachable(exc, self.url, self._timeout, "POST") from exc
        if self.recording:
            self._kept.append(data)
        return data

    def whole(self) -> bytes:
        """The whole body: what was recorded, then the rest (read now); closed after."""
        with contextlib.closing(self):
            recorded = b"".join(self._kept)
            self._kept = []
            self.recording = False
            return recorded + self.read()

    def close(self) -> None:
        """Close the answer (what is not read yet is not)."""
        self._kept = []
        with contextlib.suppress(OSError, HTTPException):
            self._response.close()


@dataclass(frozen=True)
class Endpoints:
    """The URLs of one store. ``update`` is None when the store takes no SPARQL Update
    (or it is not to be used): then graphs are replaced one PUT at a time. ``from_wins``: the
    store lets a query's own FROM win over the protocol's dataset (:data:`FROM_WINS`).
    ``shared_blanks``: one update may give two graphs one blank node (not
    :data:`SPLIT_BLANKS`). ``answer_limit``: the most triples the store gives in one answer
    (:data:`ANSWER_LIMITS`; None: no limit)."""

    query: str
    gsp: str
    update: str | None = None
    from_wins: bool = False
    shared_blanks: bool = True
    answer_limit: int | None = None


def _checked(url: str, what: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingError(f"{what}: not an http(s) URL: {url!r}")
    return url


def endpoints(
    base: str | None = None,
    layout: str = "oxigraph",
    *,
    query: str | None = None,
    update: str | None = None,
    gsp: str | None = None,
    use_update: bool = True,
    answer_limit: int = 0,
) -> Endpoints:
    """The endpoints of a store: each given URL as given, the others from ``base`` and the
    ``layout``'s paths; ``answer_limit`` the most triples it gives in one answer (0: the
    layout's, :data:`ANSWER_LIMITS`).

    Raises:
        SettingError: an unknown layout, a URL that is not http(s), or an endpoint that is
            neither given nor derivable (no ``base``).

    >>> endpoints("http://127.0.0.1:7878")  # doctest: +NORMALIZE_WHITESPACE
    Endpoints(query='http://127.0.0.1:7878/query', gsp='http://127.0.0.1:7878/store',
              update='http://127.0.0.1:7878/update', from_wins=False, shared_blanks=True,
              answer_limit=None)
    >>> endpoints("http://127.0.0.1:8890", "virtuoso", answer_limit=10_000).answer_limit
    10000
    >>> endpoints("http://localhost:3030/ds/", "fuseki", use_update=False).gsp
    'http://localhost:3030/ds/data'
    """
    if layout not in LAYOUTS:
        raise SettingError(f"no store layout {layout!r}; layouts: {', '.join(LAYOUTS)}")
    root = _checked(base, "--to").rstrip("/") if base else None
    paths = dict(zip(("query", "update", "gsp"), LAYOUTS[layout], strict=True))
    given = {"query": query, "update": update, "gsp": gsp}
    urls: dict[str, str | None] = {}
    for name, url in given.items():
        if url:
            urls[name] = _checked(url, f"--{name}")
        elif root:
            urls[name] = root + paths[name]
        else:
            urls[name] = None
    missing = [f"--{n}" for n in ("query", "gsp") if urls[n] is None]
    if missing:
        raise SettingError(f"no store to push to: give --to, or {' and '.join(missing)}")
    return Endpoints(
        query=str(urls["query"]),
        gsp=str(urls["gsp"]),
        update=urls["update"] if use_update else None,
        from_wins=layout in FROM_WINS,
        shared_blanks=layout not in SPLIT_BLANKS,
        answer_limit=answer_limit or ANSWER_LIMITS.get(layout),
    )


def _cut_at(value: str | None) -> int | None:
    """The row limit a :data:`CUT_HEADER` names (0 when it names none we can read)."""
    if value is None:
        return None
    return int(value.strip()) if value.strip().isdigit() else 0


def cut_error(rows: int, url: str) -> UpstreamError:
    """The error of an answer the store cut at ``rows`` rows (:data:`CUT_HEADER`)."""
    return UpstreamError(
        f"the store cut its answer at {rows} rows ({CUT_HEADER}); raise its limit on result "
        "sizes (Virtuoso: ResultSetMaxRows in virtuoso.ini)",
        url,
    )


def _query_form(
    text: str, accept: str, default_graphs: Iterable[str], named_graphs: Iterable[str]
) -> tuple[bytes, dict[str, str]]:
    """The form and headers of a query sent by POST, its dataset by the protocol's
    ``default-graph-uri`` / ``named-graph-uri`` parameters."""
    params = [("query", text)]
    params += [("default-graph-uri", str(g)) for g in default_graphs]
    params += [("named-graph-uri", str(g)) for g in named_graphs]
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
    return urlencode(params).encode("utf-8"), headers


def _body_excerpt(exc: HTTPError) -> str:
    """The first words of an error answer (stores explain themselves there)."""
    try:
        text = exc.read(2000).decode("utf-8", errors="replace")
    except (OSError, HTTPException):
        return ""
    return " ".join(text.split())[:200]


class RemoteStore:
    """Whole graphs in, counts and graphs out, over HTTP.

    Args:
        endpoints: the store's URLs (:func:`endpoints`).
        timeout: seconds to wait for each answer.
        contact: a URL or e-mail address for the User-Agent.
        user, password: credentials for HTTP Basic or Digest authentication, if any: sent
            with every request once the store's challenge is known, a request with a body
            first learning it by a request without one (:class:`.auth.Authenticator`).
        opener: injectable for tests (``urllib.request.build_opener()``'s ``open``).
        agent: the whole User-Agent, instead of one made from ``contact``.
    """

    def __init__(
        self,
        endpoints: Endpoints,
        *,
        timeout: float = 60.0,
        contact: str = "https://w3id.org/filmgraph/",
        user: str = "",
        password: str = "",
        opener: OpenerDirector | None = None,
        agent: str = "",
    ) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self.user_agent = agent or user_agent(contact)
        if opener is None:
            handlers: list[BaseHandler] = []
            if user:
                passwords = HTTPPasswordMgrWithDefaultRealm()
                for url in (endpoints.query, endpoints.gsp, endpoints.update):
                    if url:
                        passwords.add_password(None, url, user, password)
                # Digest or Basic, whichever the store asks for (Digest if both)
                handlers = [Authenticator(passwords)]
            opener = build_opener(*handlers)
        self._opener = opener

    @classmethod
    def from_settings(cls, endpoints: Endpoints, settings: Settings) -> RemoteStore:
        return cls(
            endpoints,
            timeout=settings.push_timeout,
            contact=settings.wikidata_contact,
            user=settings.push_user,
            password=settings.push_password,
        )

    def _request(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """Send one request; the status and body of a 2xx answer.

        Raises:
            UpstreamError: anything else, naming the URL and the status.
        """
        with self._open(method, url, data=data, headers=headers) as answer:
            try:
                return answer.status, answer.read()
            except (OSError, HTTPException, ValueError) as exc:
                raise unreachable(exc, url, self.timeout, method) from exc

    def _open(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Send one request; the open answer of a 2xx (its body not read yet).

        Raises:
            UpstreamError: anything else, naming the URL and the status.
        """
        sent = {"User-Agent": self.user_agent, **(headers or {})}
        try:
            return self._opener.open(
                Request(url, data=data, headers=sent, method=method), timeout=self.timeout
            )
        except HTTPError as exc:
            said = _body_excerpt(exc)
            reason = f"{method} refused: {exc.reason or 'HTTP error'}" + (
                f": {said}" if said else ""
            )
            raise UpstreamError(reason, url, exc.code) from exc
        except (OSError, HTTPException, ValueError) as exc:  # URLError and time-outs too
            raise unreachable(exc, url, self.timeout, method) from exc

    def _graph_url(self, iri: str) -> str:
        return f"{self.endpoints.gsp}?{urlencode({'graph': iri}, safe=':/')}"

    def put(self, iri: str, triples: Iterable[Triple]) -> None:
        """Replace the graph ``iri`` with ``triples`` (a graph, or any triples; Graph Store
        Protocol PUT)."""
        body = "".join(map(nt_line, triples)).encode("utf-8")
        self._request("PUT", self._graph_url(iri), data=body, headers={"Content-Type": SEND_TYPE})

    def insert(self, graphs: dict[str, list[Triple]]) -> None:
        """Add ``graphs``' triples (graph IRI -> triples) in one request, ``INSERT { ... }
        WHERE {}``, whose template makes one blank node of a label across the graphs (a PUT
        per graph would give each graph blank nodes of its own; Virtuoso refuses blank nodes
        in ``INSERT DATA``). A store that cannot (``shared_blanks`` false) gets a request
        per graph.

        Raises:
            UpstreamError: as :meth:`update`.
        """
        blocks = [
            f"GRAPH <{iri}> {{\n{''.join(map(nt_line, triples))}}}"
            for iri, triples in graphs.items()
            if triples
        ]
        requests = [blocks] if self.endpoints.shared_blanks else [[block] for block in blocks]
        for chosen in requests:
            if chosen:
                self.update(f"INSERT {{\n{chr(10).join(chosen)}\n}} WHERE {{}}")

    def get(self, iri: str) -> Graph:
        """The graph ``iri`` as the store holds it (empty if the store has no such graph)."""
        url = self._graph_url(iri)
        try:
            _, body = self._request("GET", url, headers={"Accept": "application/n-triples"})
        except UpstreamError as exc:
            if exc.upstream_status == 404:
                return Graph()
            raise
        graph = Graph()
        try:
            with literals_as_written():
                graph.parse(data=body.decode("utf-8"), format="nt")
        except (UnicodeDecodeError, ParserError) as exc:
            raise UpstreamError(f"the answer is not N-Triples ({exc})", url) from exc
        return graph

    def update(self, text: str) -> None:
        """Run a SPARQL Update request (one request: one transaction where the store has them).

        Raises:
            UpstreamError: the store refused or failed it, or no update endpoint is known.
        """
        if not self.endpoints.update:
            raise UpstreamError("no SPARQL Update endpoint", self.endpoints.gsp)
        form = urlencode({"update": text}).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        self._request("POST", self.endpoints.update, data=form, headers=headers)

    def select(self, text: str) -> list[dict[str, str]]:
        """The rows of a SELECT query, each variable's value as a string."""
        url = self.endpoints.query
        form = urlencode({"query": text}).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": RESULTS_JSON}
        _, body = self._request("POST", url, data=form, headers=headers)
        try:
            rows: Any = json.loads(body)["results"]["bindings"]
            return [{name: cell["value"] for name, cell in row.items()} for row in rows]
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UpstreamError(f"the answer is not SPARQL JSON results ({exc!r})", url) from exc

    def query(
        self,
        text: str,
        accept: str,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
    ) -> QueryAnswer:
        """Send a query to the query endpoint (POST, form-encoded), its dataset given by the
        protocol's ``default-graph-uri`` / ``named-graph-uri`` parameters (which take
        precedence over the query's own FROM / FROM NAMED)."""
        said = self.open_query(text, accept, default_graphs, named_graphs)
        return QueryAnswer(said.media_type, said.whole(), said.cut_at)

    def open_query(
        self,
        text: str,
        accept: str,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
    ) -> OpenAnswer:
        """:meth:`query`, its answer's body not read yet (the caller reads and closes it).

        Raises:
            UpstreamError: the store refused the query or could not be reached.
        """
        form, headers = _query_form(text, accept, default_graphs, named_graphs)
        url = self.endpoints.query
        answer = self._open("POST", url, data=form, headers=headers)
        said = answer.headers
        return OpenAnswer(
            answer, url, self.timeout, said.get_content_type(), _cut_at(said.get(CUT_HEADER))
        )

    def construct(
        self, text: str, default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()
    ) -> Iterator[ox.Triple]:
        """The triples of a CONSTRUCT query, as N-Triples parsed as they arrive: the answer
        is never held whole, whatever its size (sent as :meth:`query` sends a query, when
        the first triple is asked for).

        Raises:
            UpstreamError: the store refused the query, cut its answer at a row limit
                (:data:`CUT_HEADER`), or answered something that is not N-Triples.
        """
        accept = "application/n-triples, text/plain;q=0.5"
        form, headers = _query_form(text, accept, default_graphs, named_graphs)
        url = self.endpoints.query
        with self._open("POST", url, data=form, headers=headers) as answer:
            cut = _cut_at(answer.headers.get(CUT_HEADER))
            if cut is not None:
                raise cut_error(cut, url)
            try:
                for quad in ox.parse(answer, format=ox.RdfFormat.N_TRIPLES):
                    yield ox.Triple(quad.subject, quad.predicate, quad.object)
            except SyntaxError as exc:
                raise UpstreamError(f"the answer is not N-Triples ({exc})", url) from exc
            except (OSError, HTTPException) as exc:
                raise unreachable(exc, url, self.timeout, "POST") from exc

    def counts(self, iris: Iterable[str]) -> dict[str, int]:
        """Triples in each named graph (0 for a graph the store does not have), one query."""
        iris = list(dict.fromkeys(iris))
        if not iris:
            return {}
        values = " ".join(f"<{iri}>" for iri in iris)
        rows = self.select(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
            "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        found = {iri: 0 for iri in iris}
        for row in rows:
            try:
                found[row["g"]] = int(row["n"])
            except (KeyError, ValueError) as exc:
                raise UpstreamError(f"unexpected count row {row}", self.endpoints.query) from exc
        return found

    def existing(self, iris: Iterable[str]) -> list[str]:
        """Those of the named graphs ``iris`` that hold at least one triple (one query,
        which stops at each graph's first triple: no graph is scanned)."""
        iris = list(dict.fromkeys(iris))
        if not iris:
            return []
        values = " ".join(f"<{iri}>" for iri in iris)
        rows = self.select(
            f"SELECT ?g WHERE {{ VALUES ?g {{ {values} }} "
            "FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }"
        )
        found = {row["g"] for row in rows if "g" in row}
        return [iri for iri in iris if iri in found]

    def graph_names(self) -> set[str]:
        """The names of the store's named graphs that hold at least one triple."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return {row["g"] for row in rows if "g" in row}
