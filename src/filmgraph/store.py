"""The store a query runs on, chosen by the ``store`` setting.

- ``memory`` (default): the built rdflib dataset, queried by rdflib's engine
  (:class:`sparql.QueryEngine`).
- ``oxigraph``: the build written to an Oxigraph store on disk (``BUILD_DIR/oxigraph``) and
  queried by Oxigraph's engine (:class:`oxigraph_store.OxigraphEngine`).

Both answer through the same :class:`sparql.Engine` interface and rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Dataset

from .config import Settings
from .sparql import Engine, QueryEngine

STORES = ("memory", "oxigraph")


def prepare_store(settings: Settings, dataset: Dataset) -> Path | None:
    """Write the on-disk store the setting asks for (None for ``memory``)."""
    if settings.store != "oxigraph":
        return None
    from .oxigraph_store import write_store

    return write_store(dataset, settings.oxigraph_dir)


def open_engine(
    settings: Settings,
    dataset: Dataset,
    *,
    store_path: Path | None = None,
    allowed_services: Iterable[str] = (),
    max_rows: int | None = None,
) -> Engine:
    """The engine for ``settings.store``; ``store_path`` is a store already written by
    :func:`prepare_store` (else it is written now).

    >>> from filmgraph import build
    >>> engine = open_engine(Settings(), build())
    >>> type(engine).__name__
    'QueryEngine'
    """
    options = {"allowed_services": allowed_services, "max_rows": max_rows}
    if settings.store != "oxigraph":
        return QueryEngine(dataset, **options)  # type: ignore[arg-type]
    import pyoxigraph as ox

    from .oxigraph_store import OxigraphEngine

    path = store_path or prepare_store(settings, dataset)
    return OxigraphEngine(ox.Store.read_only(str(path)), **options)  # type: ignore[arg-type]
