"""The web layer: ``create_app(settings, dataset)``, one blueprint per concern.

- :mod:`.protocol`: the SPARQL 1.1 Protocol at ``/sparql`` (queries run in worker processes).
- :mod:`.description`: the Service Description (bare ``GET /sparql``) and VoID.
- :mod:`.explain`: ``/explain``, why a triple holds.
- :mod:`.ops`: ``/health``, ``/metrics``, CORS and the request log.
- :mod:`.graph_store`: the Graph Store Protocol's read side (``/graph``) and ``/export.*``.
- :mod:`.pages`: the query page, entity pages (``/id/``, ``/page/``, ``/data/``), the source
  document and downloads, for people.
- :mod:`.errors`: one handler that renders every error as a plain-text message.
"""

from __future__ import annotations

import atexit
from typing import cast

from flask import Flask
from rdflib import Dataset

from ..config import Settings
from ..queries import load_queries
from ..result_cache import ResultCache
from ..sparql import QueryEngine
from ..store import connect_remote, prepare_store, remote_url
from ..wikidata.client import user_agent
from ..workers import WorkerOptions, WorkerPool
from . import description, errors, explain, graph_store, ops, pages, protocol
from .state import State

__all__ = ["create_app", "state"]


def create_app(
    settings: Settings | None = None,
    dataset: Dataset | None = None,
    pool: WorkerPool | None = None,
) -> Flask:
    """The Flask app serving ``dataset`` (built from ``settings`` when not given).

    With a remote store (``store=remote:URL``) queries go to the store, live, and ``dataset``
    (for the pages, ``/explain``, the data documents and exports) is by default a snapshot
    of the store's graphs read now; nothing is built.

    Query workers start on the first query (or call ``state(app).pool.start()``) and stop
    at exit or with ``state(app).close()``. ``pool`` lets tests share one pool among apps.

    Raises:
        UpstreamError, SettingError: a remote store that does not answer or holds none of
            our graphs.

    >>> app = create_app()
    >>> app.test_client().get("/health").json["status"]
    'ok'
    """
    settings = settings or Settings()
    remote = connect_remote(settings) if remote_url(settings) else None
    if dataset is None and remote is not None:
        from ..remote_engine import snapshot

        dataset = snapshot(remote)
    elif dataset is None:
        from ..pipeline import build

        dataset = build(settings)
    engine = QueryEngine(dataset)  # the graphs we hold (the workers hold their own copies)
    if pool is None:
        pool = WorkerPool(
            dataset,
            size=settings.workers,
            timeout=settings.query_timeout,
            options=WorkerOptions(
                max_rows=settings.max_rows,
                allowed_services=settings.service_allow,
                memory_mb=settings.worker_memory,
                user_agent=user_agent(settings.wikidata_contact),
                store_path=str(prepare_store(settings, dataset) or ""),
                store=remote.store.endpoints if remote else None,
                store_graphs=tuple(map(str, remote.held)) if remote else (),
                store_timeout=settings.store_timeout,
            ),
        )
        atexit.register(pool.close)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.extensions["filmgraph"] = State(
        settings=settings,
        dataset=dataset,
        graphs=engine.graphs,
        default_graphs=engine.default_graphs,
        queries=load_queries(settings.queries_dir),
        pool=pool,
        # a remote store may change while we serve it: its answers are never kept
        results=ResultCache(0 if remote else settings.result_cache * 1_000_000),
    )
    for module in (protocol, description, explain, ops, pages, graph_store):
        app.register_blueprint(module.blueprint)
    ops.install(app)
    errors.install(app)
    return app


def state(app: Flask) -> State:
    """The filmgraph state of an app made by :func:`create_app`."""
    return cast(State, app.extensions["filmgraph"])
