"""The build cache: a built dataset stored under a key made of everything that shaped it.

The key is a SHA-256 over the cache format, the versions of filmgraph, rdflib, pySHACL and
the reasoning engine, the reasoner setting, and the path and content of every file under
``ontology/`` and ``data/``. A cache file is one N-Quads document behind a header line::

    # filmgraph-cache/1 key=<sha256 of the inputs> sha256=<sha256 of the N-Quads body>

It is written atomically (temporary file, fsync, rename), so a crash or a full disk never
leaves a half-written file under the cache's name; and on reading, a file whose header is
not ours, whose key differs, or whose body does not match its checksum is never trusted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from rdflib import Dataset

from ..core import VERSION, DataError, Settings, literals_as_written, new_dataset, write_atomic
from ..reason import engine_version

FORMAT = "filmgraph-cache/1"


def fingerprint(settings: Settings) -> str:
    """The cache key for a build with these settings, over the current input files."""
    digest = hashlib.sha256(FORMAT.encode())
    for part in (
        f"filmgraph {VERSION}",
        f"rdflib {version('rdflib')}",
        f"pyshacl {version('pyshacl')}",
        engine_version(settings.reasoner),
    ):
        digest.update(part.encode() + b"\0")
    inputs = [p for d in (settings.ontology_dir, settings.data_dir) for p in sorted(d.rglob("*"))]
    tool = [*settings.ontology_files, *settings.check_files, settings.schemaorg_vocabulary]
    for path in [p for p in inputs if p.is_file()] + [p for p in tool if p.is_file()]:
        digest.update(_name(path, settings).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _name(path: Path, settings: Settings) -> str:
    """A file's name in the key: relative to the project (or to filmgraph's own files), so
    that a project moved elsewhere keeps its cache."""
    for label, folder in (("", settings.root), ("tool:", settings.tool_root)):
        if path.resolve().is_relative_to(folder.resolve()):
            return label + path.resolve().relative_to(folder.resolve()).as_posix()
    return str(path.resolve())


@dataclass(frozen=True)
class CacheRead:
    """The outcome of reading a cache: ``hit`` (with the dataset), ``missing``, ``stale``
    (made from other inputs) or ``corrupt`` (damaged or not ours; ``detail`` says how)."""

    status: str
    detail: str = ""
    dataset: Dataset | None = None


def read_cache(path: Path, key: str) -> CacheRead:
    """Read the cached dataset at ``path`` if it was built from inputs with this ``key``.

    Raises:
        DataError: the path cannot be read (a folder in its place, no permission).
    """
    checked, body = _checked(path, key)
    if body is None:
        return checked
    dataset = new_dataset()
    try:
        with literals_as_written():
            dataset.parse(data=body.decode("utf-8"), format="nquads")
    except Exception as exc:  # any parser failure means the file cannot be trusted
        return CacheRead("corrupt", f"{path} cannot be parsed: {exc}")
    return CacheRead("hit", f"{len(dataset)} quads from {path}", dataset)


def cache_holds(path: Path, key: str) -> bool:
    """Whether the cache file at ``path`` holds, whole, the build with this ``key``: its
    header names the key and its checksum matches (the N-Quads are not parsed)."""
    return _checked(path, key)[1] is not None


def _checked(path: Path, key: str) -> tuple[CacheRead, bytes | None]:
    """Why the cache file at ``path`` cannot be used for ``key``, or its body when it can."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return CacheRead("missing", f"no cache at {path}"), None
    except OSError as exc:  # a folder in its place, no permission: not ours to remove
        reason = "a folder, not a file" if path.is_dir() else exc.strerror or str(exc)
        raise DataError(f"the build cache cannot be read: {reason}", path) from None
    header, newline, body = raw.partition(b"\n")
    fields = _fields(header)
    if not newline or fields is None:
        return CacheRead("corrupt", f"{path} is not a filmgraph cache file ({FORMAT})"), None
    if fields.get("key") != key:
        return CacheRead("stale", f"{path} was built from other inputs"), None
    if fields.get("sha256") != hashlib.sha256(body).hexdigest():
        return CacheRead(
            "corrupt", f"{path} does not match its checksum (truncated or altered)"
        ), None
    return CacheRead("whole", f"{path} holds the build"), body


def _fields(header: bytes) -> dict[str, str] | None:
    """The ``name=value`` fields of a cache file's header line, or None if it is not one."""
    if not header.startswith(f"# {FORMAT} ".encode()):
        return None
    text = header.decode("utf-8", "replace")
    fields = dict(part.split("=", 1) for part in text.split()[2:] if "=" in part)
    return fields if len(fields) >= 2 else None


def write_cache(path: Path, key: str, dataset: Dataset) -> None:
    """Store ``dataset`` under ``key`` at ``path``, atomically.

    Raises:
        DataError: it cannot be written (a full disk, a folder in its place); the file
            there before is left as it was.
    """
    body = dataset.serialize(format="nquads", encoding="utf-8")
    header = f"# {FORMAT} key={key} sha256={hashlib.sha256(body).hexdigest()}\n"
    write_atomic(path, header.encode() + body)
