"""Turtle, TriG and JSON-LD written a subject at a time, from N-Triples lines that come
sorted by subject (:func:`filmgraph.export.exports.export_stream` sorts them), so that an
export never holds more than one subject's triples and the blank-node part of the graph.

- Turtle: our prefixes (:data:`filmgraph.core.PREFIXES`) abbreviate an IRI as
  ``prefix:local`` where the local part is a plain name (letters, digits, ``_``, ``-`` and
  inner ``.``); every other IRI is written whole (no ``ns1:`` prefixes made up). A subject's
  block lists ``a`` (``rdf:type``) and ``rdfs:label`` first, then its other properties in
  the order of the sorted lines, objects of one property joined by commas, as rdflib lays
  Turtle out. Literals are as N-Triples writes them, but for the datatype abbreviated and
  the numbers and booleans whose lexical form Turtle writes bare (``2``, ``false``).
- RDF/XML: an ``rdf:Description`` per subject, its properties as elements named by our
  prefixes (``ns1``... for other namespaces, declared at the top), IRIs as
  ``rdf:resource``, blank nodes as ``rdf:nodeID``, literals with ``xml:lang`` or
  ``rdf:datatype``, as rdflib's plain RDF/XML writer lays it out.
- JSON-LD: each node object is what rdflib's own converter
  (``rdflib.plugins.serializers.jsonld.Converter``) makes of the subject's triples, given
  the blank-node part of the graph for the blank nodes it points to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, cast
from xml.sax.saxutils import escape, quoteattr

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.plugins.serializers.jsonld import Converter
from rdflib.plugins.shared.jsonld.context import Context
from rdflib.term import Node

from ..core import PREFIXES, QueryError, nt_line

#: our namespaces -> their prefixes
NAMESPACES: dict[str, str] = {str(ns): prefix for prefix, ns in PREFIXES.items()}

#: a local name written after a prefix (a plain subset of Turtle's PN_LOCAL)
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?\Z")


def _cut(iri: str) -> int:
    """Where an IRI's namespace ends: after its last ``/`` or ``#``."""
    return max(iri.rfind("/"), iri.rfind("#")) + 1


def prefix_of(iri: str) -> str | None:
    """The prefix that abbreviates ``iri`` in Turtle, or None if it is written whole.

    >>> prefix_of("https://w3id.org/filmgraph/id/beanpole"), prefix_of("https://example.org/")
    ('fgid', None)
    """
    cut = _cut(iri)
    prefix = NAMESPACES.get(iri[:cut])
    return prefix if prefix is not None and _LOCAL.match(iri, cut) else None


def turtle_iri(iri: str) -> str:
    """``iri`` in Turtle: a prefixed name where :func:`prefix_of` has one, else ``<iri>``."""
    cut = _cut(iri)
    prefix = NAMESPACES.get(iri[:cut])
    if prefix is not None and _LOCAL.match(iri, cut):
        return f"{prefix}:{iri[cut:]}"
    return f"<{iri}>"


def prefixes_of(triple: tuple[Node, Node, Node]) -> Iterator[str]:
    """The prefixes the Turtle of ``triple`` uses (for its IRIs and its literal's datatype;
    ``rdf:type`` as a property is written ``a``)."""
    for position, term in enumerate(triple):
        if position == 1 and term == RDF.type:
            continue
        if isinstance(term, URIRef):
            iri: str | None = term
        elif isinstance(term, Literal):
            iri = term.datatype
        else:
            continue
        if iri is not None:
            prefix = prefix_of(iri)
            if prefix is not None:
                yield prefix


def turtle_prefixes(used: Iterable[str]) -> str:
    """The ``@prefix`` lines of the prefixes ``used``, by name, and the blank line after."""
    lines = "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in sorted(set(used)))
    return lines + "\n"


#: Turtle's bare numbers and booleans, by datatype: a literal whose lexical form matches is
#: written bare. Only forms that every parser keeps as written: rdflib reads a bare integer
#: or decimal as a number and writes that back (``01`` becomes ``"1"``), so those are bare
#: only in the form a number is written in.
_BARE = {
    str(XSD.integer): re.compile(r"(?:0|-?[1-9][0-9]*)\Z"),
    str(XSD.decimal): re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+\Z"),
    str(XSD.double): re.compile(
        r"[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+)\Z"
    ),
    str(XSD.boolean): re.compile(r"(?:true|false)\Z"),
}


def _bare(datatype: str, lexical: str) -> bool:
    """Whether a literal is written as a bare number or boolean."""
    form = _BARE.get(datatype)
    if form is None or not form.match(lexical):
        return False
    return datatype != str(XSD.decimal) or str(Decimal(lexical)) == lexical


def split_line(line: str) -> tuple[str, str, str]:
    """An N-Triples line as rdflib writes it (``s p o .``) cut into its three terms' text."""
    first = line.index(" ")
    second = line.index(" ", first + 1)
    return line[:first], line[first + 1 : second], line[second + 1 : -3]


def _turtle_term(text: str) -> str:
    """A term's N-Triples text in Turtle."""
    if text[0] == "<":
        return turtle_iri(text[1:-1])
    if text[0] == "_":
        return text
    end = text.rindex('"')
    if not text.startswith("^^", end + 1):
        return text  # a plain or language-tagged string: as N-Triples writes it
    datatype = text[end + 4 : -1]
    if _bare(datatype, text[1:end]):
        return text[1:end]
    return f"{text[: end + 1]}^^{turtle_iri(datatype)}"


_TYPE = f"<{RDF.type}>"
#: the properties rdflib's Turtle lists first, in this order
_FIRST = (_TYPE, f"<{RDFS.label}>")


def turtle_block(lines: Iterable[str], indent: str = "") -> str:
    """The Turtle of one subject's N-Triples ``lines`` (at least one), each property once
    with its objects in the order of the lines; ``indent`` before each line (TriG)."""
    subject = ""
    objects: dict[str, list[str]] = {}
    for line in lines:
        subject, predicate, obj = split_line(line)
        objects.setdefault(predicate, []).append(_turtle_term(obj))
    order = [p for p in _FIRST if p in objects] + [p for p in objects if p not in _FIRST]
    parts = []
    joint = f",\n{indent}        "
    for n, predicate in enumerate(order):
        head = f"{indent}{_turtle_term(subject)} " if n == 0 else f"{indent}    "
        name = "a" if predicate == _TYPE else _turtle_term(predicate)
        parts.append(f"{head}{name} {joint.join(objects[predicate])}")
    return " ;\n".join(parts) + " .\n"


def blank_blocks(blank: Graph, key: Any, indent: str = "") -> Iterator[str]:
    """The Turtle blocks of the blank nodes that are subjects in ``blank`` (the graph's
    triples that mention a blank node, canonically labelled), by label; each block's lines
    sorted by ``key``."""
    for lines in blank_subjects(blank, key):
        yield turtle_block(lines, indent)


def blank_subjects(blank: Graph, key: Any) -> Iterator[list[str]]:
    """The N-Triples lines of each blank node that is a subject in ``blank``, by label, its
    lines sorted by ``key``."""
    subjects = sorted({s for s in blank.subjects() if isinstance(s, BNode)})
    for subject in subjects:
        yield sorted((nt_line(t) for t in blank.triples((subject, None, None))), key=key)


# -- JSON-LD ------------------------------------------------------------------------------


def _unescape(text: str) -> str:
    r"""The string rdflib's N-Triples writer escaped (``\\``, ``\n``, ``\"``, ``\r``)."""
    if "\\" not in text:
        return text
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], text)


_ESCAPES = {"\\": "\\", "n": "\n", '"': '"', "r": "\r"}


def parse_term(text: str) -> Node:
    """The rdflib term of a term's text in a line of rdflib's N-Triples, its literal's
    lexical form as written."""
    if text[0] == "<":
        return URIRef(text[1:-1])
    if text[0] == "_":
        return BNode(text[2:])
    end = text.rindex('"')
    lexical = _unescape(text[1:end])
    if text.startswith("@", end + 1):
        return Literal(lexical, lang=text[end + 2 :])
    if text.startswith("^^", end + 1):
        return Literal(lexical, datatype=URIRef(text[end + 4 : -1]), normalize=False)
    return Literal(lexical)


def jsonld_converter(context: dict[str, Any]) -> Converter:
    """rdflib's JSON-LD converter as its serializer makes it for ``context``."""
    return Converter(Context(context), use_native_types=False, use_rdf_type=False)


#: the compaction of node identifiers by every prefix of ours a context may hold (@vocab
#: does not compact an @id; schema: is never a prefix of the context)
_ID_CONTEXT = Context({p: str(ns) for p, ns in PREFIXES.items() if p != "schema"})


def node_key(subject: str) -> str:
    """The sort key of the JSON-LD node object of the IRI ``subject``: its compacted
    ``@id`` as JSON, which orders the nodes as :func:`filmgraph.query.json_ld` sorts them
    (by their JSON, whose first key is ``@id``). A prefix compacts the ``@id`` only if the
    IRI starts with its namespace, and then the context holds the prefix, whatever else the
    graph holds: the key is known before the context is."""
    return json.dumps(_ID_CONTEXT.shrink_iri(subject))


class _Around:
    """What rdflib's JSON-LD converter reads of a graph to write one subject's node object:
    the subject's own triples, and, for the blank nodes it points to, the graph's
    blank-node part."""

    def __init__(self, subject: Node, pairs: list[tuple[Node, Node]], blank: Graph) -> None:
        self.subject, self.pairs, self.blank = subject, pairs, blank

    def predicate_objects(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        if subject == self.subject:
            return iter(self.pairs)
        return cast(Iterator[tuple[Node, Node]], self.blank.predicate_objects(subject))

    def value(self, subject: Node, predicate: Node) -> Node | None:
        if subject == self.subject:
            return next((o for p, o in self.pairs if p == predicate), None)
        return self.blank.value(subject, predicate)

    def subjects(self, predicate: Node | None = None, obj: Node | None = None) -> Iterator[Node]:
        return cast(Iterator[Node], self.blank.subjects(predicate, obj))


def jsonld_node(converter: Converter, lines: list[str], blank: Graph) -> dict[str, Any]:
    """The node object of one IRI subject's N-Triples ``lines`` (at least one)."""
    triples = [tuple(parse_term(t) for t in split_line(line)) for line in lines]
    subject = triples[0][0]
    around = _Around(subject, [(p, o) for _, p, o in triples], blank)
    node = converter.process_subject(cast(Graph, around), subject, {})  # type: ignore[arg-type]  # rdflib types it IdentifiedNode
    return cast(dict[str, Any], node)


def blank_nodes(converter: Converter, blank: Graph) -> list[dict[str, Any]]:
    """The node objects of the blank nodes that the JSON-LD of the whole graph has at its
    top level, from the graph's blank-node part ``blank`` (which holds every triple that
    reaches one)."""
    nodes = converter.from_graph(blank)
    return [n for n in nodes if str(n[converter.context.id_key]).startswith("_:")]


def jsonld_document(context: dict[str, Any], nodes: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON-LD document as :func:`filmgraph.query.json_ld` writes it, in pieces: the
    ``context``, then the node objects (``nodes``, tidied, in their order) in ``@graph``.
    A single node is written merged with the context, as rdflib does."""
    them = iter(nodes)
    first, second = next(them, None), next(them, None)
    if first is None or second is None:
        whole = {"@graph": []} if first is None else {**first}
        whole["@context"] = context
        yield _dump(whole) + "\n"
        return
    before, _, after = _dump({"@context": context, "@graph": []}).rpartition("[]")
    yield f"{before}[\n{_item(first)}"
    yield f",\n{_item(second)}"
    for node in them:
        yield f",\n{_item(node)}"
    yield f"\n  ]{after}\n"


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)


def _item(node: dict[str, Any]) -> str:
    """A node object's JSON as an item of the top-level ``@graph``."""
    return "\n".join(f"    {line}" for line in _dump(node).split("\n"))


# -- RDF/XML ------------------------------------------------------------------------------

#: an XML name with no colon (NCName), ASCII letters and the usual name characters, which
#: is what a property's local name must be to be written in RDF/XML
_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
#: where an IRI's local name (an NCName at its end) begins
_NCNAME_TAIL = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
#: characters XML 1.0 cannot hold in any form
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RDF = str(RDF)


def xml_qnames(properties: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Each property IRI -> (prefix, local name) to write it as an RDF/XML element: our
    prefix where the IRI's namespace is ours, else ``ns1``, ``ns2``... in the order of
    the namespaces. The local name is the longest XML name (NCName) the IRI ends with.

    Raises:
        QueryError: a property whose IRI does not end in an XML name (RDF/XML cannot
            write it).

    >>> xml_qnames(["http://schema.org/name", "http://example.org/a#b-1"])
    {'http://schema.org/name': ('schema', 'name'), 'http://example.org/a#b-1': ('ns1', 'b-1')}
    """
    split: dict[str, tuple[str, str]] = {}
    for iri in properties:
        tail = _NCNAME_TAIL.search(iri)
        if tail is None or tail.start() == 0:
            raise QueryError(
                f"RDF/XML cannot write the property <{iri}>: its IRI does not end in an "
                "XML name (use Turtle, N-Triples or JSON-LD)"
            )
        split[iri] = (iri[: tail.start()], iri[tail.start() :])
    own = {namespace: prefix for namespace, prefix in NAMESPACES.items()}
    others = sorted({ns for ns, _ in split.values() if ns not in own})
    prefixes = own | {ns: f"ns{n}" for n, ns in enumerate(others, start=1)}
    return {iri: (prefixes[ns], local) for iri, (ns, local) in split.items()}


def xml_header(qnames: dict[str, tuple[str, str]]) -> str:
    """The start of an RDF/XML document declaring the namespaces ``qnames`` use (and
    ``rdf``), by prefix."""
    namespaces = {prefix: iri[: -len(local)] for iri, (prefix, local) in qnames.items()}
    namespaces["rdf"] = _RDF
    lines = "".join(f"   xmlns:{p}={quoteattr(namespaces[p])}\n" for p in sorted(namespaces))
    return f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF\n{lines}>\n'


XML_FOOTER = "</rdf:RDF>\n"


def xml_text(text: str) -> str:
    r"""``text`` as XML character data that reads back as ``text``: ``&``, ``<``, ``>``
    escaped, and ``\r`` as a character reference (XML parsers turn a raw one into ``\n``).

    Raises:
        QueryError: a character XML 1.0 cannot hold (:func:`check_xml_text`).
    """
    check_xml_text(text)
    return escape(text).replace("\r", "&#13;")


def check_xml_text(text: str) -> None:
    """Raise :class:`QueryError` if ``text`` holds a character XML 1.0 cannot hold in any
    form (a control character but tab, newline and carriage return)."""
    bad = _NOT_XML.search(text)
    if bad is not None:
        raise QueryError(
            f"RDF/XML cannot hold the character U+{ord(bad.group()):04X} of the literal "
            f"{text[:40]!r} (use Turtle, N-Triples or JSON-LD)"
        )


def node_id(label: str) -> str:
    """A blank node's ``rdf:nodeID``: its label, made an XML name if it is not one."""
    return label if _NCNAME.match(label) else f"b{label}"


def xml_description(lines: Iterable[str], qnames: dict[str, tuple[str, str]]) -> str:
    """The ``rdf:Description`` of one subject's N-Triples ``lines`` (at least one), its
    properties in the order of the lines."""
    subject = ""
    parts = []
    for line in lines:
        subject, predicate, obj = split_line(line)
        prefix, local = qnames[predicate[1:-1]]
        name = f"{prefix}:{local}"
        term = parse_term(obj)
        if isinstance(term, URIRef):
            parts.append(f"    <{name} rdf:resource={quoteattr(term)}/>\n")
        elif isinstance(term, BNode):
            parts.append(f'    <{name} rdf:nodeID="{node_id(term)}"/>\n')
        else:
            literal = cast(Literal, term)
            if literal.language:
                attribute = f' xml:lang="{literal.language}"'
            elif literal.datatype is not None:
                attribute = f" rdf:datatype={quoteattr(literal.datatype)}"
            else:
                attribute = ""
            parts.append(f"    <{name}{attribute}>{xml_text(literal)}</{name}>\n")
    if subject.startswith("_:"):
        about = f'rdf:nodeID="{node_id(subject[2:])}"'
    else:
        about = f"rdf:about={quoteattr(subject[1:-1])}"
    return f"  <rdf:Description {about}>\n{''.join(parts)}  </rdf:Description>\n"
