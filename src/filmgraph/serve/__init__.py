"""Answering queries safely, without Flask: worker processes that can be stopped at the time
limit, the sandbox they run in, the cache of answers and the limit on each client's queries
in progress."""

from .client_limits import ClientLimits
from .result_cache import ResultCache
from .workers import Job, Reply, Stream, WorkerOptions, WorkerPool

__all__ = ["ClientLimits", "Job", "Reply", "ResultCache", "Stream", "WorkerOptions", "WorkerPool"]
