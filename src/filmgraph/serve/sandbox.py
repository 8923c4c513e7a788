"""An audit hook that keeps a query worker away from the network and the file system.

The query layer already refuses what would make rdflib reach out (SERVICE off the
allow-list, FROM naming a graph we do not hold, updates such as LOAD). This hook is the
second line, following rdflib's security considerations: once a worker has loaded its
data, any attempt to resolve a host name, open a socket, build a URL request, open a file
outside Python's own installation, or start a process raises ``PermissionError``, except
for the hosts of the SERVICE endpoints on the allow-list.

Audit hooks cannot be removed, so this is only ever installed in a worker process.
"""

from __future__ import annotations

import contextlib
import os
import sys
import sysconfig
import urllib.request
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_EXEC_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn"}


class Sandbox:
    """The policy: which hosts may be reached and which folders may be read."""

    def __init__(self, allowed_services: Iterable[str] = ()) -> None:
        self.allowed_urls = tuple(allowed_services)
        self.allowed_hosts = {urlsplit(u).hostname for u in self.allowed_urls} - {None}
        self.resolved: set[str] = set()
        paths = sysconfig.get_paths()
        roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, *paths.values()}
        roots.update(p for p in sys.path if p)
        self.readable = tuple(sorted(r.rstrip("/") + "/" for r in roots if r))

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "socket.getaddrinfo":
            host = args[0].decode() if isinstance(args[0], bytes) else str(args[0])
            if host not in self.allowed_hosts:
                raise PermissionError(f"network access refused: {host}")
        elif event == "socket.connect":
            address = args[1]
            host = address[0] if isinstance(address, tuple) else str(address)
            if host not in self.resolved and host not in self.allowed_hosts:
                raise PermissionError(f"network access refused: {host}")
        elif event == "urllib.Request":
            url = str(args[0])
            if not url.startswith(self.allowed_urls) or not self.allowed_urls:
                raise PermissionError(f"network access refused: {url}")
        elif event == "open":
            self._check_open(args)
        elif event in _EXEC_EVENTS:
            raise PermissionError(f"starting processes is refused: {event}")

    def _check_open(self, args: tuple[Any, ...]) -> None:
        path, mode, flags = args
        if isinstance(path, int) or path is None:
            return  # an already open descriptor
        name = path.decode() if isinstance(path, bytes) else str(path)
        if isinstance(mode, str):
            writing = any(c in mode for c in "wax+")
        else:  # os.open: no mode, only flags
            writing = bool((flags or 0) & _WRITE_FLAGS)
        if writing or not name.startswith(self.readable):
            raise PermissionError(f"file access refused: {name}")


def install(allowed_services: Iterable[str] = ()) -> Sandbox:
    """Install the hook in this process (for good: audit hooks cannot be removed)."""
    sandbox = Sandbox(allowed_services)
    if sandbox.allowed_hosts:
        import socket

        for host in sandbox.allowed_hosts:  # resolve now, while resolving is allowed
            with contextlib.suppress(OSError):  # unresolvable now: refused later
                sandbox.resolved.update(str(a[4][0]) for a in socket.getaddrinfo(host, None))
    sys.addaudithook(sandbox)
    return sandbox


class _Identify(urllib.request.BaseHandler):
    """Sends our User-Agent on every request, in place of the caller's."""

    def __init__(self, user_agent: str) -> None:
        self.user_agent = user_agent

    def http_request(self, request: urllib.request.Request) -> urllib.request.Request:
        request.add_header("User-agent", self.user_agent)  # the name urllib stores
        return request

    https_request = http_request


def identify(user_agent: str) -> None:
    """Make every urllib request of this process (rdflib's SERVICE calls among them) say
    who sends it: rdflib's own User-Agent names no one, and Wikimedia asks for one that
    does. Process-wide, so only ever called in a worker process."""
    urllib.request.install_opener(urllib.request.build_opener(_Identify(user_agent)))
