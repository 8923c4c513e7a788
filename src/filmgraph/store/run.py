"""Run one query over a built dataset from Python, as the endpoint runs it (:func:`run_query`)."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Dataset
from rdflib.query import Result

from ..core import SettingError
from ..query import Engine
from .memory import RdflibEngine
from .oxigraph import OxigraphEngine, memory_store

#: The engines :func:`run_query` can use: the default store's (Oxigraph) and rdflib's.
ENGINES = ("oxigraph", "memory")


def run_query(
    dataset: Dataset,
    text: str,
    services: Iterable[str] = (),
    *,
    store: str = "oxigraph",
    base: str | None = None,
) -> Result:
    """Run a SPARQL query over a built dataset as the endpoint does: the default graph is
    the union of the asserted, inferred and links graphs; every graph is addressable by name;
    relative IRIs resolve against ``base`` (by default the entities' namespace).
    ``services`` are the SERVICE endpoints the query may call (none by default), e.g.
    ``["https://query.wikidata.org/sparql"]`` for ``queries/wikidata-federated.rq``.

    ``store`` chooses the engine as the ``store`` setting does: ``oxigraph`` (the default:
    the dataset copied into an Oxigraph store in memory, a few milliseconds for the Balagov
    build) or ``memory`` (rdflib's engine over the dataset itself).

    Raises:
        QuerySyntaxError, QueryError, ForbiddenError: see :class:`~filmgraph.query.Engine`.
        SettingError: ``store`` is not one of :data:`ENGINES`.
    """
    engine: Engine
    if store == "oxigraph":
        engine = OxigraphEngine(memory_store(dataset), allowed_services=services)
    elif store == "memory":
        engine = RdflibEngine(dataset, allowed_services=services)
    else:
        raise SettingError(f"run_query runs on {' or '.join(ENGINES)}, not {store!r}")
    return engine.run(text, base=base).result
