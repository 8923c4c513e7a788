"""Settings: one frozen object with every default and its help text.

Configuration flows one way: CLI options (or a caller's keyword arguments) -> ``Settings`` ->
``build`` and the layers above it. Nothing reads the environment after ``Settings.from_env``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import SettingError


def _default_root() -> Path:
    """The folder holding ontology/, data/ and queries/: the checkout this package runs from."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2], Path.cwd()):
        if (candidate / "ontology").is_dir() and (candidate / "data").is_dir():
            return candidate
    return here.parents[2]


def _flag(text: str) -> bool:
    """An environment flag: 1/true/yes/on or 0/false/no/off."""
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a yes/no value: {text!r}")


def _names(text: str) -> tuple[str, ...]:
    """A comma-separated list, e.g. of SERVICE endpoints."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _one_of(*choices: str) -> Any:
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        return text

    return parse


#: The ``store`` setting's value for a remote SPARQL store starts with this.
REMOTE = "remote:"


def parse_store(text: str) -> str:
    """The ``store`` setting: ``memory``, ``oxigraph`` or ``remote:URL`` (an http(s) URL).

    >>> parse_store("remote:http://127.0.0.1:7878")
    'remote:http://127.0.0.1:7878'
    """
    if text in ("memory", "oxigraph"):
        return text
    if text.startswith(REMOTE):
        url = text[len(REMOTE) :]
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            return text
        raise ValueError(f"remote:URL needs an http(s) URL, not {url!r}")
    raise ValueError(f"{text!r} is not memory, oxigraph or remote:URL")


def _layout(text: str) -> str:
    from ..store import LAYOUTS  # imported here: remote_store imports this module

    return _one_of(*LAYOUTS)(text)  # type: ignore[no-any-return]


def _positive(kind: Any) -> Any:
    def parse(text: str) -> Any:
        value = kind(text)
        if value < 0:
            raise ValueError(f"must not be negative: {text!r}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _setting(default: Any, help: str, env: str, parse: Any = Path) -> Any:
    return field(default=default, metadata={"help": help, "env": env, "parse": parse})


@dataclass(frozen=True)
class Settings:
    """Everything that can be configured, with its default.

    >>> Settings().claims_file.name
    'claims.toml'
    """

    root: Path = _setting(
        _default_root(),
        "Project folder holding ontology/, data/ and queries/.",
        "FILMGRAPH_ROOT",
    )
    build_dir: Path | None = _setting(
        None,
        "Where `filmgraph build` writes the built dataset (default: ROOT/build).",
        "FILMGRAPH_BUILD_DIR",
    )
    reasoner: str = _setting(
        "owlrl",
        "OWL 2 RL engine: owlrl (reference) or reasonable (fast; the 'fast' extra).",
        "FILMGRAPH_REASONER",
        str,
    )
    cache: bool = _setting(
        True,
        "Reuse the last build when no input file, setting or engine version changed.",
        "FILMGRAPH_CACHE",
        _flag,
    )

    host: str = _setting(
        "127.0.0.1",
        "Address `filmgraph serve` listens on (0.0.0.0 for every interface).",
        "FILMGRAPH_HOST",
        str,
    )
    port: int = _setting(8000, "Port `filmgraph serve` listens on.", "FILMGRAPH_PORT", int)
    workers: int = _setting(
        2,
        "Query worker processes: how many queries run at once.",
        "FILMGRAPH_WORKERS",
        _positive(int),
    )
    threads: int = _setting(
        16,
        "HTTP threads of the server: how many requests are taken at once.",
        "FILMGRAPH_THREADS",
        _positive(int),
    )
    query_timeout: float = _setting(
        10.0,
        "Seconds a query may run before it is stopped (503).",
        "FILMGRAPH_QUERY_TIMEOUT",
        _positive(float),
    )
    max_rows: int = _setting(
        10_000,
        "Rows (or triples) a result may have; longer results are cut and say so.",
        "FILMGRAPH_MAX_ROWS",
        _positive(int),
    )
    max_body: int = _setting(
        1_000_000,
        "Bytes a request body may have (413 beyond).",
        "FILMGRAPH_MAX_BODY",
        _positive(int),
    )
    max_query_length: int = _setting(
        100_000,
        "Characters a query may have (413/414 beyond).",
        "FILMGRAPH_MAX_QUERY_LENGTH",
        _positive(int),
    )
    worker_memory: int = _setting(
        4096,
        "Megabytes of memory a query worker may use (0: no limit).",
        "FILMGRAPH_WORKER_MEMORY",
        _positive(int),
    )
    result_cache: int = _setting(
        64,
        "Megabytes of answers kept to serve repeated queries again (0: no cache).",
        "FILMGRAPH_RESULT_CACHE",
        _positive(int),
    )
    service_allow: tuple[str, ...] = _setting(
        (),
        "SERVICE endpoints queries may call, comma-separated; none by default "
        "(e.g. https://query.wikidata.org/sparql).",
        "FILMGRAPH_SERVICE_ALLOW",
        _names,
    )
    store: str = _setting(
        "memory",
        "Where queries run: memory (rdflib's engine over the build in memory), oxigraph "
        "(the build in an Oxigraph store on disk, BUILD_DIR/oxigraph, and Oxigraph's engine) "
        "or remote:URL (a SPARQL 1.1 store at URL holding our graphs, see store_layout).",
        "FILMGRAPH_STORE",
        parse_store,
    )
    store_layout: str = _setting(
        "oxigraph",
        "Where a remote store (store=remote:URL) keeps its query endpoint under URL: "
        "oxigraph (/query), fuseki (URL the dataset, /sparql) or virtuoso (/sparql).",
        "FILMGRAPH_STORE_LAYOUT",
        _layout,
    )
    store_timeout: float = _setting(
        30.0,
        "Seconds to wait for each answer from a remote store (store=remote:URL).",
        "FILMGRAPH_STORE_TIMEOUT",
        _positive(float),
    )
    wikidata_api: str = _setting(
        "https://www.wikidata.org/w/api.php",
        "Wikidata's action API, asked by `filmgraph wikidata link --online` "
        "(wbsearchentities, wbgetentities).",
        "FILMGRAPH_WIKIDATA_API",
        str,
    )
    wikidata_reconcile: str = _setting(
        "",
        "A W3C Reconciliation API service to find link candidates instead of "
        "wbsearchentities (e.g. https://wikidata.reconci.link/en/api); empty: search.",
        "FILMGRAPH_WIKIDATA_RECONCILE",
        str,
    )
    wikidata_timeout: float = _setting(
        10.0,
        "Seconds to wait for each answer from Wikidata or the reconciliation service.",
        "FILMGRAPH_WIKIDATA_TIMEOUT",
        _positive(float),
    )
    wikidata_contact: str = _setting(
        "https://w3id.org/filmgraph/",
        "How Wikimedia can reach whoever runs the linker or the endpoint's federated "
        "queries (a URL or e-mail address), sent in the User-Agent of every request.",
        "FILMGRAPH_WIKIDATA_CONTACT",
        str,
    )
    push_timeout: float = _setting(
        60.0,
        "Seconds `filmgraph push` waits for each answer from the remote store.",
        "FILMGRAPH_PUSH_TIMEOUT",
        _positive(float),
    )
    push_user: str = _setting(
        "",
        "User name `filmgraph push` gives the remote store when it asks (HTTP Basic or "
        "Digest); empty: none.",
        "FILMGRAPH_PUSH_USER",
        str,
    )
    push_password: str = field(
        default="",
        repr=False,
        metadata={
            "help": "Password for push_user; from the environment only, never an option.",
            "env": "FILMGRAPH_PUSH_PASSWORD",
            "parse": str,
        },
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from FILMGRAPH_* environment variables, then explicit overrides."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = f.metadata["env"]
            if name in environ:
                try:
                    values[f.name] = f.metadata["parse"](environ[name])
                except ValueError as exc:
                    raise SettingError(f"{name}: {exc}") from exc
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    # Paths derived from root: one place that knows the project layout.
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
        return self.data_dir / "balagov.ttl"

    @property
    def provenance_file(self) -> Path:
        return self.data_dir / "provenance.ttl"

    @property
    def claims_file(self) -> Path:
        return self.data_dir / "claims.toml"

    @property
    def schemaorg_vocabulary(self) -> Path:
        return self.data_dir / "vendor" / "schemaorg-30.0.ttl"

    @property
    def schemaorg_context(self) -> Path:
        """schema.org's JSON-LD context, served to pyld by the local loader (jsonld.py)."""
        return self.data_dir / "vendor" / "schemaorg-context-30.0.jsonld"

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
        return self.build_dir or self.root / "build"

    @property
    def oxigraph_dir(self) -> Path:
        return self.output_dir / "oxigraph"

    @property
    def cache_file(self) -> Path:
        return self.output_dir / "cache" / f"dataset-{self.reasoner}.nq"


def settings_help() -> list[tuple[str, str, str, str]]:
    """(name, environment variable, default, help) for every setting: the README's table."""
    return [
        (f.name, f.metadata["env"], str(f.default), f.metadata["help"]) for f in fields(Settings)
    ]
