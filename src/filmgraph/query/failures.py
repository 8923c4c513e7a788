"""The one table that turns a failure of a query engine or a library into filmgraph's error,
and so into an HTTP status: used by the query workers, the notebook sources and the CLI.

A failure the table does not name is rdflib's limit when rdflib raised it (501 Not
Implemented, naming where it failed), else a bug of ours (500, logged with its traceback).

A ``MemoryError`` is the process running out of memory (503), named as the limit it hit when
the process runs under one (:func:`name_memory_limit`: a query worker names its
``worker_memory``); except when pyoxigraph raises it for a value longer than its readers'
buffer (:func:`buffer_full`), which is no lack of memory but a limit of the engine (501).

>>> from rdflib.plugins.sparql.sparql import SPARQLError
>>> error = as_error(SPARQLError("Variable x is not bound"))
>>> error.status, str(error).endswith("(Variable x is not bound)")
(501, True)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import cast
from urllib.error import URLError

from rdflib import __version__ as rdflib_version
from rdflib.plugins.sparql.sparql import SPARQLError

from ..core import (
    EngineLimitError,
    FilmgraphError,
    ForbiddenError,
    InternalError,
    QueryError,
    QuerySyntaxError,
    UnavailableError,
    UpstreamError,
)

log = logging.getLogger(__name__)

#: The engines whose failures the table knows: rdflib's (the memory store, and where every
#: query is prepared), Oxigraph's (embedded) and a remote store's (its client's errors).
ENGINES = ("rdflib", "oxigraph", "remote")

Make = Callable[[BaseException, Sequence[str]], FilmgraphError]


def _service_failure(exc: BaseException, services: Sequence[str]) -> FilmgraphError:
    """A SERVICE call that failed (rdflib calls the endpoint through urllib)."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, PermissionError):  # the worker's sandbox refused it
        return ForbiddenError(f"refused: {reason}")
    url = getattr(exc, "url", None)  # an HTTPError knows the URL it was answered for
    where = url.split("?")[0] if url else ", ".join(services)
    return UpstreamError(f"a SERVICE endpoint failed: {exc}", where)


def _oxigraph_failure(exc: BaseException, services: Sequence[str]) -> FilmgraphError:
    """Oxigraph's evaluation failed: a SERVICE it called, or a limit of the engine."""
    if services:  # Oxigraph calls SERVICE endpoints itself
        return UpstreamError(f"a SERVICE endpoint failed: {exc}", ", ".join(services))
    return EngineLimitError(f"Oxigraph cannot answer this query: {exc}")


#: What this process calls the memory limit it runs under, in the error a MemoryError
#: becomes ("": none named); see :func:`name_memory_limit`.
_memory_limit = ""

#: How pyoxigraph's readers (SPARQL results in TSV or JSON, RDF) say that a value or line is
#: longer than their buffer of 16 MiB, as a MemoryError.
_BUFFER_FULL = "Reached the buffer maximal size"


def name_memory_limit(limit: str) -> None:
    """Name the memory limit this process runs under (e.g. ``"the worker's memory limit of
    4096 MB"``) in the error every MemoryError becomes from now on: called once by a query
    worker when it sets its limit (:mod:`filmgraph.serve.limits`); "" names none."""
    global _memory_limit
    _memory_limit = limit


def buffer_full(exc: BaseException) -> bool:
    """Whether ``exc`` is a pyoxigraph reader refusing a value or line longer than its
    buffer (a ``MemoryError`` that is no lack of memory).

    >>> buffer_full(MemoryError("Reached the buffer maximal size of 16777216"))
    True
    >>> buffer_full(MemoryError())
    False
    """
    return isinstance(exc, MemoryError) and str(exc).startswith(_BUFFER_FULL)


def _out_of_memory(exc: BaseException, services: Sequence[str]) -> FilmgraphError:
    """The process ran out of memory (503, naming its limit when it has one); or a
    pyoxigraph reader's buffer was too small for a value, a limit of the engine (501)."""
    if buffer_full(exc):
        return EngineLimitError(f"Oxigraph cannot read a value this long: {exc} bytes")
    if _memory_limit:
        return UnavailableError(f"the query needed more than {_memory_limit}")
    return UnavailableError("the query needed more memory than a worker may use")


def _store_refusal(exc: BaseException, services: Sequence[str]) -> FilmgraphError:
    """A remote store that refuses a query we checked (400) cannot evaluate it, as Oxigraph's
    parser refusing what rdflib's accepted; any other failure of the store stays a 502."""
    error = cast(UpstreamError, exc)
    if error.upstream_status == 400:
        return QueryError(f"the query cannot be evaluated by the store: {error.reason}")
    return error


#: (engine, exception types, what they become), first match wins; ``*`` is any engine.
FAILURES: tuple[tuple[str, type[BaseException] | tuple[type[BaseException], ...], Make], ...] = (
    ("remote", UpstreamError, _store_refusal),
    ("*", FilmgraphError, lambda exc, _: cast(FilmgraphError, exc)),  # ours already
    # a query that was parsed is valid: SPARQL has no evaluation errors at the query's level
    # (an expression's error leaves a variable unbound), so one is the engine's limit
    (
        "*",
        SPARQLError,
        lambda exc, _: EngineLimitError(f"{engine_failure(exc)} ({exc})"),
    ),
    ("*", RecursionError, lambda *_: QueryError("the query is nested too deeply to evaluate")),
    ("*", MemoryError, _out_of_memory),
    ("*", URLError, _service_failure),
    ("*", PermissionError, lambda exc, _: ForbiddenError(f"refused: {exc}")),
    ("oxigraph", SyntaxError, lambda exc, _: syntax_error(exc)),  # its parser refuses it
    ("oxigraph", (OSError, RuntimeError), _oxigraph_failure),
)


def syntax_error(exc: BaseException) -> QuerySyntaxError:
    """Oxigraph's syntax error (``error at LINE:COLUMN: reason``) as ours."""
    found = re.match(r"error at (\d+):(\d+): (.*)", str(exc), re.S)
    if found is None:
        return QuerySyntaxError(str(exc))
    return QuerySyntaxError(found[3], int(found[1]), int(found[2]))


def as_error(
    exc: BaseException, engine: str = "rdflib", services: Sequence[str] = ()
) -> FilmgraphError:
    """The error that ``exc``, raised while ``engine`` answered a query calling
    ``services``, stands for (see :data:`FAILURES`)."""
    for which, kinds, make in FAILURES:
        if which in ("*", engine) and isinstance(exc, kinds):
            return make(exc, services)
    if is_engine_failure(exc):
        message = engine_failure(exc)
        log.warning("engine failure: %s", message, exc_info=exc)
        return EngineLimitError(message)
    log.error("query failed", exc_info=exc)
    return InternalError(f"internal error while answering the query ({type(exc).__name__})")


@contextmanager
def answering(engine: str = "rdflib", services: Sequence[str] = ()) -> Iterator[None]:
    """Raise any failure of the block as the error :func:`as_error` says it stands for."""
    try:
        yield
    except Exception as exc:
        raise as_error(exc, engine, services) from exc


def engine_failure(exc: BaseException) -> str:
    """What to tell a client when rdflib's engine fails on a query it accepted."""
    module, function = _deepest_frame(exc, ("rdflib",))
    where = f"{module}.{function}" if module else "rdflib"
    return (
        f"the SPARQL engine (rdflib {rdflib_version}) cannot answer this query: "
        f"{type(exc).__name__} in {where}"
    )


def is_engine_failure(exc: BaseException) -> bool:
    """Whether the deepest frame of ``exc`` that is rdflib's or ours is rdflib's: an
    engine limitation on a query it accepted (501), not a bug of filmgraph (500)."""
    return _deepest_frame(exc, ("rdflib", "filmgraph"))[0].startswith("rdflib")


def _deepest_frame(exc: BaseException, prefixes: tuple[str, ...]) -> tuple[str, str]:
    """(module, function) of the deepest traceback frame in a module with these prefixes."""
    found = ("", "")
    traceback = exc.__traceback__
    while traceback is not None:
        module = traceback.tb_frame.f_globals.get("__name__", "")
        if module.startswith(prefixes):
            found = (module, traceback.tb_frame.f_code.co_name)
        traceback = traceback.tb_next
    return found
