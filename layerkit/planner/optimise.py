"""The layer optimiser: an exact segmentation DP over good component orders, then local
search (`moves`, `refine`); the algorithm is described in docs/planner.md#algorithm.
Deterministic: ties break by component index.
"""

from __future__ import annotations

import heapq

import numpy as np

from . import moves, refine
from .instance import Instance

COARSE_MAX = 1200
LARGE = 5000  # components; above this only the best DP start is refined
START_SLACK = 0.02


def solve(pr: Instance, k_max: int) -> np.ndarray:
    """Layer index (bottom = 0) for every component; layers are consecutive from 0."""
    if pr.n == 0:
        return np.zeros(0, dtype=int)
    best: tuple[float, np.ndarray] | None = None
    starts = [_from_previous(pr, k_max)] if pr.prev is not None else \
        [_segment(pr, order, k_max) for order in _orders(pr)]
    if len(starts) > 1:
        # refining is the expensive part: only starts whose DP cost is close to the best
        # (the best DP start has won on every catalog measured)
        costs = [pr.cost_of(a, k_max) for a in starts]
        cut = min(costs) * (1 + START_SLACK)
        starts = [a for a, c in zip(starts, costs, strict=True) if c <= cut] \
            if pr.n < LARGE else [starts[costs.index(min(costs))]]
    for assign in starts:
        assign = moves.improve(pr, assign, k_max)
        if pr.independent and pr.prev is None:
            assign = refine.split_merge(pr, assign, k_max, refine.RateObjective(pr))
            assign = moves.improve(pr, assign, k_max)
        if pr.events is not None:
            assign = refine.improve_history(pr, assign, k_max)
            if pr.prev is None:
                assign = refine.split_merge(pr, assign, k_max, refine.HistoryObjective(pr))
                assign = refine.improve_history(pr, assign, k_max)
        c = pr.cost_of(assign, k_max)
        if best is None or c < best[0] - 1e-9 * max(c, 1.0):
            best = (c, assign)
    assert best is not None
    return _compact(pr, best[1])


def _orders(pr: Instance) -> list[np.ndarray]:
    idx = np.arange(pr.n)
    ratio = pr.rate / np.maximum(pr.size, 1.0)
    if pr.independent:
        # hot components together, cold ones together; the ratio order is right when most
        # layers change rarely (cost ~ S*R), the rate order when they change often
        # and, for hot images where most layers change anyway, by how much a component costs
        # alone: the costly ones end up cut apart, the cheap ones share a layer
        alone = pr.size * -np.expm1(-pr.rate * pr.years)
        return [np.lexsort((idx, -pr.size, pr.rate)), np.lexsort((idx, -pr.size, ratio)),
                np.lexsort((idx, alone))]
    below = np.array([pr.size[u] + sum(pr.size[v] for v in pr.dependents[u]) for u in range(pr.n)])
    keys = [pr.rate, ratio, pr.rate / np.maximum(below, 1.0)]
    return [_topological(pr, key) for key in keys]


def _topological(pr: Instance, key: np.ndarray) -> np.ndarray:
    """Kahn's algorithm picking the ready component with the smallest key (stable first)."""
    waiting = [len(d) for d in pr.deps]
    heap = [(key[u], u) for u in range(pr.n) if waiting[u] == 0]
    heapq.heapify(heap)
    out = []
    while heap:
        _, u = heapq.heappop(heap)
        out.append(u)
        for v in pr.dependents[u]:
            waiting[v] -= 1
            if waiting[v] == 0:
                heapq.heappush(heap, (key[v], v))
    if len(out) != pr.n:
        raise ValueError("dependency cycle among components")  # components.py condenses them
    return np.array(out, dtype=int)


def _runs(pr: Instance, order: np.ndarray) -> list[np.ndarray]:
    """Cut the order into at most COARSE_MAX contiguous runs; the biggest components stay alone."""
    if len(order) <= COARSE_MAX:
        return [order[i:i + 1] for i in range(len(order))]
    alone = set(np.argsort(-pr.size, kind="stable")[: COARSE_MAX // 2].tolist())
    per_run = max(1, -(-(len(order) - len(alone)) // (COARSE_MAX // 2)))
    runs, current = [], []
    for u in order.tolist():
        if u in alone:
            if current:
                runs.append(np.array(current))
                current = []
            runs.append(np.array([u]))
        else:
            current.append(u)
            if len(current) >= per_run:
                runs.append(np.array(current))
                current = []
    if current:
        runs.append(np.array(current))
    return runs


def _segment(pr: Instance, order: np.ndarray, k_max: int) -> np.ndarray:
    """Optimal cut of the (coarsened) order into at most k_max contiguous layers."""
    runs = _runs(pr, order)
    m = len(runs)
    if m == len(order):  # one component per run: its size is the run's
        sizes, rates = pr.size[order], pr.rate[order]
    else:
        sizes = np.array([pr.size[r].sum() for r in runs])
        rates = np.array([pr.rate[r].sum() for r in runs])
    S = np.concatenate(([0.0], np.cumsum(sizes)))
    L = np.concatenate(([0.0], np.cumsum(rates)))
    # CT[j, i]: cost of one layer holding runs [i, j) (read below the diagonal only),
    # computed in place: (S[j] - S[i]) * p(L[j] - L[i]), p(x) = -expm1(-x * years)
    CT = np.subtract.outer(S, S)
    if pr.independent:
        p = np.subtract.outer(L, L)
        np.negative(p, out=p)
        np.multiply(p, pr.years, out=p)
        np.expm1(p, out=p)
        np.negative(p, out=p)
        CT *= p
    else:  # (S[j] - S[i] + h) * p(base + L[j])
        CT += pr.h
        CT *= pr.p(pr.base + L)[:, None]
    k_top = min(k_max, m)
    # dp[k, j]: best cost of runs [0, j) in exactly k layers (inf where impossible);
    # back[k, j]: where its top layer starts. Row by row, all layer counts at once: row j
    # needs only rows i < j, and only the triangle below the diagonal is ever read.
    dp = np.full((k_top + 1, m + 1), np.inf)
    dp[1, 1:] = CT[1:, 0]
    back = np.zeros((k_top + 1, m + 1), dtype=int)
    rows = np.arange(k_top)
    for j in range(2, m + 1):
        top = min(j, k_top)  # more layers than runs: impossible
        total = dp[1:top, :j] + CT[j, :j]
        arg = total.argmin(axis=1)
        dp[2:top + 1, j] = total[rows[: top - 1], arg]
        back[2:top + 1, j] = arg
    best_k, best = 1, dp[1, m]
    for k in range(2, k_top + 1):
        if dp[k, m] < best - 1e-9 * max(best, 1.0):
            best_k, best = k, dp[k, m]
    cuts, j = [], m
    for k in range(best_k, 0, -1):
        i = int(back[k, j]) if k > 1 else 0
        cuts.append((i, j))
        j = i
    assign = np.zeros(pr.n, dtype=int)
    for layer, (i, j) in enumerate(reversed(cuts)):
        for r in runs[i:j]:
            assign[r] = layer
    return assign


def _from_previous(pr: Instance, k: int) -> np.ndarray:
    """Components stay in their previous layers (clamped to k); new ones go where they cost
    least; in the containerfile model a component is lifted above its dependencies."""
    assert pr.prev is not None
    assign = np.where(pr.prev >= 0, np.minimum(pr.prev, k - 1), -1)
    order = _topological(pr, np.arange(pr.n, dtype=float)) if not pr.independent \
        else np.arange(pr.n)
    placed = assign >= 0
    for u in order.tolist():
        lo = max((assign[d] for d in pr.deps[u]), default=0) if not pr.independent else 0
        if assign[u] < 0:
            trial = assign.copy()
            best, best_b = None, lo
            for b in range(lo, k):
                trial[u] = b
                mask = placed.copy()
                mask[u] = True
                c = _partial_cost(pr, trial, mask, k)
                if best is None or c < best - 1e-12:
                    best, best_b = c, b
            assign[u] = best_b
            placed[u] = True
        elif assign[u] < lo:
            assign[u] = lo
    return assign


def _partial_cost(pr: Instance, assign: np.ndarray, mask: np.ndarray, k: int) -> float:
    sub = np.where(mask, assign, 0)
    S = np.bincount(sub, pr.size * mask, k)
    L = np.bincount(sub, pr.rate * mask, k)
    if pr.independent:
        return float(np.sum(S * pr.p(L)))
    used = np.bincount(sub, mask.astype(float), k) > 0
    return float(np.sum((S + pr.h * used) * pr.p(pr.base + np.cumsum(L))))


def _compact(pr: Instance, assign: np.ndarray) -> np.ndarray:
    """Drop empty layers; independent layers are ordered stable first (by rate, size)."""
    used = sorted(set(assign.tolist()))
    if pr.independent:
        L = {j: pr.rate[assign == j].sum() for j in used}
        S = {j: pr.size[assign == j].sum() for j in used}
        used.sort(key=lambda j: (L[j], -S[j], j))
    remap = {old: new for new, old in enumerate(used)}
    return np.array([remap[a] for a in assign.tolist()], dtype=int)
