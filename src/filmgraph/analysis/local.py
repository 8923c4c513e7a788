"""A built dataset as a :class:`~filmgraph.analysis.Source`, and the tables only it can give.

Queries are answered by the same backend as the endpoint's (:class:`filmgraph.store.Backend`:
the same engine, default graph, named graphs, repairs and refusals, so a notebook and the
endpoint give identical answers on every store); the dataset's own tables come from the
library: counts (:func:`filmgraph.stats`), inferences and their explanations
(:class:`filmgraph.Explainer`), provenance (:func:`filmgraph.load.quote_index`) and the
comparison with Wikidata (:func:`filmgraph.link.comparison`).
"""

from __future__ import annotations

import pandas as pd
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result
from rdflib.term import Node

from ..core import GRAPHS, NotFoundError, Settings
from ..export import Describer, stats
from ..link import GRADES, compare
from ..load import quote_index
from ..query import answering
from ..reason import RULES, Explainer, Explanation, explanation_text, parse_triple
from ..store import Backend
from .frames import frame
from .source import Source, sortable


class LocalSource(Source):
    """A backend holding the build: queries as the endpoint answers them, and the tables
    only the dataset can give (counts, inferences and their explanations, provenance,
    Wikidata)."""

    def __init__(self, backend: Backend, settings: Settings | None = None) -> None:
        super().__init__(settings or Settings.from_env())
        self.backend = backend
        self.dataset = backend.dataset
        self.engine = backend.engine(allowed_services=self.settings.service_allow)
        self.describer = Describer(self.dataset)
        self.explainer = Explainer(
            self.dataset,
            max_depth=self.settings.explain_depth,
            time_budget=self.settings.explain_time,
        )

    def __repr__(self) -> str:
        graphs = self.backend.graphs
        return (
            f"<LocalSource ({self.backend.name}): {sum(graphs.values())} triples "
            f"in {len(graphs)} graphs>"
        )

    def result(self, text: str) -> Result:
        with answering():
            answer = self.engine.run(text, base=self.settings.base_iri)
            if answer.kind == "SELECT":
                answer.result.bindings  # noqa: B018 (rdflib evaluates lazily: errors come here)
        return answer.result

    def graph(self, name: str) -> Graph:
        if name not in GRAPHS:
            raise NotFoundError(f"no graph named {name!r}; known: {', '.join(GRAPHS)}")
        return self.dataset.graph(GRAPHS[name])

    def facts(self, entity: URIRef) -> list[dict[str, Node | None]]:
        described = self.describer.describe(entity)
        rows: list[dict[str, Node | None]] = []
        own = [described.type_facts, *described.facts.values()]
        for direction, groups in (("out", own), ("in", described.incoming.values())):
            for fact in (f for facts in groups for f in facts):
                s, p, o = fact.triple
                row = {"direction": Literal(direction), "predicate": p, "kind": Literal(fact.kind)}
                row["value"] = o if direction == "out" else s
                for quote in fact.quotes or (None,):
                    rows.append(
                        {
                            **row,
                            "quote": Literal(quote.exact) if quote else None,
                            "sentence": Literal(quote.sentence) if quote else None,
                        }
                    )
        return rows

    # ------------------------------------------------------------ tables of the dataset

    def stats(self) -> pd.DataFrame:
        """Triples and distinct subjects per named graph (:func:`filmgraph.export.counts`)."""
        table = pd.DataFrame([(s.name, s.iri, s.triples, s.subjects) for s in stats(self.dataset)])
        table.columns = ["graph", "iri", "triples", "subjects"]
        return table.set_index("graph")

    def counts(self, of: str = "classes") -> pd.DataFrame:
        """Instances per class (``of="classes"``) or uses per property (``"properties"``) in
        every graph, long form: ``graph``, ``term`` (a prefixed name), ``count``."""
        if of not in ("classes", "properties"):
            raise ValueError(f"counts of 'classes' or 'properties', not {of!r}")
        rows = [(s.name, t, n) for s in stats(self.dataset) for t, n in getattr(s, of).items()]
        return pd.DataFrame(rows, columns=["graph", "term", "count"])

    def inferences(self) -> pd.DataFrame:
        """Every triple of the inferred graph with the OWL 2 RL rule that derives it."""
        rows = []
        for triple in sorted(self.graph("inferred")):
            rule = self.explainer.explain(triple).rule
            rows.append(dict(zip(("subject", "predicate", "object"), triple, strict=True)))
            rows[-1]["rule"] = Literal(rule)
        table = frame(["rule", "subject", "predicate", "object"], rows, self.labels)
        table.insert(1, "rule_summary", table["rule"].map(lambda r: RULES[r].summary))
        return table

    def explain(self, subject: str, predicate: str, obj: str) -> Explanation:
        """Why a triple holds (:class:`filmgraph.Explanation`). Terms are IRIs, prefixed
        names (``a`` for rdf:type) or Turtle literals (``'"2019"^^xsd:gYear'``).

        >>> from filmgraph.analysis import open_dataset
        >>> why = open_dataset().explain("fgid:kantemir-balagov", "a", "fg:FilmDirector")
        >>> why.rule, [p.kind for p in why.premises]
        ('cax-eqc2', ['axiom', 'inferred'])
        """
        words = [t.n3() if isinstance(t, Node) else t for t in (subject, predicate, obj)]
        return self.explainer.explain(parse_triple(*words))

    def explain_text(self, subject: str, predicate: str, obj: str) -> str:
        """:meth:`explain` as an indented tree, down to the document's words."""
        return explanation_text(self.explain(subject, predicate, obj), self.dataset)

    def provenance(self) -> pd.DataFrame:
        """Every fact with provenance and the words of the document that state it: one row
        per fact and quote, in document order (``start``, ``end``: code-point offsets)."""
        rows = [
            {
                **dict(zip(("subject", "predicate", "object"), triple, strict=True)),
                **{k: Literal(v) for k, v in quote.as_dict().items() if k != "source"},
            }
            for triple, quotes in quote_index(self.dataset).items()
            for quote in quotes
        ]
        columns = ["subject", "predicate", "object", "quote", "sentence", "start", "end", "claim"]
        table = frame(columns, rows, self.labels)
        order = ["start", "subject", "predicate", "object"]
        return table.sort_values(order, key=sortable).reset_index(drop=True)

    def wikidata(self) -> pd.DataFrame:
        """The document against Wikidata (:func:`filmgraph.link.comparison.compare`): one row
        per claim about a linked entity, with its ``grade`` (ordered as in ``GRADES``)."""
        report = compare(self.dataset, self.settings)
        rows = [
            {
                "entity": str(entity.entity),
                "name": entity.name,
                "item": entity.item,
                "property": c.mapping.label,
                "wikidata_property": c.mapping.property,
                "grade": c.grade,
                "document": c.document.text,
                "wikidata": ", ".join(v.text for v in c.wikidata) or None,
                "quote": " / ".join(q.exact for q in c.quotes) or None,
                "reason": c.reason,
            }
            for entity in report.entities
            for c in entity.claims
        ]
        table = pd.DataFrame(rows)
        table["grade"] = pd.Categorical(table["grade"], categories=GRADES, ordered=True)
        return table
