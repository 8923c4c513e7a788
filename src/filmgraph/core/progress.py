"""Progress of the pipeline's steps: silent in the library, shown by the CLI with rich."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console


@dataclass
class Step:
    """A running step; the pipeline sets ``detail`` to what it counted."""

    label: str
    detail: str = ""


class Steps:
    """Receives the pipeline's steps and notes. This base class shows nothing."""

    @contextmanager
    def step(self, label: str) -> Iterator[Step]:
        yield Step(label)

    def note(self, message: str) -> None:
        """Something the user should know (a cache that could not be used, ...)."""


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
