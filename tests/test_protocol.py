"""The SPARQL 1.1 Protocol at /sparql: the three ways to send a query, the dataset
parameters, and every protocol error with its status and message."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

import pytest
from rdflib import Graph

from filmgraph.core.namespaces import GRAPHS

pytestmark = pytest.mark.every_store(remote=True)

ASK = "ASK { fgid:kantemir-balagov a schema:Person }"
COUNT_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}
DIRECT = "application/sparql-query"


def count(response) -> int:
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(response.json["results"]["bindings"][0]["n"]["value"])


def test_get_query(client):
    response = client.get("/sparql", query_string={"query": ASK}, headers=JSON)
    assert response.status_code == 200
    assert response.json == {"head": {}, "boolean": True}
    assert response.mimetype == "application/sparql-results+json"


def test_post_form(client):
    response = client.post("/sparql", data={"query": ASK}, headers=JSON)
    assert response.status_code == 200
    assert response.json["boolean"] is True


def test_post_direct_with_dataset_in_the_url(client, dataset):
    asserted = GRAPHS["asserted"]
    response = client.post(
        "/sparql?" + urlencode({"default-graph-uri": asserted}),
        data=COUNT_DEFAULT.encode(),
        headers={"Content-Type": "application/sparql-query; charset=UTF-8", **JSON},
    )
    assert count(response) == len(dataset.graph(asserted)) == 104


def test_the_default_graph_is_asserted_plus_inferred_plus_links(client, dataset):
    parts = [dataset.graph(GRAPHS[name]) for name in ("asserted", "inferred", "links")]
    assert all(len(part) for part in parts)
    expected = len({triple for part in parts for triple in part})
    assert count(client.get("/sparql", query_string={"query": COUNT_DEFAULT})) == expected


def test_every_graph_is_named(client, dataset):
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    rows = client.get("/sparql", query_string={"query": query}).json["results"]["bindings"]
    counts = {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
    assert counts == {str(iri): len(dataset.graph(iri)) for iri in GRAPHS.values()}


@pytest.mark.parametrize(
    ("params", "query", "expected"),
    [
        # FROM replaces the default graph; FROM NAMED alone leaves it empty.
        ({}, f"SELECT (COUNT(*) AS ?n) FROM <{GRAPHS['ontology']}> {{ ?s ?p ?o }}", "ontology"),
        ({}, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{GRAPHS['ontology']}> {{ ?s ?p ?o }}", 0),
        # Protocol parameters win over the query's own dataset clause.
        (
            {"default-graph-uri": GRAPHS["inferred"]},
            f"SELECT (COUNT(*) AS ?n) FROM <{GRAPHS['ontology']}> {{ ?s ?p ?o }}",
            "inferred",
        ),
        (
            {"named-graph-uri": GRAPHS["provenance"]},
            "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }",
            "provenance",
        ),
        # named-graph-uri alone: the default graph is empty.
        ({"named-graph-uri": GRAPHS["provenance"]}, COUNT_DEFAULT, 0),
    ],
)
def test_dataset_selection(client, dataset, params, query, expected):
    if isinstance(expected, str):
        expected = len(dataset.graph(GRAPHS[expected]))
    response = client.get("/sparql", query_string={"query": query, **params})
    assert count(response) == expected


def test_two_default_graphs_are_merged(client, dataset):
    response = client.get(
        "/sparql",
        query_string=[
            ("query", COUNT_DEFAULT),
            ("default-graph-uri", GRAPHS["asserted"]),
            ("default-graph-uri", GRAPHS["ontology"]),
        ],
    )
    union = set(dataset.graph(GRAPHS["asserted"])) | set(dataset.graph(GRAPHS["ontology"]))
    assert count(response) == len(union)


# ------------------------------------------------------------------ errors


def _error(response, status: int, *words: str) -> str:
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert response.mimetype == "text/plain"
    for word in words:
        assert word in body, body
    assert "Traceback" not in body and "/work/" not in body and "site-packages" not in body
    return body


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "words"),
    [
        ("get", {"query_string": {"format": "json"}}, 400, ["no query"]),
        ("get", {"query_string": {"query": "   "}}, 400, ["empty"]),
        ("get", {"query_string": [("query", ASK), ("query", ASK)]}, 400, ["2 times"]),
        ("post", {"data": "", "content_type": "application/x-www-form-urlencoded"}, 400, ["no"]),
        ("post", {"data": {"query": ""}}, 400, ["empty"]),
        (
            "post",
            {
                "query_string": {"query": ASK},
                "data": ASK,
                "content_type": "application/sparql-query",
            },
            400,
            ["2 times"],
        ),
        ("post", {"data": ASK, "content_type": "text/plain"}, 415, ["text/plain"]),
        ("post", {"data": ASK}, 415, ["Content-Type"]),
        (
            "post",
            {"data": ASK, "content_type": "application/sparql-query; charset=latin-1"},
            415,
            ["UTF-8"],
        ),
        (
            "post",
            {"data": b"ASK { ?s ?p \xff }", "content_type": "application/sparql-query"},
            400,
            ["not valid UTF-8", "byte 12"],
        ),
        (
            "post",
            {"data": b"query=ASK%20%FF", "content_type": "application/x-www-form-urlencoded"},
            400,
            ["not UTF-8"],
        ),
        ("put", {"data": ASK}, 405, ["PUT", "GET"]),
        ("delete", {}, 405, ["DELETE"]),
        ("patch", {}, 405, ["PATCH"]),
        ("get", {"query_string": {"query": "SELECT * WHERE {\n  ?s ?p\n}"}}, 400, ["line 2"]),
        ("get", {"query_string": {"query": ASK, "format": "pdf"}}, 400, ["unknown format"]),
        ("get", {"query_string": {"query": "SELECT * { ?s nope:x ?o }"}}, 400, ["nope"]),
    ],
)
def test_protocol_errors(client, method, kwargs, status, words):
    _error(getattr(client, method)("/sparql", **kwargs), status, *words)


def test_percent_escapes_in_the_url_must_be_utf8(client):
    _error(client.get("/sparql?query=ASK%7B%7D%FF"), 400, "not UTF-8")


def test_a_405_lists_the_allowed_methods(client):
    response = client.put("/sparql")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_malformed_query_gives_line_and_column(client):
    body = _error(
        client.get("/sparql", query_string={"query": "SELECT ?x WHERE {\n  ?x ?y \n}"}), 400
    )
    assert "line 2, column 3" in body


UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <https://w3id.org/filmgraph/graph/asserted>",
]


@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize("how", ["query", "update-param", "update-form", "update-type"])
def test_updates_are_refused_and_change_nothing(client, dataset, update, how):
    before = len(dataset)
    if how == "query":
        response = client.get("/sparql", query_string={"query": update})
    elif how == "update-param":
        response = client.get("/sparql", query_string={"update": update})
    elif how == "update-form":
        response = client.post("/sparql", data={"update": update})
    else:
        response = client.post("/sparql", data=update, content_type="application/sparql-update")
    _error(response, 403, "read-only")
    assert len(dataset) == before
    default = sum(len(dataset.graph(GRAPHS[n])) for n in ("asserted", "inferred", "links"))
    assert count(client.get("/sparql", query_string={"query": COUNT_DEFAULT})) == default


@pytest.mark.parametrize(
    "kwargs",
    [
        {"query_string": {"query": COUNT_DEFAULT, "default-graph-uri": "http://example.org/g"}},
        {"query_string": {"query": COUNT_DEFAULT, "named-graph-uri": "http://example.org/g"}},
        {"query_string": {"query": "SELECT * FROM <http://example.org/g> { ?s ?p ?o }"}},
        {"query_string": {"query": "SELECT * FROM NAMED <file:///etc/passwd> { ?s ?p ?o }"}},
    ],
)
def test_graphs_we_do_not_hold_are_a_400(client, kwargs):
    _error(client.get("/sparql", **kwargs), 400, "holds no graph", "never fetched")


def test_a_dataset_parameter_must_be_an_iri(client):
    response = client.get("/sparql", query_string={"query": ASK, "default-graph-uri": "not an iri"})
    _error(response, 400, "absolute IRI")


def test_head_and_options(client):
    assert client.head("/sparql", query_string={"query": ASK}).status_code == 200
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers


def test_cors_on_answers_and_errors(client):
    for response in (
        client.get("/sparql", query_string={"query": ASK}),
        client.get("/sparql", query_string={"query": "nonsense"}),
    ):
        assert response.headers["Access-Control-Allow-Origin"] == "*"


# ------------------------------------------------------------------ descriptions

SD = "http://www.w3.org/ns/sparql-service-description#"


def test_bare_get_is_the_service_description(client, settings):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    endpoint = "http://127.0.0.1:8000/sparql"  # public_url unset: the address served on
    ask = f"""PREFIX sd: <{SD}>
    ASK {{ <{endpoint}> a sd:Service ; sd:endpoint <{endpoint}> ;
        sd:supportedLanguage sd:SPARQL11Query ;
        sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>,
            <http://www.w3.org/ns/formats/Turtle>, <http://www.w3.org/ns/formats/N-Quads> ;
        sd:defaultDataset [ sd:namedGraph [ sd:name <{GRAPHS["provenance"]}> ] ] }}"""
    assert graph.query(ask).askAnswer
    examples = graph.query("SELECT ?q ?text WHERE { ?q <http://www.w3.org/ns/shacl#select> ?text }")
    from filmgraph.query.named import load_queries

    assert len(examples) == len(load_queries(settings.queries_dir))


def test_service_description_as_json_ld(client):
    response = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert response.mimetype == "application/ld+json"
    graph = Graph().parse(data=response.get_data(as_text=True), format="json-ld")
    assert (None, None, None) in graph and len(graph) > 50


def test_void(client, dataset):
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    rows = graph.query(
        """PREFIX void: <http://rdfs.org/ns/void#>
        PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
        SELECT ?name ?triples WHERE { ?root void:subset ?s . ?s sd:name ?name ;
            void:triples ?triples ; void:propertyPartition ?pp }"""
    )
    counts = {str(r.name): int(r.triples) for r in rows}
    assert counts == {str(iri): len(dataset.graph(iri)) for iri in GRAPHS.values()}
    classes = graph.query(
        f"""PREFIX void: <http://rdfs.org/ns/void#>
        PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
        ASK {{ ?s sd:name <{GRAPHS["asserted"]}> ; void:classPartition ?cp .
            ?cp void:class <http://schema.org/Movie> ; void:entities 2 }}"""
    )
    assert classes.askAnswer
    assert graph.query(
        "ASK { ?d <http://rdfs.org/ns/void#sparqlEndpoint> <http://127.0.0.1:8000/sparql> }"
    ).askAnswer


def test_descriptions_refuse_what_they_cannot_send(client):
    _error(client.get("/.well-known/void", headers={"Accept": "text/csv"}), 406, "text/turtle")


# ------------------------------------------------------------------ explain, health, metrics


def test_explain_over_http(client):
    words = {"s": "fgid:kantemir-balagov", "p": "a", "o": "fg:FilmDirector"}
    response = client.get("/explain", query_string=words)
    assert response.status_code == 200
    assert response.json["kind"] == "inferred"
    assert response.json["rule"]
    text = client.get("/explain", query_string={**words, "format": "text"})
    assert text.mimetype == "text/plain" and "inferred by" in text.get_data(as_text=True)


@pytest.mark.parametrize(
    ("words", "status"),
    [
        ({"s": "fgid:kantemir-balagov", "p": "a", "o": "schema:Movie"}, 404),
        ({"s": "fgid:kantemir-balagov", "p": "a", "o": '"unclosed'}, 400),
        ({"s": "fgid:kantemir-balagov", "p": "a"}, 400),
        ({"s": "fgid:x", "p": "a", "o": "fg:FilmDirector", "format": "xml"}, 400),
    ],
)
def test_explain_errors(client, words, status):
    _error(client.get("/explain", query_string=words), status)


def test_health_and_metrics(client):
    client.get("/sparql", query_string={"query": ASK})
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json["status"] == "ok"
    assert health.json["workers"]["alive"] >= 1
    text = client.get("/metrics").get_data(as_text=True)
    assert 'filmgraph_requests_total{route="/sparql",status="200"}' in text
    assert "filmgraph_query_timeouts_total" in text
    assert "filmgraph_workers_alive" in text


def test_request_log_has_status_duration_and_query_hash(client, caplog):
    import hashlib

    with caplog.at_level("INFO", logger="filmgraph.web"):
        client.get("/sparql", query_string={"query": ASK})
    digest = hashlib.sha256(ASK.encode()).hexdigest()[:12]
    line = next(r.getMessage() for r in caplog.records if digest in r.getMessage())
    assert line.startswith("GET /sparql 200 ") and "ms" in line
    assert ASK not in line


def test_json_results_parse(client):
    response = client.get(
        "/sparql",
        query_string={"query": "SELECT ?n WHERE { fgid:closeness schema:name ?n }"},
    )
    [row] = json.loads(response.data)["results"]["bindings"]
    assert row["n"]["type"] == "literal" and row["n"]["value"] == "Closeness"


def test_long_queries_are_refused(client, settings):
    limit = settings.max_query_length
    text = "ASK {}" + " " * limit
    _error(client.post("/sparql", data={"query": text}), 413, str(limit))
    url = "/sparql?query=" + quote(text)
    _error(client.get(url), 414, str(limit))
