"""The analysts' API: the graph as DataFrames and networkx graphs, in a notebook, no server.

A :class:`Source` answers SPARQL and named queries (``queries/*.rq``) as pandas DataFrames
with Python types (:mod:`filmgraph.analysis.frames`), describes entities and converts graphs to
networkx (:mod:`filmgraph.analysis.networks`). Two kinds share that interface:

- :class:`filmgraph.analysis.LocalSource`, the built dataset (:func:`open_dataset`): queries
  see exactly what the endpoint's see; it also gives the tables only the dataset holds:
  counts per graph, what reasoning added and why, provenance, the comparison with Wikidata.
- :class:`filmgraph.analysis.RemoteSource`, a SPARQL endpoint (:func:`connect`), such as
  ``filmgraph serve``.

>>> fg = open_dataset()
>>> films = fg.named("films-directed")
>>> films[["title", "year"]]
       title  year
0  Closeness  2017
1   Beanpole  2019

Needs the ``notebook`` extra (``pip install 'filmgraph-kg[notebook]'``).
"""

from __future__ import annotations

from rdflib import Dataset

from ..core import Settings
from ..pipeline import open_store
from ..store import Backend, MemoryBackend
from .local import LocalSource
from .remote import RemoteSource
from .source import FACT_COLUMNS, Source, entity_iri


def open_dataset(
    settings: Settings | None = None,
    *,
    dataset: Dataset | None = None,
    backend: Backend | None = None,
) -> LocalSource:
    """The built dataset as a :class:`LocalSource`, queried through the backend the
    ``store`` setting names, as the endpoint is: opened by :func:`filmgraph.open_store`
    with ``settings`` (by default from the ``FILMGRAPH_*`` environment), unless a
    ``backend`` is given, or a built ``dataset`` (then held in memory).

    Raises:
        DataError, ChecksFailedError, InconsistencyError: see :func:`filmgraph.build`.

    >>> open_dataset().query("SELECT ?name WHERE { fgid:beanpole schema:name ?name }")
           name
    0  Beanpole
    """
    settings = settings or Settings.from_env()
    if backend is None:
        backend = MemoryBackend(dataset) if dataset is not None else open_store(settings)
    return LocalSource(backend, settings)


def connect(url: str, *, settings: Settings | None = None, timeout: float = 30.0) -> RemoteSource:
    """A SPARQL endpoint (such as ``filmgraph serve``'s) as a :class:`RemoteSource`, with
    the same interface as :func:`open_dataset`.

    >>> connect("http://127.0.0.1:9/sparql").named("films-directed")
    Traceback (most recent call last):
    filmgraph.core.errors.UpstreamError: http://127.0.0.1:9/sparql: cannot connect: ...
    """
    return RemoteSource(url, settings or Settings.from_env(), timeout=timeout)


__all__ = [
    "FACT_COLUMNS",
    "LocalSource",
    "RemoteSource",
    "Source",
    "connect",
    "entity_iri",
    "open_dataset",
]
