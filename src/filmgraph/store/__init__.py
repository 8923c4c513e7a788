"""Where the built dataset is kept and queried: in memory, in an embedded Oxigraph store, or
in a remote SPARQL store; and the build cache."""

from .cache import cache_holds, fingerprint, read_cache, write_cache
from .choose import connect_remote, keep_store, kept_store, open_engine, prepare_store, remote_url
from .oxigraph.engine import OxigraphEngine
from .remote.client import LAYOUTS, Endpoints, RemoteStore, endpoints
from .remote.engine import RemoteEngine, snapshot
from .remote.push import push

__all__ = [
    "LAYOUTS",
    "Endpoints",
    "OxigraphEngine",
    "RemoteEngine",
    "RemoteStore",
    "cache_holds",
    "connect_remote",
    "endpoints",
    "fingerprint",
    "keep_store",
    "kept_store",
    "open_engine",
    "prepare_store",
    "push",
    "read_cache",
    "remote_url",
    "snapshot",
    "write_cache",
]
