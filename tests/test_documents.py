"""A project with several source documents: each claim names its document, provenance and
the document pages work per document, and a fact two documents state is one fact with a
quote from each."""

from __future__ import annotations

import pytest

from conftest import replace_in
from filmgraph import Settings, build, open_store
from filmgraph.core import FGID, GRAPHS, SCHEMA, DataError
from filmgraph.load import compile_claims, quotes_for, read_claims
from filmgraph.web import create_app, state

INTERVIEW = (
    "An interview\n\n"
    "Kantemir Balagov directed Closeness, his first feature. He spoke of Nalchik at length.\n"
)
SECOND = """
[[source]]
key = "interview"
iri = "https://w3id.org/filmgraph/source/interview"
path = "sources/interview.txt"
name = "An interview"

[[claim]]
id = "interview-closeness"
document = "interview"
sentence = 2
kind = "fact"
quote = "Kantemir Balagov directed Closeness"
triples = \"\"\"
fgid:closeness schema:director fgid:kantemir-balagov .
\"\"\"
"""


def _two_documents(project: Settings) -> Settings:
    """The project copy with a second document, and every first-document claim naming
    its document (several documents: each claim says which)."""
    claims = project.claims_file
    (claims.parent / "sources" / "interview.txt").write_text(INTERVIEW, encoding="utf-8")
    replace_in(claims, "[source]\n", '[[source]]\nkey = "biography"\n')
    text = claims.read_text(encoding="utf-8")
    claims.write_text(
        text.replace("[[claim]]\n", '[[claim]]\ndocument = "biography"\n') + SECOND,
        encoding="utf-8",
    )
    return project


@pytest.fixture
def two(project: Settings) -> Settings:
    return _two_documents(project)


def test_each_claim_quotes_its_own_document(two):
    claimset = read_claims(two.claims_file)
    assert [s.key for s in claimset.sources] == ["biography", "interview"]
    claim = next(c for c in claimset.claims if c.id == "interview-closeness")
    source = claimset.source_of(claim)
    assert source.key == "interview" and source.text[claim.start : claim.end] == claim.quote
    assert claimset.uncovered_sentences() == [
        (source, source.sentences()[0]),
        (source, source.sentences()[2]),
    ]


def test_a_fact_two_documents_state_is_one_fact_with_a_quote_from_each(two):
    for path, text in compile_claims(two).items():
        path.write_text(text, encoding="utf-8")
    dataset = build(two.with_(cache=False))
    triple = (FGID.closeness, SCHEMA.director, FGID["kantemir-balagov"])
    asserted = dataset.graph(GRAPHS["asserted"])
    assert len(list(asserted.triples(triple))) == 1
    quotes = quotes_for(dataset, triple)
    sources = {str(q.source) for q in quotes}
    assert sources == {
        "https://w3id.org/filmgraph/source/balagov-biography",
        "https://w3id.org/filmgraph/source/interview",
    }
    assert "Kantemir Balagov directed Closeness" in {q.exact for q in quotes}


def test_the_document_pages_work_per_document(two):
    for path, text in compile_claims(two).items():
        path.write_text(text, encoding="utf-8")
    settings = two.with_(store="memory", cache=False)
    app = create_app(settings, open_store(settings))
    try:
        client = app.test_client()
        html = {"Accept": "text/html"}
        listing = client.get("/document", headers=html).get_data(as_text=True)
        assert '<a href="/document/biography">' in listing
        assert '<a href="/document/interview">An interview</a>' in listing
        interview = client.get("/document/interview", headers=html).get_data(as_text=True)
        assert "An interview" in interview and "He spoke of Nalchik" in interview
        assert interview.count("<mark") == 1  # its one quoted span
        # its paragraphs as prose, its title a heading, the span's facts in one panel
        assert '<h2 class="title"><span class="sentence" id="s-1">An interview</span></h2>' in (
            interview
        )
        assert (
            '</span> <span class="sentence" id="s-3">He spoke of Nalchik at length.</span></p>'
            in interview
        )
        assert interview.count('<div class="facts" id="q-') == 1
        panel = interview[interview.index('<div class="facts" id="q-') :]
        assert "“Kantemir Balagov directed Closeness” states:" in panel
        assert '<dt><a href="/page/closeness" title="fgid:closeness">Closeness</a></dt>' in panel
        biography = client.get("/document/biography", headers=html).get_data(as_text=True)
        assert "Kantemir Balagov directed Closeness" not in biography
        assert biography.count("<mark") > 10
        page = client.get("/page/closeness", headers=html).get_data(as_text=True)
        assert "/document/interview#q-" in page and "/document/biography#q-" in page
        assert client.get("/document/nothing", headers=html).status_code == 404
    finally:
        state(app).close()


def test_with_several_documents_a_claim_must_say_which(two):
    text = two.claims_file.read_text(encoding="utf-8")
    two.claims_file.write_text(text.replace('document = "interview"\n', ""), encoding="utf-8")
    with pytest.raises(DataError, match=r"say which \(document = one of biography, interview\)"):
        read_claims(two.claims_file)


def test_a_claim_naming_no_document_is_an_error_with_its_line(two):
    replace_in(two.claims_file, 'document = "interview"\n', 'document = "diary"\n')
    with pytest.raises(DataError) as err:
        read_claims(two.claims_file)
    assert "no source document 'diary' (the documents: biography, interview)" in str(err.value)
    lines = two.claims_file.read_text(encoding="utf-8").splitlines()
    assert lines[err.value.line - 1] == "[[claim]]"
    assert lines[err.value.line + 1] == 'document = "diary"'


def test_two_sources_may_not_share_a_key(two):
    replace_in(two.claims_file, 'key = "interview"', 'key = "biography"')
    with pytest.raises(DataError, match="two sources share the key 'biography'"):
        read_claims(two.claims_file)


def test_one_document_needs_no_document_key(settings):
    claimset = read_claims(settings.claims_file)
    assert len(claimset.sources) == 1
    assert {c.document for c in claimset.claims} == {"balagov-biography"}
    assert claimset.source.iri == "https://w3id.org/filmgraph/source/balagov-biography"
