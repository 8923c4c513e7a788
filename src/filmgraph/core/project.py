"""Projects: a folder with a ``filmgraph.toml`` metadata file, its claims, ontology extension,
shapes, checks and queries; which one a command works on, and what it says about itself.

A project is found from an explicit path (``--root``, ``FILMGRAPH_ROOT``), else the current
folder when it holds ``filmgraph.toml``, else the bundled Kantemir Balagov project (package data
of an installed wheel, or the checkout this package runs from). Titles, the home link, VoID and
the Service Description come from the metadata; nothing in the code names a project.

>>> project = read_project(bundled_root())
>>> project.title, project.home
('Kantemir Balagov', 'kantemir-balagov')
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import DataError
from .files import parse_toml, read_text
from .namespaces import FGID

#: The metadata file that makes a folder a project.
METADATA = "filmgraph.toml"

#: The package folder an installed wheel keeps the bundled project in (package data).
_PACKAGED = Path(__file__).resolve().parents[1] / "project"
#: The checkout this package runs from (an editable install), when it is one.
_CHECKOUT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Project:
    """A project's metadata (``filmgraph.toml``) and the folder it is in."""

    root: Path
    title: str
    description: str = ""
    #: The entity the pages start from: a name in the entities' namespace (``fgid:NAME``).
    home: str = ""
    licence: str = ""
    #: The file the compiled facts are written to, relative to the root.
    facts: str = "data/facts.ttl"
    #: Whether it has claims quoting source documents (plain RDF files have none, so no
    #: provenance, document page or competency questions).
    claims: bool = True

    @classmethod
    def of_files(cls, paths: Sequence[Path]) -> Project:
        """Plain RDF files served as they are (``filmgraph serve PATH...``), titled by their
        names."""
        names = ", ".join(path.name or str(path) for path in paths)
        return cls(root=Path.cwd(), title=names, claims=False)

    @property
    def home_iri(self) -> str | None:
        return str(FGID[self.home]) if self.home else None

    @property
    def bundled(self) -> bool:
        """Whether this is the project that comes with the package."""
        return self.root.resolve() == bundled_root().resolve()


#: The keys of the ``[project]`` table, and whether each must be given.
_KEYS = {"title": True, "description": False, "home": False, "licence": False, "facts": False}


def bundled_root() -> Path:
    """The folder of the bundled Balagov project: package data in a wheel, else the
    checkout this package runs from."""
    if (_PACKAGED / METADATA).is_file():
        return _PACKAGED
    return _CHECKOUT


def find_root(explicit: Path | None = None, cwd: Path | None = None) -> Path:
    """The project folder a command works on: ``explicit``, else ``cwd`` (the current folder)
    when it holds ``filmgraph.toml``, else the bundled project."""
    if explicit is not None:
        return explicit
    here = Path.cwd() if cwd is None else cwd
    if (here / METADATA).is_file():
        return here
    return bundled_root()


def introduce(root: Path) -> str:
    """One line saying which project ``root`` is and how it was found, for every command.

    Raises:
        DataError: a malformed metadata file.
    """
    found = (
        "the bundled project"
        if root.resolve() == bundled_root().resolve()
        else "the current folder"
        if root.resolve() == Path.cwd().resolve()
        else "given"
    )
    title = read_project(root).title if (root / METADATA).is_file() else "(no filmgraph.toml)"
    return f"project {title}: {root} ({found})"


def read_project(root: Path) -> Project:
    """The metadata of the project in ``root``.

    Raises:
        DataError: no ``filmgraph.toml`` in ``root``, a file that is not TOML (with its
            line and column), or a missing or ill-typed key (naming it).
    """
    stat = _stat(root / METADATA)
    return _read(root, stat)


def output_root(root: Path) -> Path:
    """Where builds of the project in ``root`` go when no build folder is given: ``root/build``,
    or, for a project that is package data (read-only, shared), a folder of the user's cache."""
    if root.resolve() != _PACKAGED.resolve():
        return root / "build"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    return cache / "filmgraph" / f"bundled-{digest}"


def _stat(path: Path) -> tuple[float, int]:
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DataError(
            f"not found: a project folder holds {METADATA} "
            "(`filmgraph init DIR --document FILE` makes one)",
            path,
        ) from None
    return stat.st_mtime, stat.st_size


@lru_cache(maxsize=16)
def _read(root: Path, stat: tuple[float, int]) -> Project:
    path = root / METADATA
    data = parse_toml(read_text(path), path)
    table = data.get("project")
    if not isinstance(table, dict):
        raise DataError("no [project] table (it holds the title, at least)", path)
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(_KEYS)
            raise DataError(f"[project] has no key {key!r} (known: {known})", path)
        if not isinstance(value, str):
            raise DataError(f"[project] {key} must be text, not {value!r}", path)
        values[key] = value.strip()
    for key, required in _KEYS.items():
        if required and not values.get(key):
            raise DataError(f"[project] needs a {key}", path)
    facts = values.get("facts")
    if facts is not None and (Path(facts).is_absolute() or ".." in Path(facts).parts):
        raise DataError("[project] facts must be a path inside the project", path)
    return Project(root=root, **values)
