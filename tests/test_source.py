"""The project's copy of the source document and of schema.org stay verbatim."""

from __future__ import annotations

import hashlib

import pytest

from conftest import SHARED
from filmgraph.core.namespaces import GRAPHS, SCHEMA


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_document_copy_is_verbatim(settings):
    original = SHARED / "seed" / "000_ee003f1f7e3e13a1.txt"
    if not original.exists():
        pytest.skip(f"{original} is not beside this checkout")
    copy = settings.data_dir / "sources" / "balagov-biography.txt"
    assert copy.read_bytes() == original.read_bytes()


def test_provenance_records_the_hash_of_the_document_it_points_into(settings, dataset):
    copy = settings.data_dir / "sources" / "balagov-biography.txt"
    recorded = set(dataset.graph(GRAPHS["provenance"]).objects(None, SCHEMA.sha256))
    assert {str(v) for v in recorded} == {_sha256(copy.read_bytes())}


def test_vendored_schemaorg_is_release_30(settings):
    original = SHARED / "schemaorg" / "schemaorg-current-http.ttl"
    if not original.exists():
        pytest.skip(f"{original} is not beside this checkout")
    assert settings.schemaorg_vocabulary.read_bytes() == original.read_bytes()
