"""The build folder's lock: one build (or store opening) at a time per folder.

Whatever writes the build folder (the cache, the Oxigraph store and its companion files)
does so holding an exclusive ``flock`` on ``BUILD_DIR/filmgraph.lock``
(:func:`build_lock`). A second ``filmgraph build`` (or ``serve``, ``query``, ...) on the same
folder says once on standard error that it is waiting, waits for the first to finish (up
to :data:`WAIT` seconds), and then finds the build made: it opens it as it is. Past the
wait it stops with a one-line :class:`~filmgraph.core.UnavailableError`. The lock is the
kernel's: a build that is killed releases it with its process, and what it left half-made
is removed by the next one (:func:`remove_strays`).

Where the system has no ``flock`` (not POSIX) or the file system refuses it, the build goes
on unlocked, as before.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core import Settings, UnavailableError
from .oxigraph import remove_strays as remove_store_strays

try:
    import fcntl

    LOCKS = True
except ImportError:  # pragma: no cover  (not POSIX: builds are not locked)
    LOCKS = False

#: The lock file's name in the build folder.
LOCK_FILE = "filmgraph.lock"
#: How long a build waits for another build of the same folder, in seconds: longer than a
#: build of the bundled project takes many times over (3-4 s), and bounded.
WAIT = 600.0
#: How often a waiting build tries the lock again, in seconds.
POLL = 0.1


@contextmanager
def build_lock(folder: Path, *, wait: float = WAIT) -> Iterator[None]:
    """Hold the lock of the build folder ``folder`` while the context lasts, waiting up to
    ``wait`` seconds for another process that holds it (saying so once, on stderr).

    Raises:
        UnavailableError: another process held it for longer than ``wait`` seconds.
    """
    lock = folder / LOCK_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:  # a folder we cannot write: what writes there will say so
        yield
        return
    try:
        if not LOCKS or not _acquire(handle, lock, wait):
            yield  # no locks here: unlocked, as before
            return
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)


def _acquire(handle: int, lock: Path, wait: float) -> bool:
    """Take the lock on ``handle``, waiting up to ``wait`` seconds; False where the file
    system does not lock.

    Raises:
        UnavailableError: still held by another process after ``wait`` seconds.
    """
    deadline = time.monotonic() + wait
    said = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        except OSError:  # ENOLCK and the like: a file system without locks
            return False
        holder = _holder(lock)
        if time.monotonic() >= deadline:
            raise UnavailableError(
                f"{lock.parent}: another filmgraph process{holder} is building into this "
                f"folder and did not finish within {wait:g} s; try again once it has ended"
            )
        if not said:
            print(
                f"filmgraph: waiting for another build of {lock.parent}{holder} to finish "
                f"(up to {wait:g} s)",
                file=sys.stderr,
                flush=True,
            )
            said = True
        time.sleep(POLL)


def _holder(lock: Path) -> str:
    """`` (pid N)`` for the process that wrote its id into the lock file, or nothing."""
    try:
        pid = lock.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


def remove_strays(settings: Settings) -> list[Path]:
    """Remove what a stopped build left in the build folder: the temporary files of atomic
    writes (``.NAME.*.tmp``, there and beside the cache) and the Oxigraph store's staging
    files (``oxigraph.new``, ...); return what was removed. Only under :func:`build_lock`:
    another build's files in the making are not strays."""
    removed = remove_store_strays(settings.oxigraph_dir)
    for place in dict.fromkeys((settings.output_dir, settings.cache_file.parent)):
        for stray in sorted(place.glob(".*.tmp")) if place.is_dir() else []:
            if stray.is_file():
                stray.unlink(missing_ok=True)
                removed.append(stray)
    return removed
