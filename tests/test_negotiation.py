"""Content negotiation, table-driven: the pure chooser, then the same table over HTTP, and
every body parsed back in the format its Content-Type names."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Dataset, Graph
from rdflib.query import Result

from filmgraph.query.formats import MEDIA_TYPES
from filmgraph.web.negotiation import choices, choose, parse_accept

pytestmark = pytest.mark.every_store(remote=True)

# (family, Accept header, format= parameter, chosen format or None for 406)
TABLE = [
    ("SELECT", None, None, "json"),
    ("SELECT", "*/*", None, "json"),
    ("SELECT", "application/sparql-results+json", None, "json"),
    ("SELECT", "application/sparql-results+xml", None, "xml"),
    ("SELECT", "text/csv", None, "csv"),
    ("SELECT", "text/tab-separated-values", None, "tsv"),
    ("SELECT", "application/json", None, "json"),
    ("SELECT", "application/sparql-results+json;charset=utf-8", None, "json"),
    ("SELECT", "text/csv;q=0.5, application/sparql-results+xml", None, "xml"),
    ("SELECT", "text/csv;q=0.9, text/tab-separated-values;q=0.8", None, "csv"),
    ("SELECT", "text/*;q=0.9, text/csv;q=0", None, "tsv"),
    ("SELECT", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, "xml"),
    ("SELECT", "text/turtle", None, None),
    ("SELECT", "application/sparql-results+json;q=0", None, None),
    ("SELECT", "text/turtle", "csv", "csv"),  # format= wins over Accept
    ("SELECT", None, "tsv", "tsv"),
    ("SELECT", None, "ttl", None),
    ("ASK", None, None, "json"),
    ("ASK", "application/sparql-results+xml", None, "xml"),
    ("ASK", "text/csv", None, None),  # SPARQL CSV/TSV have no boolean form
    ("ASK", "text/csv, application/sparql-results+json;q=0.1", None, "json"),
    ("ASK", None, "csv", None),
    ("GRAPH", None, None, "ttl"),
    ("GRAPH", "*/*", None, "ttl"),
    ("GRAPH", "application/ld+json", None, "jsonld"),
    ("GRAPH", "application/n-triples", None, "nt"),
    ("GRAPH", "application/rdf+xml", None, "rdf"),
    ("GRAPH", "application/n-quads", None, "nq"),
    ("GRAPH", "application/trig", None, "trig"),
    ("GRAPH", "application/*", None, "jsonld"),
    ("GRAPH", "text/turtle;q=0.2, application/n-triples;q=0.9", None, "nt"),
    ("GRAPH", "application/sparql-results+json", None, None),
    ("GRAPH", None, "xml", "rdf"),  # format=xml on a graph means RDF/XML
    ("GRAPH", None, "rdf", "rdf"),
    ("GRAPH", None, "jsonld", "jsonld"),
    ("GRAPH", None, "csv", None),
]


@pytest.mark.parametrize(("family", "accept", "fmt", "expected"), TABLE)
def test_choose(family, accept, fmt, expected):
    assert choose(family, parse_accept(accept), fmt) == expected


def test_an_unknown_format_name_is_a_400():
    from filmgraph.core.errors import QueryError

    with pytest.raises(QueryError, match="unknown format 'pdf'"):
        choices(None, "pdf")


QUERIES = {
    "SELECT": "SELECT ?film ?name WHERE { ?film a schema:Movie ; schema:name ?name }",
    "ASK": "ASK { fgid:closeness a schema:Movie }",
    "GRAPH": "CONSTRUCT { ?film schema:name ?name } WHERE { ?film a schema:Movie ; "
    "schema:name ?name }",
}


@pytest.mark.parametrize(("family", "accept", "fmt", "expected"), TABLE)
def test_negotiation_over_http(client, family, accept, fmt, expected):
    params = {"query": QUERIES[family]}
    if fmt is not None:
        params["format"] = fmt
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/sparql", query_string=params, headers=headers)
    if expected is None:
        assert response.status_code == 406, response.get_data(as_text=True)
        body = response.get_data(as_text=True)
        assert next(iter(MEDIA_TYPES[family].values())) in body  # says what it could send
        return
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == MEDIA_TYPES[family][expected]
    assert response.mimetype_params.get("charset") == "utf-8"
    assert "Accept" in response.headers["Vary"]
    _parses(family, expected, response.get_data(as_text=True))


def _parses(family: str, fmt: str, body: str) -> None:
    """The body is what its Content-Type says: parse it back and check its content."""
    if family == "GRAPH":
        if fmt in ("nq", "trig"):
            dataset = Dataset()
            dataset.parse(data=body, format={"nq": "nquads", "trig": "trig"}[fmt])
            assert len(dataset) == 2
            return
        rdflib_format = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}[fmt]
        assert len(Graph().parse(data=body, format=rdflib_format)) == 2
        return
    if fmt == "json":
        data = json.loads(body)
        if family == "ASK":
            assert data["boolean"] is True
        else:
            assert len(data["results"]["bindings"]) == 2
    elif fmt == "xml":
        result = Result.parse(io.StringIO(body), format="xml")
        assert (result.askAnswer is True) if family == "ASK" else len(result) == 2
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0] == ["film", "name"] and len(rows) == 3
    elif fmt == "tsv":
        lines = body.splitlines()
        assert lines[0] == "?film\t?name" and len(lines) == 3
