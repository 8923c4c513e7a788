"""Repairs for known bugs of rdflib's SPARQL engine, applied to one query's own trees.

Each repair works on the parse tree or algebra of a single query; none touches rdflib's
global state. Every one is tested against an independent engine (pyoxigraph).

- ``FILTER(false)`` ignored (rdflib issue 3381): the translator drops a filter whose
  expression is a Python-falsy literal (``false``, ``0``, ``""``). The literal is wrapped in
  an expression with the same effective boolean value before translation.
- ``VALUES ?x {}`` crashing (``'list' object has no attribute 'name'``): an inline data block
  without rows is given a marker row before translation, and the marker removed after, so
  it evaluates to the empty solution sequence it stands for.
- ``CONSTRUCT WHERE { ... } LIMIT n`` raising (rdflib issue 1785): the short form's template
  is looked for under the LIMIT; the template is set from the pattern instead.
"""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.plugins.sparql.operators import ConditionalAndExpression, simplify
from rdflib.plugins.sparql.parserutils import CompValue, Expr

_EMPTY_VALUES = URIRef("urn:filmgraph:empty-values-block")


def fix_parse_tree(tree: Any) -> None:
    """Apply the repairs that must happen before translation, in place.

    (A CompValue's ``.get(key)`` returns the key itself when it is missing; attribute access
    returns None, so this module uses attributes.)
    """
    for node in walk(tree):
        if node.name == "Filter":
            expr = simplify(node["expr"])
            if isinstance(expr, Literal) or getattr(expr, "name", None) == "literal":
                expr = _same_truth(expr)
            node["expr"] = expr
        elif node.name in ("InlineData", "ValuesClause") and node.var and not node.value:
            width = len(node["var"])
            node["value"] = [_EMPTY_VALUES] if width == 1 else [[_EMPTY_VALUES] * width]


def fix_algebra(algebra: CompValue) -> None:
    """Apply the repairs that must happen after translation, in place."""
    for node in walk(algebra):
        if node.name == "values" and any(_EMPTY_VALUES in row.values() for row in node["res"]):
            node["res"] = []
    if algebra.name == "ConstructQuery" and not algebra.template:
        bgps = [n for n in walk(algebra.p) if n.name == "BGP"]
        algebra["template"] = [t for bgp in bgps for t in bgp.triples]


def _same_truth(literal: Any) -> Expr:
    """An expression whose effective boolean value is the literal's, and which Python
    considers true (so the translator keeps it)."""
    expr = Expr("ConditionalAndExpression", ConditionalAndExpression, expr=literal)
    expr["other"] = [literal]
    return expr


def walk(node: Any) -> Any:
    """Every CompValue in a parse tree or algebra, depth first."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, CompValue):
            yield current
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)) or (
            hasattr(current, "asList") and not isinstance(current, (str, Literal))
        ):
            stack.extend(current)
