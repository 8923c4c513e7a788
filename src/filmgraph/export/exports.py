"""Exports: the dataset, or chosen graphs of it, in the standard RDF formats.

Triple formats (Turtle, JSON-LD, N-Triples, RDF/XML) merge the chosen graphs; the quad
formats (N-Quads, TriG) keep them apart by name. Output is stable, so that diffs between
builds are readable: N-Triples and N-Quads are sorted line by line, Turtle and TriG write
each subject's block in that order with the prefixes of ours the text uses, TriG writes
the graphs in the order asked for, and JSON-LD is compacted against a context embedded in
the file (``@vocab`` schema.org plus only the prefixes the data uses; nothing is fetched),
nodes and keys sorted. Blank nodes in every format but N-Quads are labelled from their
content (rdflib's canonical labels); N-Quads keep the store's labels.

Every format but framed JSON-LD is streamed (:data:`STREAMED`,
:func:`export_stream`): read from the store once and written as it is read, in memory
bounded by a run of sorted lines (:data:`SORT_RUN`; the rest waits in temporary files), one
subject's triples, and the triples that mention a blank node, which are held to label
those canonically; the labels depend on those triples alone, so the text is the one the
whole graph gives. :func:`export` is the text of that stream. Framed JSON-LD is built
whole: it nests what each film and person reaches and so needs the whole graph, and is
refused above the ``framed_limit`` setting (200,000 triples by default; 403).

Framed JSON-LD (``jsonld-framed``, see :mod:`filmgraph.export.jsonld`) nests each film's and
person's places and events under it, with schema.org's context resolved locally; it is what a
schema.org consumer reads, so it holds the chosen graphs with their schema.org consequences
(:func:`filmgraph.export.jsonld.schemaorg_view`) unless asked for the graphs alone.
"""

from __future__ import annotations

import heapq
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, groupby
from operator import itemgetter
from typing import IO, Any, cast

from rdflib import BNode, Dataset, Graph, Literal
from rdflib.compare import to_canonical_graph
from rdflib.plugins.serializers.nquads import _nq_row
from rdflib.term import Node

from ..core import (
    GRAPHS,
    ForbiddenError,
    QueryError,
    Settings,
    graph_names,
    new_graph,
    nt_line,
)
from ..query import MEDIA_TYPES, tidy_jsonld
from .jsonld import context_of, framed, jsonld_prefixes, schemaorg_view
from .writers import (
    XML_FOOTER,
    blank_blocks,
    blank_nodes,
    blank_subjects,
    check_xml_text,
    jsonld_converter,
    jsonld_document,
    jsonld_node,
    node_key,
    prefixes_of,
    turtle_block,
    turtle_prefixes,
    xml_description,
    xml_header,
    xml_qnames,
)

#: export format name -> its name in :data:`filmgraph.query.formats.GRAPH` (which gives its
#: serializer and media type), which is also its file extension
FORMATS: dict[str, str] = {
    "turtle": "ttl",
    "jsonld": "jsonld",
    "nt": "nt",
    "nq": "nq",
    "trig": "trig",
    "xml": "rdf",
}

#: the framed JSON-LD (written by pyld, not rdflib): its export name
FRAMED = "jsonld-framed"

#: every export: format name -> file extension
EXPORTS: dict[str, str] = {**FORMATS, FRAMED: "framed.jsonld"}

DEFAULT_GRAPHS = ("asserted",)


def media_type(extension: str) -> str:
    """The media type of an export's file extension (``framed.jsonld`` is JSON-LD).

    >>> media_type("framed.jsonld")
    'application/ld+json'
    """
    return MEDIA_TYPES["GRAPH"][extension.rpartition(".")[2]]


def export(
    dataset: Dataset,
    fmt: str = "turtle",
    graphs: Iterable[str] = DEFAULT_GRAPHS,
    settings: Settings | None = None,
    *,
    schemaorg: bool = True,
) -> str:
    """The chosen graphs of ``dataset`` in format ``fmt`` (a key of :data:`EXPORTS`);
    ``settings`` says where schema.org's context is, for ``jsonld-framed``, which also holds
    the schema.org consequences (from the inferred graph) of what the chosen graphs say,
    unless ``schemaorg`` is false (see :func:`~filmgraph.export.jsonld.schemaorg_view`).
    The formats of :data:`STREAMED` are the text of :func:`export_stream`.

    Raises:
        QueryError: an unknown format or graph name; for ``jsonld-framed``, graphs with a
            blank node that nothing points to (the ontology's axioms); for ``xml``, what
            RDF/XML cannot write (see :func:`export_stream`).
        ForbiddenError: for ``jsonld-framed``, more triples than the ``framed_limit``
            setting.

    >>> from filmgraph import build
    >>> text = export(build(), "nt")
    >>> text.splitlines()[0].startswith("<https://w3id.org/filmgraph/id/")
    True
    """
    if fmt not in EXPORTS:
        raise QueryError(f"no export format {fmt!r}; formats: {', '.join(EXPORTS)}")
    names = graph_names(graphs)
    if fmt in STREAMED:
        return "".join(export_stream(dataset, fmt, names))
    _within_framed_limit(dataset, names, settings)  # the framed JSON-LD, built whole
    if schemaorg:
        merged = schemaorg_view(dataset, names)
    else:
        merged = new_graph()
        for name in names:
            merged += dataset.graph(GRAPHS[name])
    if any(isinstance(term, BNode) for triple in merged for term in triple):
        merged = _canonical(merged)
    return framed(merged, settings)


def _within_framed_limit(dataset: Dataset, names: list[str], settings: Settings | None) -> None:
    """Refuse to frame more triples than the ``framed_limit`` setting allows (the framed
    export is built whole in memory).

    Raises:
        ForbiddenError: the chosen graphs hold more triples than that.
    """
    limit = (settings or Settings()).framed_limit
    held = sum(len(dataset.graph(GRAPHS[name])) for name in names)
    if held > limit:
        raise ForbiddenError(
            f"framed JSON-LD is built whole in memory and the chosen graphs hold {held:,} "
            f"triples, more than framed_limit ({limit:,}; setting FILMGRAPH_FRAMED_LIMIT): "
            "ask for JSON-LD (jsonld), which is streamed, or for fewer graphs"
        )


#: The formats written as the triples are read (:func:`export_stream`); the framed JSON-LD
#: is built whole.
STREAMED = ("turtle", "jsonld", "nt", "nq", "trig", "xml")

#: rdflib's N-Quads line for a triple in a named graph (as its serializer writes it).
_quad_line = cast(Callable[[tuple[Node, Node, Node], Node], str], _nq_row)

#: Lines sorted in memory at once; more are sorted in runs of this many, kept in temporary
#: files, and merged (:func:`export_stream`).
SORT_RUN = 100_000

#: About how many characters :func:`export_stream` gives at a time.
PIECE = 1 << 16


def export_stream(
    dataset: Dataset,
    fmt: str = "turtle",
    graphs: Iterable[str] = DEFAULT_GRAPHS,
    *,
    run: int = SORT_RUN,
) -> Iterator[str]:
    """The chosen graphs in format ``fmt`` (one of :data:`STREAMED`), as pieces of text of
    about :data:`PIECE` characters (whole lines), read from the store as they come and
    written in bounded memory: ``"".join(export_stream(...))`` is :func:`export`'s text.

    Each triple is read once. Those without a blank node become N-Triples (N-Quads) lines,
    sorted in runs of ``run`` lines kept in temporary files and merged as the text is
    written (an external merge sort), so that memory holds a run, not the graph. Those with
    a blank node are kept in memory (the graph's blank-node part: for our data, the
    ontology's OWL restrictions and lists), and when the reading is done their blank nodes
    are labelled canonically from that part alone (rdflib's ``to_canonical_graph``: a blank
    node's label depends only on the triples that reach it through blank nodes, so it is the
    label the whole graph gives it). The export is therefore the same text as if the graph
    were held whole, as long as its blank-node part fits in memory. Then, by format:

    - ``nt``: the lines, sorted as if blank nodes had no label, each once.
    - ``nq``: the quads, sorted likewise, blank nodes labelled as the store has them.
    - ``turtle``: each IRI subject's block in the order of its sorted lines, then each blank
      node's block, by label (:mod:`filmgraph.export.writers`). The ``@prefix`` lines, at the
      top, declare the prefixes of ours that the text uses: they are collected while the
      triples are read, which the sort finishes before the first line is written.
    - ``trig``: each chosen graph in the order given, as in Turtle, its blank nodes labelled
      from that graph alone.
    - ``jsonld``: compacted against a context of ``@vocab`` schema.org and the prefixes the
      data uses (collected as for Turtle), one node object at a time in ``@graph`` in the
      order of their compacted ``@id`` (the lines are sorted by it).

    A Turtle block or a JSON-LD node is made from one subject's lines, held together: the
    memory of one subject's triples.

    Every triple is read and sorted when this is called, before it returns (the first
    line needs them all): an error in the data is raised here, before any text is given.

    Raises:
        QueryError: an unknown format or graph name; for ``xml``, a property whose IRI
            does not end in an XML name or a literal with a character XML cannot hold.
    """
    if fmt not in STREAMED:
        raise QueryError(f"no streamed format {fmt!r}; formats: {', '.join(STREAMED)}")
    names = graph_names(graphs)
    pieces = _pieces(_WRITERS[fmt](dataset, names, run))
    first = next(pieces, None)  # the reading and sorting: an error comes here, not mid-way
    return chain([] if first is None else [first], pieces)


def export_nquads(
    dataset: Dataset, graphs: Iterable[str] = DEFAULT_GRAPHS, *, run: int = SORT_RUN
) -> Iterator[str]:
    """The chosen graphs as N-Quads: ``export_stream(dataset, "nq", graphs, run=run)``.

    Raises:
        QueryError: an unknown graph name.
    """
    return export_stream(dataset, "nq", graphs, run=run)


def _pieces(texts: Iterable[str]) -> Iterator[str]:
    """``texts`` joined into pieces of about :data:`PIECE` characters."""
    batch: list[str] = []
    size = 0
    for text in texts:
        batch.append(text)
        size += len(text)
        if size >= PIECE:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)


class _Reading:
    """One pass over the chosen graphs (merged, or ``apart`` by graph), that gives the
    triples without a blank node as they are read and keeps the others (:attr:`blank`, one
    graph per part); once read, :attr:`blank` is labelled canonically and its triples given
    too. :attr:`used` gathers what ``prefixes`` finds in each triple."""

    def __init__(
        self,
        dataset: Dataset,
        names: list[str],
        *,
        apart: bool = False,
        prefixes: Callable[[tuple[Node, Node, Node]], Iterable[str]] | None = None,
    ) -> None:
        self.dataset, self.names, self.apart, self.prefixes = dataset, names, apart, prefixes
        self.blank: list[Graph] = [new_graph() for _ in (names if apart else [None])]
        self.used: set[str] = set()

    def triples(self) -> Iterator[tuple[int, tuple[Node, Node, Node]]]:
        """(part, triple): part is the graph's index among the chosen ones when apart."""
        used, prefixes = self.used, self.prefixes
        for index, name in enumerate(self.names):
            part = index if self.apart else 0
            blank = self.blank[part]
            for triple in self.dataset.graph(GRAPHS[name]):
                if prefixes is not None:
                    used.update(prefixes(triple))
                s, p, o = triple
                if isinstance(s, BNode) or isinstance(o, BNode) or isinstance(p, BNode):
                    blank.add(triple)
                else:
                    yield part, triple
        self.blank = [_canonical(graph) if len(graph) else graph for graph in self.blank]
        for part, graph in enumerate(self.blank):
            for triple in graph:
                yield part, triple


def _subject(line: str) -> str:
    return line[: line.index(" ")]


def _unique(lines: Iterable[str]) -> Iterator[str]:
    """Sorted ``lines`` each once (a triple in two of the merged graphs is one line)."""
    last = None
    for line in lines:
        if line != last:
            yield line
        last = line


def _n_triples(dataset: Dataset, names: list[str], run: int) -> Iterator[str]:
    reading = _Reading(dataset, names)
    lines = (nt_line(triple) for _, triple in reading.triples())
    return _or_newline(_unique(_merge_sorted(lines, run)))


def _n_quads(dataset: Dataset, names: list[str], run: int) -> Iterator[str]:
    lines = (
        _quad_line(triple, GRAPHS[name]) for name in names for triple in dataset.graph(GRAPHS[name])
    )
    return _or_newline(_merge_sorted(lines, run))


def _or_newline(lines: Iterator[str]) -> Iterator[str]:
    """``lines``, or a newline if there are none (as rdflib writes an empty graph)."""
    any_line = False
    for line in lines:
        any_line = True
        yield line
    if not any_line:
        yield "\n"


def _turtle(dataset: Dataset, names: list[str], run: int) -> Iterator[str]:
    reading = _Reading(dataset, names, prefixes=prefixes_of)
    lines = (nt_line(t) for _, t in reading.triples() if not isinstance(t[0], BNode))
    merged = _unique(_merge_sorted(lines, run))
    first = next(merged, None)  # the sort has read every triple: the prefixes are known
    yield turtle_prefixes(reading.used)
    if first is not None:
        for _, group in groupby(chain([first], merged), key=_subject):
            yield turtle_block(group) + "\n"
    for block in blank_blocks(reading.blank[0], _line_key):
        yield block + "\n"


def _trig(dataset: Dataset, names: list[str], run: int) -> Iterator[str]:
    """TriG: the graphs in the order given, blocks as in Turtle indented in each; a graph
    with no triple is left out, as rdflib does."""
    reading = _Reading(dataset, names, apart=True, prefixes=prefixes_of)
    records = (
        f"{part:04d}{nt_line(t)}" for part, t in reading.triples() if not isinstance(t[0], BNode)
    )
    parts = groupby(_merge_sorted(records, run, _record_key), key=lambda r: int(r[:4]))
    current = next(parts, None)
    yield turtle_prefixes(reading.used)
    written = False
    for part, name in enumerate(names):
        lines: Iterable[str] = ()
        if current is not None and current[0] == part:
            lines = (record[4:] for record in current[1])
        subjects = (turtle_block(g, "    ") for _, g in groupby(lines, key=_subject))
        blocks = chain(subjects, blank_blocks(reading.blank[part], _line_key, "    "))
        block = next(blocks, None)
        if block is not None:
            yield f"{chr(10) if written else ''}<{GRAPHS[name]}> {{\n{block}"
            for block in blocks:
                yield f"\n{block}"
            yield "}\n"
            written = True
        if current is not None and current[0] == part:
            current = next(parts, None)


def _rdf_xml(dataset: Dataset, names: list[str], run: int) -> Iterator[str]:
    """RDF/XML: each IRI subject's description in the order of its sorted lines, then each
    blank node's, by label; the namespaces of the properties, declared at the top, are
    gathered while the triples are read, which the sort finishes first. A property RDF/XML
    cannot name, or a character it cannot hold, is found then too: the error comes before
    the first line."""
    reading = _Reading(dataset, names, prefixes=_xml_checked)
    lines = (nt_line(t) for _, t in reading.triples() if not isinstance(t[0], BNode))
    merged = _unique(_merge_sorted(lines, run))
    first = next(merged, None)
    qnames = xml_qnames(reading.used)
    yield xml_header(qnames)
    if first is not None:
        for _, group in groupby(chain([first], merged), key=_subject):
            yield xml_description(group, qnames)
    for lines_of in blank_subjects(reading.blank[0], _line_key):
        yield xml_description(lines_of, qnames)
    yield XML_FOOTER


def _xml_checked(triple: tuple[Node, Node, Node]) -> Iterator[str]:
    """The property of ``triple`` (to declare its namespace), its literal checked first
    (:func:`~filmgraph.export.writers.xml_text` raises on what XML cannot hold)."""
    if isinstance(triple[2], Literal):
        check_xml_text(triple[2])
    yield str(triple[1])


def _record_key(record: str) -> tuple[str, str, str]:
    return (record[:4], *_line_key(record[4:]))


def _jsonld(dataset: Dataset, names: list[str], run: int) -> Iterator[str]:
    reading = _Reading(dataset, names, prefixes=jsonld_prefixes)
    records = (
        f"{node_key(str(t[0]))}\t{nt_line(t)}"
        for _, t in reading.triples()
        if not isinstance(t[0], BNode)
    )
    merged = _unique(_merge_sorted(records, run, None))
    first = next(merged, None)  # the sort has read every triple: the context is known
    context = context_of(reading.used)
    converter = jsonld_converter(context)
    blank = reading.blank[0]
    subjects = (
        (key, jsonld_node(converter, [r[len(key) + 1 :] for r in group], blank))
        for key, group in groupby(chain([first] if first else [], merged), key=_node_key)
    )
    blanks = sorted(
        ((json.dumps(n["@id"]), n) for n in blank_nodes(converter, blank)), key=itemgetter(0)
    )
    nodes = heapq.merge(subjects, blanks, key=itemgetter(0))
    yield from jsonld_document(context, (tidy_jsonld(node) for _, node in nodes))


def _node_key(record: str) -> str:
    return record[: record.index("\t")]


_WRITERS: dict[str, Callable[[Dataset, list[str], int], Iterator[str]]] = {
    "nt": _n_triples,
    "nq": _n_quads,
    "turtle": _turtle,
    "trig": _trig,
    "jsonld": _jsonld,
    "xml": _rdf_xml,
}


def _line_key(line: str) -> tuple[str, str]:
    text = line.rstrip("\n")
    return (_BLANK.sub("_:", text), text)


def _merge_sorted(
    lines: Iterable[str], run: int, key: Callable[[str], Any] | None = _line_key
) -> Iterator[str]:
    """``lines`` sorted by ``key`` (:func:`_line_key`, by default; None: as strings): in
    memory up to ``run`` of them, else in sorted runs spilled to temporary files and merged
    (an external merge sort). Every line is read before the first is given."""
    runs: list[IO[str]] = []
    try:
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) >= run:
                runs.append(_spill(sorted(batch, key=key)))
                batch = []
        batch.sort(key=key)
        if not runs:
            yield from batch
            return
        runs.append(_spill(batch))
        yield from heapq.merge(*runs, key=key)
    finally:
        for spilled in runs:
            spilled.close()


def _spill(lines: list[str]) -> IO[str]:
    """A temporary file holding ``lines`` (each ending in a newline), read from its start."""
    spilled = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115  (the caller closes it)
    spilled.writelines(lines)
    spilled.seek(0)
    return spilled


def _sorted_lines(text: str) -> str:
    """Lines sorted as if blank nodes had no label, so that their order does not depend
    on the labels a load gave them."""
    lines = [line for line in text.splitlines() if line.strip()]
    lines.sort(key=_line_key)
    return "\n".join(lines) + "\n"


_BLANK = re.compile(r"_:[A-Za-z0-9]+")


def _canonical(graph: Graph) -> Graph:
    """The graph with blank nodes labelled from their content, not at random, so that
    exports of the same data are the same text."""
    canonical = new_graph()
    canonical += to_canonical_graph(graph)
    return canonical
