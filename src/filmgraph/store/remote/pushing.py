"""``push``: the named graphs of a build into a remote SPARQL 1.1 store, each replacing the
store's previous version of that graph, then checked by counting.

First every target graph is counted (the report's ``before``); a store that does not answer
is sent nothing. Then one of two ways, by what the store offers:

``staged`` (when there is a SPARQL Update endpoint, the default)
    1. PUT each graph (Graph Store Protocol) to a staging graph of its own,
       ``urn:filmgraph:push:<token>:<name>``; the store's graphs are not touched yet. The
       triples with a blank node go, for all graphs, in one ``INSERT`` request instead,
       so that a blank node shared by two graphs (an OWL restriction of the ontology and the
       inferred memberships of it) stays one blank node in the store.
    2. Count the staging graphs; each must hold what was sent.
    3. Swap them in with one SPARQL Update request, ``MOVE GRAPH <staging> TO GRAPH <target>``
       for each graph (``DROP SILENT GRAPH <target>`` for an empty one). A store that runs an
       update request as one transaction (Oxigraph, Fuseki on TDB2) replaces all graphs or
       none; if the request fails, what each graph holds is counted and reported.
    A failure in 1 or 2 replaces nothing; the staging graphs are dropped again.

``graph by graph`` (no update endpoint)
    PUT each graph to its target in turn; a blank node shared by two graphs becomes two. A
    failure stops the push and says which graphs were replaced, which one failed (with what
    the store now holds in it) and which were not attempted and keep their previous version.

Either way, afterwards every pushed graph is counted
(``SELECT ?g (COUNT(*) AS ?n) ... GROUP BY ?g``) and compared with what was sent. Graphs we do
not push are never touched. Pushing the same build again gives the same store.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from rdflib import BNode, Dataset, Graph

from ...core import GRAPHS, PushError, Triple, UpstreamError, graph_names
from .client import RemoteStore

#: The graphs ``filmgraph push`` sends unless told otherwise.
DEFAULT_PUSH = ("asserted", "inferred", "provenance", "links")

REPLACED = "replaced"
KEPT = "previous version kept"
NOT_ATTEMPTED = "not attempted, previous version kept"
FAILED = "failed"
UNKNOWN = "unknown"


@dataclass
class GraphPush:
    """One graph of a push: how many triples were sent, what the store holds, and its state."""

    name: str
    iri: str
    sent: int
    before: int | None = None  # triples the store held in it before the push
    stored: int | None = None  # after; None: not counted (or the store did not answer)
    state: str = NOT_ATTEMPTED


@dataclass
class PushReport:
    """What a push did, graph by graph."""

    url: str  # the Graph Store endpoint
    mode: str  # "staged" or "graph by graph"
    graphs: list[GraphPush] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the push could not do as it meant

    @property
    def ok(self) -> bool:
        """Every graph replaced, and the store holds exactly what was sent."""
        return all(g.state == REPLACED and g.stored == g.sent for g in self.graphs)

    def text(self) -> str:
        """A short table: graph, triples sent, triples in the store, state."""
        how = {
            "staged": "staged, then swapped in by one SPARQL Update",
            "graph by graph": "graph by graph, by Graph Store PUT",
        }[self.mode]
        lines = [
            f"pushed to {self.url} ({how})",
            f"{'graph':<12}{'before':>8}{'sent':>8}{'after':>8}",
        ]
        for g in self.graphs:
            before, after = ("?" if n is None else str(n) for n in (g.before, g.stored))
            state = g.state
            if g.state == REPLACED and g.stored is not None and g.stored != g.sent:
                state += f", but the store holds {_triples(g.stored)}, not {g.sent}"
            lines.append(f"{g.name:<12}{before:>8}{g.sent:>8}{after:>8}  {state}")
        if self.ok:
            graphs, total = _count(len(self.graphs), "graph"), sum(g.sent for g in self.graphs)
            lines.append(f"{graphs} replaced, {_triples(total)}; every count matches")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def push(
    dataset: Dataset,
    store: RemoteStore,
    names: list[str] | tuple[str, ...] = DEFAULT_PUSH,
    *,
    token: str | None = None,
) -> PushReport:
    """Replace each named graph ``names`` of the store with ours, then count them.

    Args:
        dataset: the built dataset (:func:`filmgraph.build`).
        store: the remote store; staged when it has an update endpoint.
        names: short names of our graphs (``asserted``, ..., or ``all``).
        token: names the staging graphs (random by default).

    Returns:
        The report; ``report.ok`` is False when a count differs from what was sent.

    Raises:
        PushError: the push failed; the message says what each graph now holds.
        QueryError: a name that is not one of our graphs.
    """
    chosen = graph_names(names)
    graphs = {name: dataset.graph(GRAPHS[name]) for name in chosen}
    staged = store.endpoints.update is not None
    report = PushReport(
        store.endpoints.gsp,
        "staged" if staged else "graph by graph",
        [GraphPush(n, str(GRAPHS[n]), len(g)) for n, g in graphs.items()],
    )
    try:
        before = store.counts(g.iri for g in report.graphs)
    except UpstreamError as exc:
        raise PushError(
            f"nothing was sent: the store did not answer a count: {exc}", report
        ) from exc
    for g in report.graphs:
        g.before = before[g.iri]
    if staged:
        _staged(store, graphs, report, token or uuid.uuid4().hex[:12])
    else:
        _graph_by_graph(store, graphs, report)
    _verify(store, report)
    return report


def _count(n: int | None, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _triples(n: int | None) -> str:
    return _count(n, "triple")


def _fail(report: PushReport, what: str, exc: UpstreamError, after: str = "") -> PushError:
    table = "".join(
        f"\n  {g.name}: {g.state}"
        + (f" ({_triples(g.before)})" if g.state in (KEPT, NOT_ATTEMPTED) else "")
        for g in report.graphs
    )
    tail = f"\n{after}" if after else ""
    return PushError(f"push failed {what}: {exc}{table}{tail}", report)


def _staged(store: RemoteStore, graphs: dict[str, Graph], report: PushReport, token: str) -> None:
    staging = {g.name: f"urn:filmgraph:push:{token}:{g.name}" for g in report.graphs}
    for g in report.graphs:
        g.state = KEPT
    uploaded: list[str] = []
    shared = {g.name: [t for t in graphs[g.name] if _blank(t)] for g in report.graphs}
    try:
        for g in report.graphs:
            if g.sent:
                uploaded.append(staging[g.name])
                named = graphs[g.name]
                store.put(staging[g.name], (t for t in named if not _blank(t)))
        _insert_shared(store, {staging[name]: triples for name, triples in shared.items()}, report)
        held = store.counts(uploaded)
    except UpstreamError as exc:
        after = _drop(store, uploaded)
        raise _fail(report, "while uploading, before any graph was replaced", exc, after) from exc
    short = [
        f"{g.name} ({held[staging[g.name]]} of {g.sent})"
        for g in report.graphs
        if g.sent and held[staging[g.name]] != g.sent
    ]
    if short:
        missing = UpstreamError(f"the store holds too few triples: {', '.join(short)}", report.url)
        raise _fail(report, "while checking the upload", missing, _drop(store, uploaded))
    swap = ";\n".join(
        f"MOVE GRAPH <{staging[g.name]}> TO GRAPH <{g.iri}>"
        if g.sent
        else f"DROP SILENT GRAPH <{g.iri}>"
        for g in report.graphs
    )
    try:
        store.update(swap)
    except UpstreamError as exc:
        _after_failed_swap(store, report, staging)
        raise _fail(report, "while swapping the graphs in", exc, _drop(store, uploaded)) from exc
    for g in report.graphs:
        g.state = REPLACED


def _insert_shared(store: RemoteStore, graphs: dict[str, list[Triple]], report: PushReport) -> None:
    """The triples with a blank node, in one request so that the graphs share their blank
    nodes, or one per graph where the store cannot (the report then says so)."""
    store.insert(graphs)
    if not store.endpoints.shared_blanks and sum(1 for t in graphs.values() if t) > 1:
        report.notes.append(
            "this store cannot give two graphs one blank node: each graph has blank nodes "
            "of its own (an inferred membership of a restriction class does not name the "
            "ontology's restriction)"
        )


def _blank(triple: Triple) -> bool:
    return any(isinstance(term, BNode) for term in triple)


def _after_failed_swap(store: RemoteStore, report: PushReport, staging: dict[str, str]) -> None:
    """What each graph holds after a failed swap, counted (a store without transactions may
    have moved some graphs)."""
    try:
        held = store.counts([*staging.values(), *(g.iri for g in report.graphs)])
    except UpstreamError:
        for g in report.graphs:
            g.state = f"{UNKNOWN} (the store did not answer a count)"
        return
    for g in report.graphs:
        g.stored = held[g.iri]
        if g.sent and held[staging[g.name]] == g.sent:
            g.state = KEPT
        elif held[staging[g.name]] == 0 and held[g.iri] == g.sent:
            g.state = REPLACED
        else:
            g.state = f"{UNKNOWN}: it holds {_triples(held[g.iri])}"


def _drop(store: RemoteStore, staging: list[str]) -> str:
    """Drop the staging graphs; a sentence saying so, or which are left."""
    if not staging:
        return ""
    try:
        store.update(";\n".join(f"DROP SILENT GRAPH <{iri}>" for iri in staging))
    except UpstreamError as exc:
        left = ", ".join(staging)
        return f"could not drop the staging graphs ({exc}); drop them if the store has them: {left}"
    return "staging graphs removed"


def _graph_by_graph(store: RemoteStore, graphs: dict[str, Graph], report: PushReport) -> None:
    for g in report.graphs:
        try:
            store.put(g.iri, graphs[g.name])
        except UpstreamError as exc:
            g.state = FAILED
            try:
                g.stored = store.counts([g.iri])[g.iri]
                g.state += f" (the store now holds {_triples(g.stored)} in it, we sent {g.sent})"
            except UpstreamError:
                g.state += " (the store did not answer a count: its content is unknown)"
            raise _fail(report, f"at {g.name}", exc) from exc
        g.state = REPLACED


def _verify(store: RemoteStore, report: PushReport) -> None:
    try:
        held = store.counts(g.iri for g in report.graphs)
    except UpstreamError as exc:
        for g in report.graphs:
            g.state = "replaced, but not counted"
        raise _fail(report, "while counting the pushed graphs", exc) from exc
    for g in report.graphs:
        g.stored = held[g.iri]
