"""The build in an Oxigraph store on disk: written from N-Quads (never through rdflib), its
default graph the union of the default graphs, and the literals Oxigraph would narrow kept
beside it.

- **The default graph is materialised.** :func:`load_store` copies the triples of the
  default graphs (:data:`filmgraph.query.DEFAULT_GRAPHS`) into the store's own default graph,
  once, and a query that does not choose its dataset is evaluated on that graph: Oxigraph
  answers faster from one graph than from a union of named graphs (1.2-2.1x on the growth
  benchmark's queries), at the price of storing those triples twice. The named graphs stay
  as they are (``GRAPH ?g`` never sees the default graph), and a query that names its
  dataset (FROM, FROM NAMED, the protocol's graph URIs) gets exactly those graphs. A store
  written without the copy (its default graph empty) is queried over the named graphs.
- **Literals as written.** Oxigraph 0.5 stores some literals with another datatype or
  lexical form (``"01"^^xsd:positiveInteger`` as ``"1"^^xsd:integer``); those quads are kept
  verbatim in a file beside the store (:func:`keep_datatypes`), which :mod:`.dataset` reads.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import re
import shutil
import sys
import traceback
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, URIRef

from ...core import DataError, write_atomic
from ...query import default_graphs_of, stored_literal


def key_file(path: Path) -> Path:
    """The file that names the build the store at ``path`` holds (``LAYOUT key``); removed
    by :func:`load_store` before the new store is swapped in, written last."""
    return path.with_name(path.name + ".key")


def staging_dir(path: Path) -> Path:
    """Where :func:`load_store` writes a new store before it is swapped in (``oxigraph.new``,
    with its companion files ``oxigraph.new.*`` beside it): a stray left by a build that was
    stopped is removed by the next build (:func:`remove_strays`)."""
    return path.with_name(path.name + ".new")


def remove_strays(path: Path) -> list[Path]:
    """Remove what a stopped build of the store at ``path`` left behind (the staging store
    and its companion files, a store swapped out but not yet removed, the N-Quads of
    :func:`write_store`); return what was removed. Call it only under the build folder's
    lock (:func:`filmgraph.store.build_lock`): another build's staging is not a stray."""
    found = sorted(path.parent.glob(f"{path.name}.new*")) + [
        p for p in (path.with_name(path.name + ".old"), path.with_name(path.name + ".nq"))
    ]
    removed = []
    for stray in found:
        if stray.is_dir() and not stray.is_symlink():
            shutil.rmtree(stray, ignore_errors=True)
        elif stray.exists() or stray.is_symlink():
            stray.unlink(missing_ok=True)
        else:
            continue
        removed.append(stray)
    return removed


def write_store(dataset: Dataset, path: Path, key_line: str | None = None) -> Path:
    """Write the named graphs of ``dataset`` into a new Oxigraph store at ``path``, as
    :func:`load_store` loads them, replacing any store there only once the new one is
    complete.

    Raises:
        DataError: see :func:`load_store`.
    """
    quads = path.with_name(path.name + ".nq")  # streamed to disk, never whole in memory
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        dataset.serialize(destination=str(quads), format="nquads", encoding="utf-8")
    except OSError as exc:
        quads.unlink(missing_ok=True)
        raise DataError(f"cannot write the Oxigraph store: {_reason(exc)}", quads) from exc
    try:
        return load_store(quads, path, key_line)
    finally:
        quads.unlink(missing_ok=True)


def load_store(nquads: Path, path: Path, key_line: str | None = None) -> Path:
    """Load the named graphs of the N-Quads file ``nquads`` into a new Oxigraph store at
    ``path``, and its key file (``key_line``; none when None). The store's default graph is
    the union of the default graphs (:func:`union_default_graph`; the file's own default
    graph is dropped), and the literals Oxigraph would store with another datatype are kept
    beside it (:func:`keep_datatypes`). Nothing passes through rdflib.

    The new store and its companion files are written whole beside the old ones first
    (:func:`staging_dir`), then swapped in by renames (which need no space): the key is
    removed, the folders exchanged (atomically where the system can, ``renameat2``), the
    companion files renamed, the key written last. The manifest of the store's files and
    companion files (:func:`write_manifest`) is written with them, for the check at open
    (:func:`damage`). Whatever fails while writing (a full
    disk), the store, key and companion files there before are left as they were, and the
    staging files removed.

    Raises:
        DataError: the store cannot be written (a full disk: the message names the store
            and why), or ``nquads`` cannot be read or is not N-Quads.
    """
    staging = staging_dir(path)
    datatypes, key = datatypes_file(staging), key_file(staging)
    manifest = manifest_file(staging)
    written = (datatypes, key, manifest)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)  # another build's: the lock keeps it out
        _write_store(nquads, staging)
        write_atomic(datatypes, narrowed_quads(nquads))
        if key_line is not None:
            write_atomic(key, key_line)
        write_manifest(staging)
    except BaseException as exc:
        # The frames of the failure hold the store open (RocksDB's lock): freed first, so
        # that the staging store is closed before it is removed and a retry can write it.
        traceback.clear_frames(exc.__traceback__)
        shutil.rmtree(staging, ignore_errors=True)
        for companion in written:
            companion.unlink(missing_ok=True)
        if isinstance(exc, DataError):
            raise
        if isinstance(exc, OSError):
            raise DataError(f"cannot write the Oxigraph store: {_reason(exc)}", staging) from exc
        if isinstance(exc, SyntaxError):
            raise DataError(f"not N-Quads: {exc}", nquads) from exc
        raise
    key_file(path).unlink(missing_ok=True)  # from here to the end the store is in change
    _swap(staging, path)
    os.replace(datatypes, datatypes_file(path))
    os.replace(manifest, manifest_file(path))
    if key_line is not None:
        os.replace(key, key_file(path))
    return path


def _write_store(nquads: Path, staging: Path) -> None:
    """The store of ``nquads`` written, compacted and closed at ``staging``."""
    store = ox.Store(str(staging))
    try:
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        union_default_graph(store)
        # The copy's files overlap the load's: compacted once, six queries of the growth
        # benchmark take 12.4 s instead of 14.4-15.1 s at 1M triples (4.6 s more to write;
        # the store grows from 577 to 731 MB). At 100k it changes nothing measurable.
        store.optimize()
        store.flush()
    finally:
        del store  # closed before it moves (or is removed)


def _swap(new: Path, path: Path) -> None:
    """Put the folder ``new`` at ``path``: in one step where the system exchanges two names
    atomically (Linux's ``renameat2``), else by two renames (``path`` is briefly absent);
    the folder there before is removed."""
    if not path.exists():
        new.rename(path)
        return
    old = path.with_name(path.name + ".old")
    if _exchange(new, path):
        old = new  # it holds the previous store now
    else:
        shutil.rmtree(old, ignore_errors=True)
        path.rename(old)
        new.rename(path)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two paths atomically with ``renameat2(RENAME_EXCHANGE)``; False where the
    system or its C library cannot."""
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return bool(done == 0)


def _reason(exc: OSError) -> str:
    """An operating system error without its file name: ``No space left on device``."""
    return exc.strerror or str(exc) or type(exc).__name__


#: The manifest's format (its first field).
MANIFEST = "filmgraph-oxigraph-manifest/1"
#: Up to how many bytes of store files are hashed whole at every open (:func:`damage`): at
#: about 1 GB/s that is 60 ms at most; the Balagov store holds 0.8 MB (1-2 ms). A larger
#: store's files are compared by size and modification time, and hashed only where those
#: differ from the manifest's.
FULL_CHECK_BYTES = 64 * 1024 * 1024
#: The store's files that RocksDB rewrites while it only reads (its log and lock file):
#: not in the manifest.
_UNCHECKED = re.compile(r"^(LOCK|LOG(\.old\..*)?)$")
#: The companion files beside a store, by the suffix of their name, in the manifest.
_COMPANIONS = (".datatypes.nq", ".key")


def manifest_file(path: Path) -> Path:
    """Where the manifest of the store at ``path`` is kept (``oxigraph.manifest``): the
    name, size, modification time and SHA-256 of each of its files and companion files
    (:func:`write_manifest`)."""
    return path.with_name(path.name + ".manifest")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _store_files(path: Path) -> dict[str, Path]:
    """The files of the store folder ``path`` that the manifest holds, by relative name."""
    return {
        file.relative_to(path).as_posix(): file
        for file in sorted(path.rglob("*"))
        if file.is_file() and not _UNCHECKED.match(file.name)
    }


def _entry(file: Path) -> dict[str, object]:
    status = file.stat()
    return {"size": status.st_size, "mtime_ns": status.st_mtime_ns, "sha256": _sha256(file)}


def write_manifest(path: Path) -> None:
    """Write the manifest of the store at ``path`` (:func:`manifest_file`): each file of the
    store folder (RocksDB's log and lock file aside) and each companion file there
    (``.datatypes.nq``, ``.key``) with its size, modification time and SHA-256."""
    manifest = {
        "format": MANIFEST,
        "store": {name: _entry(file) for name, file in _store_files(path).items()},
        "companions": {
            suffix: _entry(file)
            for suffix in _COMPANIONS
            if (file := path.with_name(path.name + suffix)).is_file()
        },
    }
    write_atomic(manifest_file(path), json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def damage(path: Path) -> str | None:
    """What is damaged in the store at ``path`` or its companion files, checked against its
    manifest (:func:`write_manifest`), in a few words naming the file; None when whole.

    The companion files are hashed whole, always; so are the store's files while they
    hold no more than :data:`FULL_CHECK_BYTES`. Past that, a store file whose size and
    modification time are the manifest's is taken as whole, and one whose modification
    time differs is hashed.
    """
    if not path.is_dir():
        return f"{path.name} is missing"
    where = manifest_file(path)
    try:
        manifest = json.loads(where.read_text(encoding="utf-8"))
        store, companions = manifest["store"], manifest["companions"]
        if manifest["format"] != MANIFEST or not isinstance(store, dict):
            raise ValueError(manifest["format"])
        if not isinstance(companions, dict):
            raise ValueError(companions)
    except FileNotFoundError:
        return f"{where.name} is missing"
    except (OSError, ValueError, KeyError, TypeError):
        return f"{where.name} is unreadable"
    files = [
        (f"{path.name}{suffix}", path.with_name(path.name + suffix), entry, True)
        for suffix, entry in companions.items()
    ]
    whole = sum(int(entry["size"]) for entry in store.values()) <= FULL_CHECK_BYTES
    files += [(f"{path.name}/{name}", path / name, entry, whole) for name, entry in store.items()]
    for name, file, entry, hashed in files:
        try:
            status = file.stat()
            if status.st_size != entry["size"]:
                change = "truncated" if status.st_size < entry["size"] else "grown"
                return f"{name} is {change} ({status.st_size} bytes, {entry['size']} built)"
            if (hashed or status.st_mtime_ns != entry["mtime_ns"]) and _sha256(file) != entry[
                "sha256"
            ]:
                return f"{name} is changed (its SHA-256 differs from the build's)"
        except FileNotFoundError:
            return f"{name} is missing"
        except OSError as exc:
            return f"{name} cannot be read ({_reason(exc)})"
        except (KeyError, TypeError):
            return f"{where.name} is unreadable"
    return None


#: The datatype of an N-Quads line's object, when it is a typed literal.
_TYPED = re.compile(r'"\^\^<([^>]*)>(?:\s+(?:<[^>]*>|_:\S+))?\s*\.\s*$')


def datatypes_file(path: Path) -> Path:
    """Where the quads whose literals Oxigraph would narrow are kept, beside the store."""
    return path.with_name(path.name + ".datatypes.nq")


def keep_datatypes(nquads: Path, path: Path) -> int:
    """Keep the quads of the N-Quads file ``nquads`` whose literal Oxigraph stores with
    another datatype or lexical form beside the store at ``path`` (:func:`narrowed_quads`);
    return how many. :mod:`filmgraph.store.oxigraph.dataset` puts them back on reading."""
    kept = narrowed_quads(nquads)
    write_atomic(datatypes_file(path), kept)
    return kept.count("\n")


def narrowed_quads(nquads: Path) -> str:
    """The lines of the N-Quads file ``nquads`` whose literal Oxigraph stores with another
    datatype or lexical form (Oxigraph 0.5 keeps ``"01"^^xsd:positiveInteger`` as
    ``"1"^^xsd:integer``).

    Each datatype met is tried once in a scratch store: only those Oxigraph changes count.
    """
    narrowed: dict[str, bool] = {}
    kept: list[str] = []
    with nquads.open(encoding="utf-8") as lines:
        for line in lines:
            match = _TYPED.search(line)
            if match is None:
                continue
            datatype = match.group(1)
            if datatype not in narrowed:
                narrowed[datatype] = _narrows(line)
            if narrowed[datatype]:
                kept.append(line)
    return "".join(kept)


def _narrows(line: str) -> bool:
    """Whether Oxigraph stores the literal of this N-Quads line differently."""
    quad = next(iter(ox.parse(line.encode("utf-8"), format=ox.RdfFormat.N_QUADS)))
    assert isinstance(quad.object, ox.Literal)
    stored = stored_literal(quad.object)
    return (stored.value, stored.datatype) != (quad.object.value, quad.object.datatype)


def memory_store(dataset: Dataset) -> ox.Store:
    """The named graphs of ``dataset`` in an Oxigraph store in memory, with the union of
    the default graphs as its default graph, as :func:`write_store` writes it (for tests)."""
    store = ox.Store()
    store.bulk_load(dataset.serialize(format="nquads").encode("utf-8"), ox.RdfFormat.N_QUADS)
    union_default_graph(store)
    return store


def default_graphs(store: ox.Store) -> list[ox.NamedNode]:
    """The graphs of :data:`sparql.DEFAULT_GRAPHS` the store holds
    (:func:`sparql.default_graphs_of`, as the engine chooses them)."""
    held = (URIRef(g.value) for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    return [ox.NamedNode(str(name)) for name in default_graphs_of(held)]


def union_default_graph(store: ox.Store) -> None:
    """Make the store's default graph the union of its default graphs (a graph is a set:
    a triple in two of them is stored once). Anything the default graph held before is
    dropped first.

    The quads are streamed from the store back into it, re-targeted one by one, so that
    each blank node stays the node it is in the named graphs (Oxigraph's parsers would give
    blank nodes read back from a dump new names). At 182k triples this takes 1.8 s, as long
    as the bulk load of the named graphs; at 1.8M, 21 s.
    """
    store.clear_graph(ox.DefaultGraph())
    graphs = default_graphs(store)
    default = ox.DefaultGraph()
    store.bulk_extend(
        ox.Quad(quad.subject, quad.predicate, quad.object, default)
        for graph in graphs
        for quad in store.quads_for_pattern(None, None, None, graph)
    )


def holds_default_graph(store: ox.Store) -> bool:
    """Whether the store's default graph holds anything: written by :func:`write_store` or
    :func:`memory_store`, it is the union of the default graphs (an earlier filmgraph
    left it empty)."""
    quads = store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    return next(iter(quads), None) is not None
