"""The W3C SPARQL 1.1 syntax tests (tests/w3c/README.md), sent to the endpoint over HTTP.

Every approved syntax test of syntax-query and syntax-fed, and the syntax tests of the
evaluation categories (aggregates, construct, grouping), is posted to /sparql of the real
app (its query workers, the build it serves) on every store. A positive test must be
answered 200, or the by-design status its entry in tests/w3c/expected-failures.toml gives
(403: SERVICE off the allow-list; 400: FROM naming a graph the endpoint does not hold); a
negative test must be answered 400; no test may be answered 5xx unless listed. The list is
strict, per store (``[syntax.memory]``, ``[syntax.oxigraph]``): a listed test answered
otherwise than it says fails, and what it says of plain rdflib's and plain pyoxigraph's
parsers is checked.
"""

from __future__ import annotations

from typing import Any

import pytest

import w3c_suite as w3c

pytestmark = pytest.mark.every_store

TESTS = w3c.approved(lambda e: e.is_syntax)
EXPECTED = w3c.expected_failures()["syntax"]


def _id(test: w3c.Entry) -> str:
    return f"{test.id}:{w3c.path_of(test.query or '').stem}"


@pytest.mark.parametrize("test", TESTS, ids=_id)
def test_w3c_syntax(client, store: str, test: w3c.Entry) -> None:
    response = client.post(
        "/sparql",
        data={"query": test.text},
        headers={"Accept": "application/sparql-results+json, text/turtle;q=0.9"},
    )
    status = response.status_code
    positive = test.type == "PositiveSyntaxTest11"
    want = 200 if positive else 400
    where = f"{store}: {test.id} ({test.name}, {'positive' if positive else 'negative'})"
    said = f"{status} {' '.join(response.get_data(as_text=True).split())[:300]}"
    listed: dict[str, Any] | None = EXPECTED[store].get(test.id)
    if listed is None:
        assert status == want, f"{where}: expected {want}, answered {said}"
        return
    assert status != want, (
        f"{where} is answered {want} but listed in {w3c.EXPECTED_FAILURES.name} "
        f"({listed['cause']}): remove it from the list"
    )
    assert status == listed["status"], (
        f"{where}: listed as answered {listed['status']} ({listed['cause']}), answered {said}"
    )
    if "match" in listed:
        assert listed["match"] in said, f"{where}: {listed['match']!r} not in {said}"
    pytest.xfail(f"{listed['cause']} [{said[:200]}]")


def test_every_syntax_entry_gives_the_status_it_is_answered() -> None:
    for store, table in EXPECTED.items():
        for test_id, entry in table.items():
            assert isinstance(entry.get("status"), int), f"[syntax.{store}] {test_id}: status"


def _listed() -> list[tuple[str, str]]:
    ids = {test_id for table in EXPECTED.values() for test_id in table}
    return [(t, e) for t in sorted(ids) for e in ("rdflib", "pyoxigraph")]


@pytest.mark.parametrize(("test_id", "engine"), _listed(), ids=[f"{e}:{t}" for t, e in _listed()])
def test_what_the_list_says_of_the_plain_parsers_is_true(test_id: str, engine: str) -> None:
    """For each syntax test the endpoint does not answer as the W3C says, the list says
    whether plain rdflib's parser and plain pyoxigraph's get it right: it says what they
    do (``passes``: accepts a positive test, refuses a negative one)."""
    run = w3c.syntax_run(w3c.by_id()[test_id], engine)
    w3c.check_claims(EXPECTED, "syntax", test_id, engine, run)
