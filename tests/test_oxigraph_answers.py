"""SELECT and ASK answers written by Oxigraph's own writers (JSON, XML, CSV, TSV): the same
solutions as rdflib's writers give for the same answer, the row cap exact, every term kept.

The Oxigraph engine holds a SELECT answer as the TSV Oxigraph writes, cut at the row cap by
lines, and re-writes it in the format asked for (:class:`OxigraphAnswer`); the rdflib result
(``answer.result``) is made from that TSV. So TSV must carry every term losslessly, one row a
line: literals with newlines, returns, tabs, quotes and backslashes, language tags,
datatypes, blank nodes, unbound variables and unicode are checked here against the rdflib
engine over the same data.
"""

from __future__ import annotations

import csv
import io
import multiprocessing

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result

from filmgraph.core.errors import QueryError
from filmgraph.core.namespaces import GRAPHS, new_dataset
from filmgraph.query.formats import format_result
from filmgraph.query.oxigraph_results import WRITERS, OxigraphAnswer
from filmgraph.serve import worker_process
from filmgraph.serve.jobs import Job, Reply
from filmgraph.store import RdflibEngine
from filmgraph.store.oxigraph import OxigraphEngine, memory_store

EX = "http://example.org/"
#: Terms every format holds.
TRICKY = [
    Literal("two\nlines"),
    Literal("a\ttab, a \"quote\", a 'quote' and a \\ backslash"),
    Literal("\\n is not a newline, \\t not a tab"),
    Literal("trailing tab\t"),
    Literal("\ttab first"),
    Literal(""),
    Literal(" "),
    Literal("unicode: Балагов, 電影, 🎬, e\u0301"),
    Literal("line separators: \u2028 \u2029 \u0085, end"),
    Literal("chat", lang="fr"),
    Literal("colour", lang="en-gb"),
    Literal('ends with a quote"'),
    Literal("x", datatype=URIRef(EX + "datatype")),
    Literal("1991-01-25", datatype=XSD.date),
    Literal("2017", datatype=XSD.gYear),
    Literal("P1Y", datatype=XSD.duration),
    Literal("<b>html</b>", datatype=URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#HTML")),
    URIRef(EX + "ü?q=1&r=%3Cx%3E#frag"),
    BNode("blank1"),
    BNode("blank2"),
]
#: Terms XML cannot hold: a return (XML parsers read it as a newline, unless written as
#: &#13;, which neither rdflib's writer nor Oxigraph's does) and control characters (not
#: characters of XML 1.0). Both writers write them as they are.
CONTROLS = [
    Literal("a return\rin the middle, then \r\n"),
    Literal("controls: \x01 \x0b \x0c \x7f, end"),
]


def select(*predicates: str) -> str:
    """One row a term, ordered by subject; ?none is never bound; ?blank only for blank
    nodes."""
    values = " ".join(f"<{EX}{p}>" for p in predicates)
    return f"""SELECT ?s ?o ?none ?blank WHERE {{
      VALUES ?p {{ {values} }}
      ?s ?p ?o
      OPTIONAL {{ ?s <{EX}never> ?none }}
      OPTIONAL {{ ?s ?p ?blank FILTER(isBlank(?blank)) }}
    }} ORDER BY ?s"""


SELECT = select("p", "c")
XML_SAFE = select("p")
ALL = TRICKY + CONTROLS
SELECT_FORMATS = [fmt for kind, fmt in WRITERS if kind == "SELECT"]


@pytest.fixture(scope="module")
def tricky():
    dataset = new_dataset()
    graph = dataset.graph(GRAPHS["asserted"])
    for number, term in enumerate(ALL):
        predicate = URIRef(EX + ("p" if number < len(TRICKY) else "c"))
        graph.add((URIRef(f"{EX}s{number:03}"), predicate, term))
    return dataset


def engines(dataset, **options):
    return RdflibEngine(dataset, **options), OxigraphEngine(memory_store(dataset), **options)


def plain(terms) -> list:
    """Rows with every blank node the same (each store labels them its own way)."""
    return [tuple(BNode("b") if isinstance(t, BNode) else t for t in row) for row in terms]


def oxigraph_rows(body: bytes, fmt: str) -> list:
    """The rows of a body as pyoxigraph parses them (terms as their N-Triples text)."""
    solutions = ox.parse_query_results(body, WRITERS["SELECT", fmt])
    names = [v.value for v in solutions.variables]
    return [tuple(None if s[n] is None else str(s[n]) for n in names) for s in solutions]


def rdflib_rows(body: bytes, fmt: str) -> list:
    """The rows of a body as rdflib's result parser reads them."""
    return [tuple(row) for row in Result.parse(io.BytesIO(body), format=fmt)]


def test_every_term_comes_back_as_rdflibs_engine_gives_it(tricky):
    rdflib, oxigraph = (engine.run(SELECT) for engine in engines(tricky))
    assert isinstance(oxigraph, OxigraphAnswer)
    assert [str(v) for v in oxigraph.result.vars] == ["s", "o", "none", "blank"]
    ours = [tuple(row) for row in oxigraph.result]
    assert len(ours) == len(ALL)
    assert plain(ours) == plain(tuple(row) for row in rdflib.result)
    objects = [row[1] for row in ours]
    for term, original in zip(objects, ALL, strict=True):
        assert type(term) is type(original)
        if isinstance(term, Literal):  # a plain string keeps no xsd:string datatype
            assert (str(term), term.language, term.datatype) == (
                str(original),
                original.language,
                original.datatype,
            )
        elif isinstance(term, URIRef):
            assert term == original
    blanks = [row[1] for row in ours if isinstance(row[1], BNode)]
    assert len(set(blanks)) == 2 and [row[3] for row in ours if row[3] is not None] == blanks


def test_each_line_of_the_tsv_is_one_row(tricky):
    answer = engines(tricky)[1].run(SELECT)
    lines = answer.body("tsv").split(b"\n")
    assert lines[0] == b"?s\t?o\t?none\t?blank" and lines[-1] == b""
    assert len(lines) - 2 == len(answer) == len(ALL)
    assert all(line.count(b"\t") == 3 for line in lines[1:-1])


@pytest.mark.parametrize("fmt", SELECT_FORMATS)
def test_oxigraphs_body_has_the_solutions_rdflibs_writer_gives(tricky, fmt):
    answer = engines(tricky)[1].run(XML_SAFE if fmt == "xml" else SELECT)
    ours = answer.body(fmt)
    theirs = format_result(answer.result, fmt).encode("utf-8")
    if fmt == "csv":  # CSV keeps only the strings (terms cannot be told apart): compare them
        assert ours.startswith(b"s,o,none,blank\r\n") and ours.endswith(b",,\r\n")  # CRLF
        assert _csv(ours) == _csv(theirs) and len(_csv(ours)) == len(answer) + 1
        return
    if fmt == "tsv":  # rdflib's TSV parser cannot read unbound values
        assert oxigraph_rows(ours, fmt) == oxigraph_rows(theirs, fmt)
    else:  # (Oxigraph's XML parser trims what rdflib's XML writer leaves unescaped)
        assert (
            rdflib_rows(ours, fmt) == rdflib_rows(theirs, fmt) == [tuple(r) for r in answer.result]
        )
    assert oxigraph_rows(ours, fmt) == oxigraph_rows(answer.body("tsv"), "tsv")


def test_xml_holds_what_xml_can(tricky):
    """Oxigraph's XML: the characters XML cannot hold are written as they are, as rdflib's
    writer does; the whitespace at either end of a literal is escaped, which rdflib's
    writer does not do (and Oxigraph's parser then trims it)."""
    answer = engines(tricky)[1].run(SELECT)
    assert oxigraph_rows(answer.body("xml"), "xml") == oxigraph_rows(answer.body("tsv"), "tsv")
    assert b"<literal>trailing tab&#9;</literal>" in answer.body("xml")
    assert b"<literal>trailing tab\t</literal>" in format_result(answer.result, "xml").encode()


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("query", ["ASK { ?s ?p ?o }", "ASK { ?s <urn:none> ?o }"])
def test_ask_is_written_by_oxigraph_with_the_same_answer(tricky, fmt, query):
    rdflib, oxigraph = (engine.run(query) for engine in engines(tricky))
    assert isinstance(oxigraph, OxigraphAnswer) and len(oxigraph) == 1
    body = oxigraph.body(fmt)
    assert body == oxigraph.found.serialize(format=WRITERS["ASK", fmt])
    assert bool(ox.parse_query_results(body, WRITERS["ASK", fmt])) is rdflib.result.askAnswer
    assert Result.parse(io.BytesIO(body), format=fmt).askAnswer is rdflib.result.askAnswer
    assert oxigraph.result.askAnswer is rdflib.result.askAnswer


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_ask_in_csv_or_tsv_is_refused_as_before(tricky, fmt):
    rdflib, oxigraph = (engine.run("ASK { ?s ?p ?o }") for engine in engines(tricky))
    with pytest.raises(QueryError) as theirs:
        rdflib.body(fmt)
    with pytest.raises(QueryError) as ours:
        oxigraph.body(fmt)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    ("query", "fmt"),
    [("CONSTRUCT WHERE { ?s ?p ?o }", "nt"), ("DESCRIBE ?s WHERE { ?s ?p ?o }", "ttl")],
)
def test_other_formats_are_rdflibs_writers_on_the_rdflib_result(tricky, query, fmt):
    answer = engines(tricky)[1].run(query)
    assert answer.body(fmt) == format_result(answer.result, fmt).encode("utf-8")


@pytest.mark.parametrize("cap", [0, 1, 2, 22, 23, 24, None])
def test_the_row_cap_is_exact(tricky, cap):
    whole = [tuple(row) for row in RdflibEngine(tricky).run(SELECT).result]
    expected = min(len(whole), len(whole) if cap is None else cap)
    for answer in (engine.run(SELECT) for engine in engines(tricky, max_rows=cap)):
        assert len(answer) == expected and len(answer.result.bindings) == expected
        assert answer.truncated == (expected < len(whole))
        assert plain(tuple(row) for row in answer.result) == plain(whole[:expected])
        assert plain(rdflib_rows(answer.body("json"), "json")) == plain(whole[:expected])
        for fmt in SELECT_FORMATS:
            body = answer.body(fmt)
            if fmt == "csv":
                assert len(_csv(body)) == expected + 1
            else:
                assert len(oxigraph_rows(body, fmt)) == expected


@pytest.mark.parametrize("cap", [0, 1, 1499, 1500, 2999, 3000, 3001])
def test_the_cap_is_exact_within_and_across_the_writers_chunks(cap):
    dataset = new_dataset()
    graph = dataset.graph(GRAPHS["asserted"])
    for number in range(3000):  # about 330 kB of TSV: the writer's 8 kB chunks cut rows
        text = f"row {number}\t" + "é\n" * (number % 50)
        graph.add((URIRef(f"{EX}s{number:05}"), URIRef(EX + "p"), Literal(text)))
    query = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"
    answer = OxigraphEngine(memory_store(dataset), max_rows=cap).run(query)
    expected = min(cap, 3000)
    assert len(answer) == expected and answer.truncated == (cap < 3000)
    rows = [tuple(row) for row in answer.result]
    assert [str(s) for s, _ in rows] == [f"{EX}s{n:05}" for n in range(expected)]
    assert all(str(o).startswith(f"row {n}\t") for n, (_, o) in enumerate(rows))
    assert answer.body("tsv").count(b"\n") == expected + 1
    assert len(oxigraph_rows(answer.body("json"), "json")) == expected


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("SELECT * WHERE {}", 1),  # one solution with no variables: an empty line
        ("SELECT ?x WHERE { VALUES ?x { UNDEF UNDEF } }", 2),  # rows of unbound variables
        ("SELECT ?x WHERE { FILTER(false) }", 0),
    ],
)
def test_empty_rows_are_rows(tricky, query, rows):
    assert [len(engine.run(query)) for engine in engines(tricky)] == [rows, rows]
    for cap in (None, 0, 1):  # (rdflib's engine loses empty rows at the cap: its rows skip them)
        oxigraph = OxigraphEngine(memory_store(tricky), max_rows=cap).run(query)
        expected = rows if cap is None else min(rows, cap)
        assert len(oxigraph) == expected and oxigraph.truncated == (expected < rows)
        assert len(oxigraph.result.bindings) == expected
        for fmt in ("json", "xml", "tsv"):
            assert len(oxigraph_rows(oxigraph.body(fmt), fmt)) == expected


def _sent(engine: OxigraphEngine, job: Job) -> Reply:
    """The reply a worker sends for ``job`` (short: whole, in one message)."""
    ours, theirs = multiprocessing.Pipe()
    with ours, theirs:
        worker_process.answer(engine, job, theirs)
        reply: Reply = ours.recv()
        assert not reply.streamed and not ours.poll(0)  # nothing follows
        return reply


def test_a_worker_sends_oxigraphs_body(tricky):
    engine = OxigraphEngine(memory_store(tricky), max_rows=5)
    for fmt in SELECT_FORMATS:
        reply = _sent(engine, Job(SELECT, formats={"SELECT": fmt, "ASK": "json"}))
        answer = engine.run(SELECT)
        assert (reply.status, reply.kind, reply.format, reply.truncated) == (
            200,
            "SELECT",
            fmt,
            True,
        )
        assert len(answer) == 5 and reply.body == answer.body(fmt)
    reply = _sent(engine, Job("ASK { ?s ?p ?o }", formats={"SELECT": "json", "ASK": "xml"}))
    assert reply.body.startswith(b'<?xml version="1.0"?><sparql')
