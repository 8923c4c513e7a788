"""The graph as networkx, through rdflib's ``rdflib.extras.external_graph_libs``.

Nodes are named by :func:`node_id`: an IRI by itself (``"https://w3id.org/filmgraph/id/..."``),
a literal by its N-Triples form, a blank node as ``_:id``; each has a ``label`` (its
``schema:name`` or ``rdfs:label``, else a prefixed name or the literal's text) and a
``kind`` (``iri``, ``literal`` or ``blank``). Each triple is one edge, keyed by its predicate
IRI, with ``predicate``, ``label`` (the predicate's), ``graph`` (the first of the graphs
holding the triple) and ``inferred`` (whether that graph is the inferred graph: reasoning
added it, the document does not state it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.extras.external_graph_libs import rdflib_to_networkx_multidigraph
from rdflib.namespace import RDF
from rdflib.term import Node

from ..core import NotFoundError, new_graph
from .frames import Labeller

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def node_id(term: Node) -> str:
    """The networkx node of an RDF term.

    >>> from rdflib.namespace import XSD
    >>> node_id(URIRef("https://w3id.org/filmgraph/id/closeness"))
    'https://w3id.org/filmgraph/id/closeness'
    >>> node_id(Literal("2017", datatype=XSD.gYear))
    '"2017"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    """
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return term.n3()
    return str(term)


def to_networkx(
    graphs: Mapping[str, Graph],
    labeller: Labeller,
    *,
    literals: bool = True,
    types: bool = True,
) -> nx.MultiDiGraph:
    """The triples of the named ``graphs`` as one MultiDiGraph (see the module's notes);
    ``literals=False`` leaves out triples with a literal object, ``types=False`` those of
    ``rdf:type``. Nodes and edges are in sorted order, so the same triples give the same
    graph, with its nodes in the same order.

    >>> from filmgraph.core.namespaces import FG, FGID, SCHEMA
    >>> asserted, inferred = Graph(), Graph()
    >>> _ = asserted.add((FGID.closeness, SCHEMA.director, FGID.kb))
    >>> _ = inferred.add((FGID.kb, FG.directed, FGID.closeness))
    >>> g = to_networkx({"asserted": asserted, "inferred": inferred}, lambda iris: {})
    >>> sorted((d["label"], d["inferred"]) for *_, d in g.edges(data=True))
    [('fg:directed', True), ('schema:director', False)]
    """
    origin: dict[tuple[Node, Node, Node], str] = {}
    for name, graph in graphs.items():
        for triple in graph:
            if not literals and isinstance(triple[2], Literal):
                continue
            if not types and triple[1] == RDF.type:
                continue
            origin.setdefault(triple, name)
    union = Graph()
    for triple in origin:
        union.add(triple)
    iris = {term for triple in origin for term in triple if isinstance(term, URIRef)}
    labels = dict(labeller(iris)) if iris else {}
    names = new_graph().namespace_manager

    def label(term: Node) -> str:
        if isinstance(term, URIRef):
            return labels.get(term) or term.n3(names)
        return str(term) if isinstance(term, Literal) else f"_:{term}"

    def edge(s: Node, p: Node, o: Node) -> dict[str, Any]:
        graph = origin[(s, p, o)]
        return {
            "key": str(p),
            "predicate": str(p),
            "label": label(p),
            "graph": graph,
            "inferred": graph == "inferred",
        }

    converted = rdflib_to_networkx_multidigraph(
        union, edge_attrs=edge, transform_s=node_id, transform_o=node_id
    )
    # rdflib's store iterates in no fixed order: nodes and edges are put in sorted order, so
    # that layouts and ties (in centralities, say) come out the same on every run
    network = nx.MultiDiGraph()
    for term in sorted({t for s, _, o in origin for t in (s, o)}, key=node_id):
        kind = (
            "iri" if isinstance(term, URIRef) else "blank" if isinstance(term, BNode) else "literal"
        )
        network.add_node(node_id(term), label=label(term), kind=kind)
    network.add_edges_from(sorted(converted.edges(keys=True, data=True), key=lambda e: e[:3]))
    return network


def neighbourhood(network: nx.MultiDiGraph, entity: Node, depth: int = 1) -> nx.MultiDiGraph:
    """``entity`` and the nodes within ``depth`` edges of it (either direction), with every
    edge between them.

    Raises:
        NotFoundError: the entity is not a node of ``network``.
    """
    node = node_id(entity)
    if node not in network:
        raise NotFoundError(f"<{entity}> is in none of the triples of the graph")
    undirected = network.to_undirected(as_view=True)
    near = nx.single_source_shortest_path_length(undirected, node, cutoff=depth)
    found = nx.MultiDiGraph()  # not network.subgraph(): its order would follow a set's
    found.add_nodes_from((n, data) for n, data in network.nodes(data=True) if n in near)
    found.add_edges_from(
        (u, v, k, data)
        for u, v, k, data in network.edges(keys=True, data=True)
        if u in near and v in near
    )
    found.graph["centre"] = node
    found.graph["distance"] = dict(near)
    return found


def layout(network: nx.MultiDiGraph, seed: int = 7) -> dict[str, Any]:
    """Node positions: for a :func:`neighbourhood`, its centre in the middle and each ring of
    nodes (one link away, two, ...) on a circle around it, in label order; otherwise a
    seeded spring layout. Either way the same graph gets the same positions."""
    distance = network.graph.get("distance")
    positions: dict[str, Any]
    if not distance:
        positions = nx.spring_layout(network, seed=seed)
        return positions
    rings: list[list[str]] = [[] for _ in range(max(distance.values()) + 1)]
    for node in sorted(network, key=lambda n: (network.nodes[n]["label"].lower(), n)):
        rings[distance[node]].append(node)
    positions = nx.shell_layout(network, nlist=rings)
    return positions


def draw(network: nx.MultiDiGraph, ax: Axes | None = None, *, seed: int = 7) -> Axes:
    """Draw a (small) network with matplotlib: nodes by label, asserted edges solid grey,
    inferred edges dashed blue (as on the entity pages), each edge named by its predicate
    (inferred ones with a ``*``). Positions come from :func:`layout`."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.subplots(figsize=(10, 7.5))[1]
    pos = layout(network, seed)
    nx.draw_networkx_nodes(network, pos, ax=ax, node_size=260, node_color="#f4d58d")
    nx.draw_networkx_labels(
        network,
        pos,
        dict(network.nodes(data="label")),
        ax=ax,
        font_size=8,
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
    )
    names: dict[tuple[str, str], list[str]] = {}
    for inferred, colour, style in ((False, "#777777", "solid"), (True, "#2b6cb0", "dashed")):
        edges = [(u, v) for u, v, d in network.edges(data=True) if d["inferred"] == inferred]
        for u, v, d in network.edges(data=True):
            if d["inferred"] == inferred:
                names.setdefault((u, v), []).append(d["label"] + ("*" if inferred else ""))
        nx.draw_networkx_edges(
            network,
            pos,
            edgelist=edges,
            ax=ax,
            edge_color=colour,
            style=style,
            arrowsize=10,
            node_size=260,
            connectionstyle="arc3,rad=0.12",
        )
    nx.draw_networkx_edge_labels(
        network,
        pos,
        {pair: ", ".join(sorted(set(words))) for pair, words in names.items()},
        ax=ax,
        font_size=6,
        font_color="#444444",
        connectionstyle="arc3,rad=0.12",
        bbox={"alpha": 0},
    )
    ax.set_axis_off()
    return ax
