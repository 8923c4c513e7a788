"""filmgraph: a knowledge graph of the film director Kantemir Balagov, with provenance.

The library works without Flask or a server::

    >>> import filmgraph
    >>> dataset = filmgraph.build()
    >>> rows = filmgraph.run_query(dataset, "SELECT ?n WHERE { fgid:closeness schema:name ?n }")
    >>> [str(r.n) for r in rows]
    ['Closeness']
"""

from importlib.metadata import PackageNotFoundError, version

from .check import Report, Violation
from .core import (
    FG,
    FGID,
    GRAPHS,
    SCHEMA,
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
from .pipeline import build, validate, write_dataset
from .query import NamedQuery, format_result, load_queries, run_query
from .reason import (
    Explainer,
    Explanation,
    Reasoning,
    explain,
    explanation_json,
    explanation_text,
    reason,
)

try:
    __version__ = version("filmgraph")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "FG",
    "FGID",
    "GRAPHS",
    "SCHEMA",
    "ChecksFailedError",
    "DataError",
    "Describer",
    "Description",
    "Explainer",
    "Explanation",
    "Fact",
    "FilmgraphError",
    "InconsistencyError",
    "NamedQuery",
    "NotFoundError",
    "QueryError",
    "QuerySyntaxError",
    "Quote",
    "Reasoning",
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
    "quotes_for",
    "reason",
    "run_query",
    "stats",
    "validate",
    "write_dataset",
]
