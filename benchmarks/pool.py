"""The query workers' hand-off: the Balagov mix through the ``WorkerPool`` against the same
engine called in this process, in one run.

The baseline is the work a worker does for each query with no hand-off at all: the default
backend's engine, opened here as a worker opens it (``spec.open`` with the endpoint's row
cap), evaluating each query of the mix and writing its answer as JSON. The pool then answers
the same jobs with ``--workers`` regular workers (and the endpoint's reserve and heavy
lanes), from 1 and from ``--callers`` threads at once, as the web process's request threads
call it (no HTTP). For each: runs per second, and CPU milliseconds per query of this
process (the callers) and of the workers (read from ``/proc``), so what the hand-off costs
is the difference from the baseline's CPU per query, whatever else runs on the machine.

Usage::

    python -m benchmarks.pool --runs 4000
"""

from __future__ import annotations

import argparse
import io
import threading
import time
from dataclasses import dataclass

from benchmarks.endpoints import process_cpu_seconds
from benchmarks.load import query_mix
from benchmarks.reasoning import code_version, markdown_table


@dataclass
class Figures:
    name: str
    runs: int
    seconds: float
    caller_cpu: float
    worker_cpu: float

    @property
    def per_second(self) -> float:
        return self.runs / self.seconds

    def cpu_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.runs


def in_process(texts: list[str], runs: int) -> Figures:
    """The baseline: each query evaluated and written here, by the engine a worker opens."""
    from filmgraph import Settings, open_store
    from filmgraph.query import FAMILY

    settings = Settings()
    engine = open_store(settings).spec().open(max_rows=settings.row_cap)

    def one(text: str) -> None:
        answer = engine.run(text)
        answer.write("turtle" if FAMILY[answer.kind] == "GRAPH" else "json", io.BytesIO())

    for text in texts:  # warm: each query read once
        one(text)
    started, cpu = time.perf_counter(), time.process_time()
    for n in range(runs):
        one(texts[n % len(texts)])
    return Figures(
        "in this process (baseline)",
        runs,
        time.perf_counter() - started,
        time.process_time() - cpu,
        0.0,
    )


def through_pool(texts: list[str], runs: int, callers: int, workers: int) -> Figures:
    """The same queries as jobs for a pool of ``workers``, from ``callers`` threads."""
    from filmgraph import Settings, open_store
    from filmgraph.serve import Job, WorkerOptions, WorkerPool

    settings = Settings()
    pool = WorkerPool(
        open_store(settings).spec(),
        size=workers,
        options=WorkerOptions(max_rows=settings.row_cap),
    ).start()
    formats: dict[str, str | None] = {"SELECT": "json", "ASK": "json", "GRAPH": "turtle"}
    jobs = [Job(text, formats=formats) for text in texts]
    try:
        for job in jobs:  # warm: each worker reads the queries it gets
            pool.run(job)
        pids = [w.process.pid for w in list(pool._all)]
        before = {pid: process_cpu_seconds(pid) for pid in pids}
        started, cpu = time.perf_counter(), time.process_time()

        def call(first: int) -> None:
            for n in range(runs // callers):
                reply = pool.run(jobs[(first + n) % len(jobs)])
                assert reply.status == 200, reply.error

        threads = [threading.Thread(target=call, args=(k,)) for k in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        caller = time.process_time() - cpu
        worker = sum(process_cpu_seconds(pid) - before[pid] for pid in pids)
    finally:
        pool.close()
    done = runs // callers * callers
    return Figures(f"worker pool, {callers} caller(s)", done, seconds, caller, worker)


def report(results: list[Figures]) -> str:
    base = results[0]
    base_cpu = base.cpu_ms(base.caller_cpu)
    rows = []
    for f in results:
        total = f.cpu_ms(f.caller_cpu + f.worker_cpu)
        rows.append(
            [
                f.name,
                f"{f.runs:,}",
                f"{f.per_second:,.0f}",
                f"{f.cpu_ms(f.caller_cpu):.3f}",
                f"{f.cpu_ms(f.worker_cpu):.3f}",
                f"{total:.3f}",
                f"{total - base_cpu:+.3f}",
                f"{f.per_second / base.per_second:.2f}x",
            ]
        )
    header = [
        "how",
        "queries",
        "queries/s",
        "CPU ms/query, callers",
        "workers",
        "total",
        "hand-off (total - baseline)",
        "queries/s against the baseline",
    ]
    return markdown_table(header, rows, right=set(range(1, 8)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=4000, help="queries per measurement")
    parser.add_argument("--callers", type=int, default=16, help="threads calling the pool")
    parser.add_argument("--workers", type=int, default=2, help="regular workers of the pool")
    args = parser.parse_args()
    texts = [q.text for q in query_mix()]
    results = [in_process(texts, args.runs)]
    for callers in sorted({1, args.callers}):
        results.append(through_pool(texts, args.runs, callers, args.workers))
    print(f"## The worker pool's hand-off ({code_version()})\n")
    print(f"The Balagov mix ({len(texts)} queries, round-robin), the default backend.\n")
    print(report(results))


if __name__ == "__main__":
    main()
