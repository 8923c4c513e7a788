"""The store a query runs on, chosen by the ``store`` setting.

- ``memory`` (default): the built rdflib dataset, queried by rdflib's engine
  (:class:`sparql.QueryEngine`).
- ``oxigraph``: the build written to an Oxigraph store on disk (``BUILD_DIR/oxigraph``) and
  queried by Oxigraph's engine (:class:`oxigraph_store.OxigraphEngine`). The store is kept
  with the key of the build it holds (``BUILD_DIR/oxigraph.key``): while the inputs are
  unchanged, a start opens it instead of building, and everything else (the pages,
  exports, the CLI) reads it through :func:`oxigraph_dataset.open_dataset`, with no copy
  of the build in memory.
- ``remote:URL``: a SPARQL 1.1 store at ``URL`` (endpoints by ``store_layout``) that holds
  our graphs, queried over the protocol (:class:`remote_engine.RemoteEngine`); nothing is
  built locally.

All answer through the same :class:`sparql.Engine` interface and rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Dataset

from ..core import REMOTE, SettingError, Settings, parse_store, write_atomic
from ..query import Engine, QueryEngine

if TYPE_CHECKING:
    from .remote.client import Endpoints, RemoteStore
    from .remote.engine import RemoteEngine

#: The store names; a remote store is ``remote:URL``.
STORES = ("memory", "oxigraph", "remote:URL")


def remote_url(settings: Settings) -> str | None:
    """The base URL of the remote store ``settings.store`` names, or None.

    Raises:
        SettingError: ``store`` is not memory, oxigraph or remote: with an http(s) URL.

    >>> remote_url(Settings(store="remote:http://127.0.0.1:7878"))
    'http://127.0.0.1:7878'
    """
    try:
        store = parse_store(settings.store)
    except ValueError as exc:
        raise SettingError(f"store: {exc}") from exc
    return store[len(REMOTE) :] if store.startswith(REMOTE) else None


def remote_endpoints(settings: Settings) -> Endpoints:
    """The endpoints of the remote store (by ``store_layout``; only the query one is used)."""
    from .remote.client import endpoints

    return endpoints(remote_url(settings), settings.store_layout, use_update=False)


def remote_store(settings: Settings, agent: str = "") -> RemoteStore:
    """A client for the remote store, reading anonymously, waiting ``store_timeout`` s."""
    from .remote.client import RemoteStore

    return RemoteStore(
        remote_endpoints(settings),
        timeout=settings.store_timeout,
        contact=settings.wikidata_contact,
        agent=agent,
    )


def connect_remote(settings: Settings, **options: Any) -> RemoteEngine:
    """The engine over the remote store, which must answer now and hold our graphs.

    Raises:
        UpstreamError: the store did not answer. SettingError: it holds none of our graphs.
    """
    from .remote.engine import connect

    return connect(remote_store(settings), **options)


#: What a store written by filmgraph holds; a store of another layout is written again.
LAYOUT = "filmgraph-oxigraph/2"


def key_file(settings: Settings) -> Path:
    """The file that names the build the Oxigraph store holds (``LAYOUT key``)."""
    path = settings.oxigraph_dir
    return path.with_name(path.name + ".key")


def kept_store(settings: Settings, key: str) -> Dataset | None:
    """The Oxigraph store of the build with this ``key``, read-only, if it is on disk."""
    from .oxigraph.dataset import open_dataset

    try:
        if key_file(settings).read_text(encoding="utf-8").split() != [LAYOUT, key]:
            return None
        return open_dataset(settings.oxigraph_dir)
    except OSError:  # no key, or no store behind it
        return None


def keep_store(settings: Settings, dataset: Dataset | None, key: str | None = None) -> Path:
    """Write ``dataset`` to the Oxigraph store, under ``key`` when it is a build of the
    settings' inputs (then later starts open it instead of building again). With ``dataset``
    None the store is loaded from the cache file, which the caller knows holds the build
    under ``key`` (:func:`~filmgraph.store.cache.cache_holds` said so, or the caller has just
    written it): the build is not serialised a second time.
    """
    from .oxigraph.engine import load_store, write_store

    marker = key_file(settings)
    marker.unlink(missing_ok=True)  # the store is about to hold something else
    if dataset is None:
        path = load_store(settings.cache_file, settings.oxigraph_dir)
    else:
        path = write_store(dataset, settings.oxigraph_dir)
    if key:
        write_atomic(marker, f"{LAYOUT} {key}\n")
    return path


def prepare_store(settings: Settings, dataset: Dataset) -> Path | None:
    """The on-disk store the setting asks for (None for ``memory``): the store ``dataset``
    is read from, else ``dataset`` written to a store now."""
    if settings.store != "oxigraph":
        return None
    from .oxigraph.dataset import store_path

    return store_path(dataset) or keep_store(settings, dataset)


def open_engine(
    settings: Settings,
    dataset: Dataset | None,
    *,
    store_path: Path | None = None,
    allowed_services: Iterable[str] = (),
    max_rows: int | None = None,
) -> Engine:
    """The engine for ``settings.store``; ``store_path`` is a store already written by
    :func:`prepare_store` (else it is written now). ``dataset`` (the build) is not used,
    and may be None, for a remote store.

    Raises:
        UpstreamError, SettingError: a remote store that does not answer or holds none of
            our graphs (:func:`connect_remote`).

    >>> from filmgraph import build
    >>> engine = open_engine(Settings(), build())
    >>> type(engine).__name__
    'QueryEngine'
    """
    options = {"allowed_services": allowed_services, "max_rows": max_rows}
    if remote_url(settings):
        return connect_remote(settings, **options)
    if dataset is None:
        raise SettingError(f"the {settings.store} store needs the built dataset")
    if settings.store != "oxigraph":
        return QueryEngine(dataset, **options)  # type: ignore[arg-type]
    from .oxigraph.engine import OxigraphEngine

    return OxigraphEngine.read_only(store_path or prepare_store(settings, dataset), **options)
