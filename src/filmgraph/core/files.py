"""Files: atomic writes (a crash or a full disk never leaves a half-written file behind), and
text and TOML read with errors that say which file and where."""

from __future__ import annotations

import errno
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import DataError, WriteError


def write_atomic(path: Path, data: bytes | str | Iterable[str]) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``;
    ``data`` may be pieces of text, each written as it comes (a streamed export).

    The old file stays intact until the new one is complete and flushed to disk; the
    temporary file is removed whatever fails.

    Raises:
        WriteError: the file cannot be written (a full disk, a folder where the file should
            be, no permission), naming the file and why: a DataError, and an OSError.
    """
    pieces: Iterable[str | bytes] = (data,) if isinstance(data, str | bytes) else data
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "a folder, not a file", str(path))
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            for piece in pieces:
                handle.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise WriteError(f"cannot write: {_os_reason(exc)}", path, exc.errno) from exc
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise


def _os_reason(exc: OSError) -> str:
    """What an operating system error says, without its file name (said apart):
    ``No space left on device (ENOSPC)``.

    >>> _os_reason(OSError(errno.ENOSPC, "No space left on device", "x"))
    'No space left on device (ENOSPC)'
    """
    reason = exc.strerror or str(exc) or type(exc).__name__
    code = errno.errorcode.get(exc.errno or 0)
    return f"{reason} ({code})" if code else reason


def read_text(path: Path) -> str:
    """The UTF-8 text of ``path``.

    Raises:
        DataError: no such file, or bytes that are not UTF-8 (with their line and column).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError("file not found", path) from None
    except IsADirectoryError:
        raise DataError("a folder, not a file", path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line, column = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        raise DataError(
            f"not UTF-8 text (byte {data[exc.start]:#04x})", path, line, column
        ) from None


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    r"""``text`` (read from ``path``) as TOML.

    Raises:
        DataError: not TOML, with the line and column tomllib gives.

    >>> parse_toml("a = 1\nb = ?\n", Path("x.toml"))
    Traceback (most recent call last):
    filmgraph.core.errors.DataError: x.toml, line 2, column 5: bad TOML: Invalid value
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.search(str(exc))
        line, column = (int(found[1]), int(found[2])) if found else (None, None)
        reason = _TOML_POSITION.sub("", str(exc)).strip()
        raise DataError(f"bad TOML: {reason}", path, line, column) from None


#: Where tomllib writes the position into its message (it has no attributes for it before
#: Python 3.14).
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
