"""Settings: one frozen object, checked when it is made, and the one table of every setting's
default, environment variable and help text.

Configuration flows one way: CLI options (or a caller's keyword arguments) -> ``Settings`` ->
``build`` and the layers above it. Nothing reads the environment after ``Settings.from_env``.
Every value is checked as the object is made, whoever makes it: a bad one raises
:class:`~filmgraph.core.errors.SettingError` naming the setting, and text (from the
environment or a command line) is converted the same way.

>>> Settings(workers=0)
Traceback (most recent call last):
filmgraph.core.errors.SettingError: workers: must be at least 1, not 0
>>> Settings(store="remote:http://127.0.0.1:7878").store_url
'http://127.0.0.1:7878'
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import SettingError
from .namespaces import FGID
from .project import Project, bundled_root, find_root, output_root, read_project

#: The stores (backends) queries can run on, by the name the ``store`` setting gives them:
#: where each is defined (``module:Class``, opened by :func:`filmgraph.store.open_backend`)
#: and what it is. A store that takes an argument is written ``NAME:ARGUMENT``.
STORES: dict[str, tuple[str, str]] = {
    "oxigraph": (
        "filmgraph.store.oxigraph:OxigraphBackend",
        "the default: the build in an Oxigraph store on disk (BUILD_DIR/oxigraph), "
        "Oxigraph's engine",
    ),
    "memory": (
        "filmgraph.store.memory:MemoryBackend",
        "rdflib's engine over the build in memory",
    ),
    "remote": (
        "filmgraph.store.remote:RemoteBackend",
        "remote:URL, a SPARQL 1.1 store at URL that holds our graphs (see store_layout)",
    ),
}

#: The stores whose name is followed by ``:URL``.
STORES_WITH_URL = frozenset({"remote"})

#: Where each SPARQL store product keeps its endpoints under the base URL it is given:
#: layout -> (query, update, Graph Store) paths. For Fuseki the base is the dataset
#: (``http://host:3030/ds``); for the others, the server.
STORE_LAYOUTS: dict[str, tuple[str, str, str]] = {
    "oxigraph": ("/query", "/update", "/store"),
    "fuseki": ("/sparql", "/update", "/data"),
    "virtuoso": ("/sparql", "/sparql-auth", "/sparql-graph-crud-auth"),
}

#: The OWL 2 RL engines, by name (``filmgraph.reason`` implements each).
REASONERS: dict[str, str] = {
    "owlrl": "owlrl, pure Python: the reference",
    "reasonable": "reasonable, Rust: fast (the 'fast' extra)",
    "rules": "the OWL 2 RL rules as SPARQL queries the Oxigraph store evaluates: memory "
    "bounded at any size",
}


# ---------------------------------------------------------------- conversions
# Each takes a value of the setting's type, or text (from the environment or a command
# line), and returns the value, or raises ValueError saying what is wrong.


def _path(value: Any) -> Path:
    if isinstance(value, str) and value.strip():
        return Path(value)
    if isinstance(value, Path):
        return value
    raise ValueError(f"not a path: {value!r}")


def _optional_path(value: Any) -> Path | None:
    return None if value is None or value == "" else _path(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not text: {value!r}")
    return value


def _flag(value: Any) -> bool:
    """A yes/no value: a bool, or 1/true/yes/on and 0/false/no/off (or empty) as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
    raise ValueError(f"not a yes/no value: {value!r}")


def _number(kind: type, minimum: float, *, above: bool = False) -> Callable[[Any], Any]:
    """An int or float of at least ``minimum`` (more than it, with ``above``)."""

    def convert(value: Any) -> Any:
        if isinstance(value, str):
            try:
                value = kind(value.strip())
            except ValueError:
                raise ValueError(f"not {_NUMBER_NAMES[kind]}: {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"not {_NUMBER_NAMES[kind]}: {value!r}")
        if kind is int and not isinstance(value, int):
            raise ValueError(f"not a whole number: {value!r}")
        if value < minimum or (above and value == minimum):
            bound = f"more than {minimum:g}" if above else f"at least {minimum:g}"
            raise ValueError(f"must be {bound}, not {value:g}")
        return kind(value)

    return convert


_NUMBER_NAMES = {int: "a whole number", float: "a number"}


def _one_of(table: Mapping[str, object], what: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if value not in table:
            raise ValueError(f"{value!r} is not {what}: {', '.join(table)}")
        return str(value)

    return convert


def _url(value: Any, *, empty: bool = False) -> str:
    """An absolute http(s) URL (or "" where ``empty`` allows none)."""
    text = _text(value).strip()
    if empty and not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {text!r}")
    return text


def _iri(value: Any) -> str:
    """An absolute IRI: a scheme, then no spaces, quotes or angle brackets."""
    text = _text(value).strip()
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*", text):
        raise ValueError(f"not an absolute IRI: {text!r}")
    return text


def _urls(value: Any) -> tuple[str, ...]:
    """http(s) URLs: a sequence of them, or comma-separated text."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, Iterable):
        raise ValueError(f"not a list of URLs: {value!r}")
    return tuple(dict.fromkeys(_url(item) for item in value))


def _store(value: Any) -> str:
    """``memory``, ``oxigraph``, or ``remote:URL`` (any name of :data:`STORES`)."""
    text = _text(value).strip()
    name, colon, argument = text.partition(":")
    if name not in STORES:
        names = ", ".join(f"{n}:URL" if n in STORES_WITH_URL else n for n in STORES)
        raise ValueError(f"{text!r} is not a store: {names}")
    if name in STORES_WITH_URL:
        if not colon:
            raise ValueError(f"the {name} store needs a URL: {name}:URL")
        return f"{name}:{_url(argument)}"
    if colon:
        raise ValueError(f"the {name} store takes no argument: {text!r}")
    return name


def _cores() -> int:
    """The processor cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no sched_getaffinity (macOS)
        return os.cpu_count() or 1


#: Query workers by default: two per core, from 2 to 8. A query's hop to its worker and
#: back leaves the worker idle until the web process hands it the next; with twice as many
#: workers as cores, another worker uses the core meanwhile (benchmarks/RESULTS.md, "Cheap
#: queries in the web process; workers below the loop": on 2 cores, 4 workers below the web
#: process answered the Balagov mix about 20% faster than 2). Each worker holds its own
#: engine, so more than 8 is for the operator to choose.
DEFAULT_WORKERS = min(8, max(2, 2 * _cores()))


def _setting(
    default: Any, help: str, env: str, convert: Callable[[Any], Any], shown: str = ""
) -> Any:
    """A field of :class:`Settings`: its default, help text, environment variable, how its
    value is converted and checked, and how the default is shown (when not as itself)."""
    metadata = {"help": help, "env": env, "convert": convert, "shown": shown}
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Settings:
    """Everything that can be configured, with its default; checked when made.

    Raises:
        SettingError: a value the setting cannot take (the message names the setting).

    >>> Settings().claims_file.name
    'claims.toml'
    """

    root: Path = _setting(
        None,
        "Project folder: filmgraph.toml (title, home entity, ...), ontology/, data/ and queries/.",
        "FILMGRAPH_ROOT",
        _optional_path,
        "the current folder if it holds filmgraph.toml, else the bundled Balagov project",
    )
    build_dir: Path | None = _setting(
        None,
        "Where `filmgraph build` writes the built dataset, the cache and the Oxigraph store "
        "(for the bundled project of an installed wheel: a folder in the user's cache).",
        "FILMGRAPH_BUILD_DIR",
        _optional_path,
        "ROOT/build",
    )
    reasoner: str = _setting(
        "owlrl",
        "OWL 2 RL engine: " + "; ".join(f"{k} ({v})" for k, v in REASONERS.items()) + ".",
        "FILMGRAPH_REASONER",
        _one_of(REASONERS, "a reasoner"),
    )
    cache: bool = _setting(
        True,
        "Reuse the last build when no input file, setting or engine version changed.",
        "FILMGRAPH_CACHE",
        _flag,
        "on",
    )

    host: str = _setting(
        "127.0.0.1",
        "Address `filmgraph serve` listens on (0.0.0.0 for every interface).",
        "FILMGRAPH_HOST",
        _text,
    )
    port: int = _setting(
        8000,
        "Port `filmgraph serve` listens on (0: any free port).",
        "FILMGRAPH_PORT",
        _number(int, 0),
    )
    public_url: str = _setting(
        "",
        "The URL the endpoint is reached at (e.g. https://films.example.org/), from which "
        "absolute URLs are made (the service description's and VoID's endpoint); empty: "
        "http://HOST:PORT/, the address served on. Never the request's Host header.",
        "FILMGRAPH_PUBLIC_URL",
        lambda value: _url(value, empty=True),
        "http://HOST:PORT/",
    )
    workers: int = _setting(
        DEFAULT_WORKERS,
        "Query worker processes: how many queries run at once (twice the processor cores "
        "keeps the cores busy while each worker waits for its next query).",
        "FILMGRAPH_WORKERS",
        _number(int, 1),
        "2 per processor core, 2 to 8",
    )
    reserve_workers: int = _setting(
        1,
        "Query workers kept for quick queries while slow ones hold every regular worker (0: none).",
        "FILMGRAPH_RESERVE_WORKERS",
        _number(int, 0),
    )
    reserve_timeout: float = _setting(
        2.0,
        "Seconds a query may run on a reserve worker (at most query_timeout).",
        "FILMGRAPH_RESERVE_TIMEOUT",
        _number(float, 0, above=True),
        "2",
    )
    heavy_workers: int = _setting(
        1,
        "Query workers, at a lower CPU priority, that run the queries known to be heavy "
        "(0: none; heavy queries share the regular workers). Over a remote store, which "
        "does the work itself, at least as many as `workers` (unless 0).",
        "FILMGRAPH_HEAVY_WORKERS",
        _number(int, 0),
    )
    heavy_after: float = _setting(
        0.25,
        "Seconds after which a running query counts as heavy: it is remembered, never runs "
        "on a reserve worker and from then on runs on the heavy workers.",
        "FILMGRAPH_HEAVY_AFTER",
        _number(float, 0, above=True),
        "0.25",
    )
    inline_under: float = _setting(
        0.002,
        "CPU seconds of a query worker under which a query counts as cheap: from then on "
        "it is answered in the web process, with no hop to a worker (Oxigraph store only; "
        "never a query that names SERVICE, RAND, NOW, UUID, STRUUID or BNODE). 0: every "
        "query goes to a worker.",
        "FILMGRAPH_INLINE_UNDER",
        _number(float, 0),
        "0.002",
    )
    threads: int = _setting(
        16,
        "Threads of the server for every request but queries (pages, exports, /explain): "
        "how many of those are answered at once. Queries are answered on its event loop.",
        "FILMGRAPH_THREADS",
        _number(int, 1),
    )
    client_queries: int = _setting(
        0,
        "Queries one client (an address) may have in progress at once; one more gets 429 "
        "with Retry-After (0: no limit). Behind a reverse proxy set trusted_proxy too.",
        "FILMGRAPH_CLIENT_QUERIES",
        _number(int, 0),
    )
    trusted_proxy: str = _setting(
        "",
        "Address of the reverse proxy in front of `filmgraph serve` (e.g. 127.0.0.1), whose "
        "X-Forwarded-For header names the client; empty: no proxy is trusted, the peer is "
        "the client.",
        "FILMGRAPH_TRUSTED_PROXY",
        _text,
    )
    connection_limit: int = _setting(
        1000,
        "Connections `filmgraph serve` keeps open at once; near it, idle connections and "
        "the slowest to send their headers are closed first to make room.",
        "FILMGRAPH_CONNECTION_LIMIT",
        _number(int, 1),
    )
    idle_timeout: float = _setting(
        5.0,
        "Seconds a connection may send nothing (before its first request, between requests) "
        "or read nothing of its answer before it is closed.",
        "FILMGRAPH_IDLE_TIMEOUT",
        _number(float, 0, above=True),
        "5",
    )
    header_timeout: float = _setting(
        10.0,
        "Seconds from a request's first byte until its headers are complete, or the "
        "connection is closed (slow clients sending a header line at a time).",
        "FILMGRAPH_HEADER_TIMEOUT",
        _number(float, 0, above=True),
        "10",
    )
    body_timeout: float = _setting(
        30.0,
        "Seconds from a request's headers until its body is complete, or the connection is closed.",
        "FILMGRAPH_BODY_TIMEOUT",
        _number(float, 0, above=True),
        "30",
    )
    query_timeout: float = _setting(
        10.0,
        "Seconds a query may run before it is stopped (503).",
        "FILMGRAPH_QUERY_TIMEOUT",
        _number(float, 0, above=True),
        "10",
    )
    scan_timeout: float = _setting(
        2.0,
        "Seconds the entity index may spend on a query that reads every entity (finding "
        "those with no type, a search by name); past them it shows what it did not count "
        "(a search answers 503). At most query_timeout.",
        "FILMGRAPH_SCAN_TIMEOUT",
        _number(float, 0, above=True),
        "2",
    )
    framed_limit: int = _setting(
        200_000,
        "Most triples a framed JSON-LD export may hold: it is built whole in memory, so "
        "larger graphs are refused (403); every other export format is streamed.",
        "FILMGRAPH_FRAMED_LIMIT",
        _number(int, 1),
        "200000",
    )
    explain_depth: int = _setting(
        12,
        "Rule applications an explanation may chain; a fact with no derivation as short is "
        "shown as bounded.",
        "FILMGRAPH_EXPLAIN_DEPTH",
        _number(int, 1),
    )
    explain_time: float = _setting(
        5.0,
        "Seconds one explanation may take to compute; past them it is shown as bounded.",
        "FILMGRAPH_EXPLAIN_TIME",
        _number(float, 0, above=True),
        "5",
    )
    max_rows: int = _setting(
        10_000,
        "Rows (or triples) a result may have; longer results are cut and say so. 0: no "
        "cap (on the Oxigraph and remote stores a SELECT is then written as it is "
        "evaluated, in bounded memory, as a store's own endpoint answers).",
        "FILMGRAPH_MAX_ROWS",
        _number(int, 0),
    )
    max_body: int = _setting(
        1_000_000,
        "Bytes a request body may have (413 beyond).",
        "FILMGRAPH_MAX_BODY",
        _number(int, 1),
    )
    max_query_length: int = _setting(
        100_000,
        "Characters a query may have (413, or 414 in a URL, beyond).",
        "FILMGRAPH_MAX_QUERY_LENGTH",
        _number(int, 1),
    )
    worker_memory: int = _setting(
        4096,
        "Megabytes of memory a query worker may use (0: no limit).",
        "FILMGRAPH_WORKER_MEMORY",
        _number(int, 0),
    )
    result_cache: int = _setting(
        64,
        "Megabytes of answers kept to serve repeated queries again (0: no cache).",
        "FILMGRAPH_RESULT_CACHE",
        _number(int, 0),
    )
    base_iri: str = _setting(
        str(FGID),
        "The IRI relative IRIs in a query resolve against, on every store (a query's own "
        "BASE wins); by default the entities' namespace, so <kantemir-balagov> is "
        "fgid:kantemir-balagov.",
        "FILMGRAPH_BASE_IRI",
        _iri,
    )
    service_allow: tuple[str, ...] = _setting(
        (),
        "SERVICE endpoints queries may call, comma-separated "
        "(e.g. https://query.wikidata.org/sparql).",
        "FILMGRAPH_SERVICE_ALLOW",
        _urls,
        "none",
    )
    store: str = _setting(
        "oxigraph",
        "Where queries run: " + "; ".join(f"{n} ({h})" for n, (_, h) in STORES.items()) + ".",
        "FILMGRAPH_STORE",
        _store,
    )
    store_layout: str = _setting(
        "oxigraph",
        "Where a remote store (store=remote:URL) keeps its query endpoint under URL: "
        "oxigraph (/query), fuseki (URL the dataset, /sparql) or virtuoso (/sparql).",
        "FILMGRAPH_STORE_LAYOUT",
        _one_of(STORE_LAYOUTS, "a store layout"),
    )
    store_answer_limit: int = _setting(
        0,
        "The most triples a remote store (store=remote:URL) gives in one answer: a scan of a "
        "larger graph (an export) is read in parts, each checked against its count. 0: the "
        "layout's (virtuoso: 1,000,000, its MaxVectorSize; the others: no limit). Set it to "
        "Virtuoso's ResultSetMaxRows where that is lower (10,000 in Debian's package).",
        "FILMGRAPH_STORE_ANSWER_LIMIT",
        _number(int, 0),
    )
    store_timeout: float = _setting(
        30.0,
        "Seconds to wait for each answer from a remote store (store=remote:URL).",
        "FILMGRAPH_STORE_TIMEOUT",
        _number(float, 0, above=True),
        "30",
    )
    wikidata_api: str = _setting(
        "https://www.wikidata.org/w/api.php",
        "Wikidata's action API, asked by `filmgraph wikidata link --online` "
        "(wbsearchentities, wbgetentities).",
        "FILMGRAPH_WIKIDATA_API",
        _url,
    )
    wikidata_reconcile: str = _setting(
        "",
        "A W3C Reconciliation API service to find link candidates instead of "
        "wbsearchentities (e.g. https://wikidata.reconci.link/en/api); empty: search.",
        "FILMGRAPH_WIKIDATA_RECONCILE",
        lambda value: _url(value, empty=True),
        "none",
    )
    wikidata_timeout: float = _setting(
        10.0,
        "Seconds to wait for each answer from Wikidata or the reconciliation service.",
        "FILMGRAPH_WIKIDATA_TIMEOUT",
        _number(float, 0, above=True),
        "10",
    )
    wikidata_contact: str = _setting(
        "https://w3id.org/filmgraph/",
        "How Wikimedia can reach whoever runs the linker or the endpoint's federated "
        "queries (a URL or e-mail address), sent in the User-Agent of every request.",
        "FILMGRAPH_WIKIDATA_CONTACT",
        _text,
    )
    push_timeout: float = _setting(
        60.0,
        "Seconds `filmgraph push` waits for each answer from the remote store.",
        "FILMGRAPH_PUSH_TIMEOUT",
        _number(float, 0, above=True),
        "60",
    )
    push_user: str = _setting(
        "",
        "User name `filmgraph push` gives the remote store when it asks (HTTP Basic or "
        "Digest); empty: none.",
        "FILMGRAPH_PUSH_USER",
        _text,
        "none",
    )
    push_password: str = field(
        default="",
        repr=False,
        metadata={
            "help": "Password for push_user; from the environment only, never an option.",
            "env": "FILMGRAPH_PUSH_PASSWORD",
            "convert": _text,
            "shown": "none",
        },
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, convert(f.name, getattr(self, f.name)))
        object.__setattr__(self, "root", find_root(self.root))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from FILMGRAPH_* environment variables, then explicit overrides (those
        that are None are left out).

        Raises:
            SettingError: a value the setting cannot take; the message names the variable.
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = f.metadata["env"]
            if name in environ:
                try:
                    values[f.name] = f.metadata["convert"](environ[name])
                except ValueError as exc:
                    raise SettingError(f"{name}: {exc}") from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """A copy with ``changes``, checked as a new object is."""
        return replace(self, **changes)

    # The store the ``store`` setting names, and its URL.
    @property
    def store_name(self) -> str:
        """The name of the store (``memory``, ``oxigraph``, ``remote``)."""
        return self.store.partition(":")[0]

    @property
    def store_url(self) -> str | None:
        """The URL of a remote store (``remote:URL``), else None."""
        name, _, argument = self.store.partition(":")
        return argument if name in STORES_WITH_URL else None

    @property
    def row_cap(self) -> int | None:
        """The rows a result may have (``max_rows``), None for no cap (``max_rows`` 0)."""
        return self.max_rows or None

    # Paths derived from root: one place that knows the project layout.
    @property
    def project(self) -> Project:
        """The project's metadata (ROOT/filmgraph.toml).

        Raises:
            DataError: no metadata file, or a malformed one.
        """
        return read_project(self.root)

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "ontology" / "shapes"

    @property
    def checks_dir(self) -> Path:
        return self.root / "ontology" / "checks"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def facts_file(self) -> Path:
        return self.root / self.project.facts

    @property
    def provenance_file(self) -> Path:
        return self.data_dir / "provenance.ttl"

    @property
    def claims_file(self) -> Path:
        return self.data_dir / "claims.toml"

    @property
    def tool_root(self) -> Path:
        """Where filmgraph's own files are, for every project: its vocabulary (fg:), its
        integrity checks and schema.org's vocabulary (the bundled project's folder)."""
        return bundled_root()

    @property
    def ontology_files(self) -> list[Path]:
        """The ontology graph's Turtle files: filmgraph's vocabulary, then the project's
        ontology/*.ttl (its schema.org subset and extensions; a file of the same name as
        filmgraph's replaces it)."""
        tool = [self.tool_root / "ontology" / "filmgraph.ttl"]
        return _overlaid(tool, sorted(self.ontology_dir.glob("*.ttl")))

    @property
    def check_files(self) -> list[Path]:
        """The SPARQL integrity checks: filmgraph's, then the project's ontology/checks/*.rq
        (one of the same name as filmgraph's replaces it)."""
        tool = sorted((self.tool_root / "ontology" / "checks").glob("*.rq"))
        return _overlaid(tool, sorted(self.checks_dir.glob("*.rq")))

    @property
    def schemaorg_vocabulary(self) -> Path:
        return self.tool_root / "data" / "vendor" / "schemaorg-30.0.ttl"

    @property
    def schemaorg_context(self) -> Path:
        """schema.org's JSON-LD context, served to pyld by the local loader (export.jsonld)."""
        return self.tool_root / "data" / "vendor" / "schemaorg-context-30.0.jsonld"

    @property
    def schemaorg_subset(self) -> Path:
        return self.ontology_dir / "schemaorg-subset.ttl"

    @property
    def links_file(self) -> Path:
        return self.data_dir / "wikidata" / "links.tsv"

    @property
    def wikidata_facts(self) -> Path:
        return self.data_dir / "wikidata" / "facts.tsv"

    @property
    def wikidata_snapshot(self) -> Path:
        return self.data_dir / "wikidata" / "snapshot.ttl"

    @property
    def wikidata_reference(self) -> Path:
        return self.data_dir / "wikidata" / "qids.tsv"

    @property
    def wikidata_containment(self) -> Path:
        return self.data_dir / "wikidata" / "containment.tsv"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def output_dir(self) -> Path:
        return self.build_dir or output_root(self.root)

    @property
    def oxigraph_dir(self) -> Path:
        return self.output_dir / "oxigraph"

    @property
    def cache_file(self) -> Path:
        return self.output_dir / "cache" / f"dataset-{self.reasoner}.nq"


_FIELDS = {f.name: f for f in fields(Settings)}


def _overlaid(tool: list[Path], project: list[Path]) -> list[Path]:
    """filmgraph's files but those the project has one of the same name for, then the
    project's (the bundled project's are filmgraph's own: each once)."""
    names = {path.name for path in project}
    return [path for path in tool if path.name not in names] + project


def convert(name: str, value: Any) -> Any:
    """The value of setting ``name`` from ``value`` (of its type, or text), checked.

    Raises:
        SettingError: no such setting, or a value it cannot take (names the setting).

    >>> convert("port", "8001")
    8001
    """
    if name not in _FIELDS:
        raise SettingError(f"no setting named {name!r}")
    try:
        return _FIELDS[name].metadata["convert"](value)
    except ValueError as exc:
        raise SettingError(f"{name}: {exc}") from exc


@dataclass(frozen=True)
class SettingHelp:
    """One row of the settings table: what the CLI help and the docs show."""

    name: str
    env: str
    default: str
    help: str


def settings_help() -> list[SettingHelp]:
    """Every setting, in order, with its environment variable, default and help text: the
    one source of the CLI's help and the README's table.

    >>> [s.default for s in settings_help() if s.name in ("port", "build_dir")]
    ['ROOT/build', '8000']
    """
    return [
        SettingHelp(
            f.name, f.metadata["env"], f.metadata["shown"] or str(f.default), f.metadata["help"]
        )
        for f in fields(Settings)
    ]


def setting_default(name: str) -> Any:
    """The default value of setting ``name``, for code that takes it as an argument.

    >>> setting_default("explain_depth")
    12
    """
    return _FIELDS[name].default


def setting_help(name: str) -> str:
    """The help text of one setting, with its environment variable and default, for a
    command-line option.

    >>> setting_help("heavy_after").endswith("[env FILMGRAPH_HEAVY_AFTER; default 0.25]")
    True
    """
    f = _FIELDS[name]
    default = f.metadata["shown"] or str(f.default)
    return f"{f.metadata['help']} [env {f.metadata['env']}; default {default}]"
