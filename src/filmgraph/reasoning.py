"""OWL 2 RL reasoning into the inferred graph: engines, the noise filter, inconsistencies.

The closure is computed over the ontology and the asserted facts only (not the provenance
graph), on a scratch copy: the asserted graph is never touched. What the engine adds is
filtered (see :data:`NOISE`) and what remains is the inferred graph.

Two engines compute the same closure: ``owlrl`` (pure Python, the default and the
reference) and ``reasonable`` (Rust, much faster on large graphs; installed with the
``fast`` extra). Both are imported only when used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import version

from rdflib import BNode, Graph, Literal, Namespace
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDF, XSD

from .errors import InconsistencyError, SettingError
from .explain import Explainer, Explanation
from .namespaces import new_dataset, new_graph
from .noise import noise
from .progress import Steps
from .rules import INCONSISTENCY_RULES, RULES, Triple, matches
from .terms import triple_text

#: Where owlrl writes the inconsistencies it detects (as error-message nodes).
OWLRL_ERRORS = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")

# ---------------------------------------------------------------- engines


Closure = Callable[[Graph, Graph], tuple[list[Triple], list[str]]]


def _owlrl_closure(ontology: Graph, asserted: Graph) -> tuple[list[Triple], list[str]]:
    import owlrl

    work = Graph()
    for graph in (ontology, asserted):
        for triple in graph:
            work.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(work)
    messages = [str(m) for m in work.objects(None, OWLRL_ERRORS.error)]
    base = _triples(ontology, asserted)
    new = [t for t in work if t not in base and not _owlrl_message(t)]  # type: ignore[arg-type]
    return new, messages  # type: ignore[return-value]


def _triples(*graphs: Graph) -> set[Triple]:
    """The triples of ``graphs`` as a set: far faster to probe than an rdflib graph."""
    found: set[Triple] = set()
    for graph in graphs:
        found.update(graph)  # type: ignore[arg-type]
    return found


def _owlrl_message(triple: Triple) -> bool:
    s, p, o = triple
    return isinstance(s, BNode) and (p == OWLRL_ERRORS.error or o == OWLRL_ERRORS.ErrorMessage)


def _reasonable_closure(ontology: Graph, asserted: Graph) -> tuple[list[Triple], list[str]]:
    try:
        import reasonable
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise SettingError(
            "the 'reasonable' engine is not installed: pip install 'filmgraph[fast]'"
        ) from exc
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(ontology)  # appends: no merged copy of the inputs is made
    reasoner.from_graph(asserted)
    closure = reasoner.reason()
    del reasoner  # frees the engine's own copy before the closure is turned into triples
    base = _triples(ontology, asserted)
    new = []
    while closure:  # consume the closure from its end, so its memory is freed as we go
        chunk = closure[-_CHUNK:]
        del closure[-_CHUNK:]
        for s, p, o in chunk:
            # RDF 1.1 makes "x" and "x"^^xsd:string one literal; rdflib does not: keep plain.
            if type(o) is Literal and o.datatype == XSD.string:
                o = Literal(str(o))
            if (s, p, o) not in base:
                new.append((s, p, o))
    return new, []


_CHUNK = 100_000


#: The OWL 2 RL engines by name, with the distribution that provides each.
ENGINES: dict[str, tuple[Closure, str]] = {
    "owlrl": (_owlrl_closure, "owlrl"),
    "reasonable": (_reasonable_closure, "reasonable"),
}


def engine_version(engine: str) -> str:
    """``name version`` of an engine, for cache keys and reports."""
    _, distribution = _engine(engine)
    try:
        return f"{engine} {version(distribution)}"
    except Exception:  # PackageNotFoundError: not installed
        return f"{engine} (not installed)"


def _engine(engine: str) -> tuple[Closure, str]:
    if engine not in ENGINES:
        raise SettingError(f"unknown reasoner {engine!r}; choose one of {', '.join(ENGINES)}")
    return ENGINES[engine]


# ---------------------------------------------------------------- reasoning


@dataclass
class Reasoning:
    """What a reasoning run added, and what the noise filter dropped (counts per rule)."""

    engine: str
    derived: int = 0
    kept: int = 0
    dropped: Counter[str] = field(default_factory=Counter)


def reason(
    ontology: Graph,
    asserted: Graph,
    inferred: Graph | None = None,
    engine: str = "owlrl",
    steps: Steps | None = None,
) -> tuple[Graph, Reasoning]:
    """Compute the OWL 2 RL closure of ``ontology`` + ``asserted`` into ``inferred``.

    Only what the engine adds and the noise filter keeps is written to ``inferred`` (a fresh
    graph unless given); the two inputs are left unchanged. ``steps`` receives progress.

    Raises:
        InconsistencyError: OWL 2 RL finds the inputs inconsistent; the error names the rule
            and the triples involved.
        SettingError: ``engine`` is unknown or not installed.

    >>> from filmgraph.namespaces import FG, FGID, SCHEMA
    >>> from rdflib.namespace import OWL
    >>> onto, facts = Graph(), Graph()
    >>> _ = onto.add((FG.directed, OWL.inverseOf, SCHEMA.director))
    >>> _ = facts.add((FGID.closeness, SCHEMA.director, FGID["kantemir-balagov"]))
    >>> inferred, report = reason(onto, facts)
    >>> (FGID["kantemir-balagov"], FG.directed, FGID.closeness) in inferred
    True
    """
    closure_of, _ = _engine(engine)
    steps = steps or Steps()
    with steps.step(f"reasoning ({engine_version(engine)})") as step:
        new, messages = closure_of(ontology, asserted)
        step.detail = f"{len(ontology) + len(asserted)} triples in, {len(new)} derived"
    with steps.step("filtering noise") as step:
        inferred = new_graph() if inferred is None else inferred
        report = Reasoning(engine, derived=len(new))
        terms = set(ontology.subjects())
        for triple in new:
            dropped = noise(triple, terms)
            if dropped:
                report.dropped[dropped] += 1
            else:
                inferred.add(triple)
        report.kept = len(new) - sum(report.dropped.values())
        new.clear()  # the kept triples live in ``inferred`` now: free the engine's list
        step.detail = f"{report.kept} kept, " + ", ".join(
            f"{count} {name}" for name, count in report.dropped.most_common()
        )
    with steps.step("checking consistency"):
        graphs = {"ontology": ontology, "asserted": asserted, "inferred": inferred}
        check_consistency(graphs, messages)
    return inferred, report


def check_consistency(graphs: dict[str, Graph], engine_messages: Iterable[str] = ()) -> None:
    """Raise :class:`InconsistencyError` if an OWL 2 RL inconsistency rule matches ``graphs``.

    ``graphs`` maps a name (shown in the message) to each graph; they are checked as one.
    ``engine_messages`` are the engine's own reports (owlrl's): they fail the check too,
    should the rules here not name the triples.
    """
    view = ReadOnlyGraphAggregate(list(graphs.values()))
    found = [(rule, premises) for rule, _, premises in matches(view, INCONSISTENCY_RULES)]
    messages = list(engine_messages)
    if found or messages:
        raise InconsistencyError(_inconsistency_text(found, messages, graphs, view), found)


def _inconsistency_text(
    found: list[tuple[str, tuple]], messages: list[str], graphs: dict[str, Graph], view: Graph
) -> str:
    lines = ["OWL 2 RL finds the data inconsistent:"]
    explainer = Explainer(new_dataset(), graphs) if "inferred" in graphs else None
    for rule, premises in found:
        lines.append(f"- {rule}: {RULES[rule].summary}")
        for triple in premises:
            if triple[1] in (RDF.first, RDF.rest):
                continue  # list cells: the list is shown where it is used
            origin = next((name for name, g in graphs.items() if triple in g), "?")
            lines.append(f"    {triple_text(triple, view)}    [{origin}]")
            if origin == "inferred" and explainer is not None:
                for leaf in _unique(explainer.explain(triple).leaves()):
                    if leaf.kind == "asserted":
                        lines.append(f"        from {triple_text(leaf.triple, view)}    [asserted]")
    lines.extend(f"- owlrl: {message}" for message in messages)
    return "\n".join(lines)


def _unique(explanations: Iterable[Explanation]) -> list[Explanation]:
    seen: dict[Triple, Explanation] = {}
    for explanation in explanations:
        seen.setdefault(explanation.triple, explanation)
    return list(seen.values())
