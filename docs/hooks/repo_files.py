"""MkDocs hook: pages that link to files of the repository outside ``docs/``.

The Markdown sources link to such files relatively (``../benchmarks/RESULTS.md``,
``../../notebooks/balagov-analysis.ipynb``), so that the links work where the sources are
read (on GitHub, in an editor). MkDocs knows only the files under ``docs/``; this hook copies
each file so linked into the site, under ``repo/`` with its path in the repository, and points
the links there. A link to a file that does not exist is left as it is, for ``mkdocs build
--strict`` to refuse. ``CHANGELOG.md``, at the root, is the site's ``changelog.md``.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from mkdocs.structure.files import File, Files

#: Files of the repository that are pages of the site: site path -> repository path.
PAGES = {"changelog.md": "CHANGELOG.md"}

#: Where the linked files go in the site.
PREFIX = "repo"

#: A Markdown link or image target: ``](target)`` or ``](target#anchor)``.
LINK = re.compile(r"\]\((?P<target>[^)\s#]+)(?P<anchor>#[^)\s]*)?\)")


def _root(config: Any) -> Path:
    return Path(config.config_file_path).resolve().parent


def _outside(page_uri: str, target: str, config: Any) -> str | None:
    """The repository path of ``target``, linked from the page at ``page_uri``, when it is a
    file of the repository outside the docs folder; else None."""
    if "://" in target or target.startswith(("/", "mailto:")):
        return None
    docs = Path(config.docs_dir).resolve()
    path = (docs / PurePosixPath(page_uri).parent / target).resolve()
    root = _root(config)
    if path.is_relative_to(docs) or not path.is_relative_to(root) or not path.is_file():
        return None
    return path.relative_to(root).as_posix()


def on_files(files: Files, config: Any) -> Files:
    """Add the repository's pages, and every outside file a page links to, to the site."""
    root = _root(config)
    for uri, source in PAGES.items():
        files.append(File.generated(config, uri, abs_src_path=str(root / source)))
    wanted: set[str] = set()
    for page in list(files.documentation_pages()):
        if page.src_uri in PAGES or page.abs_src_path is None:
            continue
        text = Path(page.abs_src_path).read_text(encoding="utf-8")
        for link in LINK.finditer(text):
            found = _outside(page.src_uri, link["target"], config)
            if found is not None:
                wanted.add(found)
    for path in sorted(wanted):
        files.append(File.generated(config, f"{PREFIX}/{path}", abs_src_path=str(root / path)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, **kwargs: Any) -> str:
    """Point links to files outside the docs folder at their copies in the site."""
    if page.file.src_uri in PAGES:
        return markdown

    def relink(link: re.Match[str]) -> str:
        found = _outside(page.file.src_uri, link["target"], config)
        if found is None:
            return link[0]
        depth = len(PurePosixPath(page.file.src_uri).parent.parts)
        target = "/".join([".."] * depth + [PREFIX, found])
        return f"]({target}{link['anchor'] or ''})"

    return LINK.sub(relink, markdown)
