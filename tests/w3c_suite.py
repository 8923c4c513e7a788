"""The W3C SPARQL 1.1 test suites (``tests/w3c/sparql11``, see ``tests/w3c/README.md``):
their manifests, their expected results in every format they use, and a query's results
compared with them as the suites mean; and each test run through four engines, plain rdflib,
plain pyoxigraph and filmgraph's memory and oxigraph engines (:data:`ENGINES`).

Used by tests/test_w3c_query.py, tests/test_w3c_syntax.py and benchmarks/w3c.py.

- **Manifests** (:func:`entries`): ``manifest-sparql11-query.ttl``, ``-fed`` and ``-results``
  and the manifests they include, read with rdflib; each entry with its type, name, IRI,
  approval, query, data, named graph data, SERVICE data and result. The files are read
  under their IRIs in the W3C's copy (:data:`BASE`), so that relative IRIs in queries, data
  and results resolve alike wherever the project is checked out.
- **Results** (:func:`expected`): ``.srx``, ``.srj``, ``.tsv`` and ``.csv`` solutions, and
  ``.ttl`` / ``.rdf`` files, which hold a graph (CONSTRUCT) or a DAWG result set in the
  ``rs:`` vocabulary. Literals are read as written (rdflib's normalisation of literals is
  off while an expected file is read), so that lexical forms are compared.
- **Comparison** (:func:`compare`): solutions as multisets with blank nodes matched one to one
  (one bijection for the whole result), in order under a top-level ORDER BY, rows whose
  ORDER BY variables are equal being interchangeable; literals as RDF terms (lexical form,
  datatype, language tag in lower case; a simple literal is an ``xsd:string``, as in RDF
  1.1); ASK answers as booleans; graphs by isomorphism (:func:`rdflib.compare.isomorphic`);
  CSV results by their text (CSV loses the kind of a term), a ``_:`` value a blank node.

>>> test = by_id()["aggregates/agg01"]
>>> test.type, test.name, path_of(test.query or "").name, path_of(test.result or "").name
('QueryEvaluationTest', 'COUNT 1', 'agg01.rq', 'agg01.srx')
>>> run(test, "memory").passed
True
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import re
import socket
import tomllib
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeAlias
from urllib.parse import urljoin

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.plugins.sparql
from rdflib import RDF, XSD, BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.query import Result

from filmgraph.core import GRAPHS, FilmgraphError, literals_as_written, new_dataset
from filmgraph.store.memory import RdflibEngine
from filmgraph.store.oxigraph import OxigraphEngine, memory_store

W3C = Path(__file__).resolve().parent / "w3c"
#: The copy of the suites' ``sparql/sparql11`` folder.
SUITE = W3C / "sparql11"
#: The IRI the suites' folder is read under: the W3C's published copy of rdf-tests.
BASE = "https://w3c.github.io/rdf-tests/sparql/sparql11/"
#: The manifests read: query language, federation, result formats (not update, not
#: entailment, not protocol: see tests/w3c/README.md).
MANIFESTS = (
    "manifest-sparql11-query.ttl",
    "manifest-sparql11-fed.ttl",
    "manifest-sparql11-results.ttl",
)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
SRX = "{http://www.w3.org/2005/sparql-results#}"

#: The engines a test runs through: plain rdflib and pyoxigraph, and filmgraph's own.
ENGINES = {
    "rdflib": "plain rdflib",
    "pyoxigraph": "plain pyoxigraph",
    "memory": "filmgraph memory",
    "oxigraph": "filmgraph oxigraph",
}
#: The categories whose tests check a result format: the engine's text in that format is
#: read back and compared, not its result object.
FORMAT_CATEGORIES = ("csv-tsv-res", "json-res")
FORMATS = {".csv": "csv", ".tsv": "tsv", ".srj": "json"}


def iri_of(path: Path) -> str:
    """The IRI a file of the suite is read under."""
    return BASE + path.resolve().relative_to(SUITE).as_posix()


def path_of(iri: str) -> Path:
    """The file of the suite at ``iri``.

    Raises:
        ValueError: ``iri`` is not in the suite.
    """
    if not iri.startswith(BASE):
        raise ValueError(f"<{iri}> is not a file of the suite")
    return SUITE / iri[len(BASE) :]


# --- manifests --------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One entry of a manifest.

    ``id`` is ``category/name-in-the-manifest`` (``aggregates/agg-err-01``); ``query`` the IRI
    of its query (``qt:query``, a syntax test's ``mf:action``, an update's ``ut:request``);
    ``data`` its default graph's files; ``graph_data`` its named graphs' files (each graph
    named by its file's IRI); ``service_data`` the (endpoint, file) pairs a SERVICE test
    describes; ``result`` the expected result's IRI.
    """

    id: str
    iri: str
    category: str
    type: str
    name: str
    approved: bool
    query: str | None = None
    data: tuple[str, ...] = ()
    graph_data: tuple[tuple[str, str], ...] = ()
    service_data: tuple[tuple[str, str], ...] = ()
    result: str | None = None
    comment: str = ""

    @property
    def text(self) -> str:
        """The query's text."""
        if self.query is None:
            raise ValueError(f"{self.id} has no query")
        return path_of(self.query).read_text(encoding="utf-8")

    @property
    def result_format(self) -> str | None:
        """The format a result-format test checks (``csv``, ``tsv``, ``json``), else None."""
        if self.category not in FORMAT_CATEGORIES or self.result is None:
            return None
        return FORMATS.get(Path(self.result).suffix)

    @property
    def is_evaluation(self) -> bool:
        return self.type in ("QueryEvaluationTest", "CSVResultFormatTest")

    @property
    def is_syntax(self) -> bool:
        return self.type in ("PositiveSyntaxTest11", "NegativeSyntaxTest11")


def _iris(graph: Graph, subject: Any, predicate: URIRef) -> tuple[str, ...]:
    return tuple(sorted(str(o) for o in graph.objects(subject, predicate)))


def _entry(graph: Graph, node: URIRef, category: str) -> Entry:
    kinds = [str(t) for t in graph.objects(node, RDF.type) if str(t).startswith(str(MF))]
    name = str(node).rsplit("#", 1)[-1] if "#" in str(node) else str(node).rsplit("/", 1)[-1]
    action = graph.value(node, MF.action)
    query: str | None = None
    data: tuple[str, ...] = ()
    graph_data: list[tuple[str, str]] = []
    service_data: list[tuple[str, str]] = []
    if isinstance(action, URIRef):
        query = str(action)
    elif action is not None:
        found = graph.value(action, QT.query) or graph.value(action, UT.request)
        query = None if found is None else str(found)
        data = _iris(graph, action, QT.data) + _iris(graph, action, UT.data)
        for item in graph.objects(action, QT.graphData):
            if isinstance(item, URIRef):
                graph_data.append((str(item), str(item)))
            else:  # [ qt:graph <file> ; rdfs:label "name" ]
                file = str(graph.value(item, QT.graph))
                graph_data.append((str(graph.value(item, rdflib.RDFS.label) or file), file))
        for item in graph.objects(action, QT.serviceData):
            endpoint, file = graph.value(item, QT.endpoint), graph.value(item, QT.data)
            service_data.append((str(endpoint), str(file)))
    result = graph.value(node, MF.result)
    return Entry(
        id=f"{category}/{name}",
        iri=str(node),
        category=category,
        type=kinds[0].split("#")[1] if kinds else "",
        name=str(graph.value(node, MF.name) or name),
        approved=(node, DAWGT.approval, DAWGT.Approved) in graph,
        query=query,
        data=data,
        graph_data=tuple(sorted(graph_data)),
        service_data=tuple(sorted(service_data)),
        result=str(result) if isinstance(result, URIRef) else None,
        comment=str(graph.value(node, rdflib.RDFS.comment) or ""),
    )


def read_manifest(path: Path) -> Iterator[Entry]:
    """The entries of the manifest at ``path`` and of those it includes, in their order."""
    graph = Graph().parse(path, format="turtle", publicID=iri_of(path))
    manifest = URIRef(iri_of(path))
    category = path.resolve().parent.relative_to(SUITE).as_posix()
    for listed in graph.objects(manifest, MF.include):
        for included in Collection(graph, listed):
            yield from read_manifest(path_of(str(included)))
    for listed in graph.objects(manifest, MF.entries):
        for node in Collection(graph, listed):
            yield _entry(graph, URIRef(str(node)), category)


@functools.cache
def entries() -> tuple[Entry, ...]:
    """Every entry of the manifests read (:data:`MANIFESTS`), approved or not."""
    found = [e for m in MANIFESTS for e in read_manifest(SUITE / m)]
    ids = Counter(e.id for e in found)
    assert all(n == 1 for n in ids.values()), [i for i, n in ids.items() if n > 1]
    return tuple(found)


@functools.cache
def by_id() -> Mapping[str, Entry]:
    return {e.id: e for e in entries()}


def approved(kind: Callable[[Entry], bool] = lambda e: True) -> list[Entry]:
    """The approved entries for which ``kind`` holds."""
    return [e for e in entries() if e.approved and kind(e)]


# --- terms ------------------------------------------------------------------------------

#: An RDF term as compared: ("uri", iri), ("bnode", label), ("literal", lexical form,
#: datatype, language tag in lower case or ""), or, read from CSV, ("text", value).
Term: TypeAlias = tuple[str, ...]
Row: TypeAlias = dict[str, Term]

_STRING, _LANG_STRING = str(XSD.string), str(RDF.langString)


def uri(value: str) -> Term:
    return ("uri", value)


def bnode(label: str) -> Term:
    return ("bnode", label)


def literal(lexical: str, datatype: str | None = None, lang: str | None = None) -> Term:
    """A literal as RDF 1.1 has it: a language-tagged string's datatype is rdf:langString
    (its tag in lower case), a simple literal's xsd:string."""
    if lang:
        return ("literal", lexical, _LANG_STRING, lang.lower())
    return ("literal", lexical, datatype or _STRING, "")


def from_rdflib(term: Any) -> Term:
    if isinstance(term, URIRef):
        return uri(str(term))
    if isinstance(term, BNode):
        return bnode(str(term))
    if isinstance(term, Literal):
        datatype = None if term.datatype is None else str(term.datatype)
        return literal(str(term), datatype, term.language)
    raise TypeError(f"not an RDF term: {term!r}")


def from_oxigraph(term: Any) -> Term:
    if isinstance(term, ox.NamedNode):
        return uri(term.value)
    if isinstance(term, ox.BlankNode):
        return bnode(term.value)
    if isinstance(term, ox.Literal):
        return literal(term.value, term.datatype.value, term.language)
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: Term) -> URIRef | BNode | Literal:
    """The rdflib term, its literal's lexical form kept as it is."""
    if term[0] == "uri":
        return URIRef(term[1])
    if term[0] == "bnode":
        return BNode(term[1])
    _, lexical, datatype, lang = term
    if lang:
        return Literal(lexical, lang=lang, normalize=False)
    if datatype == _STRING:
        return Literal(lexical, normalize=False)
    return Literal(lexical, datatype=URIRef(datatype), normalize=False)


def show(term: Term) -> str:
    """The term in N-Triples' syntax (CSV text as it is)."""
    if term[0] == "uri":
        return f"<{term[1]}>"
    if term[0] == "bnode":
        return f"_:{term[1]}"
    if term[0] == "text":
        return repr(term[1])
    _, lexical, datatype, lang = term
    text = json.dumps(lexical, ensure_ascii=False)
    return f"{text}@{lang}" if lang else text if datatype == _STRING else f"{text}^^<{datatype}>"


# --- results ----------------------------------------------------------------------------


@dataclass
class Solutions:
    """A SELECT's result: its variables and its rows (only bound variables in a row)."""

    variables: list[str]
    rows: list[Row] = field(default_factory=list)


@dataclass
class Triples:
    """A CONSTRUCT or DESCRIBE result."""

    triples: set[tuple[Term, Term, Term]]


#: What a query gives, as compared: solutions, a boolean (ASK) or a graph.
Outcome: TypeAlias = Solutions | bool | Triples


def read_srx(data: bytes) -> Solutions | bool:
    """SPARQL Query Results XML."""
    root = ET.fromstring(data)
    boolean = root.find(f"{SRX}boolean")
    if boolean is not None:
        return (boolean.text or "").strip() == "true"
    variables = [v.attrib["name"] for v in root.iter(f"{SRX}variable")]
    solutions = Solutions(variables)
    for result in root.iter(f"{SRX}result"):
        row: Row = {}
        for binding in result.findall(f"{SRX}binding"):
            (value,) = list(binding)
            kind = value.tag[len(SRX) :]
            text = value.text or ""
            if kind == "uri":
                row[binding.attrib["name"]] = uri(text)
            elif kind == "bnode":
                row[binding.attrib["name"]] = bnode(text)
            elif kind == "literal":
                lang = value.attrib.get("{http://www.w3.org/XML/1998/namespace}lang")
                row[binding.attrib["name"]] = literal(text, value.attrib.get("datatype"), lang)
            else:
                raise ValueError(f"unknown term <{kind}> in SPARQL XML results")
        solutions.rows.append(row)
    return solutions


def read_srj(data: bytes) -> Solutions | bool:
    """SPARQL 1.1 Query Results JSON (the older ``typed-literal`` too)."""
    document = json.loads(data)
    if "boolean" in document:
        return bool(document["boolean"])
    solutions = Solutions(list(document["head"].get("vars", [])))
    for binding in document["results"]["bindings"]:
        row: Row = {}
        for name, value in binding.items():
            kind = value["type"]
            if kind == "uri":
                row[name] = uri(value["value"])
            elif kind == "bnode":
                row[name] = bnode(value["value"])
            elif kind in ("literal", "typed-literal"):
                row[name] = literal(value["value"], value.get("datatype"), value.get("xml:lang"))
            else:
                raise ValueError(f"unknown term type {kind!r} in SPARQL JSON results")
        solutions.rows.append(row)
    return solutions


_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_TSV_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?$', re.S)
_TSV_NUMBER = [
    (re.compile(r"[+-]?\d+$"), str(XSD.integer)),
    (re.compile(r"[+-]?\d*\.\d+$"), str(XSD.decimal)),
    (re.compile(r"[+-]?(\d+\.\d*|\.?\d+)[eE][+-]?\d+$"), str(XSD.double)),
]


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1) or match.group(2)
        return chr(int(code, 16)) if code else _ESCAPES[match.group(3)]

    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\(.)", one, text)


def read_tsv_term(text: str) -> Term:
    """One field of SPARQL TSV: a term in Turtle's syntax."""
    if text.startswith("<") and text.endswith(">"):
        return uri(_unescape(text[1:-1]))
    if text.startswith("_:"):
        return bnode(text[2:])
    found = _TSV_STRING.match(text)
    if found:
        return literal(_unescape(found[1]), found[3], found[2])
    if text in ("true", "false"):
        return literal(text, str(XSD.boolean))
    for pattern, datatype in _TSV_NUMBER:
        if pattern.match(text):
            return literal(text, datatype)
    raise ValueError(f"not a term of SPARQL TSV: {text!r}")


def read_tsv(data: bytes) -> Solutions:
    """SPARQL 1.1 TSV results."""
    lines = data.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line.removesuffix("\r") for line in lines]
    header = [v.strip()[1:] for v in lines[0].split("\t")] if lines and lines[0] else []
    solutions = Solutions(header)
    for line in lines[1:]:
        fields = line.split("\t")
        if len(fields) != len(header):
            raise ValueError(f"a TSV row of {len(fields)} fields under {len(header)} variables")
        solutions.rows.append(
            {
                name: read_tsv_term(f.strip())
                for name, f in zip(header, fields, strict=True)
                if f.strip()
            }
        )
    return solutions


def read_csv(data: bytes) -> Solutions:
    """SPARQL 1.1 CSV results: text only (an empty field unbound, ``_:x`` a blank node)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    solutions = Solutions(rows[0] if rows else [])
    for fields in rows[1:]:
        if len(fields) != len(solutions.variables):
            raise ValueError(f"a CSV row of {len(fields)} fields: {fields}")
        solutions.rows.append(
            {
                name: bnode(value[2:]) if value.startswith("_:") else ("text", value)
                for name, value in zip(solutions.variables, fields, strict=True)
                if value != ""
            }
        )
    return solutions


def as_csv(solutions: Solutions) -> Solutions:
    """Solutions as CSV gives them: each term's text, blank nodes kept."""

    def text(term: Term) -> Term:
        return term if term[0] == "bnode" else ("text", term[1])

    return Solutions(
        solutions.variables, [{k: text(v) for k, v in row.items()} for row in solutions.rows]
    )


_RDF_FORMATS = {".ttl": "turtle", ".rdf": "xml", ".nt": "nt", ".n3": "n3"}


def read_rdf(path: Path) -> Graph:
    """An RDF file of the suite, under its IRI, literals as written."""
    with literals_as_written():
        return Graph().parse(path, format=_RDF_FORMATS[path.suffix], publicID=iri_of(path))


def read_result_set(graph: Graph) -> Solutions | bool | None:
    """A DAWG result set (``rs:ResultSet``) held in ``graph``, or None when it holds none."""
    found = list(graph.subjects(RDF.type, RS.ResultSet))
    if not found:
        return None
    (node,) = found
    boolean = graph.value(node, RS.boolean)
    if boolean is not None:
        return str(boolean) == "true"
    solutions = Solutions([str(v) for v in graph.objects(node, RS.resultVariable)])
    ordered: list[tuple[int, Row]] = []
    for solution in graph.objects(node, RS.solution):
        row = {
            str(graph.value(b, RS.variable)): from_rdflib(graph.value(b, RS.value))
            for b in graph.objects(solution, RS.binding)
        }
        index = graph.value(solution, RS.index)
        ordered.append((int(index) if index is not None else 0, row))
    solutions.rows = [row for _, row in sorted(ordered, key=lambda pair: pair[0])]
    return solutions


def triples_of(graph: Graph) -> Triples:
    return Triples({(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in graph})


@functools.cache
def _expected(iri: str) -> Outcome:
    path = path_of(iri)
    if path.suffix == ".srx":
        return read_srx(path.read_bytes())
    if path.suffix == ".srj":
        return read_srj(path.read_bytes())
    if path.suffix == ".tsv":
        return read_tsv(path.read_bytes())
    if path.suffix == ".csv":
        return read_csv(path.read_bytes())
    graph = read_rdf(path)
    result_set = read_result_set(graph)
    return triples_of(graph) if result_set is None else result_set


def expected(entry: Entry) -> Outcome:
    """The result ``entry`` expects."""
    if entry.result is None:
        raise ValueError(f"{entry.id} expects no result")
    return _expected(entry.result)


# --- the query's own clauses ------------------------------------------------------------

_IRI = re.compile(r'<[^<>"{}|^`\\\s]*>')


def skeleton(text: str, *, nested: bool = False) -> str:
    """The query at brace depth 0 (what is inside ``{ }`` dropped, unless ``nested``), its
    comments and strings blanked, its IRIs kept: where its dataset clause and solution
    modifiers are.

    >>> skeleton('SELECT * FROM <g> WHERE { ?s ?p "}" ORDER BY ?s } # ORDER BY\\nORDER BY ?p')
    'SELECT * FROM <g> WHERE {} \\nORDER BY ?p'
    """
    out: list[str] = []
    depth, i = 0, 0
    while i < len(text):
        c = text[i]
        shown = nested or depth == 0
        if c == "#":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        if c in "'\"":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            while i < len(text) and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            if shown:
                out.append('""')
            continue
        if c == "<":
            iri = _IRI.match(text, i)
            if iri:
                if shown:
                    out.append(iri.group())
                i = iri.end()
                continue
        if c == "{":
            depth += 1
            if nested or depth == 1:
                out.append("{")
        elif c == "}":
            depth -= 1
            if nested or depth == 0:
                out.append("}")
        elif shown:
            out.append(c)
        i += 1
    return "".join(out)


def uses_service(text: str) -> bool:
    """Whether the query has a SERVICE pattern (anywhere but in its comments and strings).

    >>> uses_service('SELECT * { ?s ?p "SERVICE" } # SERVICE')
    False
    >>> uses_service("ASK { SERVICE <e> {} }")
    True
    """
    return re.search(r"\bSERVICE\b", skeleton(text, nested=True), re.I) is not None


def order_keys(text: str) -> list[str] | None:
    """The variables of the query's top-level ORDER BY, in order, or None when its result
    has no order.

    >>> order_keys("SELECT * { { SELECT ?x {} ORDER BY ?x } } ORDER BY DESC(?y) ?z LIMIT 3")
    ['y', 'z']
    >>> order_keys("SELECT * { { SELECT ?x {} ORDER BY ?x } }") is None
    True
    """
    found = re.search(
        r"\bORDER\s+BY\b(.*?)(?:\bLIMIT\b|\bOFFSET\b|\bVALUES\b|$)", skeleton(text), re.I | re.S
    )
    if found is None:
        return None
    return list(dict.fromkeys(re.findall(r"[?$](\w+)", found[1])))


def dataset_clause(text: str, base: str) -> tuple[list[str], list[str]] | None:
    """The IRIs of the query's FROM and FROM NAMED (resolved against its BASE, else
    ``base``), or None when it has no dataset clause."""
    top = skeleton(text)
    own = re.search(r"\bBASE\s*<([^>]*)>", top, re.I)
    if own:
        base = urljoin(base, own[1])
    prefixes = {
        p: urljoin(base, i) for p, i in re.findall(r"\bPREFIX\s+(\S*):\s*<([^>]*)>", top, re.I)
    }
    clause = re.findall(r"\bFROM\s+(NAMED\s+)?(<[^>]*>|\S*:\S*)", top, re.I)
    if not clause:
        return None
    default: list[str] = []
    named: list[str] = []
    for is_named, name in clause:
        if name.startswith("<"):
            iri = urljoin(base, name[1:-1])
        else:
            prefix, local = name.split(":", 1)
            iri = prefixes[prefix] + local
        (named if is_named else default).append(iri)
    return default, named


# --- comparison -------------------------------------------------------------------------


def compare(want: Outcome, got: Outcome, keys: Sequence[str] | None = None) -> str | None:
    """How ``got`` differs from ``want`` (in a line or a few), None when they are the same.
    ``keys`` are the variables of the query's ORDER BY (None: the rows have no order)."""
    if isinstance(want, bool) or isinstance(got, bool):
        if type(want) is not type(got):
            return f"expected {_kind(want)}, got {_kind(got)}"
        return None if want == got else f"expected {want}, got {got}"
    if isinstance(want, Triples) or isinstance(got, Triples):
        if not (isinstance(want, Triples) and isinstance(got, Triples)):
            return f"expected {_kind(want)}, got {_kind(got)}"
        return compare_graphs(want, got)
    return compare_solutions(want, got, keys)


def _kind(outcome: Outcome) -> str:
    if isinstance(outcome, bool):
        return f"a boolean ({outcome})"
    if isinstance(outcome, Triples):
        return f"a graph ({len(outcome.triples)} triples)"
    return f"solutions ({len(outcome.rows)} rows)"


def _graph(triples: Triples) -> Graph:
    graph = Graph()
    for s, p, o in triples.triples:
        graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return graph


def compare_graphs(want: Triples, got: Triples) -> str | None:
    if isomorphic(_graph(want), _graph(got)):
        return None

    def ground(triples: Triples) -> Counter[tuple[str, ...]]:
        return Counter(
            " ".join("_:" if t[0] == "bnode" else show(t) for t in x) for x in triples.triples
        )

    missing, extra = ground(want) - ground(got), ground(got) - ground(want)
    return (
        f"graphs differ: {len(want.triples)} triples expected, {len(got.triples)} given; "
        f"missing {sorted(missing)[:3]}, unexpected {sorted(extra)[:3]}"
        if missing or extra
        else "graphs differ in their blank nodes (no isomorphism)"
    )


def _shape(row: Row) -> tuple[tuple[str, Term], ...]:
    """The row with its blank nodes' labels forgotten."""
    return tuple(sorted((k, ("bnode", "") if v[0] == "bnode" else v) for k, v in row.items()))


def _show_row(row: Row) -> str:
    return "{" + ", ".join(f"?{k}={show(v)}" for k, v in sorted(row.items())) + "}"


def compare_solutions(want: Solutions, got: Solutions, keys: Sequence[str] | None) -> str | None:
    if set(want.variables) != set(got.variables):
        return f"variables differ: expected {sorted(want.variables)}, got {sorted(got.variables)}"
    missing = Counter(map(_shape, want.rows)) - Counter(map(_shape, got.rows))
    extra = Counter(map(_shape, got.rows)) - Counter(map(_shape, want.rows))
    if missing or extra:

        def some(shapes: Counter[tuple[tuple[str, Term], ...]]) -> str:
            rows = [_show_row(dict(shape)) for shape in sorted(shapes.elements())]
            return "; ".join(rows[:4]) + (f" and {len(rows) - 4} more" if len(rows) > 4 else "")

        return (
            f"{len(want.rows)} rows expected, {len(got.rows)} given"
            + (f"; missing {some(missing)}" if missing else "")
            + (f"; unexpected {some(extra)}" if extra else "")
        )
    if not _bijection(want.rows, got.rows, None):
        return "the rows differ in their blank nodes (no one-to-one mapping of blank nodes)"
    if keys is not None:
        runs = _runs(want.rows, [k for k in keys if k in want.variables])
        if not _bijection(want.rows, got.rows, runs):
            order = [_show_row({k: r[k] for k in keys if k in r}) for r in got.rows]
            return f"the rows are not in the ORDER BY order: given {'; '.join(order[:6])} ..."
    return None


def _runs(rows: list[Row], keys: list[str]) -> list[int]:
    """For each row, the number of its run of rows with equal ORDER BY keys."""
    runs: list[int] = []
    for i, row in enumerate(rows):
        if i == 0:
            runs.append(0)
        elif all(rows[i - 1].get(k) == row.get(k) for k in keys):
            runs.append(runs[-1])
        else:
            runs.append(runs[-1] + 1)
    return runs


def _bijection(want: list[Row], got: list[Row], runs: list[int] | None) -> bool:
    """Whether each row of ``got`` can be matched to its own row of ``want`` under one
    one-to-one mapping of blank nodes; with ``runs``, the row at position i of ``got``
    only to a row of ``want`` in the run of position i (rows in a run are interchangeable)."""
    candidates: list[list[int]] = []
    for i, row in enumerate(got):
        shape = _shape(row)
        candidates.append(
            [
                j
                for j, other in enumerate(want)
                if (runs is None or runs[j] == runs[i]) and _shape(other) == shape
            ]
        )
    order = sorted(range(len(got)), key=lambda i: len(candidates[i]))
    used: set[int] = set()
    mapping: dict[str, str] = {}
    back: dict[str, str] = {}

    def extend(row: Row, other: Row) -> list[str] | None:
        """Map ``row``'s blank nodes onto ``other``'s; the labels newly mapped, or None."""
        added: list[str] = []
        for name, term in row.items():
            if term[0] != "bnode":
                continue
            target = other[name][1]
            if term[1] in mapping or target in back:
                if mapping.get(term[1]) != target or back.get(target) != term[1]:
                    for label in added:
                        del back[mapping.pop(label)]
                    return None
            else:
                mapping[term[1]], back[target] = target, term[1]
                added.append(term[1])
        return added

    def search(k: int) -> bool:
        if k == len(order):
            return True
        i = order[k]
        ground = all(t[0] != "bnode" for t in got[i].values())
        for j in candidates[i]:
            if j in used:
                continue
            added = extend(got[i], want[j])
            if added is None:
                continue
            used.add(j)
            if search(k + 1):
                return True
            used.discard(j)
            for label in added:
                del back[mapping.pop(label)]
            if ground:  # identical rows without blank nodes: one candidate is as good as any
                return False
        return False

    return len(want) == len(got) and search(0)


# --- the network, off -----------------------------------------------------------------


@contextlib.contextmanager
def no_network() -> Iterator[None]:
    """No connection and no name look-up from Python while the block runs: an engine that
    tries one (rdflib fetching a FROM graph or calling a SERVICE) gets an OSError."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError("the W3C tests never reach the network")

    saved = socket.socket.connect, socket.getaddrinfo, socket.create_connection
    socket.socket.connect = refuse  # type: ignore[method-assign]  # restored below
    socket.getaddrinfo = refuse
    socket.create_connection = refuse
    try:
        yield
    finally:
        socket.socket.connect, socket.getaddrinfo, socket.create_connection = saved


# --- running a test -------------------------------------------------------------------


@dataclass
class Run:
    """A test run through one engine: whether it passed, and if not why (the difference,
    or the error raised and, for filmgraph's errors, its HTTP status)."""

    passed: bool
    detail: str = ""
    status: int | None = None
    error: BaseException | None = None
    ran: bool = True

    @property
    def failed(self) -> bool:
        return self.ran and not self.passed


@dataclass
class Loading:
    """What a test loads: its default graph's files, and its named graphs (name -> file);
    ``own_dataset`` when the query chooses its dataset itself (FROM / FROM NAMED), the
    named graphs then being the files its clause names."""

    default: list[str]
    named: dict[str, str]
    own_dataset: bool


def loading(entry: Entry) -> Loading:
    named = {name: file for name, file in entry.graph_data}
    clause = dataset_clause(entry.text, entry.query or BASE)
    if clause is None:
        return Loading(list(entry.data), named, False)
    for iri in [*clause[0], *clause[1]]:
        named[iri] = iri
    return Loading(list(entry.data), named, True)


def _rdflib_format(file: str) -> str:
    return _RDF_FORMATS[Path(file).suffix]


_OX_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".nt": ox.RdfFormat.N_TRIPLES,
}


def _ox_load(store: ox.Store, file: str, graph: ox.NamedNode | ox.DefaultGraph) -> None:
    path = path_of(file)
    store.load(path=str(path), format=_OX_FORMATS[path.suffix], base_iri=file, to_graph=graph)


def _from_result(result: Result) -> Outcome:
    """An rdflib result, as compared."""
    if result.type == "ASK":
        return bool(result.askAnswer)
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return triples_of(result.graph or Graph())
    return Solutions(
        [str(v) for v in result.vars or []],
        [
            {str(k): from_rdflib(v) for k, v in row.items() if v is not None}
            for row in result.bindings
        ],
    )


def _from_oxigraph(found: Any) -> Outcome:
    if isinstance(found, ox.QueryBoolean):
        return bool(found)
    if isinstance(found, ox.QuerySolutions):
        names = [v.value for v in found.variables]
        rows = [
            {name: from_oxigraph(s[name]) for name in names if s[name] is not None} for s in found
        ]
        return Solutions(names, rows)
    return Triples(
        {
            (from_oxigraph(t.subject), from_oxigraph(t.predicate), from_oxigraph(t.object))
            for t in found
        }
    )


def read_body(body: bytes, fmt: str) -> Outcome:
    """A result written in ``fmt`` (``csv``, ``tsv``, ``json``), read back."""
    return {"csv": read_csv, "tsv": read_tsv, "json": read_srj}[fmt](body)


def _rdflib(entry: Entry) -> Outcome:
    """Plain rdflib: a Dataset with the data in its default graph and the named graphs,
    queried with the query file's IRI as base. FROM is read from the dataset's graphs of
    that name (rdflib's SPARQL_LOAD_GRAPHS off: it would fetch them from the web)."""
    plan = loading(entry)
    dataset = Dataset(default_union=False)
    for file in plan.default:
        dataset.default_graph.parse(path_of(file), format=_rdflib_format(file), publicID=file)
    for name, file in plan.named.items():
        dataset.graph(URIRef(name)).parse(path_of(file), format=_rdflib_format(file), publicID=file)
    before = rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    try:
        result = dataset.query(entry.text, base=entry.query)
        fmt = entry.result_format
        if fmt is not None:
            return read_body(result.serialize(format=fmt) or b"", fmt)
        return _from_result(result)
    finally:
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = before


def _pyoxigraph(entry: Entry) -> Outcome:
    """Plain pyoxigraph: a Store with the data in its default graph and the named graphs
    (FROM / FROM NAMED graphs too: Oxigraph looks for them in the store)."""
    plan = loading(entry)
    store = ox.Store()
    for file in plan.default:
        _ox_load(store, file, ox.DefaultGraph())
    for name, file in plan.named.items():
        _ox_load(store, file, ox.NamedNode(name))
    found = store.query(entry.text, base_iri=entry.query)
    fmt = entry.result_format
    if fmt is not None:
        writer = {
            "csv": ox.QueryResultsFormat.CSV,
            "tsv": ox.QueryResultsFormat.TSV,
            "json": ox.QueryResultsFormat.JSON,
        }[fmt]
        return read_body(found.serialize(format=writer), fmt)
    return _from_oxigraph(found)


def dataset_arguments(
    entry: Entry, held: Sequence[str]
) -> tuple[list[str] | None, list[str] | None]:
    """The dataset a filmgraph engine is asked for: the test's default graph (held in the
    asserted graph) and its named graphs; none when the query has FROM / FROM NAMED (its
    own clause applies). A graph with no triples is not held by an engine (a store has no
    empty graphs): an empty default graph is asked for as no graph, an empty named graph
    is left out."""
    plan = loading(entry)
    if plan.own_dataset:
        return None, None
    asserted = str(GRAPHS["asserted"])
    return [asserted] if asserted in held else [], [g for g in plan.named if g in held]


def _filmgraph(entry: Entry, engine: RdflibEngine | OxigraphEngine) -> Outcome:
    default, named = dataset_arguments(entry, [str(g) for g in engine.held])
    answer = engine.run(entry.text, default, named, base=entry.query)
    fmt = entry.result_format
    if fmt is not None:
        return read_body(answer.body(fmt), fmt)
    return _from_result(answer.result)


def filmgraph_dataset(entry: Entry) -> Dataset:
    """The test's data as a filmgraph build holds it: parsed by rdflib with every literal
    as written (:func:`filmgraph.core.literals_as_written`, as the build parses its
    sources), its default graph in the asserted graph, its named graphs under their names."""
    plan = loading(entry)
    dataset = new_dataset()
    asserted = dataset.graph(GRAPHS["asserted"])
    with literals_as_written():
        for file in plan.default:
            asserted.parse(path_of(file), format=_rdflib_format(file), publicID=file)
        for name, file in plan.named.items():
            graph = dataset.graph(URIRef(name))
            graph.parse(path_of(file), format=_rdflib_format(file), publicID=file)
    return dataset


def memory_engine(entry: Entry) -> RdflibEngine:
    """filmgraph's memory engine over the test's data (:func:`filmgraph_dataset`)."""
    return RdflibEngine(filmgraph_dataset(entry))


def oxigraph_engine(entry: Entry) -> OxigraphEngine:
    """filmgraph's oxigraph engine over the test's data as the build writes a store: the
    rdflib dataset (:func:`filmgraph_dataset`) written to an Oxigraph store in memory."""
    return OxigraphEngine(memory_store(filmgraph_dataset(entry)))


EXECUTORS: dict[str, Callable[[Entry], Outcome]] = {
    "rdflib": _rdflib,
    "pyoxigraph": _pyoxigraph,
    "memory": lambda entry: _filmgraph(entry, memory_engine(entry)),
    "oxigraph": lambda entry: _filmgraph(entry, oxigraph_engine(entry)),
}


def run(entry: Entry, engine: str) -> Run:
    """Run the evaluation test ``entry`` through ``engine`` (an :data:`ENGINES` name) and
    compare its result with the expected one. The plain engines do not run the SERVICE
    tests: they would call the endpoints the tests name, on the web."""
    if (entry.service_data or uses_service(entry.text)) and engine in ("rdflib", "pyoxigraph"):
        if engine == "rdflib":  # its parser, at least, runs offline
            parsed = syntax_run(replace(entry, type="PositiveSyntaxTest11"), "rdflib")
            if not parsed.passed:
                return Run(False, f"rdflib cannot parse it: {parsed.detail}")
        return Run(False, "not run: it calls SERVICE endpoints on the web", ran=False)
    try:
        with no_network():
            got = EXECUTORS[engine](entry)
        want = expected(entry)
        from_csv = entry.result is not None and entry.result.endswith(".csv")
        if from_csv and entry.result_format != "csv" and isinstance(got, Solutions):
            got = as_csv(got)  # CSV keeps only text: compare the text of the terms
        difference = compare(want, got, order_keys(entry.text))
    except FilmgraphError as error:
        return Run(False, f"{type(error).__name__} ({error.status}): {error}", error.status, error)
    except Exception as error:  # an engine's failure is the test's result
        return Run(False, f"{type(error).__name__}: {error}", None, error)
    return Run(difference is None, difference or "")


def syntax_run(entry: Entry, engine: str) -> Run:
    """Whether a plain engine's parser agrees with the syntax test ``entry``: rdflib's
    parser and algebra translation, or Oxigraph's parser (a query prepared on an empty
    store, not evaluated; a query with SERVICE is not run there, as Oxigraph may call it)."""
    positive = entry.type == "PositiveSyntaxTest11"
    text = entry.text
    try:
        if engine == "rdflib":
            with no_network():
                translateQuery(parseQuery(text), base=entry.query)
        elif engine == "pyoxigraph":
            if uses_service(text):  # Oxigraph might call the endpoint: never from here
                return Run(False, "not run: it has a SERVICE pattern", ran=False)
            ox.Store().query(text, base_iri=entry.query)
        else:
            raise ValueError(f"{engine} is not a plain engine")
    except Exception as error:  # refused
        message = str(error).splitlines()[0] if str(error) else ""
        return Run(not positive, f"refused: {type(error).__name__}: {message}")
    return Run(positive, "accepted")


def counts(
    tests: Sequence[Entry], runs: Mapping[tuple[str, str], Run], engines: Sequence[str]
) -> list[list[str]]:
    """A table of passes per category (rows) and engine (columns), with totals."""
    categories = list(dict.fromkeys(t.category for t in tests))
    table = [["category", "tests", *(ENGINES.get(e, e) for e in engines)]]
    for category in [*categories, None]:
        chosen = [t for t in tests if category is None or t.category == category]
        row = [category or "total", str(len(chosen))]
        for engine in engines:
            done = [runs[t.id, engine] for t in chosen if (t.id, engine) in runs]
            passed = sum(r.passed for r in done)
            not_run = sum(not r.ran for r in done)
            row.append(f"{passed}" + (f" ({not_run} not run)" if not_run else ""))
        table.append(row)
    return table


def markdown(table: list[list[str]]) -> str:
    """A table in Markdown, its columns aligned."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]

    def line(row: list[str]) -> str:
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "| " + " | ".join(cells) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(table[0]), rule, *map(line, table[1:])])


# --- expected failures ------------------------------------------------------------------

#: The W3C tests filmgraph's engines are known to fail, with why (see the file's header).
EXPECTED_FAILURES = W3C / "expected-failures.toml"
#: What an entry says a plain engine does with the test: its value starts with one of these.
CLAIMS = ("passes", "fails", "not run")


@functools.cache
def expected_failures() -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    """The expected failures: ``{"query" | "syntax": {backend: {test id: entry}}}``."""
    with EXPECTED_FAILURES.open("rb") as file:
        return tomllib.load(file)


def claim(run: Run) -> str:
    """What a plain engine did with a test, as an expected failure's entry says it."""
    return "not run" if not run.ran else "passes" if run.passed else "fails"


def check_claims(
    expected: Mapping[str, Mapping[str, Any]], section: str, test_id: str, engine: str, run: Run
) -> None:
    """Every entry for ``test_id`` in ``expected`` (tables by backend or store, under
    ``[section.NAME]``) says truly what the plain ``engine`` did with it (``run``)."""
    for name, table in expected.items():
        if test_id in table:
            said = table[test_id][engine]
            assert said.startswith(claim(run)), (
                f"[{section}.{name}] {test_id}: {engine} = {said!r}, but it {claim(run)}: "
                f"{run.detail}"
            )


def by_design(entry: Mapping[str, Any]) -> bool:
    return str(entry.get("cause", "")).startswith("by design:")


# --- judging ----------------------------------------------------------------------------


def judge(run: Run, listed: Mapping[str, Any] | None, where: str) -> None:
    """Pass, fail or xfail a run on the list of expected failures, strictly: an unlisted
    failure fails, a listed test that passes fails, a listed failure must have the status
    and the words (``match``) the list gives."""
    if listed is None:
        assert run.passed, (
            f"{where} fails and is not listed in {EXPECTED_FAILURES.name}: {run.detail}"
        )
        return
    if run.passed:
        pytest.fail(
            f"{where} passes but is listed as failing in {EXPECTED_FAILURES.name} "
            f"({listed['cause']}): remove it from the list"
        )
    if "status" in listed:
        assert run.status == listed["status"], (
            f"{where} should fail with {listed['status']} ({listed['cause']}); got {run.detail}"
        )
    if "match" in listed:
        assert listed["match"] in run.detail, (
            f"{where} fails otherwise than the list says ({listed['match']!r}): {run.detail}"
        )
    pytest.xfail(f"{listed['cause']} [{run.detail[:300]}]")
