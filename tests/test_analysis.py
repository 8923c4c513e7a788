"""The analysts' API (filmgraph.analysis): typed DataFrames, named queries, descriptions,
networkx graphs and the dataset's tables, and the same answers from the real endpoint."""

from __future__ import annotations

import datetime
import json
import re
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from filmgraph import GRAPHS, MemoryBackend, NotFoundError, QueryError, QuerySyntaxError, run_query
from filmgraph.analysis import LocalSource, connect, open_dataset
from filmgraph.analysis.frames import python_value, series
from filmgraph.analysis.networks import node_id
from filmgraph.analysis.remote import USER_AGENT
from filmgraph.core.errors import ForbiddenError, UpstreamError
from filmgraph.core.namespaces import FG, FGID, SCHEMA
from filmgraph.link.comparison import compare
from filmgraph.query import DEFAULT_GRAPHS
from filmgraph.reason.rules import RULES
from stub_http import serving

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
LOCAL_QUERIES = [q for q in QUERIES if q != "wikidata-federated"]  # SERVICE: refused here
BALAGOV = FGID["kantemir-balagov"]


@pytest.fixture(scope="module")
def fg(dataset, settings) -> LocalSource:
    """The build as a notebook opens it: on the default store, Oxigraph."""
    return open_dataset(settings)


def graph(dataset: Dataset, name: str):
    return dataset.graph(GRAPHS[name])


# ---------------------------------------------------------------- opening


def test_open_dataset_reads_the_build(settings, dataset):
    source = open_dataset(settings)
    assert isinstance(source, LocalSource)
    assert len(source.dataset) == len(dataset)
    assert repr(source) == f"<LocalSource (oxigraph): {len(dataset)} triples in 7 graphs>"
    held = open_dataset(settings, dataset=dataset)  # a dataset in hand: rdflib's engine
    assert repr(held) == f"<LocalSource (memory): {len(dataset)} triples in 7 graphs>"


# ---------------------------------------------------------------- typed DataFrames


def test_a_named_query_gives_typed_columns_and_labels_beside_iris(fg, dataset):
    films = fg.named("films-directed")
    assert list(films.columns) == ["film", "film_label", "title", "originalTitle", "year"]
    assert str(films["year"].dtype) == "Int64"
    years = films["year"].tolist()
    assert all(type(y) is int for y in years) and years == sorted(years)
    asserted = graph(dataset, "asserted")
    for row in films.itertuples():
        film = URIRef(row.film)
        assert row.film_label == str(asserted.value(film, SCHEMA.name)) == row.title
        assert str(asserted.value(film, SCHEMA.datePublished)) == str(row.year)


def test_a_date_is_a_date(fg, dataset):
    birth = fg.named("birth")
    [born] = birth["birthDate"]
    assert type(born) is datetime.date
    assert born == graph(dataset, "asserted").value(BALAGOV, SCHEMA.birthDate).toPython()
    assert birth["place_label"].tolist() == birth["placeName"].tolist()


def test_every_kind_of_literal_and_unbound_values():
    table = _source().query(
        """SELECT * WHERE { VALUES (?i ?d ?f ?b ?s ?l ?dt ?ym ?bad) {
          (7 2.5 1.0e0 true "x" "y"@ru "2019-05-01T10:00:00Z"^^xsd:dateTime
           "2019-05"^^xsd:gYearMonth "abc"^^xsd:integer)
          (UNDEF UNDEF UNDEF UNDEF UNDEF UNDEF UNDEF UNDEF UNDEF) } }"""
    )
    dtypes = {c: str(t) for c, t in table.dtypes.items()}
    assert dtypes == {
        "i": "Int64",
        "d": "float64",
        "f": "float64",
        "b": "boolean",
        "s": "object",
        "l": "object",  # a language-tagged string is its text
        "dt": "datetime64[ns, UTC]",
        "ym": "object",  # no Python type: the lexical form
        "bad": "object",  # ill-typed: the lexical form
    }
    values = {c: table[c].tolist() for c in table.columns}
    assert values["i"] == [7, pd.NA] and type(values["i"][0]) is int
    assert values["d"][0] == 2.5 and values["f"][0] == 1.0 and values["b"] == [True, pd.NA]
    assert values["s"] == ["x", None] and values["l"] == ["y", None]
    assert values["dt"][0] == pd.Timestamp("2019-05-01T10:00:00Z") and values["dt"][1] is pd.NaT
    assert values["ym"] == ["2019-05", None] and values["bad"] == ["abc", None]
    assert pd.isna(values["d"][1]) and pd.isna(values["f"][1])


_SOURCE: list[LocalSource] = []


def _source() -> LocalSource:
    """A source over an empty dataset: queries that read no data need no build."""
    if not _SOURCE:
        _SOURCE.append(LocalSource(MemoryBackend(Dataset())))
    return _SOURCE[0]


@pytest.mark.parametrize(
    ("term", "value"),
    [
        (Literal("2017", datatype=XSD.gYear), 2017),
        (Literal("-0044", datatype=XSD.gYear), -44),
        (Literal("2017Z", datatype=XSD.gYear), 2017),
        (Literal("1991-01-25", datatype=XSD.date), datetime.date(1991, 1, 25)),
        (Literal("3", datatype=XSD.positiveInteger), 3),
        (Literal("1.50", datatype=XSD.decimal), 1.5),
        (Literal("false", datatype=XSD.boolean), False),
        (Literal("plain"), "plain"),
        (Literal("aGVsbG8=", datatype=XSD.base64Binary), "aGVsbG8="),
        (URIRef("https://w3id.org/filmgraph/id/x"), "https://w3id.org/filmgraph/id/x"),
        (BNode("b1"), "_:b1"),
        (None, None),
    ],
)
def test_python_value(term, value):
    converted = python_value(term)
    assert converted == value and type(converted) is type(value)


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([1, None, 3], "Int64"),
        ([1, 2.5, None], "float64"),
        ([True, None], "boolean"),
        ([datetime.date(2020, 1, 1), None], "object"),
        (["a", 1], "object"),
        ([None, None], "object"),
    ],
)
def test_series_dtype(values, dtype):
    assert str(series(values).dtype) == dtype


def test_labels_only_for_iri_columns_and_only_when_asked(fg):
    text = "SELECT ?film ?p ?v WHERE { ?film a schema:Movie ; ?p ?v . FILTER(isLiteral(?v)) }"
    table = fg.query(text)
    assert [c for c in table.columns if c.endswith("_label")] == ["film_label", "p_label"]
    assert list(table.columns).index("film_label") == list(table.columns).index("film") + 1
    assert set(table.loc[table.p == str(SCHEMA.name), "p_label"]) == {"name"}
    assert list(fg.query(text, labels=False).columns) == ["film", "p", "v"]
    typed = fg.query("SELECT ?t WHERE { fgid:closeness a ?t }")
    assert typed.set_index("t").loc[str(SCHEMA.Movie), "t_label"] == "Movie"
    # an IRI with neither a name nor a label has None beside it
    nameless = fg.query("SELECT ?p WHERE { VALUES ?p { rdf:type } }")
    assert nameless["p_label"].tolist() == [None]
    # a query that names its own label column keeps it
    own = fg.query("SELECT ?film ?film_label WHERE { ?film schema:name ?film_label } LIMIT 1")
    assert list(own.columns) == ["film", "film_label"]


@pytest.mark.parametrize("name", LOCAL_QUERIES)
def test_every_named_query_as_a_dataframe(name, fg, dataset, settings):
    text = (settings.queries_dir / f"{name}.rq").read_text(encoding="utf-8")
    result = run_query(dataset, text)
    table = fg.named(name)
    variables = [str(v) for v in result.vars]
    assert [c for c in table.columns if c in variables] == variables
    expected = [[python_value(row.get(v)) for v in result.vars] for row in result.bindings]
    got = [[None if pd.isna(v) else v for v in row] for row in table[variables].values.tolist()]
    assert sorted(map(repr, got)) == sorted(map(repr, expected))


def test_unknown_named_query(fg):
    with pytest.raises(NotFoundError, match="films-directed"):
        fg.named("no-such-question")


def test_ask_is_a_bool_and_construct_a_graph(fg, dataset):
    assert fg.query("ASK { fgid:closeness a schema:Movie }") is True
    assert fg.query("ASK { fgid:closeness a schema:Person }") is False
    text = "CONSTRUCT WHERE { fgid:closeness ?p ?o }"
    assert isomorphic(fg.query(text), run_query(dataset, text).graph)


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        ("SELECT ?x\nWHERE { ?x ", QuerySyntaxError, "line 2, column"),
        ("SELECT * WHERE { ?s nope:p ?o }", QuerySyntaxError, "nope"),
        ("INSERT DATA { fgid:x a schema:Movie }", ForbiddenError, "read-only"),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", QueryError, "no graph"),
        (
            "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
            ForbiddenError,
            "SERVICE",
        ),
    ],
)
def test_bad_queries_are_the_projects_errors(fg, text, error, match):
    with pytest.raises(error, match=match) as caught:
        fg.query(text)
    if error is QuerySyntaxError and "line" in match:
        assert caught.value.line == 2 and caught.value.column


# ---------------------------------------------------------------- describe


def test_describe_shows_every_fact_with_its_kind_and_quote(fg, dataset, document):
    facts = fg.describe("closeness")
    asserted, inferred = graph(dataset, "asserted"), graph(dataset, "inferred")
    closeness = FGID.closeness
    for kind, source in (("asserted", asserted), ("inferred", inferred)):
        rows = facts[facts.kind == kind]
        out = {
            (URIRef(p), str(v))
            for p, v in rows[rows.direction == "out"][["predicate", "value"]].values
        }
        assert out == {(p, str(python_value(o))) for p, o in source.predicate_objects(closeness)}
        incoming = {
            (URIRef(p), v) for p, v in rows[rows.direction == "in"][["predicate", "value"]].values
        }
        assert incoming == {(p, str(s)) for s, p in source.subject_predicates(closeness)}
    quoted = facts[facts.kind == "asserted"]
    assert quoted["quote"].notna().all() and all(q in document for q in quoted["quote"])
    assert facts.loc[facts.kind == "inferred", "quote"].isna().all()
    [director] = facts[facts.predicate == str(SCHEMA.director)].itertuples()
    assert (director.value_label, director.direction) == ("Kantemir Balagov", "out")
    assert list(facts.direction) == sorted(facts.direction, reverse=True)  # own facts first


def test_describe_takes_iris_and_prefixed_names(fg):
    assert_frame_equal(fg.describe(str(FGID.beanpole)), fg.describe("fgid:beanpole"))


def test_describe_unknown_entity(fg):
    with pytest.raises(NotFoundError):
        fg.describe("no-such-entity")


# ---------------------------------------------------------------- networkx


def _triples(dataset: Dataset, names=DEFAULT_GRAPHS):
    return {t for name in names for t in graph(dataset, name)}


def test_to_networkx_has_a_node_per_term_and_an_edge_per_triple(fg):
    dataset = fg.dataset  # the store's own blank nodes
    network = fg.to_networkx()
    triples = _triples(dataset)
    assert network.number_of_edges() == len(triples)
    assert set(network) == {node_id(t) for s, _, o in triples for t in (s, o)}
    asserted, inferred = graph(dataset, "asserted"), graph(dataset, "inferred")
    for s, p, o in triples:
        data = network.get_edge_data(node_id(s), node_id(o), key=str(p))
        assert data["predicate"] == str(p)
        assert data["inferred"] == ((s, p, o) in inferred and (s, p, o) not in asserted)
    assert network.nodes[str(BALAGOV)] == {"label": "Kantemir Balagov", "kind": "iri"}


def test_to_networkx_without_literals_or_types(fg, dataset):
    network = fg.to_networkx(("asserted",), literals=False, types=False)
    kept = {
        t for t in graph(dataset, "asserted") if not isinstance(t[2], Literal) and t[1] != RDF.type
    }
    assert network.number_of_edges() == len(kept)
    assert all(not d["inferred"] for *_, d in network.edges(data=True))


def test_neighbourhood_of_kantemir_balagov(fg, dataset):
    near = fg.neighbourhood("kantemir-balagov", depth=1)
    centre = str(BALAGOV)
    expected = {str(o) for o in _objects(dataset, BALAGOV) if isinstance(o, URIRef)} | {
        str(s) for s in _subjects(dataset, BALAGOV)
    }
    assert set(near) == expected | {centre}
    for name in ("aleksandr-sokurov", "closeness", "beanpole", "nalchik", "andrei-tarkovsky"):
        assert str(FGID[name]) in near
    directed = near.get_edge_data(centre, str(FGID.beanpole), key=str(FG.directed))
    director = near.get_edge_data(str(FGID.beanpole), centre, key=str(SCHEMA.director))
    assert directed["inferred"] is True and director["inferred"] is False
    wider = fg.neighbourhood("kantemir-balagov", depth=2)
    assert set(near) < set(wider)
    with pytest.raises(NotFoundError):
        fg.neighbourhood("no-such-entity")


def _objects(dataset, entity):
    return {
        o
        for name in DEFAULT_GRAPHS
        for p, o in graph(dataset, name).predicate_objects(entity)
        if p != RDF.type
    }


def _subjects(dataset, entity):
    return {
        s
        for name in DEFAULT_GRAPHS
        for s, p in graph(dataset, name).subject_predicates(entity)
        if p != RDF.type
    }


# ---------------------------------------------------------------- the dataset's tables


def test_stats_and_counts(fg, dataset):
    table = fg.stats()
    assert {name: table.loc[name, "triples"] for name in GRAPHS} == {
        name: len(graph(dataset, name)) for name in GRAPHS
    }
    classes = fg.counts("classes")
    asserted = classes[classes.graph == "asserted"].set_index("term")["count"]
    assert asserted["schema:Movie"] == len(
        set(graph(dataset, "asserted").subjects(RDF.type, SCHEMA.Movie))
    )
    with pytest.raises(ValueError):
        fg.counts("nothing")


def test_inferences_name_the_rule_of_every_inferred_triple(fg, dataset):
    table = fg.inferences()
    assert len(table) == len(graph(dataset, "inferred"))
    assert set(table["rule"]) <= set(RULES)
    row = table[(table.subject == str(BALAGOV)) & (table.predicate == str(FG.directed))]
    assert "prp-inv2" in set(row["rule"]) and set(row["object_label"]) == {
        "Closeness",
        "Beanpole",
    }
    why = fg.explain("fgid:kantemir-balagov", "a", "fg:FilmDirector")
    assert why.kind == "inferred" and any(leaf.kind == "asserted" for leaf in why.leaves())
    assert "fg:FilmDirector" in fg.explain_text("fgid:kantemir-balagov", "a", "fg:FilmDirector")


def test_provenance_table_quotes_the_document_at_its_offsets(fg, dataset, document):
    table = fg.provenance()
    stated = {(URIRef(s), URIRef(p)) for s, p in table[["subject", "predicate"]].values}
    assert stated >= {(s, p) for s, p, _ in graph(dataset, "asserted")}
    for row in table.itertuples():
        assert document[row.start : row.end] == row.quote
    assert list(table["start"]) == sorted(table["start"])


def test_wikidata_table_is_the_comparison_report(fg, dataset, settings):
    table = fg.wikidata()
    report = compare(dataset, settings)
    assert table["grade"].value_counts().to_dict() == {g: n for g, n in report.counts().items()}
    conflict = table[table.grade == "conflicts"].iloc[0]
    assert conflict["name"] == "Kantemir Balagov" and conflict["property"] == "date of birth"


# ---------------------------------------------------------------- the real endpoint


def _rows_sorted(table: pd.DataFrame) -> pd.DataFrame:
    order = sorted(range(len(table)), key=lambda i: repr(table.iloc[i].tolist()))
    return table.iloc[order].reset_index(drop=True)


@pytest.mark.parametrize("name", ["films-directed", "birth", "premieres-and-awards", "film-themes"])
def test_a_named_query_against_the_endpoint_is_the_same_dataframe(server, fg, name):
    remote = connect(server.base + "/sparql")
    assert_frame_equal(_rows_sorted(remote.named(name)), _rows_sorted(fg.named(name)))


def test_ask_construct_describe_and_networkx_against_the_endpoint(server, fg):
    remote = connect(server.base + "/sparql")
    assert remote.query("ASK { fgid:closeness a schema:Movie }") is True
    text = "CONSTRUCT WHERE { fgid:beanpole ?p ?o }"
    assert isomorphic(remote.query(text), fg.query(text))
    for entity in ("closeness", "kantemir-balagov"):
        ours, theirs = fg.describe(entity), remote.describe(entity)
        blank = ours["value"].map(_is_blank)  # blank nodes have other names there
        assert blank.equals(theirs["value"].map(_is_blank))
        assert_frame_equal(ours[~blank], theirs[~blank])
    ours, theirs = fg.neighbourhood("kantemir-balagov"), remote.neighbourhood("kantemir-balagov")
    assert set(ours.edges(keys=True, data="inferred")) == set(
        theirs.edges(keys=True, data="inferred")
    )


def _is_blank(value: object) -> bool:
    return isinstance(value, str) and value.startswith("_:")


def test_endpoint_errors(server):
    remote = connect(server.base + "/sparql")
    with pytest.raises(QueryError, match=re.escape(server.base) + ".*no graph named"):
        remote.query("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }")
    with pytest.raises(ForbiddenError, match="SERVICE"):
        remote.query("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    with pytest.raises(UpstreamError) as caught:
        connect(server.base + "/no-endpoint-here").query("ASK {}")
    assert caught.value.upstream_status == 404


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_endpoint_is_one_clear_error():
    url = f"http://127.0.0.1:{_closed_port()}/sparql"
    with pytest.raises(UpstreamError, match=re.escape(url) + ": cannot connect: "):
        connect(url).named("films-directed")


def test_a_malformed_query_fails_before_anything_is_sent():
    url = f"http://127.0.0.1:{_closed_port()}/sparql"
    with pytest.raises(QuerySyntaxError, match="line 1, column"):
        connect(url).query("SELECT ?x WHERE { ?x")


# ---------------------------------------------------------------- what goes over the wire


class Stub:
    """A stand-in endpoint on 127.0.0.1 that answers with ``reply`` and records requests."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.reply: tuple[int, str, bytes] = (200, "application/sparql-results+json", b"{}")
        self.delay = 0.0


@pytest.fixture
def stub() -> Iterator[tuple[Stub, str]]:
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            time.sleep(state.delay)
            status, media_type, payload = state.reply
            try:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                pass

        def log_message(self, *args) -> None:
            pass

    with serving(Handler) as base:
        yield state, f"{base}/sparql"


def test_requests_say_who_asks_and_negotiate_by_accept_only(stub):
    state, url = stub
    answer = {
        "head": {"vars": ["film", "year"]},
        "results": {
            "bindings": [
                {
                    "film": {"type": "uri", "value": str(FGID.closeness)},
                    "year": {"type": "literal", "value": "2017", "datatype": str(XSD.gYear)},
                }
            ]
        },
    }
    state.reply = (200, "application/sparql-results+json", json.dumps(answer).encode())
    table = connect(url).query(
        "SELECT ?film ?year WHERE { ?film schema:datePublished ?year }", labels=False
    )
    assert table.to_dict("list") == {"film": [str(FGID.closeness)], "year": [2017]}
    [request] = state.requests
    assert request["headers"]["User-Agent"] == USER_AGENT and "filmgraph/" in USER_AGENT
    assert "application/sparql-results+json" in request["headers"]["Accept"]
    assert request["path"] == "/sparql"  # no format= or output= parameter
    sent = parse_qs(request["body"].decode())["query"][0]
    assert "PREFIX schema: <http://schema.org/>" in sent and sent.endswith("?year }")


def test_graph_results_are_read_as_turtle(stub):
    state, url = stub
    turtle = f'<{FGID.closeness}> <{SCHEMA.name}> "Closeness" .'.encode()
    state.reply = (200, "text/turtle; charset=utf-8", turtle)
    result = connect(url).query("CONSTRUCT WHERE { ?s schema:name ?o }")
    assert set(result) == {(FGID.closeness, SCHEMA.name, Literal("Closeness"))}
    assert "text/turtle" in state.requests[0]["headers"]["Accept"]


@pytest.mark.parametrize(
    ("reply", "error", "match"),
    [
        (
            (400, "text/plain", b"malformed query: line 3"),
            QueryError,
            "refused the query: malformed",
        ),
        ((403, "text/plain", b"read-only"), ForbiddenError, "read-only"),
        (
            (503, "text/plain", b"stopped at the time limit"),
            UpstreamError,
            r"\(HTTP 503\): stopped",
        ),
        ((500, "text/plain", b"boom"), UpstreamError, r"\(HTTP 500\): boom"),
        ((200, "application/sparql-results+json", b"<html>"), UpstreamError, "does not parse"),
    ],
)
def test_endpoint_failures_are_the_projects_errors(stub, reply, error, match):
    state, url = stub
    state.reply = reply
    with pytest.raises(error, match=match):
        connect(url).query("ASK { ?s ?p ?o }")


def test_an_endpoint_that_does_not_answer_in_time(stub):
    state, url = stub
    state.delay = 1.5
    with pytest.raises(UpstreamError, match=r"no answer within 0\.5 s"):
        connect(url, timeout=0.5).query("ASK { ?s ?p ?o }")


def test_the_docs_notebook_example_runs(settings, dataset, monkeypatch, capsys):
    readme = (ROOT / "docs" / "guide" / "notebooks.md").read_text(encoding="utf-8")
    [code] = re.findall(r"\n## Use it from a notebook\n.*?```py\n(.*?)```", readme, flags=re.S)
    monkeypatch.setenv("FILMGRAPH_BUILD_DIR", str(settings.output_dir))  # the session's build
    namespace: dict = {}
    exec(compile(code, "notebooks.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert "Closeness" in out and "1991-01-25" in out
    assert namespace["films"]["year"].tolist() == [2017, 2019]
    assert isinstance(namespace["born"], datetime.date) and namespace["hood"].number_of_edges()


@pytest.mark.parametrize("entity", ["a b", "closeness> } ?s ?p ?o {", 'https://x.org/a"b'])
def test_an_entity_that_is_no_iri_is_refused_before_any_query(entity):
    with pytest.raises(QueryError, match="not an IRI"):
        connect(f"http://127.0.0.1:{_closed_port()}/sparql").describe(entity)
