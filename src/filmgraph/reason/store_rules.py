"""OWL 2 RL inside the store, the rules themselves: SPARQL queries that Oxigraph evaluates
over its own indexes, run to a fixpoint, so that no copy of the graph is made in Python
or in an engine (the store's evaluation of each query's joins is what memory holds).

reasonable (:mod:`filmgraph.reason.bounded`) holds its input and its closure in memory: at
10M triples that is more than this machine has. Here each rule of :data:`RULES` is one
``CONSTRUCT`` over the union of the ontology, asserted and derived graphs of the store,
whose ``FILTER NOT EXISTS`` keeps only what the store does not hold yet. The first round
runs every rule whole; each later one is semi-naive: a rule runs once per premise, that
premise matched only in what the round before derived (:func:`rule_query` with ``delta``),
so a round costs what is new, not the whole graph. What a query finds is written to a file,
then added to the inferred graph (large files by the bulk loader: no transaction holds a
round); the rounds stop when one adds nothing. Then the noise
(:func:`filmgraph.reason.noise.noise`, the same filter as for the other engines) is taken
out of the inferred graph (:func:`run_rules`);
:func:`filmgraph.reason.in_store.materialise` then checks consistency on the store.

Nothing large is ever deleted in one go: Oxigraph deletes a graph (``clear_graph``,
``DROP``) in one transaction that holds every quad it removes (2M quads: 157 s and 3.0 GB;
at 10M triples, emptying the first round's delta grew the process past 9 GB). So the first
round derives into the inferred graph, which is its delta, and the noise and the smaller
deltas of later rounds are removed a batch at a time (:func:`drop`).

The rules are the OWL 2 RL rules that conclude about individuals (W3C *OWL 2 Profiles*,
section 4.3): ``eq-sym``, ``eq-trans``, ``eq-rep-s/p/o``, ``prp-dom``, ``prp-rng``,
``prp-fp``, ``prp-ifp``, ``prp-symp``, ``prp-trp``, ``prp-spo1``, ``prp-eqp1/2``,
``prp-inv1/2``, ``cls-int1/2``, ``cls-uni``, ``cls-svf1/2``, ``cls-avf``, ``cls-hv1/2``,
``cax-sco``, ``cax-eqc1/2``. The schema-level rules (``scm-*``) are not needed: what they
conclude about classes and properties reaches individuals through the rules above in the
rounds that follow, and is itself dropped by the noise filter. Nor are the rules whose
conclusion the filter drops whole (``eq-ref``, ``owl:Thing`` for everything). An ontology
using what these rules do not cover (property chains, keys, cardinalities, ``owl:oneOf``)
is refused (:data:`UNSUPPORTED`), so that the result is never silently partial; the
inferences are the same as reasonable's (tests/test_in_store_reasoning.py compares them).

Literals: the store keeps numbers in canonical form and narrows derived datatypes
(``"2"^^xsd:positiveInteger`` is kept as ``"2"^^xsd:integer``, ``1.0`` as ``"1"`` of
``xsd:decimal``). The loaders (:func:`filmgraph.reason.in_store.rules_into_store`,
:func:`rules_closure`) record, beside each input triple whose literal
the store changes, the literal as written (:class:`AsWritten`), and an inferred triple
that copies such a literal about the same subject (``prp-spo1`` over a datatype property,
say) gets it back as written, as the in-process engines copy it. A literal copied to
another subject (``eq-rep-s``, ``cls-hv1``) is written as the store holds it.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from ..core import GRAPHS, SettingError, Steps, Triple
from ..query import drop, graph_size, remove_quads, stored_literal, to_rdflib
from .noise import noise

#: The input triples whose literal the store keeps in another form, the literal as written
#: (its N-Triples text, a string the store keeps as it is): :class:`AsWritten`.
AS_WRITTEN = ox.NamedNode("urn:filmgraph:reasoning:as-written")
#: What a round after the first derives, for the next (semi-naive evaluation); the rounds
#: take turns. The first round's delta is the inferred graph itself (all it holds then).
DELTAS = (
    ox.NamedNode("urn:filmgraph:reasoning:delta"),
    ox.NamedNode("urn:filmgraph:reasoning:delta-2"),
)

_PREFIXES = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@dataclass(frozen=True)
class StoreRule:
    """One rule: its conclusion (a triple pattern), its premises (triple patterns, each of
    which may match a triple derived in the round before), and a condition over them."""

    conclusion: str
    premises: tuple[str, ...]
    condition: str = ""
    #: Evaluated whole every round (its condition reads triples a new one may change).
    whole: bool = False


def _rule(conclusion: str, *premises: str, condition: str = "", whole: bool = False) -> StoreRule:
    return StoreRule(conclusion, premises, condition, whole)


_FP = "?p a owl:FunctionalProperty"

#: The rules, by their W3C names. A conclusion is added only where it does not hold yet.
RULES: dict[str, StoreRule] = {
    "eq-sym": _rule("?y owl:sameAs ?x", "?x owl:sameAs ?y"),
    "eq-trans": _rule("?x owl:sameAs ?z", "?x owl:sameAs ?y", "?y owl:sameAs ?z"),
    "eq-rep-s": _rule("?s2 ?p ?o", "?s owl:sameAs ?s2", "?s ?p ?o"),
    "eq-rep-p": _rule("?s ?p2 ?o", "?p owl:sameAs ?p2", "?s ?p ?o"),
    "eq-rep-o": _rule("?s ?p ?o2", "?o owl:sameAs ?o2", "?s ?p ?o"),
    "prp-dom": _rule("?x a ?c", "?p rdfs:domain ?c", "?x ?p ?y"),
    "prp-rng": _rule("?y a ?c", "?p rdfs:range ?c", "?x ?p ?y", condition="!isLiteral(?y)"),
    "prp-fp": _rule(
        "?y1 owl:sameAs ?y2",
        _FP,
        "?x ?p ?y1",
        "?x ?p ?y2",
        condition="!isLiteral(?y1) && !sameTerm(?y1, ?y2)",
    ),
    # prp-fp between two literals, then eq-rep-o: a literal cannot be a subject, so their
    # owl:sameAs is never written; what it would replace is, directly.
    "prp-fp/eq-rep-o": _rule(
        "?s ?q ?y2",
        _FP,
        "?x ?p ?y1",
        "?x ?p ?y2",
        "?s ?q ?y1",
        condition="isLiteral(?y1) && isLiteral(?y2) && !sameTerm(?y1, ?y2)",
    ),
    "prp-ifp": _rule(
        "?x1 owl:sameAs ?x2",
        "?p a owl:InverseFunctionalProperty",
        "?x1 ?p ?y",
        "?x2 ?p ?y",
        condition="!sameTerm(?x1, ?x2)",
    ),
    "prp-symp": _rule("?y ?p ?x", "?p a owl:SymmetricProperty", "?x ?p ?y"),
    "prp-trp": _rule("?x ?p ?z", "?p a owl:TransitiveProperty", "?x ?p ?y", "?y ?p ?z"),
    "prp-spo1": _rule("?x ?p2 ?y", "?p1 rdfs:subPropertyOf ?p2", "?x ?p1 ?y"),
    "prp-eqp1": _rule("?x ?p2 ?y", "?p1 owl:equivalentProperty ?p2", "?x ?p1 ?y"),
    "prp-eqp2": _rule("?x ?p1 ?y", "?p1 owl:equivalentProperty ?p2", "?x ?p2 ?y"),
    "prp-inv1": _rule("?y ?p2 ?x", "?p1 owl:inverseOf ?p2", "?x ?p1 ?y"),
    "prp-inv2": _rule("?y ?p1 ?x", "?p1 owl:inverseOf ?p2", "?x ?p2 ?y"),
    # every member of the list: a negation that a new membership changes, so whole
    "cls-int1": _rule(
        "?x a ?c",
        "?c owl:intersectionOf ?list",
        "?list rdf:first ?first",
        "?x a ?first",
        condition="NOT EXISTS { ?list rdf:rest*/rdf:first ?m FILTER NOT EXISTS { ?x a ?m } }",
        whole=True,
    ),
    "cls-int2": _rule("?x a ?m", "?c owl:intersectionOf/rdf:rest*/rdf:first ?m", "?x a ?c"),
    "cls-uni": _rule("?x a ?c", "?c owl:unionOf/rdf:rest*/rdf:first ?m", "?x a ?m"),
    "cls-svf1": _rule(
        "?x a ?r", "?r owl:someValuesFrom ?c", "?r owl:onProperty ?p", "?x ?p ?y", "?y a ?c"
    ),
    "cls-svf2": _rule(
        "?x a ?r", "?r owl:someValuesFrom owl:Thing", "?r owl:onProperty ?p", "?x ?p ?y"
    ),
    "cls-avf": _rule(
        "?y a ?c", "?r owl:allValuesFrom ?c", "?r owl:onProperty ?p", "?x a ?r", "?x ?p ?y"
    ),
    "cls-hv1": _rule("?x ?p ?v", "?r owl:hasValue ?v", "?r owl:onProperty ?p", "?x a ?r"),
    "cls-hv2": _rule("?x a ?r", "?r owl:hasValue ?v", "?r owl:onProperty ?p", "?x ?p ?v"),
    "cax-sco": _rule("?x a ?c2", "?c1 rdfs:subClassOf ?c2", "?x a ?c1"),
    "cax-eqc1": _rule("?x a ?c2", "?c1 owl:equivalentClass ?c2", "?x a ?c1"),
    "cax-eqc2": _rule("?x a ?c1", "?c1 owl:equivalentClass ?c2", "?x a ?c2"),
}

#: What an ontology may say that :data:`RULES` do not cover (the rules that would need it).
UNSUPPORTED: dict[str, str] = {
    "owl:propertyChainAxiom": "prp-spo2",
    "owl:hasKey": "prp-key",
    "owl:maxCardinality": "cls-maxc1/2",
    "owl:maxQualifiedCardinality": "cls-maxqc1-4",
    "owl:oneOf": "cls-oo",
}


def rule_query(name: str, delta: int | None = None, graph: ox.NamedNode = DELTAS[0]) -> str:
    """The ``CONSTRUCT`` of rule ``name``: its conclusions that the store does not hold;
    with ``delta``, only those whose premise number ``delta`` is a triple of ``graph``
    (what the round before derived: semi-naive evaluation).

    >>> print(rule_query("prp-dom").splitlines()[-1])
    CONSTRUCT { ?x a ?c } WHERE { ?p rdfs:domain ?c . ?x ?p ?y FILTER NOT EXISTS { ?x a ?c } }
    >>> print(rule_query("prp-dom", 1).splitlines()[-1])  # doctest: +NORMALIZE_WHITESPACE
    CONSTRUCT { ?x a ?c } WHERE { GRAPH <urn:filmgraph:reasoning:delta> { ?x ?p ?y }
    ?p rdfs:domain ?c FILTER NOT EXISTS { ?x a ?c } }
    """
    rule = RULES[name]
    premises = list(rule.premises)
    if delta is not None:
        premises.insert(0, f"GRAPH <{graph.value}> {{ {premises.pop(delta)} }}")
    body = " . ".join(p for p in premises if not p.startswith("GRAPH"))
    head = premises[0] + " " if premises[0].startswith("GRAPH") else ""
    condition = f" FILTER({rule.condition})" if rule.condition else ""
    return (
        f"{_PREFIXES}CONSTRUCT {{ {rule.conclusion} }} WHERE {{ {head}{body}{condition} "
        f"FILTER NOT EXISTS {{ {rule.conclusion} }} }}"
    )


def _variants(name: str, delta: ox.NamedNode) -> list[str]:
    """The queries of rule ``name`` after the first round: one per premise that a derived
    triple can match, on ``delta`` (a path over the ontology's lists is not matched by one
    triple), or the whole rule."""
    rule = RULES[name]
    if rule.whole:
        return [rule_query(name)]
    return [
        rule_query(name, n, delta)
        for n, premise in enumerate(rule.premises)
        if "/" not in premise.split()[1]
    ]


def run_rules(
    store: ox.Store,
    names: Mapping[str, URIRef],
    *,
    steps: Steps | None = None,
    max_rounds: int = 100,
    inferred_file: Path | None = None,
) -> tuple[int, int, Counter[str]]:
    """The OWL 2 RL closure of the ontology and asserted graphs of ``store`` (``names``
    names them and the inferred graph), less the noise, into its inferred graph (emptied
    first), computed by the store itself (see the module's summary); with
    ``inferred_file``, also written there as N-Triples, literals as written. Returns what
    the rules derived, what was kept, and what the noise filter dropped, by reason.

    Raises:
        SettingError: the ontology uses what the rules do not cover (:data:`UNSUPPORTED`),
            or the rounds did not end within ``max_rounds``.
    """
    steps = steps or Steps()
    ontology, asserted, inferred = (
        ox.NamedNode(str(names[r])) for r in ("ontology", "asserted", "inferred")
    )
    _refuse_unsupported(store, ontology)
    union: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ontology, asserted, inferred]
    derived = 0
    drop(store, inferred)
    try:
        with (
            steps.step("reasoning (OWL 2 RL rules in the store)") as step,
            tempfile.TemporaryDirectory(prefix="filmgraph-rules-") as work,
        ):
            for graph in DELTAS:
                drop(store, graph)
            rounds = 0
            while True:
                rounds += 1
                if rounds > max_rounds:
                    raise SettingError(f"OWL 2 RL in the store: no fixpoint in {max_rounds} rounds")
                added = _round(store, union, Path(work) / "round.nt", rounds)
                derived += added
                if not added:
                    break
            step.detail = f"{derived} triples derived in {rounds} rounds"
            with steps.step("filtering noise") as step:
                written = inferred_file or Path(work) / "kept.nt"
                kept, dropped = _keep(store, ontology, inferred, written, Path(work) / "noise.nt")
                step.detail = ", ".join([f"{kept} kept", *(f"{n} {k}" for k, n in dropped.items())])
    except BaseException:
        drop(store, inferred)  # never a part of the closure left as if it were all of it
        raise
    finally:
        for graph in DELTAS:
            drop(store, graph)
    return derived, kept, dropped


def rules_closure(ontology: Graph, asserted: Graph) -> tuple[list[Triple], list[str]]:
    """The engine ``rules`` of :func:`~filmgraph.reason.reason`: what :func:`run_rules`
    keeps of ``ontology`` + ``asserted`` in a scratch store in memory, as rdflib triples
    (literals as written, the ontology's blank nodes its own); no message of its own (the
    caller checks consistency)."""
    from oxrdflib._converter import to_ox

    store = ox.Store()
    forms = AsWritten()
    for role, graph in (("ontology", ontology), ("asserted", asserted)):
        quads = (to_ox(triple) for triple in graph)
        store.bulk_extend(forms.quads(quads, ox.NamedNode(str(GRAPHS[role]))))
    names = {role: GRAPHS[role] for role in ("ontology", "asserted", "inferred")}
    with tempfile.TemporaryDirectory(prefix="filmgraph-rules-") as work:
        path = Path(work) / "inferred.nt"
        run_rules(store, names, inferred_file=path)
        found = ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)
        return [
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)) for q in found
        ], []


class AsWritten:
    """The literals the store would keep in another form (:func:`stored_literal`), as
    written: beside each such input triple, the same subject and predicate with the
    literal's N-Triples text in :data:`AS_WRITTEN`; :meth:`original` finds it again for an
    inferred triple about the same subject. Which literals change is asked of a scratch
    store once per distinct literal (the last 65,536 kept: :func:`_stored`). ``read``
    counts the input triples passed on."""

    def __init__(self) -> None:
        self.read = 0

    def quads(
        self, quads: Iterator[Any], target: ox.NamedNode, copy: IO[str] | None = None
    ) -> Iterator[ox.Quad]:
        """``quads`` into ``target`` (each also written to ``copy``, as N-Triples), and
        beside those whose literal the store changes, that literal as written."""
        for q in quads:
            self.read += 1
            yield ox.Quad(q.subject, q.predicate, q.object, target)
            if copy is not None:
                copy.write(f"{q.subject} {q.predicate} {q.object} .\n")
            o = q.object
            if isinstance(o, ox.Literal) and not o.language and self._changed(o):
                yield ox.Quad(q.subject, q.predicate, ox.Literal(str(o)), AS_WRITTEN)

    @staticmethod
    def _changed(literal: ox.Literal) -> bool:
        key = (literal.value, literal.datatype.value)
        return _stored(*key) != key

    @staticmethod
    def original(store: ox.Store, subject: Any, literal: ox.Literal) -> ox.Literal:
        """The literal as written of an input triple about ``subject`` that the store keeps
        as ``literal``; ``literal`` itself if there is none."""
        for quad in store.quads_for_pattern(subject, None, None, AS_WRITTEN):
            assert isinstance(quad.object, ox.Literal)
            written = _as_written(quad.object.value)
            if _stored(written.value, written.datatype.value) == (
                literal.value,
                literal.datatype.value,
            ):
                return written
        return literal


@lru_cache(maxsize=1 << 16)
def _as_written(text: str) -> ox.Literal:
    """A literal from its N-Triples text (as :class:`AsWritten` keeps it)."""
    quad = next(iter(ox.parse(f"<urn:x:s> <urn:x:p> {text} .", format=ox.RdfFormat.N_TRIPLES)))
    assert isinstance(quad.object, ox.Literal)
    return quad.object


@lru_cache(maxsize=1 << 16)
def _stored(value: str, datatype: str) -> tuple[str, str]:
    """How the store keeps the literal ``value`` of ``datatype`` (:func:`stored_literal`)."""
    stored = stored_literal(ox.Literal(value, datatype=ox.NamedNode(datatype)))
    return stored.value, stored.datatype.value


def _refuse_unsupported(store: ox.Store, ontology: ox.NamedNode) -> None:
    for term, rule in UNSUPPORTED.items():
        iri = term.replace("owl:", "http://www.w3.org/2002/07/owl#")
        found = store.query(f"ASK {{ ?s <{iri}> ?o }}", default_graph=ontology)
        if found:
            raise SettingError(
                f"OWL 2 RL in the store does not apply {rule}, which the ontology's "
                f"{term} needs: reason with reasonable or owlrl instead"
            )


def _round(
    store: ox.Store,
    union: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph],
    path: Path,
    number: int,
) -> int:
    """Round ``number`` (from 1): every rule once, the first round whole, the others on
    what the round before derived (:func:`_variants`); each query's new conclusions are
    added to the inferred graph (``union[-1]``) and, after the first round, to this round's
    delta before the next query runs. Returns how many triples the round added."""
    inferred = union[-1]
    assert isinstance(inferred, ox.NamedNode)
    # The first round derives into the inferred graph alone: it is round 2's delta.
    delta = inferred if number == 2 else DELTAS[number % 2]
    new = DELTAS[(number + 1) % 2]
    if number > 1:
        drop(store, new)
    for name in RULES:
        for query in [rule_query(name)] if number == 1 else _variants(name, delta):
            found = store.query(query, default_graph=union)
            assert isinstance(found, ox.QueryTriples)
            with path.open("wb") as file:
                found.serialize(file, ox.RdfFormat.N_TRIPLES)
            _load(store, path, *([inferred] if number == 1 else [inferred, new]))
    store.flush()  # the round's transactions written out: the store's buffers emptied
    # run_rules empties the inferred graph before round 1: all it holds, round 1 added.
    return graph_size(store, inferred if number == 1 else new)


def _keep(
    store: ox.Store, ontology: ox.NamedNode, inferred: ox.NamedNode, path: Path, noisy: Path
) -> tuple[int, Counter[str]]:
    """The noise taken out of ``inferred`` (listed in the file ``noisy`` first, then
    removed), what is left written to ``path`` with its literals as written; (kept,
    dropped)."""
    terms: set[Node] = {
        to_rdflib(q.subject) for q in store.quads_for_pattern(None, None, None, ontology)
    }
    dropped: Counter[str] = Counter()
    kept = 0
    with path.open("w", encoding="utf-8") as file, noisy.open("w", encoding="utf-8") as rest:
        for quad in store.quads_for_pattern(None, None, None, inferred):
            triple = (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
            reason = noise(triple, terms)
            if reason:
                dropped[reason] += 1
                rest.write(f"{quad.subject} {quad.predicate} {quad.object} .\n")
                continue
            obj = quad.object
            if isinstance(obj, ox.Literal) and not obj.language:
                obj = AsWritten.original(store, quad.subject, obj)
            file.write(f"{quad.subject} {quad.predicate} {obj} .\n")
            kept += 1
    triples = ox.parse(path=str(noisy), format=ox.RdfFormat.N_TRIPLES)
    remove_quads(store, (ox.Quad(t.subject, t.predicate, t.object, inferred) for t in triples))
    return kept, dropped


#: Files of conclusions up to this size are added in one transaction; larger ones by the
#: bulk loader, which writes files of its own (a fixed cost) and holds a batch of quads in
#: memory, not the store's write buffers (transactions made the 1M run peak at 3.3 GB).
_SMALL = 4 << 20


def _load(store: ox.Store, path: Path, *graphs: ox.NamedNode) -> None:
    """The N-Triples file ``path`` into each of ``graphs``, its blank nodes as labelled
    there (the store's loaders would give them fresh labels)."""
    size = path.stat().st_size
    if not size:
        return
    for graph in graphs:
        triples = ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)
        quads = (ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        if size <= _SMALL:
            store.extend(list(quads))
        else:
            store.bulk_extend(quads)
