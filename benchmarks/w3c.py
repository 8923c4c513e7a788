"""The W3C SPARQL 1.1 query evaluation tests through four engines, side by side.

Every approved evaluation test of the suites' copy in ``tests/w3c`` (the query, federation
and result-format manifests; tests/w3c/README.md) runs through

``rdflib``
    plain rdflib: a ``Dataset`` holding the test's data, ``Dataset.query(text, base=...)``;
``pyoxigraph``
    plain pyoxigraph: a ``Store`` in memory, ``Store.query(text, base_iri=...)``;
``memory``
    filmgraph's memory engine (:class:`~filmgraph.store.memory.RdflibEngine`);
``oxigraph``
    filmgraph's oxigraph engine (:class:`~filmgraph.store.oxigraph.OxigraphEngine`),

each result compared with the expected one as tests/w3c_suite.py compares them (the same
code as tests/test_w3c_query.py). The report gives the tests passed per category and engine,
with totals; then the tests one of filmgraph's engines fails where its plain engine passes
(memory against rdflib, oxigraph against pyoxigraph); with ``--failures``, every failure.
The plain engines do not run a query with SERVICE (it would call endpoints on the web).

Usage::

    python benchmarks/w3c.py [--engines rdflib,pyoxigraph,memory,oxigraph] [--failures]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import w3c_suite as w3c  # noqa: E402  (tests/ is put on the path first)

#: filmgraph's engines, each with the plain engine it runs on.
PLAIN = {"memory": "rdflib", "oxigraph": "pyoxigraph"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--engines",
        default=",".join(w3c.ENGINES),
        help=f"engines to run, comma-separated, of {', '.join(w3c.ENGINES)}",
    )
    parser.add_argument("--failures", action="store_true", help="list every failure")
    args = parser.parse_args(argv)
    logging.getLogger("rdflib").setLevel(logging.ERROR)  # its warnings on the tests' odd IRIs
    engines = [e for e in args.engines.split(",") if e]
    unknown = [e for e in engines if e not in w3c.ENGINES]
    if unknown:
        parser.error(f"unknown engines: {', '.join(unknown)}")

    tests = w3c.approved(lambda e: e.is_evaluation)
    runs: dict[tuple[str, str], w3c.Run] = {}
    seconds: dict[str, float] = {}
    for engine in engines:
        started = time.perf_counter()
        for test in tests:
            runs[test.id, engine] = w3c.run(test, engine)
        seconds[engine] = time.perf_counter() - started

    print("## W3C SPARQL 1.1 query evaluation tests (approved), passed per category\n")
    table = w3c.counts(tests, runs, engines)
    table.append(["seconds", "", *(f"{seconds[e]:.1f}" for e in engines)])
    print(w3c.markdown(table))
    print(
        f"\n{len(tests)} approved evaluation tests of {', '.join(w3c.MANIFESTS)} "
        "(tests/w3c/sparql11, rdf-tests ad541a5f). Literals are compared as RDF terms (their "
        "lexical forms); CSV results by their text; 'not run': a query with SERVICE, which "
        "the plain engines would send to endpoints on the web."
    )

    print("\n## filmgraph's engines failing a test their plain engine passes\n")
    regressions = [
        (engine, test, runs[test.id, engine])
        for engine, plain in PLAIN.items()
        if engine in engines and plain in engines
        for test in tests
        if runs[test.id, plain].passed and not runs[test.id, engine].passed
    ]
    for engine, test, run in regressions:
        print(f"- {engine} ({PLAIN[engine]} passes): {test.id}: {run.detail[:240]}")
    if not regressions:
        print("(none)")

    if args.failures:
        print("\n## Every failure\n")
        for engine in engines:
            for test in tests:
                run = runs[test.id, engine]
                if not run.passed:
                    print(f"- {engine}: {test.id}: {run.detail[:240]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
