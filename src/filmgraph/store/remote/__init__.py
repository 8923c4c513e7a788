"""The remote backend: a SPARQL 1.1 store that holds our graphs. Its client speaks the
Protocol and the Graph Store Protocol (:mod:`.client`); queries go to it under the same
rules as every engine (:mod:`.engine`); ``filmgraph push`` puts our graphs there
(:mod:`.pushing`); the pages look up what they show in it (:mod:`.dataset`); :mod:`.backend`
opens it by the ``store`` setting."""

from .backend import RemoteBackend, RemoteSpec
from .client import CUT_HEADER, FROM_WINS, LAYOUTS, Endpoints, QueryAnswer, RemoteStore, endpoints
from .dataset import RemoteReadOnly, remote_dataset
from .engine import EMPTY, RemoteEngine, connect, held_graphs
from .pushing import DEFAULT_PUSH, PushReport, push

__all__ = [
    "CUT_HEADER",
    "DEFAULT_PUSH",
    "EMPTY",
    "FROM_WINS",
    "LAYOUTS",
    "Endpoints",
    "PushReport",
    "QueryAnswer",
    "RemoteBackend",
    "RemoteEngine",
    "RemoteReadOnly",
    "RemoteSpec",
    "RemoteStore",
    "connect",
    "endpoints",
    "held_graphs",
    "push",
    "remote_dataset",
]
