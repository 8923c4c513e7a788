"""Griffe extension for the Python API reference: the package's docstrings, written for
pydoc and doctest, read as Markdown.

Two things in them are not Markdown: doctest examples (``>>>`` lines and their output),
which become ``pycon`` code blocks (ending at a blank line, as doctest reads them, and a
``::`` before one becomes ``:``), and reST roles (``:class:`Report```), which become code.
And a line of a ``Raises:`` section that names no exception (no ``Name: description``)
continues the entry before it, as a reader takes it, rather than being a malformed entry.
The source files are not changed; mkdocstrings loads this file by path (``mkdocs.yml``).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:class|func|meth|mod|data|attr|exc|obj|const|py:\w+):`~?([^`]+)`")


#: The first line of an entry of a ``Raises:`` section: ``Name: description``.
ENTRY = re.compile(r"^\s*[^:]+:(\s|$)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def continue_raises_entries(lines: list[str]) -> list[str]:
    """Indent, under the entry before it, each line of a ``Raises:`` section that is at an
    entry's indentation but is no ``Name: description`` entry."""
    out: list[str] = []
    section: int | None = None  # the indentation of the section's entries, when in one
    header = 0
    for line in lines:
        if line.strip() == "Raises:":
            section, header = -1, _indent(line)
        elif section is not None and (not line.strip() or _indent(line) <= header):
            section = None
        elif section is not None:
            if section == -1:
                section = _indent(line)
            elif _indent(line) == section and not ENTRY.match(line):
                line = "    " + line
        out.append(line)
    return out


def as_markdown(text: str) -> str:
    """``text`` with its doctest examples fenced, its reST roles as code and its ``Raises:``
    entries each in one piece."""
    lines = continue_raises_entries(ROLE.sub(r"`\1`", text).splitlines())
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.lstrip().startswith(">>>"):
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        if out and out[-1].rstrip().endswith("::"):
            out[-1] = out[-1].rstrip()[:-1]
        if out and out[-1].strip():
            out.append("")
        out.append(f"{indent}```pycon")
        while i < len(lines) and lines[i].strip():
            out.append(lines[i])
            i += 1
        out.append(f"{indent}```")
    return "\n".join(out)


class DocstringsAsMarkdown(griffe.Extension):
    """Rewrite each docstring as :func:`as_markdown` says, before it is parsed."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = as_markdown(obj.docstring.value)
