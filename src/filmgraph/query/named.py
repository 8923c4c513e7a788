"""Named queries: the competency questions kept as ``queries/*.rq`` files.

Each ``.rq`` file opens with comment lines: the first is its title, the rest its description.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..core import NotFoundError
from .prepared import prepare


@dataclass(frozen=True)
class NamedQuery:
    """A competency question kept as a file."""

    name: str
    title: str
    description: str
    text: str
    path: Path

    @cached_property
    def services(self) -> tuple[str, ...]:
        """The SERVICE endpoints it calls: a federated query runs only where they are
        allowed (setting ``service_allow``)."""
        return prepare(self.text).services


def load_queries(folder: Path) -> dict[str, NamedQuery]:
    """Every ``.rq`` file of ``folder``, by name (the file name without ``.rq``)."""
    return {path.stem: read_query(path) for path in sorted(folder.glob("*.rq"))}


def read_query(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    comments = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comments.append(line.lstrip("#").strip())
    title = comments[0] if comments else path.stem
    return NamedQuery(path.stem, title, " ".join(c for c in comments[1:] if c), text, path)


def get_query(folder: Path, name: str) -> NamedQuery:
    """The named query ``name``; raises NotFoundError listing the names that exist."""
    queries = load_queries(folder)
    if name not in queries:
        raise NotFoundError(f"no query named {name!r}; known: {', '.join(queries) or 'none'}")
    return queries[name]
