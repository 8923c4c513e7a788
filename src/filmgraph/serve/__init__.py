"""Answering queries safely, without Flask: worker processes that can be stopped at the time
limit, the sandbox they run in, the cache of answers and the limit on each client's queries
in progress."""

from .client_limits import ClientLimits
from .jobs import Job, Reply, WorkerOptions
from .result_cache import ResultCache
from .streams import Stream
from .workers import WorkerPool

__all__ = ["ClientLimits", "Job", "Reply", "ResultCache", "Stream", "WorkerOptions", "WorkerPool"]
