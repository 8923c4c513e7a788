"""Running the endpoint in the open: ``/health``, ``/metrics``, CORS and the request log.

- CORS is on for every route, without credentials, so browser clients on other origins
  can query (``Access-Control-Allow-Origin: *``; preflight ``OPTIONS`` answered).
- Each request logs one line on the ``filmgraph.web`` logger: method, path, status,
  duration, and the SHA-256 prefix of the query (never the query itself).
- ``/metrics`` speaks the Prometheus text format.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Flask, Response, g, jsonify, request

from .app_state import State, current

log = logging.getLogger("filmgraph.web")
blueprint = Blueprint("ops", __name__)

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Filmgraph-Truncated, Filmgraph-Max-Rows, Content-Type",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type",
    "Access-Control-Max-Age": "86400",
}


def cors_headers(method: str) -> dict[str, str]:
    """The CORS headers of an answer to a ``method`` request (a preflight's too)."""
    return {**CORS_HEADERS, **PREFLIGHT_HEADERS} if method == "OPTIONS" else CORS_HEADERS


def record(
    served: State, method: str, path: str, route: str, status: int, started: float, query: str
) -> None:
    """Count an answered request for ``/metrics`` and log its line (``started``: its
    ``time.perf_counter()``; ``query``: the query's hash, or "-")."""
    served.metrics.count(route, status)
    elapsed = (time.perf_counter() - started) * 1000
    log.info("%s %s %d %.1fms query=%s", method, path, status, elapsed, query)


def install(app: Flask) -> None:
    @app.before_request
    def start_clock() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers.update(cors_headers(request.method))
        route = request.url_rule.rule if request.url_rule else "(none)"
        started = g.get("started", time.perf_counter())
        status = response.status_code
        record(
            current(),
            request.method,
            request.path,
            route,
            status,
            started,
            g.get("query_hash", "-"),
        )
        return response


@blueprint.route("/health")
def health() -> Response:
    """200 when queries can be answered: the dataset is loaded and a worker is alive."""
    state = current()
    pool = state.pool
    alive = pool.alive()
    ready = alive > 0 or not pool.started
    body = {
        "status": "ok" if ready else "unavailable",
        "workers": {"size": pool.size, "alive": alive, "started": pool.started},
        # null for a remote store's graph not counted yet (counting would scan the store)
        "graphs": {str(name): size for name, size in state.backend.known_sizes().items()},
    }
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    return response


@blueprint.route("/metrics")
def metrics() -> Response:
    """Counters in the Prometheus text exposition format."""
    state = current()
    m, pool = state.metrics, state.pool
    lines = [
        "# HELP filmgraph_requests_total HTTP requests answered, by route and status.",
        "# TYPE filmgraph_requests_total counter",
    ]
    with m.lock:
        for (route, status), count in sorted(m.requests.items()):
            lines.append(f'filmgraph_requests_total{{route="{route}",status="{status}"}} {count}')
        queries, seconds, truncated = m.queries, m.query_seconds, m.truncated
    lines += [
        "# HELP filmgraph_queries_total Queries answered with a result.",
        "# TYPE filmgraph_queries_total counter",
        f"filmgraph_queries_total {queries}",
        "# HELP filmgraph_query_seconds_total Time spent answering those queries.",
        "# TYPE filmgraph_query_seconds_total counter",
        f"filmgraph_query_seconds_total {seconds:.6f}",
        "# HELP filmgraph_truncated_total Results cut at the row limit.",
        "# TYPE filmgraph_truncated_total counter",
        f"filmgraph_truncated_total {truncated}",
        "# HELP filmgraph_result_cache_hits_total Queries answered from the result cache.",
        "# TYPE filmgraph_result_cache_hits_total counter",
        f"filmgraph_result_cache_hits_total {state.results.hits}",
        "# HELP filmgraph_result_cache_misses_total Queries the result cache did not hold.",
        "# TYPE filmgraph_result_cache_misses_total counter",
        f"filmgraph_result_cache_misses_total {state.results.misses}",
        "# HELP filmgraph_query_timeouts_total Queries stopped at the time limit.",
        "# TYPE filmgraph_query_timeouts_total counter",
        f"filmgraph_query_timeouts_total {pool.timeouts}",
        "# HELP filmgraph_worker_restarts_total Query workers replaced (timeout or crash).",
        "# TYPE filmgraph_worker_restarts_total counter",
        f"filmgraph_worker_restarts_total {pool.restarts}",
        "# HELP filmgraph_client_limit_refusals_total Queries refused (429): their client"
        " had client_queries in progress.",
        "# TYPE filmgraph_client_limit_refusals_total counter",
        f"filmgraph_client_limit_refusals_total {state.clients.refused}",
        "# HELP filmgraph_query_retries_total Queries retried on another worker (theirs"
        " stopped before taking them).",
        "# TYPE filmgraph_query_retries_total counter",
        f"filmgraph_query_retries_total {pool.retries}",
        "# HELP filmgraph_reserve_runs_total Queries answered on the reserve lane.",
        "# TYPE filmgraph_reserve_runs_total counter",
        f"filmgraph_reserve_runs_total {pool.reserve_runs}",
        "# HELP filmgraph_heavy_runs_total Queries known to be heavy answered on the heavy lane.",
        "# TYPE filmgraph_heavy_runs_total counter",
        f"filmgraph_heavy_runs_total {pool.heavy_runs}",
        "# HELP filmgraph_inline_runs_total Queries known to be cheap answered in the web"
        " process, with no worker.",
        "# TYPE filmgraph_inline_runs_total counter",
        f"filmgraph_inline_runs_total {pool.inline.runs}",
        "# HELP filmgraph_inline_overruns_total Queries known to be cheap that took too long"
        " in the web process (the workers answer them since).",
        "# TYPE filmgraph_inline_overruns_total counter",
        f"filmgraph_inline_overruns_total {pool.inline.overruns}",
        "# HELP filmgraph_workers_alive Query worker processes running.",
        "# TYPE filmgraph_workers_alive gauge",
        f"filmgraph_workers_alive {pool.alive()}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")
