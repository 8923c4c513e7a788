"""Parse ontology and data files into the named graphs of a dataset.

Every parse error becomes a :class:`~filmgraph.core.errors.DataError` naming the file, line and
column, whatever parser raised it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from xml.sax import SAXParseException

from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.util import guess_format

from ..core import GRAPHS, DataError, Settings, literals_as_written, new_dataset, new_graph


def parse_into(
    graph: Graph, source: Path | str, *, data: str | None = None, fmt: str = ""
) -> Graph:
    """Parse a file (or ``data`` said to come from ``source``) into ``graph``.

    Raises:
        DataError: the text is not valid in its format; says file, line and column.
    """
    fmt = fmt or guess_format(str(source)) or "turtle"
    try:
        with literals_as_written():
            if data is None:
                graph.parse(str(source), format=fmt)
            else:
                graph.parse(data=data, format=fmt)
    except BadSyntax as exc:
        # exc.lines miscounts at the end of input; the byte index into the input is exact.
        text: bytes | str = exc._str  # bytes as rdflib declares it, str from some callers
        raw = text.encode("utf-8") if isinstance(text, str) else text
        index = min(exc._i, len(raw))
        line_start = raw.rfind(b"\n", 0, index) + 1
        line = raw.count(b"\n", 0, index) + 1
        column = len(raw[line_start:index].decode("utf-8", "replace")) + 1
        raise DataError(f"bad {fmt} syntax: {exc._why}", source, line, column) from exc
    except SAXParseException as exc:
        raise DataError(
            f"bad RDF/XML: {exc.getMessage()}", source, exc.getLineNumber(), exc.getColumnNumber()
        ) from exc
    except ParserError as exc:
        raise DataError(f"bad {fmt} syntax: {exc}", source, _nt_line(source, data, exc)) from exc
    except json.JSONDecodeError as exc:
        raise DataError(f"bad JSON: {exc.msg}", source, exc.lineno, exc.colno) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read as {fmt}: {exc}", source) from exc
    except FileNotFoundError as exc:
        raise DataError("file not found", source) from exc
    except RecursionError:  # nested deeper than the parser's recursion: said, not a crash
        raise DataError(
            f"nested too deeply for the {fmt} parser (collections or blank nodes inside "
            f"one another beyond Python's recursion limit of {sys.getrecursionlimit()})",
            source,
        ) from None
    return graph


def _nt_line(source: Path | str, data: str | None, exc: ParserError) -> int | None:
    """N-Triples errors quote the bad line but not its number: find it."""
    bad = str(exc).partition("Invalid line:")[2].strip().strip("'\"")
    if not bad:
        return None
    text = data if data is not None else Path(source).read_text("utf-8", errors="replace")
    for number, line in enumerate(text.splitlines(), 1):
        if (line.strip() and line.strip() in bad) or bad in line:
            return number
    return None


def load_files(paths: Iterable[Path], graph: Graph | None = None) -> Graph:
    """Parse every file into one graph (a fresh one unless given)."""
    graph = new_graph() if graph is None else graph
    for path in paths:
        parse_into(graph, path)
    return graph


def ontology_files(settings: Settings) -> list[Path]:
    """The ontology's Turtle files: our terms and the schema.org subset (not shapes or checks)."""
    return settings.ontology_files


def load_dataset(settings: Settings) -> Dataset:
    """Load the ontology, asserted facts, provenance and the Wikidata snapshot into their
    named graphs.

    Raises:
        DataError: a file is missing or malformed.
    """
    for compiled in (settings.facts_file, settings.provenance_file):
        if not compiled.is_file():
            raise DataError(
                "not found: compile the claims first (`filmgraph claims compile`)", compiled
            )
    dataset = new_dataset()
    sources = {
        "ontology": ontology_files(settings),
        "asserted": [settings.facts_file],
        "provenance": [settings.provenance_file],
        # A project without a Wikidata snapshot (a new one) has an empty wikidata graph.
        "wikidata": [p for p in [settings.wikidata_snapshot] if p.is_file()],
    }
    for name, paths in sources.items():
        load_files(paths, dataset.graph(GRAPHS[name]))
    return dataset


#: The RDF files ``filmgraph serve PATH`` reads, by extension: rdflib's format for each.
RDF_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".n3": "n3",
}
#: The formats that hold named graphs (kept as they are named; the default graph's triples
#: go to the asserted graph).
_QUAD_FORMATS = frozenset({"nquads", "trig", "json-ld"})


def rdf_files(paths: Iterable[Path]) -> list[Path]:
    """The RDF files among ``paths``: each file, and each folder's RDF files (recursively).

    Raises:
        DataError: a path that does not exist, a file whose extension names no RDF format,
            a folder holding no RDF file, or no path at all.
    """
    found: list[Path] = []
    kinds = ", ".join(RDF_FORMATS)
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix.lower() in RDF_FORMATS)
            if not inside:
                raise DataError(f"a folder holding no RDF file ({kinds})", path)
            found += inside
        elif not path.exists():
            raise DataError("not found", path)
        elif path.suffix.lower() not in RDF_FORMATS:
            raise DataError(f"not an RDF file: the extension is not one of {kinds}", path)
        else:
            found.append(path)
    if not found:
        raise DataError("no RDF file given", Path.cwd())
    return found


def load_rdf_files(paths: Iterable[Path]) -> Dataset:
    """Plain RDF files as a dataset: triples into the asserted graph, the named graphs of
    N-Quads, TriG and JSON-LD files under their names (a filmgraph export's graphs are ours
    again); no claims, so no provenance.

    Raises:
        DataError: see :func:`rdf_files`; a file that is not valid in its format (file, line
            and column).
    """
    dataset = new_dataset()
    asserted = dataset.graph(GRAPHS["asserted"])
    for path in rdf_files(paths):
        fmt = RDF_FORMATS[path.suffix.lower()]
        if fmt not in _QUAD_FORMATS:
            parse_into(asserted, path, fmt=fmt)
            continue
        parsed = parse_into(Dataset(), path, fmt=fmt)
        assert isinstance(parsed, Dataset)
        for graph in parsed.graphs():
            named = graph.identifier != DATASET_DEFAULT_GRAPH_ID
            target = dataset.graph(graph.identifier) if named else asserted
            target += graph
    return dataset
