"""Queries known to be cheap, answered in the web process (filmgraph.serve.inline): which are,
that their answers are the workers' own, and that they go back to the workers when they
fail or overrun there."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from filmgraph import open_store
from filmgraph.serve import Job, WorkerPool
from filmgraph.serve.inline import caller_stack, steady
from filmgraph.serve.limits import STACK_PER_CHARACTER
from filmgraph.web import create_app, state

FILMS = "SELECT ?film WHERE { ?film a schema:Movie } ORDER BY ?film"
STACK = 8 * 1024 * 1024


@pytest.fixture
def cheap(backend):  # on the Oxigraph store (the default); any query under 1 s is cheap
    workers = WorkerPool(backend.spec(), size=1, reserve=0, heavy=0, inline_under=1.0)
    workers.start()
    yield workers
    workers.close()


def _opened(pool: WorkerPool) -> None:
    deadline = time.monotonic() + 60
    while pool.inline._engine is None:
        assert time.monotonic() < deadline, "the web process's engine did not open"
        time.sleep(0.02)


def _known(pool: WorkerPool, job: Job):
    """The worker's answer to ``job``, and the answer given once it is known to be cheap."""
    first = pool.run(job)
    assert first.status == 200, first.error
    _opened(pool)
    return first, pool.run(job)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://example.org/> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o FILTER(RAND() < 0.5) }",
        "SELECT * WHERE { ?s ?p ?o FILTER(now() > '2000-01-01'^^xsd:dateTime) }",
        "SELECT (UUID() AS ?u) (STRUUID() AS ?v) WHERE {}",
        "SELECT (BNODE() AS ?b) WHERE {}",
        "SELECT * WHERE { ?s ?p '\\u0053' }",  # an escape could spell any word
        "SELECT * WHERE { ?s ?p '\\U00000053' }",
    ],
)
def test_a_query_whose_work_could_change_is_never_answered_in_the_web_process(text):
    assert not steady(text, STACK)


def test_a_query_nested_deeper_than_the_callers_stack_holds_stays_with_the_workers():
    text = "SELECT * WHERE { ?s ?p ?o }"
    assert steady(text, len(text) * STACK_PER_CHARACTER)
    assert not steady(text, len(text) * STACK_PER_CHARACTER - 1)
    assert caller_stack() >= 2 * 1024 * 1024


def test_a_cheap_query_is_answered_in_the_web_process_as_its_worker_answered_it(cheap):
    first, again = _known(cheap, Job(FILMS))
    assert cheap.inline.runs == 1
    assert again.body == first.body and again.kind == first.kind == "SELECT"
    assert again.format == first.format and again.truncated == first.truncated
    assert first.cpu_seconds > 0  # the worker's measure, which made it known
    # the same text with other formats or another dataset is not the work that was known
    assert cheap.run(Job(FILMS, formats={"SELECT": "csv"})).status == 200
    graph = "https://w3id.org/filmgraph/graph/asserted"
    assert cheap.run(Job(FILMS, default_graphs=(graph,), named_graphs=())).status == 200
    assert cheap.inline.runs == 1


def test_the_event_loops_caller_gets_the_same_answer(cheap):
    first = asyncio.run(cheap.arun(Job(FILMS)))
    _opened(cheap)
    again = asyncio.run(cheap.arun(Job(FILMS)))
    assert cheap.inline.runs == 1 and again.body == first.body


def test_a_query_that_costs_a_worker_more_than_the_bound_stays_with_the_workers(backend):
    lanes = WorkerPool(backend.spec(), size=1, reserve=0, heavy=0, inline_under=1e-9)
    lanes.start()
    try:
        for _ in range(3):
            assert lanes.run(Job(FILMS)).status == 200
        assert lanes.inline.runs == 0 and not lanes.inline._known
    finally:
        lanes.close()


def test_errors_and_streamed_answers_are_not_learned(cheap):
    assert cheap.run(Job("SELECT * WHERE { ?s ?p }")).status == 400
    wide = "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 3000"  # longer than a chunk
    long = cheap.run(Job(wide))
    assert long.status == 200 and long.stream is not None
    long.read()
    assert not cheap.inline._known


def test_a_query_known_to_be_cheap_that_overruns_goes_back_to_the_workers(cheap):
    first, again = _known(cheap, Job(FILMS))
    assert cheap.inline.runs == 1 and again.body == first.body
    cheap.inline.under = 1e-9  # any answer here now takes more than ten times the bound
    third = cheap.run(Job(FILMS))
    assert third.body == first.body and cheap.inline.overruns == 1
    assert cheap.inline.runs == 2 and not cheap.inline._known
    cheap.inline.under = 1.0  # cheap again in the workers' eyes, but it overran here once
    for _ in range(2):
        assert cheap.run(Job(FILMS)).body == first.body
    assert cheap.inline.runs == 2 and not cheap.inline._known  # the workers' answers


def test_a_failure_in_the_web_process_is_answered_by_a_worker(cheap, caplog):
    first, _ = _known(cheap, Job(FILMS))

    class Broken:
        def run(self, *args, **kwargs):
            raise RuntimeError("the engine broke")

    cheap.inline._engine = Broken()
    again = cheap.run(Job(FILMS))
    assert again.status == 200 and again.body == first.body
    assert "the engine broke" in caplog.text
    for _ in range(2):  # nothing is answered in the web process any more
        assert cheap.run(Job(FILMS)).body == first.body
    assert cheap.inline.runs == 1 and cheap.inline.under == 0 and not cheap.inline._known


def test_the_memory_store_answers_every_query_in_a_worker(settings):
    memory = open_store(settings.with_(store="memory"))
    lanes = WorkerPool(memory.spec(), size=1, reserve=0, heavy=0, inline_under=1.0)
    lanes.start()
    try:
        for _ in range(3):
            assert lanes.run(Job(FILMS)).status == 200
        assert lanes.inline.under == 0 and lanes.inline.runs == 0
        assert lanes.inline._engine is None
    finally:
        lanes.close()
        memory.close()


def test_the_endpoint_answers_a_known_query_in_the_web_process_and_counts_it(
    store_settings, backend
):
    """Through the app, with its default inline_under (the result cache off, or it would
    answer the repeated query)."""
    app = create_app(store_settings.with_(result_cache=0, workers=1), backend)
    pool = state(app).pool
    client = app.test_client()
    try:
        deadline = time.monotonic() + 60
        bodies = set()
        while pool.inline.runs == 0:
            assert time.monotonic() < deadline, "the query never became known"
            answer = client.get("/sparql", query_string={"query": FILMS})
            assert answer.status_code == 200
            bodies.add(answer.data)
        assert len(bodies) == 1
        metrics = client.get("/metrics").get_data(as_text=True)
        assert f"filmgraph_inline_runs_total {pool.inline.runs}" in metrics
    finally:
        state(app).close()


def test_threads_share_one_engine_while_its_prepared_queries_churn(backend):
    """The web process's engine answers the loop and the page threads at once: its cache of
    prepared queries is kept consistent while they evict one another's."""
    from concurrent.futures import ThreadPoolExecutor

    engine = backend.engine()
    engine._cache_size = 3

    def ask(n: int) -> int:
        return len(engine.run(f"ASK {{ ?s ?p ?o FILTER({n % 7} >= 0) }}"))

    with ThreadPoolExecutor(8) as threads:
        assert sum(threads.map(ask, range(800))) == 800
    assert len(engine._prepared) <= 3


def test_a_known_query_is_cut_at_the_row_cap_as_in_its_worker(backend):
    from filmgraph.serve import WorkerOptions

    capped = WorkerPool(
        backend.spec(),
        size=1,
        reserve=0,
        heavy=0,
        inline_under=1.0,
        options=WorkerOptions(max_rows=1),
    )
    capped.start()
    try:
        first, again = _known(capped, Job(FILMS))
        assert first.truncated and again.truncated and capped.inline.runs == 1
        assert again.body == first.body
        assert len(json.loads(again.body)["results"]["bindings"]) == 1
    finally:
        capped.close()
