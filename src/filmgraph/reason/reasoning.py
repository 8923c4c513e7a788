"""OWL 2 RL reasoning into the inferred graph: engines, the noise filter, inconsistencies.

The closure is computed over the ontology and the asserted facts only (not the provenance
graph), on a scratch copy: the asserted graph is never touched. What the engine adds is
filtered (see :data:`NOISE`) and what remains is the inferred graph.

Two engines compute the same closure: ``owlrl`` (pure Python, the default and the
reference) and ``reasonable`` (Rust, much faster on large graphs; installed with the
``fast`` extra). Both are imported only when used. reasonable is not given the
``owl:FunctionalProperty`` declarations (its rule prp-fp is quadratic): prp-fp is applied
here (:func:`_reasonable_closure`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from itertools import combinations

from rdflib import BNode, Graph, Literal, Namespace
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import OWL, RDF, XSD
from rdflib.term import Node

from ..core import (
    InconsistencyError,
    SettingError,
    Steps,
    Triple,
    new_dataset,
    new_graph,
    triple_text,
)
from .explanations import Explainer, Explanation
from .noise import noise
from .rules import INCONSISTENCY_RULES, Match, Rule, matches

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
    new = [t for t in work if t not in base and not _owlrl_message(t)]
    return new, messages


def _triples(*graphs: Graph) -> set[Triple]:
    """The triples of ``graphs`` as a set: far faster to probe than an rdflib graph."""
    found: set[Triple] = set()
    for graph in graphs:
        found.update(graph)
    return found


def _owlrl_message(triple: Triple) -> bool:
    s, p, o = triple
    return isinstance(s, BNode) and (p == OWLRL_ERRORS.error or o == OWLRL_ERRORS.ErrorMessage)


def engine_missing() -> SettingError:
    """The error for reasonable not installed (the ``fast`` extra)."""
    return SettingError(
        "the 'reasonable' engine is not installed: pip install 'filmgraph-kg[fast]'"
    )


def _reasonable_closure(ontology: Graph, asserted: Graph) -> tuple[list[Triple], list[str]]:
    """The closure by reasonable, with rule ``prp-fp`` applied here rather than by the engine.

    reasonable 0.4.4 joins all triples of an ``owl:FunctionalProperty`` with each other on
    the predicate alone: n² pairs for n triples (benchmarks/RESULTS.md). The ontology's
    ``p rdf:type owl:FunctionalProperty`` declarations are therefore withheld from it, and
    :func:`_consume` groups the closure's triples of those properties by subject, which is
    linear. Should a subject have two values, their ``owl:sameAs`` (what prp-fp concludes,
    :func:`_prp_fp`) is added to the engine's input and the engine run again, until no new
    ``owl:sameAs`` appears: the engine then draws the ``eq-*`` consequences itself. On
    consistent data no subject has two values and the engine runs once.

    Which properties are functional: prp-fp needs ``p rdf:type owl:FunctionalProperty`` in
    the closure. Of the OWL 2 RL rules that conclude such a triple, the only one that turns
    the declaration of one property into that of another is ``eq-rep-s`` (``p owl:sameAs
    q``), so ``q`` joins the set below when the closure equates it with a withheld ``p``
    (and the engine runs again); every other way (``rdfs:subClassOf
    owl:FunctionalProperty``, ``rdfs:range``, ``owl:hasValue``, a declaration in the
    asserted data) does not depend on the withheld triples, and the engine derives the
    typing and applies prp-fp itself. A sub-property of a functional property is not
    functional in OWL 2 RL: prp-spo1 copies its triples to the super-property, whose groups
    then hold them. The withheld triples' other consequences (such as ``p rdf:type
    rdf:Property``) are about ontology and vocabulary terms, which the noise filter drops.
    """
    try:
        import reasonable
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise engine_missing() from exc
    functional = set(ontology.subjects(RDF.type, OWL.FunctionalProperty))
    axioms = ontology
    if functional:  # the ontology is small: a filtered copy of it, never of the data
        axioms = Graph()
        for triple in ontology.triples((None, None, None)):
            if not (triple[1] == RDF.type and triple[2] == OWL.FunctionalProperty):
                axioms.add(triple)

    def closure(equal: list[Triple]) -> list[Triple]:
        reasoner = reasonable.PyReasoner()
        for graph in (axioms, asserted, equal):
            reasoner.from_graph(graph)  # appends: no merged copy of the inputs is made
        found: list[Triple] = reasoner.reason()
        del reasoner  # frees the engine's own copy before the closure is turned into triples
        return found

    new: list[Triple] = []
    prp_fp_rounds(closure, _triples(ontology, asserted), functional, new.append, new.clear)
    return new, []


def prp_fp_rounds(
    closure: Callable[[list[Triple]], list[Triple]],
    base: Container[Triple],
    functional: set[Node],
    keep: Callable[[Triple], object],
    restart: Callable[[], object],
) -> int:
    """Run the engine (``closure`` of the given extra ``owl:sameAs`` triples), with rule
    ``prp-fp`` applied here, until no new ``owl:sameAs`` appears; return how many runs.

    What each run adds (the closure less ``base``) goes to ``keep``, one triple at a time;
    ``restart`` is called before each run, so only the last run's triples are kept. See
    :func:`_reasonable_closure` for why, and :mod:`filmgraph.reason.child`, which runs the
    engine on files.
    """
    functional = set(functional)
    equal: dict[Triple, None] = {}  # the owl:sameAs that prp-fp concludes, fed to the engine
    pivots: dict[Node, BNode] = {}
    runs = 0
    while True:
        found = closure(list(equal))
        runs += 1
        restart()
        values, same = _consume(found, base, functional, set(pivots.values()), keep)
        aliases = {o for s, o in same if s in functional and not isinstance(o, Literal)}
        if aliases - functional:  # eq-rep-s: what is owl:sameAs a functional property is one
            functional |= aliases
            continue
        added = _prp_fp(values, same, pivots)
        if not added:
            return runs
        equal.update(dict.fromkeys(added))


def _consume(
    closure: list[Triple],
    base: Container[Triple],
    functional: set[Node],
    pivots: set[BNode],
    keep: Callable[[Triple], object],
) -> tuple[dict[tuple[Node, Node], set[Node]], set[tuple[Node, Node]]]:
    """Give ``keep`` what the engine added; return the values of the functional properties
    of every subject that has more than one, and the non-reflexive ``owl:sameAs`` pairs of
    the closure.

    Triples that mention a pivot (see :func:`_prp_fp`) are neither kept nor values.
    """
    first: dict[tuple[Node, Node], Node] = {}  # (subject, functional property) -> a value
    values: dict[tuple[Node, Node], set[Node]] = {}  # the same, where there are two or more
    same: set[tuple[Node, Node]] = set()
    watched = functional | {OWL.sameAs}  # one set lookup per triple for both
    same_as, string = OWL.sameAs, frozenset({XSD.string})  # rdflib's namespaces are slow
    while closure:  # consume the closure from its end, so its memory is freed as we go
        chunk = closure[-_CHUNK:]
        del closure[-_CHUNK:]
        for s, p, o in chunk:
            # RDF 1.1 makes "x" and "x"^^xsd:string one literal; rdflib does not: keep plain.
            if type(o) is Literal and o.datatype in string:
                o = Literal(str(o))
            if p in watched:
                if p == same_as and s != o:
                    same.add((s, o))
                if pivots and (s in pivots or o in pivots):
                    continue
                if p in functional:
                    value = first.setdefault((s, p), o)
                    if value != o:
                        values.setdefault((s, p), {value}).add(o)
            elif pivots and (s in pivots or o in pivots):
                continue
            if (s, p, o) not in base:
                keep((s, p, o))
    return values, same


def _prp_fp(
    values: dict[tuple[Node, Node], set[Node]],
    same: set[tuple[Node, Node]],
    pivots: dict[Node, BNode],
) -> list[Triple]:
    """OWL 2 RL prp-fp: the values of a functional property of one subject are the same.

    Each value is equated with one of them (an IRI or blank node), the anchor; the engine
    derives the other pairs (eq-sym, eq-trans). reasonable refuses a literal as the subject
    of an input triple, so when every value is a literal the anchor is a fresh blank node, a
    pivot, one for each smallest literal: the engine equates the literals through it (and
    applies eq-rep-o), and :func:`_consume` leaves out every triple that mentions it.
    Returns the ``owl:sameAs`` triples the closure does not hold yet.
    """
    added: list[Triple] = []
    for objects in values.values():
        ordered = sorted(objects, key=_sort_key)  # _sort_key puts literals last
        anchor = ordered[0]
        if isinstance(anchor, Literal):
            anchor = pivots.setdefault(anchor, BNode())
        for o in ordered:
            if o != anchor and (anchor, o) not in same:
                added.append((anchor, OWL.sameAs, o))
    return added


def _sort_key(term: Node) -> tuple[bool, str]:
    return isinstance(term, Literal), term.n3()


_CHUNK = 100_000


#: The OWL 2 RL engines by name, with the distribution that provides each.
def _rules_closure(ontology: Graph, asserted: Graph) -> tuple[list[Triple], list[str]]:
    from .store_rules import rules_closure

    return rules_closure(ontology, asserted)


ENGINES: dict[str, tuple[Closure, str]] = {
    "owlrl": (_owlrl_closure, "owlrl"),
    "reasonable": (_reasonable_closure, "reasonable"),
    "rules": (_rules_closure, "pyoxigraph"),
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

    >>> from filmgraph.core.namespaces import FG, FGID, SCHEMA
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


def prp_fp_dt_diff(g: Graph) -> Iterator[Match]:
    """Two different data values of one functional property of one subject.

    OWL 2 RL makes them ``owl:sameAs`` (prp-fp) and ``owl:differentFrom`` (dt-diff), so
    eq-diff1 finds the data inconsistent. Neither engine reports it (owlrl implements no
    dt-diff; reasonable no inconsistency of literals), hence this rule. Literals are
    different values unless rdflib finds them equal (``"1"^^xsd:integer`` and
    ``"1"^^xsd:int`` are one value); those rdflib cannot compare count as different.
    """
    for p in set(g.subjects(RDF.type, OWL.FunctionalProperty)):
        literals: dict[Node, set[Literal]] = {}
        for x, y in g.subject_objects(p):
            if isinstance(y, Literal):
                literals.setdefault(x, set()).add(y)
        axiom = (p, RDF.type, OWL.FunctionalProperty)
        for x, ys in literals.items():
            for y1, y2 in combinations(sorted(ys, key=_sort_key), 2):
                if not _same_value(y1, y2):
                    yield None, (axiom, (x, p, y1), (x, p, y2))


def _same_value(a: Literal, b: Literal) -> bool:
    try:
        return bool(a.eq(b))
    except TypeError:  # "cannot know that these two lexical forms do not map to the same value"
        return False


#: The inconsistency rules :func:`check_consistency` applies: those of :mod:`filmgraph.reason.rules`
#: and :func:`prp_fp_dt_diff`.
CONSISTENCY_RULES: tuple[Rule, ...] = (
    *INCONSISTENCY_RULES,
    Rule(
        "prp-fp+dt-diff",
        "a functional property has two different literal values (prp-fp makes them "
        "owl:sameAs, dt-diff owl:differentFrom: eq-diff1)",
        prp_fp_dt_diff,
    ),
)
_CHECKS = {rule.name: rule for rule in CONSISTENCY_RULES}


def check_consistency(graphs: dict[str, Graph], engine_messages: Iterable[str] = ()) -> None:
    """Raise :class:`InconsistencyError` if an OWL 2 RL inconsistency rule matches ``graphs``.

    ``graphs`` maps a name (shown in the message) to each graph; they are checked as one.
    ``engine_messages`` are the engine's own reports (owlrl's): they fail the check too,
    should the rules here not name the triples.
    """
    view = ReadOnlyGraphAggregate(list(graphs.values()))
    found = [(rule, premises) for rule, _, premises in matches(view, CONSISTENCY_RULES)]
    messages = list(engine_messages)
    if found or messages:
        raise InconsistencyError(_inconsistency_text(found, messages, graphs, view), found)


def _inconsistency_text(
    found: list[tuple[str, tuple[Triple, ...]]],
    messages: list[str],
    graphs: dict[str, Graph],
    view: Graph,
) -> str:
    lines = ["OWL 2 RL finds the data inconsistent:"]
    explainer = Explainer(new_dataset(), graphs) if "inferred" in graphs else None
    for rule, premises in found:
        lines.append(f"- {rule}: {_CHECKS[rule].summary}")
        for triple in premises:
            if triple[1] in (RDF.first, RDF.rest):
                continue  # list cells: the list is shown where it is used
            origin = next((name for name, g in graphs.items() if triple in g), "?")
            lines.append(f"    {triple_text(triple, view)}    [{origin}]")
            if origin == "inferred" and explainer is not None:
                # an owl:sameAs of literals is not derived by filmgraph.reason.rules: its
                # explanation is "bounded", a leaf that is not asserted
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
