"""What the growth benchmark measures (benchmarks/growth.py) and reports
(benchmarks/growth_report.py): the backends and the stores they share, which of them a size
runs (:func:`plan`), the reasoning engine, the targets and the typical queries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backend:
    """One column of the tables: a way of holding and querying the film world."""

    label: str
    #: filmgraph's code on the path (its costs must grow at most linearly), or a store alone.
    filmgraph: bool
    #: The store it is loaded into (:data:`STORES`), shared by the backends that name it;
    #: None: it loads its own (rdflib memory parses the N-Quads).
    store: str | None
    #: Its HTTP target (:mod:`benchmarks.endpoints`); None: not served (the engine alone).
    target: str | None
    #: Its query mix is timed over HTTP, one request at a time (else in process).
    over_http: bool
    #: The backend it is compared against in the same run: the same store or engine alone,
    #: with no filmgraph code on the path (its growth is the engine's own).
    alone: str | None = None
    #: Measured by default only up to this many asserted triples (None: every size).
    max_size: int | None = None
    #: Needs Virtuoso (Debian's virtuoso-opensource) installed.
    virtuoso: bool = False
    #: Its pages are measured (:mod:`benchmarks.serve_pages`): filmgraph over a remote store.
    pages: bool = False


#: rdflib's memory backend is measured up to this size by default: at 1M its server's
#: processes (main 3.0 GB, two workers 4.7 and 4.6 GB) passed 12 GB before it answered, and
#: its query mix took 220 s a pass (benchmarks/RESULTS.md, the run at 39846e6).
MEMORY_MAX_SIZE = 100_000

#: The backends, in table order: short name -> what it is.
BACKENDS: dict[str, Backend] = {
    "memory": Backend("rdflib memory", True, None, "filmgraph", False, max_size=MEMORY_MAX_SIZE),
    "oxigraph": Backend(
        "embedded Oxigraph", True, "embedded", "filmgraph-oxigraph", False, alone="engine"
    ),
    "engine": Backend("Oxigraph engine alone", False, "embedded", None, False),
    "server": Backend("Oxigraph server", False, "oxigraph", "oxigraph", True),
    "remote": Backend(
        "remote (Oxigraph server)",
        True,
        "oxigraph",
        "filmgraph-remote",
        True,
        alone="server",
        pages=True,
    ),
    "virtuoso": Backend("Virtuoso", False, "virtuoso", "virtuoso", True, virtuoso=True),
    "remote-virtuoso": Backend(
        "remote (Virtuoso)",
        True,
        "virtuoso",
        "filmgraph-remote-virtuoso",
        True,
        alone="virtuoso",
        virtuoso=True,
        pages=True,
    ),
}

#: The stores the backends are loaded into, once per size: name -> how (and the backend whose
#: column shows the load).
STORES: dict[str, tuple[str, str]] = {
    "embedded": ("oxigraph", "filmgraph's load_store: N-Quads into a store on disk"),
    "oxigraph": ("server", "`oxigraph load` then `oxigraph optimize`"),
    "virtuoso": ("virtuoso", "Virtuoso's bulk loader, then a checkpoint"),
}


def plan(size: int, asked: list[str] | None, virtuoso: bool) -> tuple[list[str], dict[str, str]]:
    """The backends a size measures, in table order, and why each other one is not.

    ``asked``: the backends named by ``--backends`` (None: every backend, but for those
    above their ``max_size``); ``virtuoso``: whether Virtuoso is installed. A backend named
    in ``asked`` runs at any size.

    >>> plan(1_000_000, None, virtuoso=False)[0]
    ['oxigraph', 'engine', 'server', 'remote']
    >>> plan(100_000, None, virtuoso=True)[0][:2], plan(100_000, ["memory"], True)[0]
    (['memory', 'oxigraph'], ['memory'])
    """
    unknown = sorted(set(asked or ()) - set(BACKENDS))
    if unknown:
        raise ValueError(f"no backend {', '.join(unknown)}; backends: {', '.join(BACKENDS)}")
    chosen, skipped = [], {}
    for name, backend in BACKENDS.items():
        if asked is not None and name not in asked:
            continue
        if backend.virtuoso and not virtuoso:
            skipped[name] = "Virtuoso is not installed (Debian's virtuoso-opensource)"
        elif asked is None and backend.max_size is not None and size > backend.max_size:
            skipped[name] = (
                f"above {backend.max_size:,} asserted triples by default (--backends "
                f"{name} to measure it): it cannot hold them here"
            )
        else:
            chosen.append(name)
    return chosen, skipped


def stores_of(backends: list[str]) -> list[str]:
    """The stores to load for ``backends``, in :data:`STORES` order."""
    wanted = {BACKENDS[b].store for b in backends}
    return [store for store in STORES if store in wanted]


ENGINE = "reasonable"
SERVED_LIMIT_MB = 2048  # the first growth issue's target at 1M (embedded Oxigraph)
#: Issue 21's targets for ``filmgraph serve`` over a remote store, at the largest size.
REMOTE_STARTUP_S = 10.0
REMOTE_RESIDENT_MB = 1024
#: ... and its throughput against the store's own.
REMOTE_THROUGHPUT = 0.9


#: Typical film-graph queries over the default graph (asserted + inferred), name -> text.
TYPICAL: dict[str, str] = {
    "label-regex": """# Films whose title starts with "silent r" (case-insensitive regex)
SELECT ?film ?title WHERE {
  ?film a schema:Movie ; schema:name ?title .
  FILTER(REGEX(?title, "^silent r", "i"))
}""",
    "films-per-director": """# The 100 directors with the most films (GROUP BY over every film)
SELECT ?director (COUNT(?film) AS ?films) WHERE {
  ?film a schema:Movie ; schema:director ?director .
}
GROUP BY ?director ORDER BY DESC(?films) ?director LIMIT 100""",
    "films-per-country": """# Films set in each country (transitive containedInPlace path)
SELECT ?country (COUNT(DISTINCT ?film) AS ?films) WHERE {
  ?film schema:contentLocation ?place .
  ?place schema:containedInPlace+ ?country .
  ?country a schema:Country .
}
GROUP BY ?country""",
    "films-2010-join": """# Films of 2010, their director's name and premiere festival (multi-join)
SELECT ?title ?director ?year ?festival WHERE {
  ?film a schema:Movie ; schema:name ?title ; schema:director ?d ;
    schema:datePublished ?year ; fg:premieredAt ?edition .
  ?d schema:name ?director .
  ?edition schema:superEvent ?f .
  ?f schema:name ?festival .
  FILTER(STR(?year) = "2010")
}""",
    "films-1999-optional-award": """# Films of 1999 and the award each won, if any (OPTIONAL)
SELECT ?film ?title ?award WHERE {
  ?film a schema:Movie ; schema:name ?title ; schema:datePublished ?year .
  FILTER(STR(?year) = "1999")
  OPTIONAL { ?film fg:wonAward ?a . ?a schema:name ?award }
}""",
}
