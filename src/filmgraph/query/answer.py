"""A query's answer, as every engine gives it: its kind, its result, whether it was cut at
the row cap, and its text in any result format."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import IO, cast

from rdflib import Graph, Variable
from rdflib.query import Result, ResultRow

from .formats import format_result


@dataclass
class Answer:
    """A query's result, and whether it was cut at the row limit.

    ``len()`` is its rows (SELECT), triples (CONSTRUCT, DESCRIBE) or 1 (ASK); :meth:`body`
    its text in a format. An engine may hold its answer in a form of its own and make
    ``result`` only when it is read (:class:`~.oxigraph_results.OxigraphAnswer`).
    """

    kind: str
    result: Result
    truncated: bool = False

    def __len__(self) -> int:
        if self.kind in ("CONSTRUCT", "DESCRIBE"):
            return len(self.result.graph or ())
        return 1 if self.kind == "ASK" else len(self.result.bindings)

    def body(self, fmt: str) -> bytes:
        """The answer in the format named ``fmt``, in UTF-8 (:func:`.formats.format_result`:
        the same formats, and the same errors for a format the result cannot have)."""
        return format_result(self.result, fmt).encode("utf-8")

    def write(self, fmt: str, out: IO[bytes]) -> None:
        """Write :meth:`body` to ``out`` (an engine that evaluates as it writes, Oxigraph,
        writes as it goes: :class:`~.oxigraph_results.OxigraphAnswer`)."""
        out.write(self.body(fmt))


def cap(answer: Answer, max_rows: int | None) -> Answer:
    """``answer`` cut at ``max_rows`` rows (SELECT) or triples (CONSTRUCT/DESCRIBE), in
    order; ``truncated`` says whether anything was cut."""
    result = answer.result
    if max_rows is None or answer.kind == "ASK":
        return answer
    if answer.kind == "SELECT":
        rows = list(itertools.islice(result, max_rows + 1))
        capped = Result("SELECT")
        capped.vars = result.vars
        capped.bindings = [
            {Variable(k): v for k, v in cast(ResultRow, row).asdict().items()}  # a SELECT's rows
            for row in rows[:max_rows]
        ]
        return Answer("SELECT", capped, len(rows) > max_rows)
    graph = result.graph
    if graph is None or len(graph) <= max_rows:
        return answer
    capped = Result(answer.kind)
    capped.graph = Graph()
    for triple in itertools.islice(sorted(graph), max_rows):
        capped.graph.add(triple)
    return Answer(answer.kind, capped, True)
