"""Reading what a query asks for from its tokens, for the queries rdflib's parser refuses
but another engine accepts: its kind, its dataset clause (FROM / FROM NAMED) and the
endpoints of its SERVICE patterns, so that the same rules hold (graphs we hold only, the
SERVICE allow-list) without rdflib's parse.

The tokenizer follows the SPARQL 1.1 grammar's terminals for what matters here: IRIs,
prefixed names, strings (all four quotings), comments, variables and keywords. Anything
else is skipped a character at a time. A SERVICE whose endpoint is not an IRI it can read
is reported as that token (``?name`` for a variable; never allowed).

>>> read_tokens("PREFIX w: <http://x/> SELECT * FROM w:g WHERE { SERVICE <s> {} }", "http://b/")
Read(kind='SELECT', default_graphs=('http://x/g',), named_graphs=(), services=('http://b/s',))
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin

from ..core import PREFIXES

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040-"
_PREFIX = f"(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?"
_LOCAL = rf"(?:[{_PN_CHARS}:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])+"

_TOKEN = re.compile(
    "|".join(
        (
            r"(?P<comment>#[^\n\r]*)",
            r'(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)',
            r"(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
            r"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\")",
            rf"(?P<pname>{_PREFIX}:(?:{_LOCAL})?)",
            r"(?P<variable>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)",
            r"(?P<word>[A-Za-z_]\w*)",
        )
    ),
    re.S,
)

_KINDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")

#: The project's prefixes as plain IRIs, as Oxigraph's engine and this reader take them.
PREFIX_IRIS: dict[str, str] = {name: str(namespace) for name, namespace in PREFIXES.items()}


@dataclass(frozen=True)
class Read:
    """What a query asks for, read from its tokens."""

    kind: str | None
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    services: tuple[str, ...]


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of each token that matters, comments and strings left out."""
    position = 0
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            position += 1
            continue
        position = found.end()
        kind = found.lastgroup or ""
        if kind not in ("comment", "string"):
            yield kind, found.group()


def read_tokens(text: str, base: str | None, prefixes: Mapping[str, str] | None = None) -> Read:
    """Read ``text``'s kind, dataset clause and SERVICE endpoints, its IRIs resolved against
    its own BASE, else ``base``, and its prefixed names by its own PREFIX declarations over
    ``prefixes`` (the project's by default). The kind is the first word after the prologue
    (BASE, PREFIX): None when that is not a query form (an update, or not SPARQL), and then
    nothing else is read.

    >>> read_tokens("INSERT { <a> <b> <c> } WHERE { SELECT * {} }", None).kind is None
    True
    """
    known = dict(PREFIX_IRIS if prefixes is None else prefixes)
    found = list(tokens(text))
    kind: str | None = None
    default: list[str] = []
    named: list[str] = []
    services: list[str] = []
    index = 0

    def term(at: int) -> str | None:
        """The IRI the token at ``at`` names, or None when it names none."""
        if at >= len(found):
            return None
        what, value = found[at]
        if what == "iri":
            try:
                return urljoin(base or "", value[1:-1])
            except ValueError:  # not an IRI (``<https://[x>``): the engine's parser says so
                return value[1:-1]
        if what == "pname":
            prefix, _, local = value.partition(":")
            if prefix in known:
                return known[prefix] + re.sub(r"\\(.)", r"\1", local)
        return None

    started = False  # past the prologue: the next word says what the text is
    while index < len(found):
        what, value = found[index]
        word = value.upper() if what == "word" else ""
        if word == "BASE" and not started:
            iri = term(index + 1)
            base = iri if iri is not None else base
            index += 2
            continue
        if word == "PREFIX" and not started and index + 2 < len(found):
            name = found[index + 1][1]
            iri = term(index + 2)
            if found[index + 1][0] == "pname" and iri is not None:
                known[name.rstrip(":")] = iri
            index += 3
            continue
        if not started:
            started = True
            if word not in _KINDS:  # an update, or not SPARQL: no kind of query
                break
            kind = word
        elif word == "FROM":
            is_named = index + 1 < len(found) and found[index + 1][1].upper() == "NAMED"
            iri = term(index + 2 if is_named else index + 1)
            (named if is_named else default).append(iri or "?")
        elif word == "SERVICE":
            at = index + 1
            if at < len(found) and found[at][1].upper() == "SILENT":
                at += 1
            services.append(term(at) or (found[at][1] if at < len(found) else "?"))
        index += 1
    clause = bool(default or named)
    return Read(
        kind,
        tuple(dict.fromkeys(default)) if clause else None,
        tuple(dict.fromkeys(named)) if clause else None,
        tuple(dict.fromkeys(services)),
    )
