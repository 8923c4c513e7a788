"""``serve``: the app over a backend, on waitress.

waitress is a production WSGI server (threads, request size limits, no development
reloader). Any other WSGI server can serve ``create_app(settings, backend)`` the same way.
"""

from __future__ import annotations

import errno
import logging
import signal
import socket
import sys
from collections.abc import Callable

from waitress import create_server

from ..core import Project, SettingError, Settings
from ..store import Backend
from .app import create_app
from .app_state import state

log = logging.getLogger("filmgraph.web")


def check_port(settings: Settings) -> None:
    """Whether ``settings.host:settings.port`` can be listened on, asked before anything is
    built (port 0: any free port, always).

    Raises:
        SettingError: the address is in use or cannot be bound, saying how to choose another.
    """
    if settings.port == 0:
        return
    try:
        infos = socket.getaddrinfo(settings.host, settings.port, type=socket.SOCK_STREAM)
        family, kind, protocol, _, address = infos[0]
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress binds
            probe.bind(address)
    except OSError as exc:
        raise _unusable(settings, exc) from exc


def _unusable(settings: Settings, exc: OSError) -> SettingError:
    why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be listened on ({exc})"
    return SettingError(
        f"{settings.host}:{settings.port} {why}: choose another port with --port "
        "(env FILMGRAPH_PORT) or another address with --host (env FILMGRAPH_HOST)"
    )


def serve(
    settings: Settings,
    backend: Backend,
    *,
    ready: Callable[[str], None] | None = None,
    project: Project | None = None,
) -> None:
    """Serve the endpoint on ``settings.host:settings.port`` until interrupted (``project``:
    what is served, as :func:`~filmgraph.web.create_app` takes it).

    The pages' dataset is opened (a remote store's snapshot taken) and the query workers
    start (each opening its engine) before the first request is taken;
    ``ready`` is called with the endpoint's URL once the server listens. SIGTERM and
    Ctrl-C stop the server and its workers.
    """
    backend.dataset  # noqa: B018  (opened now: a store that cannot give the pages theirs fails here)
    app = create_app(settings, backend, project=project)
    pool = state(app).pool
    pool.start()
    try:
        server = create_server(
            app,
            host=settings.host,
            port=settings.port,
            threads=settings.threads,
            max_request_body_size=settings.max_body,
            ident="filmgraph",
            clear_untrusted_proxy_headers=True,
        )
    except OSError as exc:  # taken since check_port asked
        pool.close()
        raise _unusable(settings, exc) from exc
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
