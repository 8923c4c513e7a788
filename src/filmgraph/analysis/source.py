"""The interface every analysis source shares: queries as DataFrames, descriptions, networkx.

See :mod:`filmgraph.analysis` for the two sources and how to open them.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import TYPE_CHECKING

try:  # the notebook extra
    import networkx  # noqa: F401
    import pandas as pd
except ImportError as missing:  # pragma: no cover
    raise ImportError(
        f"{missing.name} is missing: filmgraph.analysis.source needs the notebook extra "
        "(pip install 'filmgraph-kg[notebook]')"
    ) from missing
from rdflib import Graph, URIRef
from rdflib.query import Result
from rdflib.term import Node

from ..core import FGID, PREFIXES, QueryError, Settings, expand
from ..query import DEFAULT_GRAPHS, get_query
from .frames import frame, label_query, pick_labels
from .networks import neighbourhood, to_networkx

if TYPE_CHECKING:
    import networkx as nx

#: The columns of :meth:`Source.describe`, before the label columns are added.
FACT_COLUMNS = ("direction", "predicate", "value", "kind", "quote", "sentence")


def entity_iri(entity: str) -> URIRef:
    """An entity from an IRI, a prefixed name or one of our names.

    Raises:
        QueryError: the result would not be an IRI (it has spaces, quotes, angle brackets).

    >>> entity_iri("closeness") == entity_iri("fgid:closeness") == FGID.closeness
    True
    """
    text = str(entity).strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if _NOT_IN_IRIS.search(text):
        raise QueryError(f"not an IRI, a prefixed name or one of our names: {entity!r}")
    if "://" in text:
        return URIRef(text)
    if text.partition(":")[0] in PREFIXES:
        return expand(text)
    return FGID[text]


_NOT_IN_IRIS = re.compile(r'[\x00-\x20<>"{}|^`\\]')


class Source(ABC):
    """Where queries are answered: a built dataset or an endpoint. Subclasses say how a query
    is run, how one graph is read, and which facts an entity has; the rest is shared."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @abstractmethod
    def result(self, text: str) -> Result:
        """The rdflib result of a query (``.type``: SELECT, ASK, CONSTRUCT or DESCRIBE).

        Raises:
            QuerySyntaxError: the text is not a query (with its line and column).
            QueryError, ForbiddenError, EngineLimitError, UpstreamError: it cannot be answered.
        """

    @abstractmethod
    def graph(self, name: str) -> Graph:
        """The named graph ``name`` (a key of :data:`filmgraph.GRAPHS`)."""

    @abstractmethod
    def facts(self, entity: URIRef) -> list[dict[str, Node | None]]:
        """The facts about ``entity`` as rows of :data:`FACT_COLUMNS`: what
        :meth:`describe` shows. Raises NotFoundError for an entity the graph does not know."""

    def query(self, text: str, *, labels: bool = True) -> pd.DataFrame | bool | Graph:
        """Run a SPARQL query: a SELECT gives a DataFrame (see :mod:`.frames`; with ``labels``,
        a ``<column>_label`` next to each column of IRIs), an ASK a bool, a
        CONSTRUCT or DESCRIBE an rdflib Graph. The project's prefixes are predeclared.

        >>> from filmgraph.analysis import open_dataset
        >>> open_dataset().query('ASK { fgid:beanpole schema:datePublished "2019"^^xsd:gYear }')
        True
        """
        result = self.result(text)
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            return result.graph or Graph()
        rows = [{str(k): v for k, v in row.items()} for row in result.bindings]
        return frame([str(v) for v in result.vars or ()], rows, self.labels if labels else None)

    def named(self, name: str, *, labels: bool = True) -> pd.DataFrame | bool | Graph:
        """Run the named query ``queries/NAME.rq``; see :meth:`query`.

        Raises:
            NotFoundError: no such query (the message lists those that exist).
        """
        return self.query(get_query(self.settings.queries_dir, name).text, labels=labels)

    def labels(self, iris: Iterable[URIRef]) -> dict[URIRef, str]:
        """The label of each IRI that has one: its ``schema:name``, else its ``rdfs:label``."""
        iris = sorted(set(iris))
        found: dict[URIRef, str] = {}
        for start in range(0, len(iris), 400):
            result = self.result(label_query(iris[start : start + 400]))
            found.update(pick_labels({str(k): v for k, v in r.items()} for r in result.bindings))
        return found

    def describe(self, entity: str) -> pd.DataFrame:
        """What the graph says about an entity: one row per fact and quote, with columns
        ``direction`` (``out`` for its own facts, ``in`` for links to it), ``predicate``,
        ``value`` (the object, or the subject of an ``in`` link), ``kind`` (``asserted`` or
        ``inferred``), ``quote`` and ``sentence`` (the document's words behind an asserted
        fact), and the labels of predicates and values.

        Raises:
            NotFoundError: the graph says nothing about the entity.

        >>> from filmgraph.analysis import open_dataset
        >>> facts = open_dataset().describe("closeness")
        >>> [director] = facts[facts.predicate_label == "director"].itertuples()
        >>> director.value_label, director.kind, int(director.sentence)
        ('Kantemir Balagov', 'asserted', 8)
        >>> director.quote[:42]
        'In 2017, Balagov burst onto the internatio'
        """
        rows = self.facts(entity_iri(entity))
        table = frame(FACT_COLUMNS, rows, self.labels)
        order = ["predicate_label", "predicate", "value_label", "value", "kind", "sentence"]
        order = ["direction", *(column for column in order if column in table)]
        ascending = [False, *[True] * (len(order) - 1)]  # its own facts ("out") first
        return table.sort_values(order, ascending=ascending, key=sortable).reset_index(drop=True)

    def to_networkx(
        self, graphs: Iterable[str] = DEFAULT_GRAPHS, *, literals: bool = True, types: bool = True
    ) -> nx.MultiDiGraph:
        """The triples of ``graphs`` (by default those of the default graph) as a networkx
        MultiDiGraph: see :func:`filmgraph.analysis.networks.to_networkx` for nodes and edges.
        ``literals=False`` leaves out triples whose object is a literal, ``types=False``
        those of ``rdf:type``."""
        named = {name: self.graph(name) for name in graphs}
        return to_networkx(named, self.labels, literals=literals, types=types)

    def neighbourhood(
        self,
        entity: str,
        depth: int = 1,
        *,
        graphs: Iterable[str] = DEFAULT_GRAPHS,
        literals: bool = False,
        types: bool = False,
    ) -> nx.MultiDiGraph:
        """An entity and everything within ``depth`` links of it (either way), with the
        links between them, from :meth:`to_networkx`. Inferred edges have ``inferred=True``.

        Raises:
            NotFoundError: the entity is in none of the triples.
        """
        whole = self.to_networkx(graphs, literals=literals, types=types)
        return neighbourhood(whole, entity_iri(entity), depth)


def sortable(column: pd.Series) -> pd.Series:
    """Numbers as they are; anything else by its text (a column may mix types)."""
    if pd.api.types.is_numeric_dtype(column):
        return column
    return column.map(lambda v: "" if v is None or v is pd.NA else str(v))


__all__ = ["FACT_COLUMNS", "Source", "entity_iri", "sortable"]
