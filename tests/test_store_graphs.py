"""Named graphs of an Oxigraph store counted and emptied (filmgraph.query.store_graphs): a
graph removed a batch at a time leaves the other graphs as they were."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from filmgraph.query import drop, graph_size, remove_quads, store_graphs

A, B = ox.NamedNode("urn:g:a"), ox.NamedNode("urn:g:b")


def _store(n: int) -> ox.Store:
    store = ox.Store()
    p = ox.NamedNode("urn:p")
    for graph in (A, B):
        store.extend(
            ox.Quad(ox.NamedNode(f"urn:s{i}"), p, ox.Literal(str(i)), graph) for i in range(n)
        )
    return store


@pytest.mark.parametrize("batch", [3, 10, 1000])
def test_a_graph_is_dropped_in_batches_and_the_others_are_kept(monkeypatch, batch):
    monkeypatch.setattr(store_graphs, "BATCH", batch)
    store = _store(25)
    assert graph_size(store, A) == graph_size(store, B) == 25
    drop(store, A)
    assert graph_size(store, A) == 0 and graph_size(store, B) == 25
    assert list(store.named_graphs()) == [B]  # its name went too
    drop(store, A)  # a graph that is not there: nothing to do
    assert graph_size(store, B) == 25


def test_the_quads_given_are_removed_and_no_others(monkeypatch):
    monkeypatch.setattr(store_graphs, "BATCH", 4)
    store = _store(10)
    chosen = [q for q in store.quads_for_pattern(None, None, None, B) if int(q.object.value) % 2]
    remove_quads(store, iter(chosen))
    left = {int(q.object.value) for q in store.quads_for_pattern(None, None, None, B)}
    assert left == {0, 2, 4, 6, 8} and graph_size(store, A) == 10
