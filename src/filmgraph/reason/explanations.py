"""Why a triple holds: OWL 2 RL rule and premises, down to the document's words.

An :class:`Explainer` re-derives the closure of the ontology and asserted graphs with the
rule matchers of :mod:`filmgraph.reason.rules`, round by round, and remembers for each new triple
the first rule instance that produced it. A premise is therefore always derived in an
earlier round than its conclusion, so every explanation is well-founded: a finite tree
whose leaves are asserted triples (each with the quote that states it) and ontology axioms.

>>> from filmgraph import build
>>> from filmgraph.core.namespaces import FG, FGID
>>> why = Explainer(build()).explain((FGID["kantemir-balagov"], FG.directed, FGID.beanpole))
>>> why.kind, why.rule, [p.kind for p in why.premises]
('inferred', 'prp-inv2', ['axiom', 'asserted'])
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rdflib import Dataset, Graph, URIRef

from ..core import (
    GRAPHS,
    NotFoundError,
    QueryError,
    Triple,
    term_json,
    triple_text,
    turtle_prefix_header,
)
from ..load import Quote, quotes_for
from .noise import NOISE, noise
from .rules import DERIVATION_RULES, RULES, matches

Derivation = tuple[str, tuple[Triple, ...]]


@dataclass(frozen=True)
class Explanation:
    """A triple and why it holds.

    ``kind`` is ``asserted`` (the document states it: ``quotes``), ``axiom`` (the ontology
    states it) or ``inferred`` (``rule`` applied to ``premises``, each explained in turn).
    """

    triple: Triple
    kind: str
    rule: str | None = None
    premises: tuple[Explanation, ...] = ()
    quotes: tuple[Quote, ...] = ()

    def leaves(self) -> Iterator[Explanation]:
        """The asserted triples and axioms the explanation rests on (with repeats)."""
        if self.kind == "inferred":
            for premise in self.premises:
                yield from premise.leaves()
        else:
            yield self

    def depth(self) -> int:
        """Rule applications on the longest path from this triple down to a leaf."""
        return 1 + max((p.depth() for p in self.premises), default=-1)


def _derive(*inputs: Graph) -> dict[Triple, Derivation]:
    """Forward chaining by rounds over a copy of ``inputs``; for each new triple the earliest,
    then smallest, match."""
    graph = Graph()
    for source in inputs:
        for triple in source:
            graph.add(triple)
    order = {rule.name: i for i, rule in enumerate(DERIVATION_RULES)}
    derivations: dict[Triple, Derivation] = {}
    while True:
        found: dict[Triple, Derivation] = {}
        for rule, conclusion, premises in matches(graph, DERIVATION_RULES):
            if conclusion is None or conclusion in graph:
                continue
            candidate = (rule, premises)
            current = found.get(conclusion)
            if current is None or _rank(candidate, order) < _rank(current, order):
                found[conclusion] = candidate
        if not found:
            return derivations
        for triple in found:
            graph.add(triple)
        derivations.update(found)


def _rank(derivation: Derivation, order: dict[str, int]) -> tuple[int, list[str]]:
    rule, premises = derivation
    return order[rule], sorted(" ".join(map(str, t)) for t in premises)


class Explainer:
    """Explanations for the triples of one built dataset (the derivations are computed once,
    on first use)."""

    def __init__(self, dataset: Dataset, graphs: dict[str, Graph] | None = None) -> None:
        """``graphs`` (``ontology``, ``asserted``, ``inferred``) default to those of
        ``dataset``, which also holds the provenance the quotes come from."""
        graphs = graphs or {name: dataset.graph(GRAPHS[name]) for name in GRAPHS}
        self.dataset = dataset
        self.asserted = graphs["asserted"]
        self.ontology = graphs["ontology"]
        self.inferred = graphs["inferred"]
        self._derivations: dict[Triple, Derivation] | None = None
        self._cache: dict[Triple, Explanation] = {}

    @property
    def derivations(self) -> dict[Triple, Derivation]:
        if self._derivations is None:
            self._derivations = _derive(self.ontology, self.asserted)
        return self._derivations

    def explain(self, triple: Triple) -> Explanation:
        """Explain ``triple``: asserted (with its quotes), an axiom, or inferred (recursively).

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
        return self._inferred(triple)

    def _inferred(self, triple: Triple) -> Explanation:
        if triple not in self._cache:
            rule, premises = self.derivations[triple]
            explained = tuple(self._premise(p) for p in premises)
            self._cache[triple] = Explanation(triple, "inferred", rule, explained)
        return self._cache[triple]

    def _premise(self, triple: Triple) -> Explanation:
        if triple in self.asserted or triple in self.ontology:
            return self.explain(triple)
        return self._inferred(triple)

    def _not_found(self, triple: Triple) -> str:
        text = triple_text(triple, self.ontology, self.dataset.namespace_manager)
        dropped = noise(triple, set(self.ontology.subjects()))
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
