"""The thread a worker evaluates a query on (filmgraph.serve.limits.evaluate): a stack
that holds the query's nesting; the thread of the smallest stack kept from one query to
the next, a longer query on a thread of its own."""

from __future__ import annotations

import threading

import pytest

from filmgraph.serve import limits


def _thread() -> tuple[str, int]:
    here = threading.current_thread()
    return here.name, here.ident or 0


def test_short_queries_share_one_kept_thread_off_the_callers() -> None:
    first = limits.evaluate(_thread, 100)
    again = limits.evaluate(_thread, 5_000)
    assert first == again and first[0] == "filmgraph-query"
    assert first[1] != threading.get_ident()


def test_a_query_too_long_for_the_smallest_stack_gets_a_thread_of_its_own() -> None:
    kept = limits.evaluate(_thread, 100)
    long = limits.MIN_STACK // limits.STACK_PER_CHARACTER + 1_000
    assert limits.evaluate(threading.get_ident, long) != kept[1]
    assert limits.evaluate(_thread, 100) == kept  # the kept thread is still there


def test_an_exception_is_raised_again_in_the_caller_and_the_thread_goes_on() -> None:
    def fail() -> None:
        raise ValueError("bad query")

    with pytest.raises(ValueError, match="bad query"):
        limits.evaluate(fail, 100)
    assert limits.evaluate(lambda: 42, 100) == 42


def test_a_call_made_while_the_kept_thread_is_busy_runs_on_another() -> None:
    inside, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def hold() -> int:
        inside.set()
        release.wait(10)
        return threading.get_ident()

    holder = threading.Thread(target=lambda: seen.append(limits.evaluate(hold, 100)))
    holder.start()
    assert inside.wait(10)
    other = limits.evaluate(threading.get_ident, 100)
    release.set()
    holder.join(10)
    assert seen and other != seen[0]
