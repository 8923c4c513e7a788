"""``serve``: the app over a backend, on waitress.

waitress is a production WSGI server (threads, request size limits, no development
reloader). Any other WSGI server can serve ``create_app(settings, backend)`` the same way.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable

from waitress import create_server

from ..core import Settings
from ..store import Backend
from .app import create_app
from .app_state import state

log = logging.getLogger("filmgraph.web")


def serve(
    settings: Settings,
    backend: Backend,
    *,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the endpoint on ``settings.host:settings.port`` until interrupted.

    The pages' dataset is opened (a remote store's snapshot taken) and the query workers
    start (each opening its engine) before the first request is taken;
    ``ready`` is called with the endpoint's URL once the server listens. SIGTERM and
    Ctrl-C stop the server and its workers.
    """
    backend.dataset  # noqa: B018  (opened now: a store that cannot give the pages theirs fails here)
    app = create_app(settings, backend)
    pool = state(app).pool
    pool.start()
    server = create_server(
        app,
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        max_request_body_size=settings.max_body,
        ident="filmgraph",
        clear_untrusted_proxy_headers=True,
    )
    url = f"http://{settings.host}:{server.effective_port}/sparql"
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        (ready or log.info)(url)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
        pool.close()
