"""SPARQL results as pandas DataFrames with Python types, IRIs and their labels side by side.

One conversion for every source (a built dataset or a remote endpoint), so the same query
gives the same DataFrame wherever it runs:

==========================================  ===============================================
RDF term                                    Python value (column dtype)
==========================================  ===============================================
IRI                                         ``str`` of the IRI, and a ``<column>_label``
                                            column next to it: its ``schema:name`` (else
                                            ``rdfs:label``), or None when it has neither
blank node                                  ``"_:id"``
``xsd:date``                                ``datetime.date`` (object column)
``xsd:dateTime``                            ``pandas.Timestamp`` (``datetime64`` column)
``xsd:gYear``                               ``int``, the year (``Int64`` column)
``xsd:integer`` and its subtypes            ``int`` (``Int64`` column)
``xsd:decimal``, ``xsd:double``, ...        ``float`` (``float64`` column)
``xsd:boolean``                             ``bool`` (``boolean`` column)
any other literal (plain, language-tagged,  ``str``: its lexical form (language tags are
``xsd:gYearMonth``, ill-typed, ...)         dropped)
unbound                                     the column's missing value: None (object),
                                            NaN (float64), NaT (datetime64), <NA> (Int64,
                                            boolean)
==========================================  ===============================================

A column mixing kinds (IRIs and literals, dates and years) is an object column of the values
above.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

import pandas as pd
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDFS, XSD
from rdflib.term import Node

from ..core import SCHEMA

#: Looks up labels for IRIs: what a source gives :func:`frame`.
Labeller = Callable[[Iterable[URIRef]], Mapping[URIRef, str]]

_PLAIN = (bool, int, float, str, datetime.date, datetime.time)
_YEAR = re.compile(r"^(-?\d{4,})")


def python_value(term: Node | None) -> object:
    """The Python value of an RDF term, as in the table above.

    >>> python_value(Literal("1991-01-25", datatype=XSD.date))
    datetime.date(1991, 1, 25)
    >>> python_value(Literal("2017", datatype=XSD.gYear))
    2017
    >>> python_value(Literal("2.50", datatype=XSD.decimal))
    2.5
    >>> python_value(Literal("directing", lang="en"))
    'directing'
    >>> python_value(URIRef("https://w3id.org/filmgraph/id/closeness"))
    'https://w3id.org/filmgraph/id/closeness'
    >>> python_value(None) is None
    True
    """
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    if not isinstance(term, Literal):
        return str(term)
    if term.datatype == XSD.gYear and (match := _YEAR.match(str(term))):
        return int(match.group(1))
    if term.language or term.ill_typed:
        return str(term)
    value = term.toPython()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Literal) or not isinstance(value, _PLAIN):  # no Python type for it
        return str(term)
    return value


def frame(
    variables: Sequence[str],
    rows: Iterable[Mapping[str, Node | None]],
    labeller: Labeller | None = None,
) -> pd.DataFrame:
    """A DataFrame of SPARQL solutions: one column per variable (in order), values and
    dtypes as in the table above, and after each column holding IRIs a ``<name>_label``
    column (unless the query already has a variable of that name, or ``labeller`` is None).

    >>> from filmgraph.core.namespaces import FGID
    >>> rows = [{"film": FGID.closeness, "year": Literal("2017", datatype=XSD.gYear)},
    ...         {"film": FGID.beanpole, "year": None}]
    >>> df = frame(["film", "year"], rows, lambda iris: {FGID.closeness: "Closeness"})
    >>> df[["film_label", "year"]]
      film_label  year
    0  Closeness  2017
    1       None  <NA>
    >>> df.dtypes.to_dict()
    {'film': dtype('O'), 'film_label': dtype('O'), 'year': Int64Dtype()}
    """
    rows = list(rows)
    terms = {v: [row.get(v) for row in rows] for v in variables}
    iris = {v: [t for t in terms[v] if isinstance(t, URIRef)] for v in variables}
    wanted = {iri for column in iris.values() for iri in column}
    labels = labeller(wanted) if labeller is not None and wanted else {}
    columns: dict[str, pd.Series] = {}
    for v in variables:
        columns[v] = series([python_value(t) for t in terms[v]])
        if labeller is not None and iris[v] and f"{v}_label" not in variables:
            found = [labels.get(t) if isinstance(t, URIRef) else None for t in terms[v]]
            columns[f"{v}_label"] = pd.Series(found, dtype=object)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))


def series(values: list[object]) -> pd.Series:
    """A column of Python values with the dtype that fits them all (see the table above)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="boolean")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="Int64")
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    if present and all(isinstance(v, datetime.datetime) for v in present):
        try:
            return pd.Series(pd.to_datetime(values))
        except (ValueError, TypeError):  # offsets that differ: keep the datetimes as they are
            pass
    return pd.Series(values, dtype=object)


def label_query(iris: Iterable[URIRef]) -> str:
    """The SPARQL that finds the names of ``iris``: ``schema:name`` in the default graph,
    ``rdfs:label`` in it or in any named graph (the ontology's labels of classes and
    properties live in a graph of their own). IRIs without either have no row. Read its
    answer with :func:`pick_labels`.

    (A UNION, not ``OPTIONAL``: rdflib 7.6 drops the ``VALUES`` rows an ``OPTIONAL`` right
    after them does not match.)
    """
    values = " ".join(f"<{iri}>" for iri in sorted(iris))
    return (
        f"SELECT ?iri ?name ?label WHERE {{ VALUES ?iri {{ {values} }}\n"
        f"  {{ ?iri <{SCHEMA.name}> ?name }} UNION {{ ?iri <{RDFS.label}> ?label }}\n"
        f"  UNION {{ GRAPH ?g {{ ?iri <{RDFS.label}> ?label }} }}\n}}"
    )


def pick_labels(rows: Iterable[Mapping[str, Node | None]]) -> dict[URIRef, str]:
    """One label per IRI from the rows of :func:`label_query`: a name before a label, an
    English or untagged one before others, then the first in code-point order.

    >>> from filmgraph.core.namespaces import FGID
    >>> pick_labels([{"iri": FGID.x, "name": None, "label": Literal("x", lang="ru")},
    ...              {"iri": FGID.x, "name": Literal("Ex", lang="en"), "label": None}])
    {rdflib.term.URIRef('https://w3id.org/filmgraph/id/x'): 'Ex'}
    """
    best: dict[URIRef, tuple[int, bool, str]] = {}
    for row in rows:
        iri = row["iri"]
        if not isinstance(iri, URIRef):
            continue
        for rank, key in enumerate(("name", "label")):
            value = row.get(key)
            if isinstance(value, Literal):
                language = value.language or ""
                foreign = bool(language) and not language.lower().startswith("en")
                candidate = (rank, foreign, str(value))
                if iri not in best or candidate < best[iri]:
                    best[iri] = candidate
    return {iri: choice[2] for iri, choice in sorted(best.items())}
