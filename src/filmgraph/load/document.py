"""The source document: its text and its sentences, with character offsets."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..core import read_text

# A sentence: from a non-space character up to a full stop, question or exclamation mark
# followed by space or the end, or up to the end of the line (the title has no full stop).
_SENTENCE = re.compile(r"[^\s][^\n]*?(?:[.!?](?=\s|$)|(?=\n)|$)")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the document; ``start``/``end`` are code-point offsets (end exclusive)."""

    number: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class SourceDocument:
    """The text the provenance points into, with its identity."""

    iri: str
    path: Path
    name: str
    text: str
    #: How claims and pages name it (``document = "KEY"``, ``/document/KEY``): by default
    #: the file's name without its extension.
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.path.stem)

    @classmethod
    def read(cls, iri: str, path: Path, name: str, key: str = "") -> SourceDocument:
        """The document at ``path``.

        Raises:
            DataError: no such file, or not UTF-8 (with the line and column).
        """
        return cls(iri=iri, path=path, name=name, text=read_text(path), key=key)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def sentences(self) -> list[Sentence]:
        """The document's sentences, numbered from 1 (the title).

        >>> doc = SourceDocument("x:d", Path("d.txt"), "d", "Title\\n\\nOne. Two!")
        >>> [(s.number, s.text) for s in doc.sentences()]
        [(1, 'Title'), (2, 'One.'), (3, 'Two!')]
        """
        return [
            Sentence(n, m.start(), m.end(), m.group())
            for n, m in enumerate(_SENTENCE.finditer(self.text), 1)
        ]
