"""The thread a worker evaluates a query on (filmgraph.serve.limits): a worker's loop runs
on a thread of the smallest stack (on_roomy_stack) and evaluates there every query that
fits it, with no hand-off; a longer query, or a call from any other thread, gets a thread
of its own whose stack holds the query's nesting."""

from __future__ import annotations

import threading

import pytest

from filmgraph.serve import limits


def _thread() -> tuple[str, int]:
    here = threading.current_thread()
    return here.name, here.ident or 0


def _on_roomy(loop: object) -> list[object]:
    """What ``loop()`` returns, called on a worker's roomy thread."""
    seen: list[object] = []
    limits.on_roomy_stack(lambda: seen.append(loop()))  # type: ignore[operator]
    return seen


def test_a_short_query_is_evaluated_on_the_loops_own_thread() -> None:
    def loop() -> tuple[object, ...]:
        return _thread(), limits.evaluate(_thread, 100), limits.evaluate(_thread, 5_000)

    [(loop_thread, first, again)] = _on_roomy(loop)
    assert first == again == loop_thread  # no hand-off to another thread
    assert loop_thread[0] == "filmgraph-worker" and loop_thread[1] != threading.get_ident()


def test_a_query_too_long_for_the_smallest_stack_gets_a_thread_of_its_own() -> None:
    long = limits.MIN_STACK // limits.STACK_PER_CHARACTER + 1_000

    def loop() -> tuple[object, ...]:
        return _thread(), limits.evaluate(_thread, long), limits.evaluate(_thread, 100)

    [(loop_thread, own, short)] = _on_roomy(loop)
    assert own != loop_thread and own[0] == "filmgraph-query"
    assert short == loop_thread  # the loop's thread evaluates the next short one again


def test_outside_a_workers_loop_every_query_gets_a_thread_of_its_own() -> None:
    # the main thread's stack (8 MiB) is smaller than the smallest a query gets
    name, ident = limits.evaluate(_thread, 100)
    assert name == "filmgraph-query" and ident != threading.get_ident()


def test_an_exception_is_raised_again_in_the_caller_and_the_loop_goes_on() -> None:
    def fail() -> None:
        raise ValueError("bad query")

    def loop() -> tuple[str, int]:
        with pytest.raises(ValueError, match="bad query"):
            limits.evaluate(fail, 100)
        with pytest.raises(ValueError, match="bad query"):
            limits.evaluate(fail, 100_000)  # on a thread of its own: raised here too
        return limits.evaluate(lambda: 42, 100), limits.evaluate(lambda: 43, 100_000)

    assert _on_roomy(loop) == [(42, 43)]
    with pytest.raises(ValueError, match="bad query"):
        limits.evaluate(fail, 100)


def test_the_loop_thread_is_no_longer_roomy_once_it_ends() -> None:
    [loop_thread] = _on_roomy(_thread)
    assert loop_thread[1] not in limits._roomy
