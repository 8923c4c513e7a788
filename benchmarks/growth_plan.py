"""What the growth benchmark measures (benchmarks/growth.py) and reports
(benchmarks/growth_report.py): the backends, the reasoning engine, the memory target and the
typical queries."""

from __future__ import annotations

#: The backends, in table order: short name -> label.
BACKENDS: dict[str, str] = {
    "memory": "rdflib memory",
    "oxigraph": "embedded Oxigraph",
    "server": "Oxigraph server",
    "remote": "remote (Oxigraph server)",
}
#: The HTTP target (benchmarks.endpoints) of each backend.
HTTP_TARGETS = {
    "memory": "filmgraph",
    "oxigraph": "filmgraph-oxigraph",
    "server": "oxigraph",
    "remote": "filmgraph-remote",
}
#: The backends measured over HTTP alone (their query mix is timed one request at a time).
OVER_HTTP = ("server", "remote")
ENGINE = "reasonable"
SERVED_LIMIT_MB = 2048  # the target at 1M

#: Typical film-graph queries over the default graph (asserted + inferred), name -> text.
TYPICAL: dict[str, str] = {
    "label-regex": """# Films whose title starts with "silent r" (case-insensitive regex)
SELECT ?film ?title WHERE {
  ?film a schema:Movie ; schema:name ?title .
  FILTER(REGEX(?title, "^silent r", "i"))
}""",
    "films-per-director": """# The 100 directors with the most films (GROUP BY over every film)
SELECT ?director (COUNT(?film) AS ?films) WHERE {
  ?film a schema:Movie ; schema:director ?director .
}
GROUP BY ?director ORDER BY DESC(?films) ?director LIMIT 100""",
    "films-per-country": """# Films set in each country (transitive containedInPlace path)
SELECT ?country (COUNT(DISTINCT ?film) AS ?films) WHERE {
  ?film schema:contentLocation ?place .
  ?place schema:containedInPlace+ ?country .
  ?country a schema:Country .
}
GROUP BY ?country""",
    "films-2010-join": """# Films of 2010, their director's name and premiere festival (multi-join)
SELECT ?title ?director ?year ?festival WHERE {
  ?film a schema:Movie ; schema:name ?title ; schema:director ?d ;
    schema:datePublished ?year ; fg:premieredAt ?edition .
  ?d schema:name ?director .
  ?edition schema:superEvent ?f .
  ?f schema:name ?festival .
  FILTER(STR(?year) = "2010")
}""",
    "films-1999-optional-award": """# Films of 1999 and the award each won, if any (OPTIONAL)
SELECT ?film ?title ?award WHERE {
  ?film a schema:Movie ; schema:name ?title ; schema:datePublished ?year .
  FILTER(STR(?year) = "1999")
  OPTIONAL { ?film fg:wonAward ?a . ?a schema:name ?award }
}""",
}
