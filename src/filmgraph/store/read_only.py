"""The refusals every read-only rdflib store of ours shares: the pages read a store through
rdflib (:attr:`filmgraph.store.Backend.dataset`), and nothing may write through it."""

from __future__ import annotations

from typing import Any

from rdflib import Graph
from rdflib.graph import ModificationException


class ReadOnly:
    """A mixin for an rdflib ``Store``, placed before it: every write raises
    ``ModificationException``; adding a graph does nothing (a graph exists when it holds
    triples, and ``Dataset.graph`` asks to add the one it names)."""

    def add_graph(self, graph: Graph) -> None:
        """Nothing: a graph exists when it holds triples (``Dataset.graph`` calls this)."""

    def add(self, *args: Any, **kwargs: Any) -> None:
        raise ModificationException()

    def addN(self, *args: Any, **kwargs: Any) -> None:
        raise ModificationException()

    def remove(self, *args: Any, **kwargs: Any) -> None:
        raise ModificationException()

    def update(self, *args: Any, **kwargs: Any) -> None:
        raise ModificationException()

    def remove_graph(self, graph: Graph) -> None:
        raise ModificationException()
