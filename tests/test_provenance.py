"""Every asserted fact points back to the exact words of the document."""

from __future__ import annotations

import re

from rdflib import Literal

from filmgraph.core.namespaces import FGID, GRAPHS, SCHEMA
from filmgraph.load.provenance import characterisations_of, quotes_for


def test_every_asserted_fact_has_a_quote_that_matches_the_document(dataset, document):
    asserted = dataset.graph(GRAPHS["asserted"])
    assert len(asserted) > 100
    for triple in asserted:
        quotes = quotes_for(dataset, triple)
        assert quotes, f"no provenance for {triple}"
        for quote in quotes:
            assert document[quote.start : quote.end] == quote.exact
            assert quote.sentence >= 1


def test_a_triple_that_is_not_asserted_has_no_provenance(dataset):
    invented = (FGID["kantemir-balagov"], SCHEMA.birthDate, Literal("1991-07-28"))
    assert quotes_for(dataset, invented) == []


def test_quote_knows_its_sentence(dataset, document):
    [quote] = quotes_for(dataset, (FGID.closeness, SCHEMA.alternateName, Literal("Tesnota")))
    sentence_start = document.rfind("In 2017", 0, quote.end)
    assert quote.sentence == 8 and sentence_start >= 0
    assert quote.as_dict()["quote"] == quote.exact


EVALUATIVE = ["visionary", "masterful", "captivating", "haunting", "brilliance", "renowned"]


def test_evaluative_words_are_characterisations_never_facts(dataset):
    asserted = dataset.graph(GRAPHS["asserted"])
    literals = " ".join(str(o) for o in asserted.objects() if isinstance(o, Literal)).lower()
    iris = " ".join(str(t) for triple in asserted for t in triple).lower()
    for word in EVALUATIVE:
        assert word not in literals and word not in iris, word
    kept = " ".join(q.exact for q in characterisations_of(dataset, FGID["kantemir-balagov"]))
    for word in ("visionary", "masterful", "brilliance"):
        assert re.search(word, kept), word


def test_characterisations_live_only_in_the_provenance_graph(dataset):
    from filmgraph.core.namespaces import FG

    for name, iri in GRAPHS.items():
        has = (None, FG.characterises, None) in dataset.graph(iri)
        assert has == (name == "provenance"), name


def test_the_quotes_of_one_source_are_the_whole_index_narrowed_to_it(dataset):
    """The document page asks for its own source's quotes only (one query, narrowed in the
    store), never the index of every source's."""
    from rdflib import URIRef

    from filmgraph.load.provenance import quote_index

    every = quote_index(dataset)
    source = next(q.source for quotes in every.values() for q in quotes)
    narrowed = {
        triple: [q for q in quotes if q.source == source] for triple, quotes in every.items()
    }
    assert quote_index(dataset, source) == {t: q for t, q in narrowed.items() if q}
    assert quote_index(dataset, URIRef("https://example.org/another-document")) == {}
