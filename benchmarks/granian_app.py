"""An experiment of the load benchmark: filmgraph's Flask app under granian, not serve's server.

The same ``create_app`` over the project's default backend (its build, its query workers,
every hook: CORS, the request log, the security headers, the error handler), served by
granian (a Rust HTTP server, https://github.com/emmett-framework/granian) with its WSGI
interface: one granian worker process, whose HTTP parsing and socket I/O run in Rust
without Python's GIL, calling the app on ``BLOCKING_THREADS`` Python threads. It answers
what ``filmgraph serve`` answers (every query through the Flask view, on a thread); it has
none of the connection limits of ``serve`` (``filmgraph.web.connections``: deadlines on
headers, bodies and idle connections, the connection limit), so it is an experiment on what
the HTTP layer costs, not a way to serve.

Started by ``benchmarks.load --targets filmgraph-granian`` as
``python -m benchmarks.granian_app --host H --port P``; needs the ``bench`` extra (granian).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

#: Python threads granian calls the app on: of 4 and 16, 4 answered the Balagov mix at
#: concurrency 16 faster (fewer threads contending for the GIL; the workers are 2).
BLOCKING_THREADS = 4


def create() -> Any:
    """The app, made in granian's worker process (its query workers start there too)."""
    from filmgraph import Settings, open_store
    from filmgraph.web import create_app, state

    settings = Settings.from_env(
        host=os.environ["GRANIAN_HOST"], port=int(os.environ["GRANIAN_PORT"])
    )
    app = create_app(settings, open_store(settings))
    state(app).pool.start()
    return app


def main() -> None:
    from granian import Granian
    from granian.constants import Interfaces

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    os.environ["GRANIAN_HOST"], os.environ["GRANIAN_PORT"] = args.host, str(args.port)
    Granian(
        "benchmarks.granian_app:create",
        factory=True,
        address=args.host,
        port=args.port,
        interface=Interfaces.WSGI,
        workers=1,
        blocking_threads=BLOCKING_THREADS,
        log_access=False,
    ).serve()


if __name__ == "__main__":
    main()
