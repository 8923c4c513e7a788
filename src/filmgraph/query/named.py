"""Named queries from ``queries/*.rq``, and running SPARQL over a built dataset.

Each ``.rq`` file opens with comment lines: the first is its title, the rest its description.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rdflib import Dataset
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result

from ..core import NotFoundError
from .engine import QueryEngine, prepare


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


def parse_query(text: str) -> Query:
    """Parse SPARQL text with the project's prefixes predeclared (see :func:`sparql.prepare`).

    Raises:
        QuerySyntaxError: with the 1-based line and column of the error.

    >>> parse_query("SELECT ?x WHERE { ?x a schema:Movie }").algebra.name
    'SelectQuery'
    """
    return prepare(text).query


def run_query(dataset: Dataset, text: str, services: Iterable[str] = ()) -> Result:
    """Run a SPARQL query over a built dataset as the endpoint does: the default graph is
    the union of the asserted, inferred and links graphs; every graph is addressable by name.
    ``services`` are the SERVICE endpoints the query may call (none by default), e.g.
    ``["https://query.wikidata.org/sparql"]`` for ``queries/wikidata-federated.rq``.

    Raises:
        QuerySyntaxError, QueryError, ForbiddenError: see :class:`sparql.QueryEngine`.
    """
    return QueryEngine(dataset, allowed_services=services).run(text).result
