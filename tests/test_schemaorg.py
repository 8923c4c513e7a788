"""schema.org terms: every one the project uses exists; the shipped subset is current."""

from __future__ import annotations

from filmgraph.core.namespaces import SCHEMA
from filmgraph.load import schemaorg
from filmgraph.load.parsing import load_files


def test_every_schema_term_the_project_uses_is_defined(settings):
    assert schemaorg.project_undefined(settings) == set()


def test_a_typo_is_caught():
    vocabulary = load_files([schemaorg.Settings().schemaorg_vocabulary])
    used = schemaorg.terms_in_query(
        "SELECT * WHERE { ?p schema:birthplace ?x }".replace(
            "schema:", "<http://schema.org/"
        ).replace("birthplace", "birthplace>")
    )
    assert schemaorg.undefined(vocabulary, used) == {SCHEMA.birthplace}
    assert schemaorg.undefined(vocabulary, {SCHEMA.birthPlace}) == set()


def test_shipped_subset_is_what_extraction_gives_now(settings):
    assert settings.schemaorg_subset.read_text(encoding="utf-8") == schemaorg.project_subset(
        settings
    )


def test_subset_holds_the_class_hierarchy_reasoning_needs(settings):
    subset = load_files([settings.schemaorg_subset])
    from rdflib.namespace import RDFS

    assert (SCHEMA.Movie, RDFS.subClassOf, SCHEMA.CreativeWork) in subset
    assert (SCHEMA.City, RDFS.subClassOf, SCHEMA.AdministrativeArea) in subset
    assert (SCHEMA.Festival, RDFS.subClassOf, SCHEMA.Event) in subset
    assert "Creative Commons Attribution-ShareAlike" in settings.schemaorg_subset.read_text("utf-8")
