"""Answering queries safely, without Flask: worker processes that can be stopped at the time
limit, the sandbox they run in, and the cache of answers."""

from .result_cache import ResultCache
from .workers import Job, Reply, WorkerOptions, WorkerPool

__all__ = ["Job", "Reply", "ResultCache", "WorkerOptions", "WorkerPool"]
