"""``/explain``: why a triple holds, over HTTP, as :command:`filmgraph explain` says it.

``GET /explain?s=SUBJECT&p=PREDICATE&o=OBJECT`` takes the same words as the command (IRIs,
prefixed names, ``a``, Turtle literals); the answer is JSON (default, or ``format=json``)
or the indented text (``Accept: text/plain`` or ``format=text``). A triple the dataset
does not hold is a 404; a malformed term a 400.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from ..core import QueryError
from ..reason import explanation_json, explanation_text, parse_triple
from .app_state import current
from .negotiation import parse_accept

blueprint = Blueprint("explain", __name__)


@blueprint.route("/explain")
def explain() -> Response:
    words = [request.args.get(name, "").strip() for name in ("s", "p", "o")]
    if not all(words):
        raise QueryError("explain needs three parameters: s (subject), p (predicate), o (object)")
    fmt = request.args.get("format")
    if fmt is None:
        best = parse_accept(request.headers.get("Accept")).best_match(
            ["application/json", "text/plain"]
        )
        fmt = "text" if best == "text/plain" else "json"
    if fmt not in ("json", "text"):
        raise QueryError(f"format must be json or text, not {fmt!r}")
    state = current()
    explanation = state.explainer.explain(parse_triple(*words))
    if fmt == "text":
        return Response(explanation_text(explanation, state.dataset), mimetype="text/plain")
    return jsonify(explanation_json(explanation, state.dataset))
