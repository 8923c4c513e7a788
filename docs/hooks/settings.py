"""MkDocs hook: the settings reference, generated from the settings table in the code.

``docs/reference/settings.md`` holds the marker :data:`MARKER`; when the site is built it is
replaced by a Markdown table with one row per setting of
:func:`filmgraph.core.settings.settings_help`, the table the CLI takes its help from, so the
reference cannot drift from the code. ``tests/test_docs.py`` renders the same table.
"""

from __future__ import annotations

from typing import Any

from mkdocs.exceptions import PluginError

from filmgraph.core.settings import settings_help

#: Where the table goes.
MARKER = "<!-- settings-table -->"

#: The page that must hold the marker.
PAGE = "reference/settings.md"


def _cell(text: str, *, code: bool = False) -> str:
    """Text for one table cell, pipes escaped; with ``code``, a single word (a value) as code."""
    text = text.replace("|", "\\|")
    return f"`{text}`" if code and text and " " not in text else text


def settings_table() -> str:
    """Every setting as a Markdown table: setting, environment variable, default, meaning."""
    rows = [
        "| setting | environment variable | default | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for setting in settings_help():
        rows.append(
            f"| `{setting.name}` | `{setting.env}` | {_cell(setting.default, code=True)} "
            f"| {_cell(setting.help)} |"
        )
    return "\n".join(rows) + "\n"


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Replace the marker with the table; the settings page without it is an error."""
    if MARKER in markdown:
        return markdown.replace(MARKER, settings_table())
    if page.file.src_uri == PAGE:
        raise PluginError(f"{PAGE} has lost its marker {MARKER}: the settings table has no place")
    return markdown
