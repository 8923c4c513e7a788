"""Repairs for known bugs of rdflib's SPARQL engine, applied to one query's own trees.

Each repair works on the parse tree or algebra of a single query; none changes rdflib's
behaviour for anyone else (one adds accumulators to rdflib's table under names of its
own). Every one is tested against an independent engine (pyoxigraph).

- ``FILTER(false)`` ignored (rdflib issue 3381): the translator drops a filter whose
  expression is a Python-falsy literal (``false``, ``0``, ``""``). The literal is wrapped in
  an expression with the same effective boolean value before translation.
- ``VALUES ?x {}`` crashing (``'list' object has no attribute 'name'``): an inline data block
  without rows is given a marker row before translation, and the marker removed after, so
  it evaluates to the empty solution sequence it stands for.
- ``CONSTRUCT WHERE { ... } LIMIT n`` raising (rdflib issue 1785): the short form's template
  is looked for under the LIMIT; the template is set from the pattern instead. (And an
  explicitly empty template, ``CONSTRUCT {} WHERE``, stays empty.)
- ``VALUES () {}`` / ``VALUES () { () }`` (no variables) crashing: given a stand-in
  variable, with no rows or with rows that bind nothing, as the block means.
- ``LIMIT`` / ``OFFSET`` beyond ``sys.maxsize`` raising: clamped (no result is that long).
- An invalid regular expression in ``REGEX`` / ``REPLACE`` raising ``re.error``: made the
  expression error SPARQL says it is (a FILTER on it is false, a BIND leaves it unbound).
- ``ORDER BY`` on an expression that errors for some rows raising ``TypeError``: such rows
  sort first, with the unbound ones, as SPARQL orders them (and so do rows where an
  ORDER BY variable is unbound, e.g. by an OPTIONAL).
- ``VALUES`` followed by ``OPTIONAL`` dropping the rows the OPTIONAL does not match: the
  translator never counts a VALUES block's variables among those a pattern binds, and the
  evaluator scopes OPTIONAL (and BIND, FILTER) with that count. They are added (see
  :func:`_count_values_variables`).
- ``SUM`` / ``AVG`` / ``MIN`` / ``MAX`` / ``SAMPLE`` / ``GROUP_CONCAT`` with ``DISTINCT``
  raising "Variable x is not bound" when a row leaves the value unbound (``SELECT
  (SUM(DISTINCT ?x) AS ?y) {}``, W3C syntax-query test_11): the aggregate is evaluated by
  an accumulator that skips the row, as without DISTINCT.
"""

from __future__ import annotations

import re
import sys
from collections import OrderedDict
from typing import Any

from rdflib import Literal, URIRef, Variable
from rdflib.plugins.sparql.aggregates import Accumulator, Aggregator
from rdflib.plugins.sparql.operators import ConditionalAndExpression, simplify
from rdflib.plugins.sparql.parserutils import CompValue, Expr, value
from rdflib.plugins.sparql.sparql import NotBoundError, SPARQLError
from rdflib.term import Identifier

_EMPTY_VALUES = URIRef("urn:filmgraph:empty-values-block")
_STAND_IN = Variable("filmgraph_no_variable")
_UNORDERABLE = Variable("filmgraph_expression_error")
_NOTHING = [(_STAND_IN, _STAND_IN, _STAND_IN)]  # a template that never fills


def fix_parse_tree(tree: Any) -> bool:
    """Apply the repairs that must happen before translation, in place. Returns whether the
    query is the short form ``CONSTRUCT WHERE { ... }`` (translation forgets it).

    (A CompValue's ``.get(key)`` returns the key itself when it is missing; attribute access
    returns None, so this module uses attributes.)
    """
    short_construct = False
    for node in walk(tree):
        if node.name == "Filter":
            expr = simplify(node["expr"])
            if isinstance(expr, Literal) or getattr(expr, "name", None) == "literal":
                expr = _same_truth(expr)
            node["expr"] = expr
        elif node.name in ("InlineData", "ValuesClause") and not node.var:
            rows = len(node.value or [])
            node["var"] = [_STAND_IN]
            node["value"] = ["UNDEF"] * rows if rows else [_EMPTY_VALUES]
        elif node.name in ("InlineData", "ValuesClause") and not node.value:
            width = len(node["var"])
            node["value"] = [_EMPTY_VALUES] if width == 1 else [[_EMPTY_VALUES] * width]
        elif node.name == "ConstructQuery":
            short_construct = getattr(node.where, "name", "") == "FakeGroupGraphPatten"
    return short_construct


def fix_algebra(algebra: CompValue, short_construct: bool = False) -> None:
    """Apply the repairs that must happen after translation, in place."""
    has_values = False
    for node in walk(algebra):
        if node.name == "values":
            has_values = True
            if any(_EMPTY_VALUES in row.values() for row in node["res"]):
                node["res"] = []
        elif node.name == "Slice":
            limit = sys.maxsize // 4
            node["start"] = min(node.start or 0, limit)
            if node.length is not None:
                node["length"] = min(node.length, limit)
        elif node.name in ("Builtin_REGEX", "Builtin_REPLACE") and isinstance(node, Expr):
            node._evalfn = _regex_errors_are_sparql_errors(node._evalfn)
        elif node.name == "OrderBy":
            for condition in node.expr:
                condition["expr"] = Expr("OrderKey", _order_key, key=condition.expr)
        elif node.name in _SKIPPING_UNBOUND and node.distinct:
            node.name = _SKIPPING_UNBOUND[node.name]
    if has_values:
        _count_values_variables(algebra)
    if algebra.name == "ConstructQuery" and not algebra.template:
        if short_construct:
            bgps = [n for n in walk(algebra.p) if n.name == "BGP"]
            algebra["template"] = [t for bgp in bgps for t in bgp.triples]
        else:
            algebra["template"] = _NOTHING


def _count_values_variables(node: Any) -> set[Variable]:
    """Add the variables of the VALUES blocks inside ``node`` to the ``_vars`` of every node
    that encloses them, in place; returns them.

    The cause: after translating, rdflib records in each algebra node's ``_vars`` the
    variables the pattern may bind (``algebra._addVars``, over ``_traverseAgg``). That pass
    does not look into dicts, and a VALUES block's rows (``values.res``) are dicts, so a
    VALUES block binds nothing as far as ``_vars`` says, and neither does a group made of one.
    The evaluator uses ``_vars`` to scope a solution: ``evalLeftJoin``, when no OPTIONAL
    solution is compatible with a left row, checks the OPTIONAL again with only the left
    pattern's own variables (``a.remember(p1._vars)``, so bindings pushed in from outside by a
    lazy join do not count) and keeps the row only if nothing matches. Without the VALUES
    variables that check runs with them unbound, so any match of the OPTIONAL anywhere in the
    data drops the row. (``evalExtend`` and ``evalFilter`` scope with ``_vars`` too: in a group
    joined to an outer pattern that binds the same variable, a BIND or a comparison in a
    FILTER saw the group's VALUES variable unbound.)

    Affected: a VALUES block (inline, with one or several variables, UNDEF or not, alone or
    in a nested group or a UNION branch) on the left of an OPTIONAL whose left side binds a
    VALUES variable the OPTIONAL uses, and nothing else in that left side binds it (a triple
    pattern with the same variable counts it), and the OPTIONAL (with its FILTER) matches
    something with that variable free. A trailing ``VALUES`` clause after the WHERE is not
    affected (it is joined after the OPTIONAL has been evaluated), nor is one after the
    OPTIONAL in the group.

    The repair adds only what rdflib's own pass would have found, had it read the rows: a
    node's variables plus those of the VALUES blocks below it, except under a BIND's
    expression and a comparison, which that pass leaves out too.
    """
    found: set[Variable] = set()
    if isinstance(node, CompValue):
        if node.name == "values":
            found = {var for row in node.res for var in row}
        else:
            for key, child in node.items():
                if key != "_vars" and not (node.name == "Extend" and key == "expr"):
                    found |= _count_values_variables(child)
        if found and node.name != "RelationalExpression":
            node["_vars"] = (node._vars or set()) | found
        return set() if node.name == "RelationalExpression" else found
    if isinstance(node, (list, tuple)) or (
        hasattr(node, "asList") and not isinstance(node, (str, Literal))
    ):
        for child in node:
            found |= _count_values_variables(child)
    return found


def _regex_errors_are_sparql_errors(evaluate: Any) -> Any:
    def guarded(ctx: Any) -> Any:
        try:
            return evaluate(ctx)
        except re.error as exc:
            raise SPARQLError(f"invalid regular expression: {exc}") from exc

    return guarded


def _order_key(expr: Expr, ctx: Any) -> Any:
    """The ORDER BY key of one row: the expression's value, or (for an error) a stand-in
    that sorts with the unbound values, first."""
    key = OrderedDict.__getitem__(expr, "key")  # raw: ``expr.key`` evaluates it, unbound raising
    try:
        result = value(ctx, key, variables=True)
    except SPARQLError:
        return _UNORDERABLE
    return result if isinstance(result, Identifier) else _UNORDERABLE


def _same_truth(literal: Any) -> Expr:
    """An expression whose effective boolean value is the literal's, and which Python
    considers true (so the translator keeps it)."""
    expr = Expr("ConditionalAndExpression", ConditionalAndExpression, expr=literal)
    expr["other"] = [literal]
    return expr


def _skipping_unbound(accumulator: type[Accumulator]) -> type[Accumulator]:
    """``accumulator`` whose DISTINCT test lets a row with the value unbound through, for
    its update to skip, as it does without DISTINCT (rdflib's raises NotBoundError)."""

    def use_row(self: Accumulator, row: Any) -> bool:
        try:
            return bool(accumulator.use_row(self, row))
        except NotBoundError:
            return True

    return type(f"{accumulator.__name__}SkippingUnbound", (accumulator,), {"use_row": use_row})


#: rdflib's aggregates whose DISTINCT fails on an unbound value (``SUM(DISTINCT ?x)`` over
#: one empty solution: "Variable x is not bound"; COUNT's does not): each DISTINCT
#: aggregate of a query is renamed to a fixed accumulator, registered under a name of its
#: own, so rdflib's own aggregates are left as they are.
_SKIPPING_UNBOUND = {
    name: f"{name}_filmgraph_skipping_unbound"
    for name in Aggregator.accumulator_classes
    if name != "Aggregate_Count"
}
Aggregator.accumulator_classes.update(
    {
        fixed: _skipping_unbound(Aggregator.accumulator_classes[name])
        for name, fixed in _SKIPPING_UNBOUND.items()
    }
)


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
