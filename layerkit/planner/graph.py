"""Directed graphs for the planner, in plain Python: what `components` needs and no more.

A graph maps each node to its successors, both in insertion order (a dict of dicts used
as ordered sets), so every walk below visits nodes and edges in the order they were
added and gives the same answer for the same input.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable

Graph = dict  # node -> {successor: None}, both in insertion order
_END = object()


def add_node(g: Graph, node) -> None:
    g.setdefault(node, {})


def add_edge(g: Graph, u, v) -> None:
    g.setdefault(u, {})[v] = None
    g.setdefault(v, {})


def find_cycle(g: Graph) -> list | None:
    """The first cycle a depth-first search meets (starts and edges taken in insertion
    order) as its nodes, the first repeated at the end; None for an acyclic graph."""
    done: set = set()
    for start in g:
        if start in done:
            continue
        path, on_path, edges = [start], {start}, [iter(g[start])]
        while edges:
            v = next(edges[-1], _END)
            if v is _END:
                u = path.pop()
                on_path.discard(u)
                done.add(u)
                edges.pop()
            elif v in on_path:
                return path[path.index(v):] + [v]
            elif v not in done:
                path.append(v)
                on_path.add(v)
                edges.append(iter(g[v]))
    return None


def descendants(g: Graph, node) -> set:
    """Every node reachable from `node`, without it (unless on a cycle through it)."""
    seen: set = set()
    stack = list(g[node])
    while stack:
        v = stack.pop()
        if v not in seen:
            seen.add(v)
            stack.extend(w for w in g[v] if w not in seen)
    seen.discard(node)
    return seen


def strongly_connected(g: Graph) -> list[list]:
    """Strongly connected components (Tarjan's algorithm, iterative), each found as the
    depth-first search from the nodes in insertion order completes it: a component
    comes after every component it reaches."""
    index: dict = {}
    low: dict = {}
    stack: list = []
    on_stack: set = set()
    out: list[list] = []
    for root in g:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(g[root]))]
        while work:
            v, succ = work[-1]
            w = next(succ, _END)
            if w is not _END:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(g[w])))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
    return out


def dependencies_first(succ: list[Iterable[int]], key: Callable[[int], object]) -> list[int]:
    """Nodes 0..n-1 of an acyclic graph (succ[i]: what i depends on) ordered so that each
    comes after everything it depends on; of the nodes ready at once, the one with the
    smallest key first (Kahn's algorithm with a heap). Keys must differ."""
    waiting = [0] * len(succ)
    dependents: list[list[int]] = [[] for _ in succ]
    for i, ds in enumerate(succ):
        for d in ds:
            waiting[i] += 1
            dependents[d].append(i)
    ready = [(key(i), i) for i in range(len(succ)) if waiting[i] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, i = heapq.heappop(ready)
        order.append(i)
        for j in dependents[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, (key(j), j))
    if len(order) != len(succ):
        raise ValueError("the graph has a cycle")
    return order
