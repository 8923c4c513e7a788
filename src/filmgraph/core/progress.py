"""Progress of the pipeline's steps: silent in the library (the CLI shows them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


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
