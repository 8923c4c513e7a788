"""The project's exception types. Each knows the HTTP status it stands for.

Third-party errors are converted into these at the boundary where they happen, keeping the
file, line and column of bad input, so that every layer (CLI, web) reports them the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class FilmgraphError(Exception):
    """Base of every error filmgraph raises on purpose.

    An error crosses process boundaries whole (a query worker sends it to the web process):
    it is pickled with its attributes, whatever its constructor takes.

    >>> import pickle
    >>> error = pickle.loads(pickle.dumps(DataError("bad", "x.ttl", 3, 4)))
    >>> error.status, error.line, str(error)
    (500, 3, 'x.ttl, line 3, column 4: bad')
    """

    status: int = 500
    #: Seconds after which the client may try again (sent as Retry-After), if it may.
    retry_after: int | None = None

    @property
    def message(self) -> str:
        return str(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


def _rebuild(
    kind: type[FilmgraphError], args: tuple[Any, ...], state: dict[str, Any]
) -> FilmgraphError:
    """An error unpickled: its message and attributes, without calling its constructor."""
    error = kind.__new__(kind)
    error.args = args
    error.__dict__.update(state)
    return error


class DataError(FilmgraphError):
    """A data, ontology or claims file is malformed, or a file filmgraph keeps (the build,
    its cache, an export) cannot be read or written (a full disk, a folder in its place);
    says which file and where."""

    status = 500

    def __init__(
        self, reason: str, path: Path | str, line: int | None = None, column: int | None = None
    ) -> None:
        self.reason = reason
        self.path = Path(path)
        self.line = line
        self.column = column
        where = str(path)
        if line is not None:
            where += f", line {line}"
            if column is not None:
                where += f", column {column}"
        super().__init__(f"{where}: {reason}")


class WriteError(DataError, OSError):
    """A file cannot be written (a full disk, a folder in its place, no permission): a
    :class:`DataError` naming the file, and still the :class:`OSError` it was (``errno``
    kept), for callers that catch the system's error.

    >>> import errno
    >>> error = WriteError("cannot write: No space left on device", "x.nq", errno.ENOSPC)
    >>> isinstance(error, OSError), error.errno == errno.ENOSPC, str(error)
    (True, True, 'x.nq: cannot write: No space left on device')
    """

    def __init__(self, reason: str, path: Path | str, code: int | None = None) -> None:
        super().__init__(reason, path)
        self.errno = code
        self.filename = str(path)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.reason


class QuerySyntaxError(FilmgraphError):
    """A SPARQL query could not be parsed; carries the 1-based line and column."""

    status = 400

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(f"malformed query: {where}{reason}")


class QueryError(FilmgraphError):
    """A query is well-formed but cannot be answered as asked (e.g. CSV for a graph result)."""

    status = 400


class NotFoundError(FilmgraphError):
    """A named thing (query, graph, entity) does not exist."""

    status = 404


class ChecksFailedError(FilmgraphError):
    """The data failed its SHACL shapes or integrity checks; holds the full report."""

    status = 500

    def __init__(self, report: object, text: str) -> None:
        self.report = report
        super().__init__(text)


class InconsistencyError(FilmgraphError):
    """OWL 2 RL reasoning found the data inconsistent; the message names the triples.

    ``matches`` holds ``(rule name, premise triples)`` for every inconsistency found.
    """

    status = 500

    def __init__(self, text: str, matches: list[tuple[str, tuple[Any, ...]]]) -> None:
        self.matches = matches
        super().__init__(text)


class SettingError(FilmgraphError):
    """A setting has a value filmgraph cannot use (unknown engine, missing extra, ...)."""

    status = 500


class ForbiddenError(FilmgraphError):
    """The request asks for something this endpoint never does (an update, a SERVICE call
    to an endpoint not on the allow-list, reaching the network or the file system)."""

    status = 403


class NotAcceptableError(FilmgraphError):
    """No format the client accepts can express this result."""

    status = 406


class UnsupportedMediaTypeError(FilmgraphError):
    """A request body of a media type (or charset) the endpoint does not take."""

    status = 415


class TooLargeError(FilmgraphError):
    """A request body or query longer than the configured limit."""

    status = 413


class UriTooLongError(TooLargeError):
    """A query in the URL longer than the configured limit."""

    status = 414


class UnavailableError(FilmgraphError):
    """The query was stopped at the time limit, or no worker could take it in time."""

    status = 503


class TimeLimitError(UnavailableError):
    """The query was stopped at its time limit (the server's, or a shorter one it was given)."""


class BusyError(UnavailableError):
    """Every query worker stayed busy while the request waited: try again shortly."""

    retry_after = 1


class TooManyRequestsError(FilmgraphError):
    """The client already has as many queries in progress as one client may have."""

    status = 429
    retry_after = 1


class EngineLimitError(FilmgraphError):
    """A valid query that rdflib's SPARQL engine cannot answer (a known gap of the engine,
    reported as 501 Not Implemented with where it failed)."""

    status = 501


class InternalError(FilmgraphError):
    """A bug of filmgraph's met while answering: logged with its traceback, answered with a
    message that shows neither the traceback nor any path."""

    status = 500


class UpstreamError(FilmgraphError):
    """A remote service (Wikidata's API, a reconciliation service) failed: it could not be
    reached, timed out, answered with an HTTP error or with something that is not its JSON.
    The message names the URL and, when there was one, the HTTP status."""

    status = 502

    def __init__(self, reason: str, url: str, upstream_status: int | None = None) -> None:
        self.reason = reason
        self.url = url
        self.upstream_status = upstream_status
        status = f" (HTTP {upstream_status})" if upstream_status is not None else ""
        super().__init__(f"{url}{status}: {reason}")


class PushError(FilmgraphError):
    """A push to a remote store failed part-way; the message and ``report`` say, graph by
    graph, which were replaced and which still hold their previous version."""

    status = 502

    def __init__(self, text: str, report: object) -> None:
        self.report = report
        super().__init__(text)
