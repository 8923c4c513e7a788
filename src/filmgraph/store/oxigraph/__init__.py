"""The embedded Oxigraph backend: the build in an Oxigraph store on disk (:mod:`.files`),
queried by Oxigraph's engine (:mod:`.engine`), read by the pages through a read-only rdflib
view (:mod:`.dataset`), kept under the build's key (:mod:`.backend`)."""

from .backend import OxigraphBackend, OxigraphSpec
from .dataset import open_dataset, store_path
from .engine import OxigraphEngine
from .files import (
    datatypes_file,
    keep_datatypes,
    load_store,
    memory_store,
    remove_strays,
    staging_dir,
    write_store,
)

__all__ = [
    "OxigraphBackend",
    "OxigraphEngine",
    "OxigraphSpec",
    "datatypes_file",
    "keep_datatypes",
    "load_store",
    "memory_store",
    "open_dataset",
    "remove_strays",
    "staging_dir",
    "store_path",
    "write_store",
]
