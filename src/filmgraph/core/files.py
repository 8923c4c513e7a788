"""Files: atomic writes (a crash or a full disk never leaves a half-written file behind), and
text and TOML read with errors that say which file and where."""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from .errors import DataError


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``.

    The old file stays intact until the new one is complete and flushed to disk.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
