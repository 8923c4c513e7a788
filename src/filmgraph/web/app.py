"""``create_app``: the Flask app, its blueprints and error handler, over the backend it is
handed (it never builds or opens one)."""

from __future__ import annotations

import atexit
from typing import Any

from flask import Flask

from ..core import Project, Settings, user_agent
from ..query import load_queries
from ..serve import ClientLimits, ResultCache, WorkerOptions, WorkerPool
from ..store import Backend, heavy_lane
from . import (
    description,
    document_page,
    errors,
    explain,
    graph_store,
    headers,
    index_page,
    links,
    ops,
    pages,
    protocol,
)
from .app_state import State, current


def create_app(
    settings: Settings,
    backend: Backend,
    *,
    pool: WorkerPool | None = None,
    project: Project | None = None,
) -> Flask:
    """The Flask app serving ``backend`` under ``settings``.

    Queries run in worker processes, each opening its engine from ``backend.spec()``; the
    pages, ``/explain``, the data documents and the exports read ``backend.dataset``. The
    workers start on the first query (or call ``state(app).pool.start()``) and stop at exit
    or with ``state(app).close()``. ``pool`` lets tests share one pool among apps.
    ``project`` is what is served (by default the project of ``settings``; plain RDF files
    are :meth:`Project.of_files`, with no competency questions or source document).

    >>> from filmgraph import Settings, open_store
    >>> settings = Settings()
    >>> app = create_app(settings, open_store(settings))
    >>> app.test_client().get("/health").json["status"]
    'ok'
    """
    if pool is None:
        pool = WorkerPool(
            backend.spec(),
            size=settings.workers,
            timeout=settings.query_timeout,
            reserve=settings.reserve_workers,
            reserve_timeout=settings.reserve_timeout,
            heavy=heavy_lane(backend, settings.workers, settings.heavy_workers),
            heavy_after=settings.heavy_after,
            inline_under=settings.inline_under,
            options=WorkerOptions(
                max_rows=settings.row_cap,
                allowed_services=settings.service_allow,
                memory_mb=settings.worker_memory,
                user_agent=user_agent(settings.wikidata_contact),
            ),
        )
        atexit.register(pool.close)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    served = State(
        settings=settings,
        backend=backend,
        queries=load_queries(settings.queries_dir) if project is None else {},
        pool=pool,
        results=ResultCache(settings.result_cache * 1_000_000 if backend.cacheable else 0),
        clients=ClientLimits(settings.client_queries),
    )
    if project is not None:
        served.project = project  # the cached property, given
        if project.claims:
            served.queries = load_queries(project.root / "queries")
    app.extensions["filmgraph"] = served
    blueprints = (
        protocol,
        description,
        explain,
        ops,
        pages,
        index_page,
        document_page,
        graph_store,
    )
    for module in blueprints:
        app.register_blueprint(module.blueprint)
    ops.install(app)
    errors.install(app)
    headers.install(app)  # framing, public URLs, security headers
    app.context_processor(_project)
    app.jinja_env.globals["quote_url"] = document_page.quote_url
    app.jinja_env.globals["assessment_anchor"] = pages.assessment_anchor
    app.jinja_env.globals["prefixed"] = links.prefixed
    app.jinja_env.globals["external"] = links.external
    app.jinja_env.filters["sentence_case"] = links.sentence_case
    return app


def _project() -> dict[str, Any]:
    """What every page says about the project served: its metadata and home entity."""
    served = current()
    return {"project": served.project, "home": served.home}
