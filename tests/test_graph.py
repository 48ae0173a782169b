"""The planner's plain-Python graphs (layerkit/planner/graph.py) answer as networkx did
before them, walk orders included: plans and error messages depend on those orders."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from layerkit.planner import graph


def random_graph(seed: int) -> tuple[dict, nx.DiGraph]:
    rng = random.Random(seed)
    n = rng.randint(1, 30)
    p = rng.choice([0.02, 0.05, 0.1, 0.3])
    names = [f"n{rng.randint(0, 60)}" for _ in range(n)]
    g: dict = {}
    G = nx.DiGraph()
    for u in names:
        graph.add_node(g, u)
        G.add_node(u)
        for v in names:
            if rng.random() < p:
                graph.add_edge(g, u, v)
                G.add_edge(u, v)
    return g, G


@pytest.mark.parametrize("block", range(10))
def test_graph_walks_match_networkx(block):
    for seed in range(block * 200, (block + 1) * 200):
        g, G = random_graph(seed)
        sccs = [sorted(c) for c in graph.strongly_connected(g)]
        assert sccs == [sorted(c) for c in nx.strongly_connected_components(G)]
        try:
            cycle = nx.find_cycle(G)
            want = [cycle[0][0]] + [v for _, v in cycle]
        except nx.NetworkXNoCycle:
            want = None
        assert graph.find_cycle(g) == want
        assert all(graph.descendants(g, u) == nx.descendants(G, u) for u in g)
        comp_of = {u: i for i, c in enumerate(sccs) for u in c}
        ids = [c[0] if len(c) == 1 else "cycle:" + "+".join(c) for c in sccs]
        dag = nx.DiGraph()
        dag.add_nodes_from(range(len(sccs)))
        dag.add_edges_from((comp_of[u], comp_of[v]) for u, v in G.edges
                           if comp_of[u] != comp_of[v])
        want_order = list(nx.lexicographical_topological_sort(dag.reverse(copy=False),
                                                              key=lambda i: ids[i]))
        deps = [dict.fromkeys(dag.successors(i)) for i in range(len(sccs))]
        assert graph.dependencies_first(deps, key=lambda i: ids[i]) == want_order


def test_dependencies_first_refuses_a_cycle():
    with pytest.raises(ValueError):
        graph.dependencies_first([{1: None}, {0: None}], key=lambda i: i)
