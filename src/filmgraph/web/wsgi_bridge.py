"""The Flask app (WSGI) under the ASGI server: a2wsgi's bridge, runs each request on one of
``threads`` threads, with two things it leaves to the server that ours does not:

- ``wsgi.input_terminated``: the server has read the body whole (chunks joined), so a
  chunked body without Content-Length is read to its end (werkzeug reads none otherwise).
- A client gone mid-answer stops the answer: the next chunk raises :class:`ClientGone` in
  the app's thread, so a streamed answer's iterator is closed (its query worker given back)
  instead of running to its end for no one. The server's connection says it is gone
  (:func:`~.connections.client_gone`).
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from a2wsgi.asgi_typing import HTTPScope, Receive, Scope, Send
from a2wsgi.wsgi import WSGIResponder
from a2wsgi.wsgi_typing import Environ, StartResponse, WSGIApp

from .connections import ClientGone, client_gone


class _Responder(WSGIResponder):
    def __init__(self, app: WSGIApp, executor: ThreadPoolExecutor, scope: Scope) -> None:
        super().__init__(app, executor, send_queue_size=10)
        self.scope = scope

    def send(self, message: Any) -> None:  # in the app's thread
        if client_gone(self.scope):
            raise ClientGone("the client closed the connection")
        super().send(message)


class WSGIBridge:
    """An ASGI app serving the WSGI ``app`` on ``threads`` threads."""

    def __init__(self, app: Any, threads: int) -> None:  # a WSGI app (Flask's own types)
        self.executor = ThreadPoolExecutor(thread_name_prefix="filmgraph-http", max_workers=threads)

        def terminated(environ: Environ, start_response: StartResponse) -> Any:
            cast(dict[str, Any], environ)["wsgi.input_terminated"] = True
            return app(environ, start_response)

        self.app: WSGIApp = terminated

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        responder = _Responder(self.app, self.executor, scope)
        with contextlib.suppress(ClientGone):  # the connection is closed: nothing to answer
            await responder(cast(HTTPScope, scope), receive, send)  # lifespan is off

    def close(self) -> None:
        """Stop the threads (those running finish their request)."""
        self.executor.shutdown(wait=False, cancel_futures=True)
