"""Literals reach the store as the sources write them (no lexical rewriting on the way), and
the library's answers hold the same terms as the HTTP bodies, on every store."""

from __future__ import annotations

import json

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, XSD

from conftest import replace_in
from filmgraph import build, open_store
from filmgraph.web import create_app, state

# Forms rdflib rewrites by default ("01" -> "1", the date's timezone dropped, 1.0E6 ->
# 1000000.0) and Oxigraph keeps.
AS_WRITTEN = {
    "issued": ("2006-08-24Z", XSD.date),
    "extent": ("01", XSD.integer),
    "size": ("1.0E6", XSD.double),
}
QUERY = (
    "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?issued ?extent ?size WHERE { GRAPH ?g {"
    " <https://w3id.org/filmgraph/ontology> dcterms:issued ?issued ; dcterms:extent ?extent ;"
    " dcterms:tableOfContents ?size } }"
)


@pytest.fixture(params=["memory", "oxigraph"])
def written(project, request):
    """A project whose ontology holds literals rdflib would rewrite, built on a store."""
    replace_in(
        project.ontology_dir / "filmgraph.ttl",
        '    owl:versionInfo "0.1.0" ;',
        '    owl:versionInfo "0.1.0" ;\n'
        '    dcterms:issued "2006-08-24Z"^^xsd:date ;\n'
        '    dcterms:extent "01"^^xsd:integer ;\n'
        '    dcterms:tableOfContents "1.0E6"^^xsd:double ;',
    )
    settings = project.with_(store=request.param)
    build(settings)
    backend = open_store(settings)
    return settings, backend


def _json_values(body: bytes) -> dict[str, tuple[str, str]]:
    (row,) = json.loads(body)["results"]["bindings"]
    return {name: (term["value"], term["datatype"]) for name, term in row.items()}


#: Oxigraph itself stores numbers by value (as the Oxigraph server and plain pyoxigraph do):
#: its answers give them in its canonical form. Nothing on filmgraph's way rewrites them.
OXIGRAPH_HOLDS = {"extent": "1", "size": "1000000"}


def test_literals_are_stored_and_answered_as_written(written):
    settings, backend = written
    want = {name: (lexical, str(datatype)) for name, (lexical, datatype) in AS_WRITTEN.items()}
    if backend.name == "oxigraph":
        want |= {name: (lexical, want[name][1]) for name, lexical in OXIGRAPH_HOLDS.items()}
    answer = backend.engine().run(QUERY)
    assert _json_values(answer.body("json")) == want
    (row,) = answer.result
    assert {name: (str(row[name]), str(row[name].datatype)) for name in want} == want
    app = create_app(settings.with_(workers=1), backend)
    try:
        reply = app.test_client().get(
            "/sparql",
            query_string={"query": QUERY},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert reply.status_code == 200, reply.get_data(as_text=True)
        assert _json_values(reply.get_data()) == want
    finally:
        state(app).close()


def test_the_pages_read_the_literals_as_written(written):
    """The pages, exports and data documents read the dataset view: on the Oxigraph store
    too, every literal as written (the store's side file of the quads it narrows)."""
    _, backend = written
    ontology = URIRef("https://w3id.org/filmgraph/ontology")
    found = {
        (str(p), str(o), str(o.datatype))
        for graph in backend.dataset.graphs()
        for p, o in graph.predicate_objects(ontology)
        if isinstance(o, Literal) and o.datatype is not None
    }
    terms = {"issued": DCTERMS.issued, "extent": DCTERMS.extent, "size": DCTERMS.tableOfContents}
    want = {(str(terms[n]), lexical, str(dt)) for n, (lexical, dt) in AS_WRITTEN.items()}
    assert want <= found
