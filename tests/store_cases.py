"""What the remote-store tests (tests/test_remote_store.py, tests/test_virtuoso.py) ask every
store, and how they compare its answers with the memory store's."""

from __future__ import annotations

from rdflib import BNode

from conftest import ROOT
from filmgraph.core.namespaces import GRAPHS
from filmgraph.query.named import load_queries
from oxigraph_server import normal

# the competency questions but the federated one (federation is off)
LOCAL_QUERIES = [n for n, q in load_queries(ROOT / "queries").items() if not q.services]

A, L, ONT = (str(GRAPHS[n]) for n in ("asserted", "links", "ontology"))

#: (query, the protocol's default-graph-uri, its named-graph-uri): the dataset a query sees.
DATASET_CASES = [
    ("SELECT * WHERE { ?s ?p ?o }", None, None),
    (f"SELECT * FROM <{L}> WHERE {{ ?s ?p ?o }}", None, None),
    (f"SELECT * FROM <{L}> FROM <{A}> WHERE {{ ?s ?p ?o }}", None, None),
    (f"SELECT * FROM NAMED <{L}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", None, None),
    (f"SELECT * FROM NAMED <{L}> WHERE {{ ?s ?p ?o }}", None, None),  # empty default
    ("SELECT ?g WHERE { GRAPH ?g { } }", [L], [A, ONT]),
    ("SELECT * WHERE { ?s ?p ?o }", [ONT], []),  # the ontology's blank nodes
    ("SELECT * WHERE { ?s ?p ?o }", [], [ONT]),
    ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", [], []),
    (f"SELECT * FROM <{A}> WHERE {{ ?s ?p ?o }}", [L], None),  # the protocol wins
    (f"SELECT * FROM NAMED <{A}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", None, [L]),
    ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", None, None),
    ("ASK { fgid:kantemir-balagov schema:birthDate ?d }", None, None),
    (f"ASK FROM <{L}> {{ fgid:kantemir-balagov schema:birthDate ?d }}", None, None),
    ("CONSTRUCT WHERE { fgid:beanpole ?p ?o }", None, None),
    (f"CONSTRUCT {{ ?s ?p ?o }} FROM <{ONT}> WHERE {{ ?s ?p ?o }}", None, None),
    ("DESCRIBE fgid:closeness", None, None),
    ("SELECT ?name WHERE { fgid:closeness schema:name ?name }", None, None),
    ("PREFIX schema: <http://example.org/x#> ASK { ?s schema:name ?n }", None, None),
]  # fmt: skip


def anonymous(answer) -> list:
    """Rows (or triples) comparable across engines: by variable name (``SELECT *`` orders
    them differently), blank nodes all alike (each engine labels them its own way), derived
    integer types as Oxigraph holds them."""

    def text(term) -> str:
        return "_:b" if isinstance(term, BNode) else normal(term).n3()

    if answer.kind == "ASK":
        return [answer.result.askAnswer]
    if answer.kind in ("CONSTRUCT", "DESCRIBE"):
        return sorted(tuple(map(text, t)) for t in answer.result.graph)
    return sorted(
        tuple(sorted((str(k), text(v)) for k, v in row.asdict().items())) for row in answer.result
    )
