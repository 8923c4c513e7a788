"""filmgraph: knowledge graphs built from documents, each fact pointing back to the words
that state it; the bundled project is the film director Kantemir Balagov's.

The library works without Flask or a server::

    >>> import filmgraph
    >>> dataset = filmgraph.build()
    >>> rows = filmgraph.run_query(dataset, "SELECT ?n WHERE { fgid:closeness schema:name ?n }")
    >>> [str(r.n) for r in rows]
    ['Closeness']

and queries the store the settings name, as the endpoint does::

    >>> backend = filmgraph.open_store(filmgraph.Settings(store="oxigraph"))
    >>> answer = backend.engine().run("SELECT ?n WHERE { fgid:beanpole schema:name ?n }")
    >>> answer.body("csv").split()
    [b'n', b'Beanpole']

The package is laid out as the pipeline (see :mod:`filmgraph.pipeline`): ``core`` at the
bottom; ``load`` and ``query``; ``check``, ``reason`` and ``link``; ``store``; ``pipeline``
and ``serve``; ``export``, ``web`` and ``analysis``; ``cli`` on top.
"""

from .check import Report, Violation
from .core import (
    FG,
    FGID,
    GRAPHS,
    SCHEMA,
    VERSION,
    ChecksFailedError,
    DataError,
    FilmgraphError,
    InconsistencyError,
    NotFoundError,
    QueryError,
    QuerySyntaxError,
    SettingError,
    Settings,
)
from .export import Describer, Description, Fact, stats
from .load import Quote, characterisations_of, quotes_for
from .pipeline import build, open_files, open_store, validate, write_dataset
from .query import NamedQuery, format_result, load_queries
from .reason import (
    Explainer,
    Explanation,
    Reasoning,
    explain,
    explanation_json,
    explanation_text,
)
from .store import Backend, MemoryBackend, OxigraphBackend, RemoteBackend, open_backend, run_query

__version__ = VERSION

__all__ = [
    "FG",
    "FGID",
    "GRAPHS",
    "SCHEMA",
    "Backend",
    "ChecksFailedError",
    "DataError",
    "Describer",
    "Description",
    "Explainer",
    "Explanation",
    "Fact",
    "FilmgraphError",
    "InconsistencyError",
    "MemoryBackend",
    "NamedQuery",
    "NotFoundError",
    "OxigraphBackend",
    "QueryError",
    "QuerySyntaxError",
    "Quote",
    "Reasoning",
    "RemoteBackend",
    "Report",
    "SettingError",
    "Settings",
    "Violation",
    "__version__",
    "build",
    "characterisations_of",
    "explain",
    "explanation_json",
    "explanation_text",
    "format_result",
    "load_queries",
    "open_backend",
    "open_files",
    "open_store",
    "quotes_for",
    "run_query",
    "stats",
    "validate",
    "write_dataset",
]
