"""``serve``: the app over a backend, on waitress.

waitress is a production WSGI server (threads, request size limits, no development
reloader). Any other WSGI server can serve ``create_app(settings, backend)`` the same way.

Connections are bounded so that a flood of slow or silent clients cannot take the server
(docs/guide/production.md, "Connections"): waitress reads every connection
in one event loop (poll, so past 1,024 descriptors) and hands only complete requests to its
threads, and :class:`_Server` adds what waitress lacks, deadlines on the request itself. Every
second it closes a connection

- whose request headers are not complete ``header_timeout`` seconds after their first byte
  (a slowloris client sending a header line every few seconds is never idle),
- whose body is not complete ``body_timeout`` seconds after its headers,
- that has sent nothing (since it opened, or since its last answer) for ``idle_timeout``
  seconds, or not read any of its answer for as long (also while the answer is still being
  written: its sender waits for the client once :data:`OUTBUF_HIGH_WATERMARK` bytes are
  unread, so a client that stops reading holds a thread and a worker for that long only);

and past ``connection_limit`` open connections each new one makes room by closing the one that
has kept the server waiting longest, idle or still sending its headers (rather than stop
accepting, which would queue every new client behind the flood).
"""

from __future__ import annotations

import errno
import heapq
import logging
import resource
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from ..core import Project, SettingError, Settings
from ..store import Backend
from .app import create_app
from .app_state import state
from .headers import StrictParser

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


class _Channel(HTTPChannel):  # type: ignore[misc]  # waitress is untyped
    """waitress's connection, knowing when its request in progress started and when its
    headers were complete (``time.time()``, as waitress's own clock)."""

    parser_class = StrictParser  # RFC 9112 framing: CL+TE or two Hosts, 400 and closed
    request_started: float | None = None  # the first byte of a request not yet whole
    headers_done: float | None = None  # its headers complete, its body not

    def received(self, data: bytes) -> bool:
        now = time.time()
        done: bool = super().received(data)
        request = self.request
        if request is None:
            self.request_started = self.headers_done = None
        else:
            if self.request_started is None:
                self.request_started = now
            if request.headers_finished and self.headers_done is None:
                self.headers_done = now
        return done

    def stalled(self, now: float, limits: Settings) -> bool:
        """Whether the client has taken none of the answer waiting for it for
        ``idle_timeout`` seconds (the answer's sender waits for it to read meanwhile)."""
        return bool(self.total_outbufs_len) and now - self.last_activity > limits.idle_timeout

    def overdue(self, now: float, limits: Settings) -> bool:
        """Whether the connection is past a deadline (never while a request is answered)."""
        if self.requests:
            return False
        if self.headers_done is not None:
            return now - self.headers_done > limits.body_timeout
        if self.request_started is not None:
            return now - self.request_started > limits.header_timeout
        return bool(now - self.last_activity > limits.idle_timeout)

    def waiting_since(self) -> float:
        """Since when the connection has kept the server waiting: the first byte of its
        request in progress, else its last activity. At the connection limit the longest
        waiting give way first (a new connection has kept no one waiting yet)."""
        return float(self.request_started or self.last_activity)

    def evictable(self) -> bool:
        """Whether it may give way: never with a body under way, a request being answered
        or an answer being sent."""
        return not (self.requests or self.headers_done or self.total_outbufs_len)


class _Server(TcpWSGIServer):  # type: ignore[misc]  # waitress is untyped
    """waitress's server with :class:`_Channel` connections: their deadlines, checked every
    second, and the connection limit, kept by closing the connections that give way first as
    each new one is accepted (waitress itself stops accepting at its limit, which leaves new
    clients queued behind a flood in the listen backlog)."""

    channel_class = _Channel
    limits: Settings

    def maintenance(self, now: float) -> None:
        for channel in list(self.active_channels.values()):
            if channel.stalled(now, self.limits):
                # closed now: a client that reads nothing never lets its socket become
                # writable, where a connection marked to close would be closed
                channel.handle_close()
            elif not channel.will_close and channel.overdue(now, self.limits):
                channel.will_close = True

    def handle_accept(self) -> None:
        super().handle_accept()
        channels = [c for c in self.active_channels.values() if not c.will_close]
        excess = len(channels) - self.limits.connection_limit
        if excess > 0:
            givers = (c for c in channels if c.evictable())
            for channel in heapq.nsmallest(excess, givers, key=_Channel.waiting_since):
                channel.handle_close()


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


#: Bytes of an answer kept for a client that has not read them yet.
OUTBUF_HIGH_WATERMARK = 1024 * 1024


def _proxy(settings: Settings) -> dict[str, Any]:
    """waitress's settings for the trusted reverse proxy, if there is one: its
    X-Forwarded-For names the client (the address the client limits count by)."""
    if not settings.trusted_proxy:
        return {}
    return {
        "trusted_proxy": settings.trusted_proxy,
        "trusted_proxy_headers": {"x-forwarded-for"},
        "trusted_proxy_count": 1,
    }


def create_server(app: Any, settings: Settings) -> Any:
    """waitress serving ``app`` on ``settings.host:settings.port`` with the connection limits
    of ``settings`` (one server per address the host resolves to, as waitress's own
    ``create_server``)."""
    adj = Adjustments(
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        max_request_body_size=settings.max_body,
        ident="filmgraph",
        clear_untrusted_proxy_headers=True,
        connection_limit=settings.connection_limit + 64,  # ours is kept as they come
        # an answer waits in memory for its client up to this much, then its sender (and
        # the query worker streaming it) waits: never more, and never in temporary files
        outbuf_high_watermark=OUTBUF_HIGH_WATERMARK,
        outbuf_overflow=4 * OUTBUF_HIGH_WATERMARK,
        **_proxy(settings),
        channel_timeout=max(1, round(settings.idle_timeout)),  # ours are checked each second
        cleanup_interval=1,
        asyncore_use_poll=True,  # select() stops at 1,024 descriptors
    )
    _allow_open_files(settings.connection_limit + 256)  # + workers' pipes, files, stores
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    socket_map: dict[int, Any] = {}
    servers = []
    for sockinfo in adj.listen:
        server = _Server(app, socket_map, dispatcher=dispatcher, adj=adj, sockinfo=sockinfo)
        server.limits = settings
        servers.append(server)
    if len(servers) == 1:
        return servers[0]
    listening = [(s.effective_host, s.effective_port) for s in servers]
    multi = MultiSocketServer(socket_map, adj, listening, dispatcher, servers[-1].log_info)
    multi.effective_port = servers[0].effective_port
    return multi


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
        server = create_server(app, settings)
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
