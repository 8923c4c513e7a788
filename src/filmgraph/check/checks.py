"""Integrity checks: SHACL shapes, SPARQL queries that must return no rows, and quotes.

``run_checks`` returns a :class:`Report`; nothing here raises on a failed check, so callers
decide (``build`` refuses to go on, ``filmgraph validate`` prints the report and exits 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from pyparsing import ParseException
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.query import ResultRow
from rdflib.term import Identifier, Node

from ..core import GRAPHS, OA, DataError, Settings, new_graph, read_text
from ..load import load_files, read_claims, read_sources
from .evaluation import evaluation_check
from .report import Report, Violation


def run_checks(dataset: Dataset, settings: Settings) -> Report:
    """Run the SHACL shapes, the SPARQL checks, the quote check and the evaluation check
    (no evaluative words stated as fact) over a dataset."""
    report = Report()
    shapes = sorted(settings.shapes_dir.glob("*.ttl"))
    if shapes:
        shacl_check(dataset, load_files(shapes), report)
    for path in settings.check_files:
        sparql_check(dataset, path, report)
    quote_check(dataset, settings, report)
    evaluation_check(read_claims(settings.claims_file), report)
    return report


def shacl_check(dataset: Dataset, shapes: Graph, report: Report) -> None:
    """Validate the asserted graph against the shapes, with the ontology mixed in."""
    from pyshacl import validate  # imported lazily: it is slow to import

    data = _copy(dataset.graph(GRAPHS["asserted"]))
    ontology = _copy(dataset.graph(GRAPHS["ontology"]))
    _, found, _ = validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True
    )
    results = cast(Graph, found)  # the results graph (text only when asked to serialise it)
    report.checks_run.append("shacl")
    for result in results.subjects(SH.focusNode, None):
        if results.value(result, SH.resultSeverity) == SH.Info:
            continue
        message = results.value(result, SH.resultMessage)
        report.violations.append(
            Violation(
                check="shacl",
                focus=_n3(results.value(result, SH.focusNode), dataset),
                path=_n3(results.value(result, SH.resultPath), dataset),
                message=str(message or "shape violated"),
                value=_n3(results.value(result, SH.value), dataset),
            )
        )


def sparql_check(dataset: Dataset, path: Path, report: Report) -> None:
    """Run one must-return-no-rows query; each row it returns is a violation.

    Raises:
        DataError: the file is not UTF-8 or not a SPARQL query (with the parser's line and
            column).
    """
    text = read_text(path)
    purpose = next((ln[1:].strip() for ln in text.splitlines() if ln.startswith("#")), path.stem)
    try:
        parseQuery(text)  # read first, to say where it is not SPARQL
    except ParseException as exc:
        raise DataError(f"not a SPARQL query: {exc.msg}", path, exc.lineno, exc.col) from None
    except RecursionError:
        raise DataError("not a SPARQL query: nested too deeply to parse", path) from None
    report.checks_run.append(path.stem)
    for row in dataset.query(text):
        values = [_n3(v, dataset) for v in cast(ResultRow, row)]  # a SELECT's rows
        report.violations.append(
            Violation(check=path.stem, focus=values[0], message=purpose, value=" ".join(values[1:]))
        )


def quote_check(dataset: Dataset, settings: Settings, report: Report) -> None:
    """Every quote in the provenance graph matches its source document at its offsets."""
    report.checks_run.append("quotes-match-document")
    texts = {URIRef(s.iri): s.text for s in read_sources(settings.claims_file)}
    provenance = dataset.graph(GRAPHS["provenance"])
    for quote in provenance.subjects(OA.exact, None, unique=True):
        exact = provenance.value(quote, OA.exact)
        target = provenance.value(None, OA.hasSelector, quote)
        position = next(
            (
                sel
                for sel in provenance.objects(target, OA.hasSelector)
                if (sel, OA.start, None) in provenance
            ),
            None,
        )
        start = provenance.value(position, OA.start) if position is not None else None
        end = provenance.value(position, OA.end) if position is not None else None
        if not isinstance(start, Literal) or not isinstance(end, Literal):
            report.violations.append(
                Violation("quotes-match-document", _n3(target, dataset), "a quote without offsets")
            )
            continue
        document = provenance.value(target, OA.hasSource)
        text = texts.get(document) if isinstance(document, URIRef) else None
        if text is None:
            report.violations.append(
                Violation("quotes-match-document", _n3(target, dataset), "a quote of no document")
            )
            continue
        found = text[int(start) : int(end)]
        if found != str(exact):
            report.violations.append(
                Violation(
                    check="quotes-match-document",
                    focus=_n3(provenance.value(None, OA.hasTarget, target) or target, dataset),
                    message=f"the document has {found!r} at offset {start}",
                    value=repr(str(exact)),
                )
            )


def _copy(graph: Graph) -> Graph:
    copy = new_graph()
    for triple in graph:
        copy.add(triple)
    return copy


def _n3(term: Node | None, dataset: Dataset) -> str:
    if isinstance(term, Literal):
        return term.n3()
    if isinstance(term, Identifier):
        return term.n3(dataset.namespace_manager)
    return ""
