"""Result formats: the standard SPARQL 1.1 formats, each parsed back by an independent reader."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Graph
from rdflib.query import Result

from filmgraph import QueryError, format_result, run_query

SELECT = (
    "SELECT ?film ?name ?year WHERE { ?film a schema:Movie ; schema:name ?name ; "
    "schema:datePublished ?year } ORDER BY ?year"
)


def test_json_is_sparql_results_json(dataset):
    data = json.loads(format_result(run_query(dataset, SELECT), "json"))
    assert data["head"]["vars"] == ["film", "name", "year"]
    first = data["results"]["bindings"][0]
    assert first["name"] == {"type": "literal", "value": "Closeness"}
    assert first["year"]["datatype"] == "http://www.w3.org/2001/XMLSchema#gYear"


def test_xml_parses_back_to_the_same_rows(dataset):
    result = run_query(dataset, SELECT)
    text = format_result(result, "xml")
    again = Result.parse(io.StringIO(text), format="xml")
    assert [tuple(r) for r in again] == [tuple(r) for r in run_query(dataset, SELECT)]


def test_csv_has_header_and_plain_values(dataset):
    rows = list(csv.reader(io.StringIO(format_result(run_query(dataset, SELECT), "csv"))))
    assert rows[0] == ["film", "name", "year"]
    assert rows[1][1:] == ["Closeness", "2017"]


def test_tsv_follows_the_w3c_format(dataset):
    lines = format_result(run_query(dataset, SELECT), "tsv").splitlines()
    assert lines[0] == "?film\t?name\t?year"
    assert lines[1].split("\t") == [
        "<https://w3id.org/filmgraph/id/closeness>",
        '"Closeness"',
        '"2017"^^<http://www.w3.org/2001/XMLSchema#gYear>',
    ]


def test_tsv_escapes_tabs_newlines_quotes_and_keeps_language_tags(dataset):
    q = 'SELECT ?a ?b WHERE { BIND("x\\ty\\n\\"z\\"" AS ?a) BIND("directing"@en AS ?b) }'
    lines = format_result(run_query(dataset, q), "tsv").splitlines()
    assert lines[1] == '"x\\ty\\n\\"z\\""\t"directing"@en'


def test_unbound_values_are_empty_in_tsv_and_table(dataset):
    q = "SELECT ?a ?b WHERE { BIND(1 AS ?a) }"
    assert (
        format_result(run_query(dataset, q), "tsv").splitlines()[1]
        == '"1"^^<http://www.w3.org/2001/XMLSchema#integer>\t'
    )


def test_ask_in_json_and_refused_in_csv(dataset):
    q = "ASK { fgid:beanpole schema:award ?a }"
    assert json.loads(format_result(run_query(dataset, q), "json"))["boolean"] is True
    with pytest.raises(QueryError, match="ASK"):
        format_result(run_query(dataset, q), "csv")


def test_construct_is_rdf_and_refuses_tabular_formats(dataset):
    q = "CONSTRUCT { ?f schema:name ?n } WHERE { ?f a schema:Movie ; schema:name ?n }"
    graph = Graph().parse(data=format_result(run_query(dataset, q), "ttl"), format="turtle")
    assert len(graph) == 2
    assert len(Graph().parse(data=format_result(run_query(dataset, q), "nt"), format="nt")) == 2
    with pytest.raises(QueryError, match="CONSTRUCT"):
        format_result(run_query(dataset, q), "csv")
