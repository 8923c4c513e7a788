"""Why a triple holds: OWL 2 RL rule and premises, down to the document's words.

An inferred triple is explained by the rule instance that forward chaining in rounds over
the ontology and asserted graphs (:func:`derive`) would keep for it: the first, in rule order
then by its premises, of those that derive it in the earliest round. A premise is therefore
always derived in an earlier round than its conclusion, so every explanation is well-founded:
a finite tree whose leaves are asserted triples (each with the quote that states it) and
ontology axioms.

An :class:`Explainer` finds that instance without the closure: it chains backwards from the
triple through the rules read backwards (:mod:`filmgraph.reason.backward`), each premise
looked up in the dataset by pattern, and computes only the rounds of the triples it meets.
The search is bounded in depth (:data:`MAX_DEPTH` rule applications) and in time
(:data:`TIME_BUDGET`); a triple it cannot explain within them is explained as ``bounded``,
saying which bound it reached.

>>> from filmgraph import build
>>> from filmgraph.core.namespaces import FG, FGID
>>> why = Explainer(build()).explain((FGID["kantemir-balagov"], FG.directed, FGID.beanpole))
>>> why.kind, why.rule, [p.kind for p in why.premises]
('inferred', 'prp-inv2', ['axiom', 'asserted'])
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.store import Store

from ..core import (
    GRAPHS,
    NotFoundError,
    QueryError,
    Triple,
    setting_default,
    term_json,
    triple_text,
    turtle_prefix_header,
)
from ..load import Quote, quotes_for
from .backward import BACKWARD
from .noise import NOISE, noise
from .rules import DERIVATION_RULES, RULES, matches

Derivation = tuple[str, tuple[Triple, ...]]


@dataclass(frozen=True)
class Explanation:
    """A triple and why it holds.

    ``kind`` is ``asserted`` (the document states it: ``quotes``), ``axiom`` (the ontology
    states it), ``inferred`` (``rule`` applied to ``premises``, each explained in turn) or
    ``bounded`` (inferred, but not explained within the bounds: ``note`` says which).
    """

    triple: Triple
    kind: str
    rule: str | None = None
    premises: tuple[Explanation, ...] = ()
    quotes: tuple[Quote, ...] = ()
    note: str | None = None

    def leaves(self) -> Iterator[Explanation]:
        """The asserted triples and axioms the explanation rests on (with repeats), and any
        triple left ``bounded``."""
        if self.kind == "inferred":
            for premise in self.premises:
                yield from premise.leaves()
        else:
            yield self

    def depth(self) -> int:
        """Rule applications on the longest path from this triple down to a leaf."""
        return 1 + max((p.depth() for p in self.premises), default=-1)


def derive(*inputs: Graph) -> dict[Triple, Derivation]:
    """The whole closure of ``inputs`` by forward chaining in rounds, over a copy of them:
    for each new triple, the earliest then smallest rule instance (in rule order, then by its
    premises) that derives it.

    The reference that :class:`Explainer` reproduces triple by triple without it (the tests
    compare the two); it reads every triple, so nothing that answers a request calls it.
    """
    graph = Graph()
    for source in inputs:
        for triple in source:
            graph.add(triple)
    derivations: dict[Triple, Derivation] = {}
    while True:
        found: dict[Triple, Derivation] = {}
        for rule, conclusion, premises in matches(graph, DERIVATION_RULES):
            if conclusion is None or conclusion in graph:
                continue
            candidate = (rule, premises)
            current = found.get(conclusion)
            if current is None or _rank(candidate, _ORDER) < _rank(current, _ORDER):
                found[conclusion] = candidate
        if not found:
            return derivations
        for triple in found:
            graph.add(triple)
        derivations.update(found)


def _rank(derivation: Derivation, order: dict[str, int]) -> tuple[int, list[str]]:
    rule, premises = derivation
    return order[rule], sorted(" ".join(map(str, t)) for t in premises)


_ORDER = {rule.name: i for i, rule in enumerate(DERIVATION_RULES)}

#: The most rule applications an explanation may chain (the longest path from the triple
#: down to a stated triple); a triple with no derivation as short says so. The
#: ``explain_depth`` setting's default.
MAX_DEPTH: int = setting_default("explain_depth")

#: The longest one explanation may take to compute (seconds); past it, it says so. The
#: ``explain_time`` setting's default.
TIME_BUDGET: float = setting_default("explain_time")


class _OutOfTime(Exception):
    """The time budget of one explanation ran out."""


class _Lookups(Store):
    """The asserted, ontology and inferred graphs as one read-only store, for the rules read
    backwards, telling the search where each triple found comes from: a premise found by a
    lookup is not asked for again (on a remote store, a popular entity's thousand facts are
    one query, not a thousand)."""

    def __init__(self, search: _Search) -> None:
        super().__init__()
        self.search = search

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:
        e = self.search.explainer
        known, found = self.search.known, []
        for graph in (e.asserted, e.ontology, e.inferred):
            for t in graph.triples(triple_pattern):
                if graph is not e.inferred:
                    known[t] = True
                found.append(t)
                yield t, iter(())
        for t in found:  # every graph answered: the rest are inferred, not stated
            known.setdefault(t, False)


class _Search:
    """The backward search for one explanation: for a triple, the fewest rounds of forward
    chaining that derive it (its *level*: 0 for a stated triple), and the instance that
    derives it in that round, the same one :func:`derive` keeps.

    A premise holds if it is stated (asserted graph or ontology), or inferred (the inferred
    graph holds every triple the rules derive, less the noise filter's), or else if the noise
    filter would drop it and it is derived in turn: the noise filter keeps it out of the
    store, yet it may still be a step between stated triples and a kept inference. A premise
    about a blank node (an entity's membership of a restriction) is derived in turn too: a
    store that was sent each graph on its own (``filmgraph push``) holds the restriction of
    the ontology and the membership of the inferred graph as two different blank nodes.
    """

    def __init__(self, explainer: Explainer, deadline: float) -> None:
        self.explainer = explainer
        self.deadline = deadline
        self.view = Graph(store=_Lookups(self))
        #: For each triple met: stated (True), inferred (False), or neither (None).
        self.known: dict[Triple, bool | None] = {}
        self._instances: dict[tuple[Triple, str], list[Derivation]] = {}
        self._within: dict[tuple[Triple, int], bool] = {}

    def _known(self, triple: Triple) -> bool | None:
        if triple not in self.known:
            e = self.explainer
            if triple in e.asserted or triple in e.ontology:
                self.known[triple] = True
            else:
                self.known[triple] = False if triple in e.inferred else None
        return self.known[triple]

    def stated(self, triple: Triple) -> bool:
        return self._known(triple) is True

    def possible(self, triple: Triple) -> bool:
        """Could ``triple`` be derived at all (is it inferred, or noise, or about a blank
        node, which a store holding each graph apart may name otherwise in each)?"""
        return (
            self._known(triple) is False
            or any(isinstance(term, BNode) for term in triple)
            or self.explainer.noise(triple) is not None
        )

    def instances(self, triple: Triple, rule: str) -> list[Derivation]:
        """The instances of ``rule`` that conclude ``triple``, first the one of least rank."""
        key = (triple, rule)
        if key not in self._instances:
            found = {(rule, ps) for ps in BACKWARD[rule](self.view, triple) if triple not in ps}
            self._instances[key] = sorted(found, key=lambda d: _rank(d, _ORDER))
        return self._instances[key]

    def within(self, triple: Triple, rounds: int) -> bool:
        """Is ``triple`` stated, or derived in at most ``rounds`` rounds?"""
        if self.stated(triple):
            return True
        if rounds == 0 or not self.possible(triple):
            return False
        key = (triple, rounds)
        if key not in self._within:
            if time.monotonic() > self.deadline:
                raise _OutOfTime
            self._within[key] = any(
                all(self.within(p, rounds - 1) for p in premises)
                for rule in DERIVATION_RULES
                for _, premises in self.instances(triple, rule.name)
            )
        return self._within[key]

    def level(self, triple: Triple) -> int | None:
        """The round that derives ``triple`` (None: none up to :data:`MAX_DEPTH`)."""
        for rounds in range(1, self.explainer.max_depth + 1):
            if self.within(triple, rounds):
                return rounds
        return None

    def derivation(self, triple: Triple) -> Derivation | None:
        """The first instance, in rule order then by its premises, that derives ``triple``
        in its round: all its premises derived in earlier rounds."""
        level = self.level(triple)
        if level is None:
            return None
        return next(
            d
            for rule in DERIVATION_RULES
            for d in self.instances(triple, rule.name)
            if all(self.within(p, level - 1) for p in d[1])
        )


class Explainer:
    """Explanations for the triples of one built dataset, each computed when asked for by
    backward chaining from the triple through the rules, every premise looked up in the
    dataset (so an explanation reads the triples around it, never a whole graph).

    Args:
        dataset: the built dataset (its provenance graph gives the quotes).
        graphs: ``ontology``, ``asserted`` and ``inferred`` graphs, by default the
            dataset's.
        max_depth: the most rule applications an explanation may chain.
        time_budget: the longest one explanation may take (seconds).
    """

    def __init__(
        self,
        dataset: Dataset,
        graphs: dict[str, Graph] | None = None,
        *,
        max_depth: int = MAX_DEPTH,
        time_budget: float = TIME_BUDGET,
    ) -> None:
        graphs = graphs or {name: dataset.graph(GRAPHS[name]) for name in GRAPHS}
        self.dataset = dataset
        self.asserted = graphs["asserted"]
        self.ontology = graphs["ontology"]
        self.inferred = graphs["inferred"]
        self.max_depth = max_depth
        self.time_budget = time_budget

    def noise(self, triple: Triple) -> str | None:
        """The noise filter's rule that drops ``triple`` (None: it keeps it)."""
        terms = {triple[0]} if (triple[0], None, None) in self.ontology else set()
        return noise(triple, terms)

    def explain(self, triple: Triple) -> Explanation:
        """Explain ``triple``: asserted (with its quotes), an axiom, or inferred (recursively).

        An inferred triple with no derivation within ``max_depth`` rule applications, or
        whose explanation takes longer than ``time_budget``, is explained as ``bounded``,
        its ``note`` saying which bound was reached.

        Raises:
            NotFoundError: the triple is in none of the asserted, ontology and inferred
                graphs (the message says if the noise filter dropped it, and why).
        """
        if triple in self.asserted:
            quotes = tuple(quotes_for(self.dataset, triple))
            return Explanation(triple, "asserted", quotes=quotes)
        if triple in self.ontology:
            return Explanation(triple, "axiom")
        if triple not in self.inferred:
            raise NotFoundError(self._not_found(triple))
        search = _Search(self, time.monotonic() + self.time_budget)
        try:
            return self._inferred(triple, search)
        except _OutOfTime:
            note = f"not explained within the time budget ({self.time_budget:g} s)"
            return Explanation(triple, "bounded", note=note)

    def _inferred(self, triple: Triple, search: _Search) -> Explanation:
        derivation = search.derivation(triple)
        if derivation is None:
            note = (
                f"no derivation by the rules within {self.max_depth} rule applications "
                "(the depth bound)"
            )
            return Explanation(triple, "bounded", note=note)
        rule, premises = derivation
        explained = tuple(self._premise(p, search) for p in premises)
        return Explanation(triple, "inferred", rule, explained)

    def _premise(self, triple: Triple, search: _Search) -> Explanation:
        if triple in self.asserted or triple in self.ontology:
            return self.explain(triple)
        return self._inferred(triple, search)

    def _not_found(self, triple: Triple) -> str:
        text = triple_text(triple, self.ontology, self.dataset.namespace_manager)
        dropped = self.noise(triple)
        if dropped:
            return f"{text}: the inferred graph never keeps it: {dict(NOISE)[dropped]}"
        return f"{text} is not in the dataset (neither asserted, an axiom, nor inferred)"


def explain(dataset: Dataset, triple: Triple) -> Explanation:
    """Explain one triple of a built dataset; see :meth:`Explainer.explain`."""
    return Explainer(dataset).explain(triple)


# ---------------------------------------------------------------- output


def explanation_json(explanation: Explanation, dataset: Dataset) -> dict[str, Any]:
    """The explanation as JSON-ready data: terms in the SPARQL JSON results encoding."""
    graph = dataset.graph(GRAPHS["ontology"])
    s, p, o = explanation.triple
    data: dict[str, Any] = {
        "triple": {"subject": term_json(s), "predicate": term_json(p), "object": term_json(o)},
        "text": triple_text(explanation.triple, graph, dataset.namespace_manager),
        "kind": explanation.kind,
    }
    if explanation.kind == "asserted":
        data["quotes"] = [quote.as_dict() for quote in explanation.quotes]
    if explanation.kind == "bounded":
        data["note"] = explanation.note
    if explanation.kind == "inferred":
        data["rule"] = explanation.rule
        data["rule_summary"] = RULES[explanation.rule or ""].summary
        data["premises"] = [explanation_json(p, dataset) for p in explanation.premises]
    return data


def explanation_text(explanation: Explanation, dataset: Dataset) -> str:
    """The explanation as an indented tree, one triple per line, quotes under facts."""
    graph = dataset.graph(GRAPHS["ontology"])
    lines: list[str] = []

    def walk(node: Explanation, indent: str) -> None:
        text = triple_text(node.triple, graph, dataset.namespace_manager)
        if node.kind == "inferred":
            rule = node.rule or ""
            lines.append(f"{indent}{text}\n{indent}  inferred by {rule}: {RULES[rule].summary}")
            for premise in node.premises:
                walk(premise, indent + "    ")
            return
        lines.append(f"{indent}{text}\n{indent}  {node.kind}")
        if node.note:
            lines.append(f"{indent}  {node.note}")
        for quote in node.quotes:
            lines.append(
                f'{indent}  "{quote.exact}" (sentence {quote.sentence}, '
                f"characters {quote.start}-{quote.end})"
            )

    walk(explanation, "")
    return "\n".join(lines) + "\n"


def parse_triple(subject: str, predicate: str, obj: str) -> Triple:
    """A triple from command-line words: ``<IRI>``s, IRIs or prefixed names (``a`` for
    rdf:type), and for the object also a Turtle literal (``"Nalchik"``, ``"1991"^^xsd:gYear``).

    The words are read as one Turtle statement, so they follow Turtle's rules exactly.

    Raises:
        QueryError: the words do not make one triple (says why).

    >>> parse_triple("fgid:closeness", "a", "schema:Movie")[1]
    rdflib.term.URIRef('http://www.w3.org/1999/02/22-rdf-syntax-ns#type')
    """
    words = [_turtle_word(w.strip()) for w in (subject, predicate, obj)]
    text = turtle_prefix_header() + " ".join(words) + " .\n"
    graph = Graph()
    try:
        graph.parse(data=text, format="turtle", publicID=_RELATIVE)
    except Exception as exc:  # rdflib's Turtle parser raises assorted types; all mean bad input
        reason = getattr(exc, "_why", "") or type(exc).__name__
        raise QueryError(f"not a triple in Turtle: {' '.join(words)} ({reason})") from exc
    triples = list(graph)
    if len(triples) != 1:
        raise QueryError(f"not one triple: {' '.join(words)}")
    triple = triples[0]
    iris = [t for t in (*triple, getattr(triple[2], "datatype", None)) if isinstance(t, URIRef)]
    if any(iri.startswith(_RELATIVE) or " " in iri for iri in iris):
        raise QueryError(f"not absolute IRIs: {' '.join(words)}")
    return triples[0]


_RELATIVE = "urn:filmgraph:relative:"


def _turtle_word(word: str) -> str:
    """A bare absolute IRI becomes ``<IRI>``; anything else is taken as Turtle."""
    if "://" in word and not word.startswith(("<", '"', "'")):
        return f"<{word}>"
    return word
