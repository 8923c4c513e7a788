"""Where the built dataset is kept and how queries reach it: one :class:`Backend` interface
(:mod:`.base`) and one module or package per backend, chosen by name in one place
(:func:`open_backend`, from the table :data:`filmgraph.core.settings.STORES`):

- :mod:`.memory`: the build in memory, rdflib's engine;
- :mod:`.oxigraph`: the build in an embedded Oxigraph store on disk, Oxigraph's engine;
- :mod:`.remote`: a remote SPARQL 1.1 store that holds our graphs (and ``push``, which puts
  them there).

Adding a backend is one module with a :class:`Backend` subclass, and one row of ``STORES``.
:mod:`.cache` keeps builds on disk under the key of their inputs; :mod:`.lock` lets one
build at a time write a build folder.
"""

from __future__ import annotations

from importlib import import_module

from ..core import STORES, SettingError, Settings, Steps
from .base import Backend, BackendSpec, Build, heavy_lane
from .cache import cache_holds, fingerprint, read_cache, write_cache
from .lock import build_lock, remove_strays
from .memory import MemoryBackend, MemorySpec, RdflibEngine
from .oxigraph import OxigraphBackend, OxigraphEngine
from .remote import RemoteBackend, RemoteEngine, RemoteStore, endpoints, push
from .run import run_query


def backend_class(name: str) -> type[Backend]:
    """The backend class of the store named ``name`` (a key of ``STORES``).

    >>> backend_class("oxigraph").__name__
    'OxigraphBackend'
    """
    if name not in STORES:
        raise SettingError(f"no store named {name!r}; stores: {', '.join(STORES)}")
    module, _, attribute = STORES[name][0].partition(":")
    found = getattr(import_module(module), attribute)
    if not (isinstance(found, type) and issubclass(found, Backend) and found.name == name):
        raise SettingError(f"{STORES[name][0]} is not the Backend of the {name} store")
    return found


def open_backend(
    settings: Settings, build: Build | None = None, steps: Steps | None = None
) -> Backend:
    """Open the backend ``settings.store`` names, holding ``build`` (see
    :meth:`Backend.open`); ``steps`` receives progress.

    Raises:
        SettingError, UpstreamError: see :meth:`Backend.open`.
    """
    return backend_class(settings.store_name).open(settings, build, steps or Steps())


__all__ = [
    "Backend",
    "BackendSpec",
    "Build",
    "MemoryBackend",
    "MemorySpec",
    "OxigraphBackend",
    "OxigraphEngine",
    "RdflibEngine",
    "RemoteBackend",
    "RemoteEngine",
    "RemoteStore",
    "backend_class",
    "build_lock",
    "cache_holds",
    "endpoints",
    "fingerprint",
    "heavy_lane",
    "open_backend",
    "push",
    "read_cache",
    "remove_strays",
    "run_query",
    "write_cache",
]
