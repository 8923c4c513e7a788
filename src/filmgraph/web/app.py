"""``create_app``: the Flask app, its blueprints and error handler, and what it serves."""

from __future__ import annotations

import atexit

from flask import Flask
from rdflib import Dataset

from ..core import Settings
from ..link import user_agent
from ..query import QueryEngine, load_queries
from ..serve import ResultCache, WorkerOptions, WorkerPool
from ..store import connect_remote, prepare_store, remote_url
from . import description, errors, explain, graph_store, ops, pages, protocol
from .state import State


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
        from ..store import snapshot

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
