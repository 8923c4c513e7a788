"""OWL 2 RL inside the store, as a reasoning engine: :func:`materialise` runs the rules of
:mod:`filmgraph.reason.store_rules` over a store's graphs and checks their consistency;
:func:`rules_into_store` loads files into a store first, as the bounded path does
(:func:`filmgraph.reason.reason_into_store`), so that no graph is held in Python's memory
at any size. As an engine of :func:`filmgraph.reason.reason` (``reasoner = "rules"``), the same
rules run on a scratch store in memory (:func:`~filmgraph.reason.store_rules.rules_closure`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from ..core import GRAPHS, Steps
from ..query import drop
from .bounded import check_store
from .child import FILES, parsed_files
from .reasoning import Reasoning
from .store_rules import AS_WRITTEN, AsWritten, run_rules


def materialise(
    store: ox.Store,
    *,
    graphs: Mapping[str, URIRef] | None = None,
    steps: Steps | None = None,
    max_rounds: int = 100,
    inferred_file: Path | None = None,
) -> Reasoning:
    """The OWL 2 RL closure of the ontology and asserted graphs of ``store`` (``graphs``
    names them: :data:`GRAPHS` by default), less the noise, into its inferred graph
    (emptied first), computed by the store itself (:mod:`filmgraph.reason.store_rules`). With
    ``inferred_file``, the inferred graph is also written there as N-Triples, its literals
    as written (the store keeps some in another form: see the module's summary).

    Raises:
        SettingError: the ontology uses what the rules do not cover (:data:`UNSUPPORTED`),
            or the rounds did not end within ``max_rounds``.
        InconsistencyError: OWL 2 RL finds the graphs inconsistent (as :func:`reason`).
    """
    steps = steps or Steps()
    names = {role: (graphs or GRAPHS)[role] for role in ("ontology", "asserted", "inferred")}
    derived, kept, dropped = run_rules(
        store, names, steps=steps, max_rounds=max_rounds, inferred_file=inferred_file
    )
    with steps.step("checking consistency"):
        check_store(store, names)
    return Reasoning("rules-in-store", derived=derived, kept=kept, dropped=dropped)


def rules_into_store(
    store: ox.Store,
    ontology: Sequence[Path],
    data: Sequence[Path],
    *,
    graphs: Mapping[str, URIRef] | None = None,
    steps: Steps | None = None,
    folder: Path | None = None,
) -> Reasoning:
    """Load ``ontology`` and ``data`` (Turtle, N-Triples, N3 or RDF/XML files) into the
    ontology and asserted graphs of ``store`` (each emptied first; ``graphs`` names them),
    as :func:`~filmgraph.reason.reason_into_store` does, then :func:`materialise` their
    closure in the store. No graph is held in Python's memory; the store's own evaluation
    of the rules holds what its queries need (a peak of about 1.8 GB at 1M triples:
    benchmarks/RESULTS.md, "The rules in the store against the bounded path"). With
    ``folder``, the ontology, the data and the inferred graph are also written there as
    N-Triples, literals as written and blank nodes as the store names them
    (:class:`~filmgraph.reason.WorkFiles` names the files), as the bounded path leaves
    them.

    Raises:
        DataError: an input file is missing, of no triple format, or malformed (the error
            says the file, line and column).
        SettingError, InconsistencyError: as :func:`materialise`.
    """
    steps = steps or Steps()
    names = graphs or GRAPHS
    with tempfile.TemporaryDirectory(prefix="filmgraph-rules-") as scratch:
        work = folder or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        with steps.step("loading the ontology and the data") as step:
            drop(store, AS_WRITTEN)
            forms = AsWritten()
            for role, files in (("ontology", ontology), ("asserted", data)):
                target = ox.NamedNode(str(names[role]))
                drop(store, target)
                name = "ontology" if role == "ontology" else "data"
                with (work / FILES[name]).open("w", encoding="utf-8") as copy:
                    store.bulk_extend(forms.quads(parsed_files(files), target, copy))
            store.flush()
            step.detail = f"{forms.read} triples"  # counting the store would read it all
        try:
            inferred = work / FILES["inferred"]
            return materialise(store, graphs=graphs, steps=steps, inferred_file=inferred)
        finally:
            drop(store, AS_WRITTEN)
