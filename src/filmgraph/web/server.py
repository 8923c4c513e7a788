"""``serve``: the app over a backend, on uvicorn.

uvicorn (an ASGI server on asyncio, with httptools' HTTP/1.1 parser in C) reads every
connection in one event loop (epoll: no limit of 1,024 descriptors) and hands complete
requests to the app: the Flask app runs on ``threads`` threads through
:class:`~.wsgi_bridge.WSGIBridge`. Its connections are :class:`~.connections.Connection`,
bounded so that a flood of slow or silent clients cannot take the server (framing, sizes,
deadlines on the request itself and the connection limit: see :mod:`.connections`);
:class:`_Server` checks their deadlines every second. Any other WSGI server can serve
``create_app(settings, backend)`` too, without those bounds.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import resource
import signal
import socket
import sys
import time
from collections.abc import Callable

import uvicorn
from flask import Flask

from ..core import Project, SettingError, Settings
from ..store import Backend
from .app import create_app
from .app_state import state
from .connections import Connection, Connections
from .query_route import QueryRoute
from .wsgi_bridge import WSGIBridge

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
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as serve binds
            probe.bind(address)
    except OSError as exc:
        raise _unusable(settings, exc) from exc


def _unusable(settings: Settings, exc: OSError) -> SettingError:
    why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be listened on ({exc})"
    return SettingError(
        f"{settings.host}:{settings.port} {why}: choose another port with --port "
        "(env FILMGRAPH_PORT) or another address with --host (env FILMGRAPH_HOST)"
    )


def _allow_open_files(needed: int) -> None:
    """Raise this process's soft limit on open files to ``needed`` (within the hard limit),
    so that the connection limit, not the descriptor limit, is what bounds connections."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < needed:
            log.warning(
                "open files limited to %d (ulimit -Hn): fewer connections than "
                "connection_limit may be taken",
                target,
            )


def listen(settings: Settings) -> list[socket.socket]:
    """Sockets listening on ``settings.host:settings.port``, one per address the host
    resolves to (port 0: one, on a free port).

    Raises:
        OSError: an address cannot be bound.
    """
    infos = socket.getaddrinfo(
        settings.host, settings.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )
    sockets: list[socket.socket] = []
    seen = set()
    try:
        for family, kind, protocol, _, address in infos:
            if address in seen:
                continue
            seen.add(address)
            sock = socket.socket(family, kind, protocol)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(BACKLOG)
            sock.setblocking(False)
            if settings.port == 0:
                break
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


#: Connections waiting in the kernel to be accepted.
BACKLOG = 2048


class _Config(uvicorn.Config):
    """uvicorn's settings, with the server's :class:`Connections` for each to join."""

    connections: Connections


class _Server(uvicorn.Server):
    """uvicorn's server: says when it listens, and checks its connections' deadlines every
    second (its tick is a tenth of one)."""

    def __init__(self, config: _Config, bridge: WSGIBridge, ready: Callable[[], None]) -> None:
        super().__init__(config)
        self.connections = config.connections  # typed: uvicorn's config is not ours
        self.bridge = bridge
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.ready()

    async def on_tick(self, counter: int) -> bool:
        if counter % 10 == 0:
            self.connections.maintain(time.monotonic())
        return bool(await super().on_tick(counter))


def create_server(app: Flask, settings: Settings, ready: Callable[[], None]) -> _Server:
    """uvicorn serving ``app`` with the connection limits of ``settings``: its query
    requests on the event loop (:class:`~.query_route.QueryRoute`), the rest on
    ``settings.threads`` threads; ``ready`` is called once it listens."""
    _allow_open_files(settings.connection_limit + 256)  # + workers' pipes, files, stores
    trusted = settings.trusted_proxy
    bridge = WSGIBridge(app, settings.threads)
    config = _Config(
        QueryRoute(app, bridge, bridge.executor),
        http=Connection,
        ws="none",
        lifespan="off",
        loop="asyncio",
        log_config=None,
        log_level="warning",
        access_log=False,  # the app logs each request (ops)
        server_header=False,
        headers=[("Server", "filmgraph")],
        # the client is the one the trusted proxy names in X-Forwarded-For (the address
        # the client limits count by); without one, the peer
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        # idle connections are closed by Connections.maintain (idle_timeout); uvicorn's
        # own keep-alive timer only backs it
        timeout_keep_alive=max(1, round(settings.idle_timeout)) + 1,
        timeout_graceful_shutdown=5,
        backlog=BACKLOG,
    )
    config.connections = Connections(settings)
    return _Server(config, bridge, ready)


def serve(
    settings: Settings,
    backend: Backend,
    *,
    ready: Callable[[str], None] | None = None,
    project: Project | None = None,
) -> None:
    """Serve the endpoint on ``settings.host:settings.port`` until interrupted (``project``:
    what is served, as :func:`~filmgraph.web.create_app` takes it).

    The pages' dataset is opened (a remote store's checked to hold the graphs they read) and
    the query workers start (each opening its engine) before the first request is taken;
    ``ready`` is called with the endpoint's URL once the server listens. SIGTERM and
    Ctrl-C stop the server and its workers.
    """
    backend.dataset  # noqa: B018  (opened now: a store that cannot give the pages theirs fails here)
    app = create_app(settings, backend, project=project)
    pool = state(app).pool
    pool.start()
    try:
        sockets = listen(settings)
    except OSError as exc:  # taken since check_port asked
        pool.close()
        raise _unusable(settings, exc) from exc
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    url = f"http://{host}:{sockets[0].getsockname()[1]}/sparql"
    server = create_server(app, settings, lambda: (ready or log.info)(url))
    # uvicorn handles SIGTERM and Ctrl-C while it serves, then raises them again: SIGTERM
    # then leaves through the finally below, as Ctrl-C does
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # what start-up made stays for good: the collector no longer walks it on each full pass
    gc.collect()
    gc.freeze()
    try:
        server.run(sockets=sockets)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.bridge.close()
        pool.close()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()
