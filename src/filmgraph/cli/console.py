"""What the command line shows people: build steps with their counts, and result tables
(rich; nothing below the CLI imports it)."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

from rdflib import URIRef
from rdflib.namespace import NamespaceManager
from rdflib.query import Result, ResultRow
from rich.console import Console
from rich.table import Table

from ..core import Step, Steps


class RichSteps(Steps):
    """Shows a spinner while a step runs, then one line with its counts and time."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)

    @contextmanager
    def step(self, label: str) -> Iterator[Step]:
        current = Step(label)
        started = time.perf_counter()
        with self.console.status(f"{label} ..."):
            yield current
        seconds = time.perf_counter() - started
        detail = f": {current.detail}" if current.detail else ""
        self.console.print(f"[green]done[/] {label}{detail} [dim]({seconds:.2f} s)[/]")

    def note(self, message: str) -> None:
        self.console.print(f"[yellow]note[/] {message}")


def table(result: Result, namespaces: NamespaceManager | None = None) -> str:
    """A human-readable table (not a standard format): one row per solution, IRIs as
    prefixed names where ``namespaces`` knows a prefix, literals as their plain text."""
    if result.type == "ASK":
        return f"{result.askAnswer}\n"
    names = [str(v) for v in result.vars or []]
    grid = Table(*names, show_lines=False)
    count = 0
    for row in result:
        grid.add_row(*(_plain(cast(ResultRow, row).get(n), namespaces) for n in names))
        count += 1
    out = io.StringIO()
    Console(file=out, width=200, no_color=True).print(grid)
    return out.getvalue() + f"{count} row(s)\n"


def _plain(term: object, namespaces: NamespaceManager | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef) and namespaces is not None:
        return term.n3(namespaces)
    return str(term)
