"""``WorkerPool.arun``: the pool's steps waited for by an asyncio event loop (the server's
query route) instead of a thread. It answers as ``run`` does, shares the workers fairly
among many waiting callers, stops a query at its time limit, and a caller cancelled while
its worker has the query gets that worker replaced, so that the pool goes on serving."""

from __future__ import annotations

import asyncio
import time

import pytest

from filmgraph.core import TimeLimitError
from filmgraph.serve import Job, WorkerOptions, WorkerPool

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ASK = "ASK { ?s ?p ?o }"
SELECT = "SELECT ?s WHERE { ?s a ?type } ORDER BY ?s LIMIT 5"


@pytest.fixture(scope="module")
def small_pool(backend):
    """Two regular workers, a reserve and a heavy one; queries stopped after 2 s."""
    pool = WorkerPool(backend.spec(), size=2, timeout=2.0, options=WorkerOptions())
    yield pool.start()
    pool.close()


def test_arun_answers_as_run(small_pool):
    for query in (ASK, SELECT):
        awaited = asyncio.run(small_pool.arun(Job(query)))
        assert awaited == small_pool.run(Job(query))
        assert awaited.status == 200 and awaited.body


def test_many_callers_on_one_loop_share_two_workers(small_pool):
    async def many() -> list[bytes]:
        replies = await asyncio.gather(*(small_pool.arun(Job(SELECT)) for _ in range(24)))
        return [reply.body for reply in replies]

    bodies = asyncio.run(many())
    assert len(bodies) == 24 and len(set(bodies)) == 1  # every one answered, alike


def test_a_query_past_the_time_limit_is_stopped_and_its_worker_replaced(small_pool):
    restarts = small_pool.restarts
    started = time.monotonic()
    with pytest.raises(TimeLimitError, match="time limit"):
        asyncio.run(small_pool.arun(Job(ENDLESS, time_limit=0.5)))
    assert time.monotonic() - started < 1.9  # its own limit, not the pool's 2 s
    assert small_pool.restarts == restarts + 1
    assert asyncio.run(small_pool.arun(Job(ASK))).status == 200


def test_a_cancelled_caller_s_worker_is_replaced_and_the_pool_serves_on(small_pool):
    restarts = small_pool.restarts

    async def cancelled() -> None:
        task = asyncio.create_task(small_pool.arun(Job(ENDLESS)))
        await asyncio.sleep(0.3)  # the worker has the query
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancelled())
    assert small_pool.restarts == restarts + 1  # not left evaluating for no one
    deadline = time.monotonic() + 30
    while small_pool.alive() < 2 and time.monotonic() < deadline:  # its replacement starts
        time.sleep(0.1)
    replies = [asyncio.run(small_pool.arun(Job(ASK))) for _ in range(4)]
    assert all(reply.status == 200 for reply in replies)
