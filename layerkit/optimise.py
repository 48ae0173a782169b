"""The layer optimiser: exact segmentation DP over good unit orders, then local search.

Both models are solved the same way:
1. order the units (several candidate orders; for the containerfile model only
   topological ones, so any cut of the order respects dependencies);
2. coarsen long orders into at most COARSE_MAX contiguous runs (big units stay alone);
3. cut the order into at most K contiguous layers by dynamic programming, optimal for
   that order (O(K·m²) vectorised);
4. move single units between layers while a move lowers the expected cost (respecting
   dependency order in the containerfile model), the best of the candidate orders wins.
Everything is deterministic: ties break by unit index.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

import numpy as np

from . import refine

COARSE_MAX = 1200
MAX_PASSES = 40
MIN_PASS_GAIN = 1e-6
LARGE = 5000  # units; above this only the best DP start is refined
START_SLACK = 0.02


class Problem:
    """Units as arrays: size s, rate lam, deps (indices of units each one depends on).

    Optional: `events` (units x update windows, True where the unit changed) makes the
    independent model's objective the observed one (mean bytes over the windows);
    `prev` (a previous layer per unit, -1 for new units) with `horizon` charges a unit
    moved out of its previous layer size/horizon per update: the one-off download of its
    bytes, spread over `horizon` updates.
    """

    def __init__(self, s: Sequence[float], lam: Sequence[float], deps: Sequence[Sequence[int]],
                 years: float, independent: bool, overhead: float = 0.0, base: float = 0.0,
                 events: np.ndarray | None = None, prev: Sequence[int] | None = None,
                 horizon: float = 26.0, history_prior: float = 0.5):
        self.s = np.asarray(s, dtype=float)
        self.lam = np.asarray(lam, dtype=float)
        self.deps = [list(d) for d in deps]
        self.n = len(self.s)
        self.years, self.independent = years, independent
        self.h = 0.0 if independent else float(overhead)
        self.base = 0.0 if independent else float(base)
        self.dependents: list[list[int]] = [[] for _ in range(self.n)]
        for u, ds in enumerate(self.deps):
            for d in ds:
                self.dependents[d].append(u)
        self.events = None
        if events is not None and independent and events.shape[1] > 0:
            self.events = np.asarray(events, dtype=np.int32)
        self.history_prior = history_prior
        self.prev = None if prev is None else np.asarray(prev, dtype=int)
        self.move_cost = self.s / horizon

    def penalty(self, u: int, k: int) -> np.ndarray | float:
        """Per-layer charge for placing unit u there, given its previous layer."""
        if self.prev is None or self.prev[u] < 0:
            return 0.0
        pen = np.full(k, self.move_cost[u])
        if self.prev[u] < k:
            pen[self.prev[u]] = 0.0
        return pen

    def moved_cost(self, assign: np.ndarray) -> float:
        if self.prev is None:
            return 0.0
        moved = (self.prev >= 0) & (self.prev != assign)
        return float(self.move_cost[moved].sum())

    def p(self, rate):
        return -np.expm1(-np.asarray(rate) * self.years)

    def cost_of(self, assign: np.ndarray, k: int) -> float:
        """The objective: expected bytes per update, plus move charges with `prev`."""
        return self.bytes_of(assign, k) + self.moved_cost(assign)

    def bytes_of(self, assign: np.ndarray, k: int) -> float:
        S = np.bincount(assign, self.s, k)
        if self.events is not None:
            obj = refine.HistoryObjective(self)
            return float(obj.cost(obj.stats(assign, k)).sum())
        L = np.bincount(assign, self.lam, k)
        if self.independent:
            return float(np.sum(S * self.p(L)))
        used = np.bincount(assign, minlength=k) > 0
        C = self.base + np.cumsum(L)
        return float(np.sum((S + self.h * used) * self.p(C)))


def solve(pr: Problem, k_max: int) -> np.ndarray:
    """Layer index (bottom = 0) for every unit; layers are consecutive from 0."""
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
        assign = _improve(pr, assign, k_max)
        if pr.independent and pr.prev is None:
            assign = refine.split_merge(pr, assign, k_max, refine.RateObjective(pr))
            assign = _improve(pr, assign, k_max)
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


def _orders(pr: Problem) -> list[np.ndarray]:
    idx = np.arange(pr.n)
    ratio = pr.lam / np.maximum(pr.s, 1.0)
    if pr.independent:
        # hot units together, cold ones together; the ratio order is right when most
        # layers change rarely (cost ~ S*R), the rate order when they change often
        # and, for hot images where most layers change anyway, by how much a unit costs
        # alone: the costly ones end up cut apart, the cheap ones share a layer
        alone = pr.s * -np.expm1(-pr.lam * pr.years)
        return [np.lexsort((idx, -pr.s, pr.lam)), np.lexsort((idx, -pr.s, ratio)),
                np.lexsort((idx, alone))]
    below = np.array([pr.s[u] + sum(pr.s[v] for v in pr.dependents[u]) for u in range(pr.n)])
    keys = [pr.lam, ratio, pr.lam / np.maximum(below, 1.0)]
    return [_topological(pr, key) for key in keys]


def _topological(pr: Problem, key: np.ndarray) -> np.ndarray:
    """Kahn's algorithm picking the ready unit with the smallest key (stable first)."""
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
        raise ValueError("dependency cycle among planning units")  # graph.py condenses them
    return np.array(out, dtype=int)


def _runs(pr: Problem, order: np.ndarray) -> list[np.ndarray]:
    """Cut the order into at most COARSE_MAX contiguous runs; the biggest units stay alone."""
    if len(order) <= COARSE_MAX:
        return [order[i:i + 1] for i in range(len(order))]
    alone = set(np.argsort(-pr.s, kind="stable")[: COARSE_MAX // 2].tolist())
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


def _segment(pr: Problem, order: np.ndarray, k_max: int) -> np.ndarray:
    """Optimal cut of the (coarsened) order into at most k_max contiguous layers."""
    runs = _runs(pr, order)
    m = len(runs)
    S = np.concatenate(([0.0], np.cumsum([pr.s[r].sum() for r in runs])))
    L = np.concatenate(([0.0], np.cumsum([pr.lam[r].sum() for r in runs])))
    # CT[j, i]: cost of one layer holding runs [i, j) (row-major for fast row minima)
    with np.errstate(invalid="ignore"):
        if pr.independent:
            CT = (S[:, None] - S[None, :]) * pr.p(L[:, None] - L[None, :])
        else:
            CT = (S[:, None] - S[None, :] + pr.h) * pr.p(pr.base + L)[:, None]
    CT[np.triu_indices(m + 1)] = np.inf
    k_top = min(k_max, m)
    dp = CT[:, 0].copy()  # dp[j]: best cost of runs [0, j) in exactly k layers
    back = [np.zeros(m + 1, dtype=int)]
    best_k, best = 1, dp[m]
    rows = np.arange(m + 1)
    for k in range(2, k_top + 1):
        total = CT + dp[None, :]
        arg = np.argmin(total, axis=1)
        dp = total[rows, arg]
        back.append(arg)
        if dp[m] < best - 1e-9 * max(best, 1.0):
            best_k, best = k, dp[m]
    cuts, j = [], m
    for k in range(best_k, 0, -1):
        i = int(back[k - 1][j]) if k > 1 else 0
        cuts.append((i, j))
        j = i
    assign = np.zeros(pr.n, dtype=int)
    for layer, (i, j) in enumerate(reversed(cuts)):
        for r in runs[i:j]:
            assign[r] = layer
    return assign


def _improve(pr: Problem, assign: np.ndarray, k: int) -> np.ndarray:
    """Single-unit moves while one lowers the cost; free layer slots sit on top. Stops
    when a whole pass gains less than MIN_PASS_GAIN of the cost."""
    if pr.independent:
        return _improve_independent(pr, assign, k)
    assign = assign.copy()
    for _ in range(MAX_PASSES):
        S = np.bincount(assign, pr.s, k)
        L = np.bincount(assign, pr.lam, k)
        N = np.bincount(assign, minlength=k)
        start = pr.cost_of(assign, k)
        tol = 1e-10 * max(start, 1.0)
        moved = 0
        for u in range(pr.n):
            a = assign[u]
            b = _best_ordered(pr, u, a, S, L, N, tol, assign)
            if b is None:
                continue
            S[a] -= pr.s[u]; L[a] -= pr.lam[u]; N[a] -= 1  # noqa: E702
            S[b] += pr.s[u]; L[b] += pr.lam[u]; N[b] += 1  # noqa: E702
            assign[u] = b
            moved += 1
        if not moved or start - pr.cost_of(assign, k) < MIN_PASS_GAIN * start:
            break
    return assign


def _improve_independent(pr: Problem, assign: np.ndarray, k: int) -> np.ndarray:
    """The independent model's single-unit moves, with each layer's (negated) cost kept
    up to date in F so scoring a unit's moves takes two vector operations."""
    assign = assign.copy()
    y = pr.years
    sizes, rates = pr.s.tolist(), pr.lam.tolist()
    for _ in range(MAX_PASSES):
        S = np.bincount(assign, pr.s, k)
        L = np.bincount(assign, pr.lam, k)
        F = S * np.expm1(-L * y)  # minus each layer's expected bytes
        start = -float(F.sum())
        tol = 1e-10 * max(start, 1.0)
        moved = 0
        for u in range(pr.n):
            a, s, lam = int(assign[u]), sizes[u], rates[u]
            gain = -F[a] + (S[a] - s) * math.expm1(-max(L[a] - lam, 0.0) * y)
            add = F - (S + s) * np.expm1(-(L + lam) * y)
            pen = pr.penalty(u, k)
            if isinstance(pen, np.ndarray):
                add += pen - pen[a]
            add[a] = np.inf
            b = int(add.argmin())
            if add[b] >= gain - tol:
                continue
            S[a] -= s; L[a] -= lam; S[b] += s; L[b] += lam  # noqa: E702
            F[a] = S[a] * math.expm1(-max(L[a], 0.0) * y)
            F[b] = S[b] * math.expm1(-L[b] * y)
            assign[u] = b
            moved += 1
        if not moved or start - pr.cost_of(assign, k) < MIN_PASS_GAIN * start:
            break
    return assign


def _best_ordered(pr, u, a, S, L, N, tol, assign):
    lo = max((assign[d] for d in pr.deps[u]), default=0)
    hi = min((assign[d] for d in pr.dependents[u]), default=len(S) - 1)
    if lo == hi:
        return None
    s, lam, h = pr.s[u], pr.lam[u], pr.h
    C = pr.base + np.cumsum(L)
    H = h * (N > 0)
    cost = (S + H) * pr.p(C)
    h_left = h if N[a] > 1 else 0.0
    # moving up to b > a: layers a..b-1 lose lam from their cumulative rate
    down = (S + H) * (pr.p(np.maximum(C - lam, 0.0)) - pr.p(C))
    # moving down to b < a: layers b..a-1 gain lam
    up = (S + H) * (pr.p(C + lam) - pr.p(C))
    delta = np.full(len(S), np.inf)
    if hi > a:
        bs = np.arange(a + 1, hi + 1)
        between = np.concatenate(([0.0], np.cumsum(down[a + 1:hi])))[: len(bs)]
        here = (S[a] - s + h_left) * pr.p(C[a] - lam) - cost[a]
        there = (S[bs] + s + h) * pr.p(C[bs]) - cost[bs]
        delta[bs] = here + between + there
    if lo < a:
        bs = np.arange(lo, a)
        # sum of up[j] for b < j < a
        tail = np.concatenate((np.cumsum(up[lo:a][::-1])[::-1][1:], [0.0]))
        here = (S[a] - s + h_left) * pr.p(C[a]) - cost[a]
        there = (S[bs] + s + h) * pr.p(C[bs] + lam) - cost[bs]
        delta[bs] = here + tail + there
    pen = pr.penalty(u, len(S))
    if isinstance(pen, np.ndarray):
        delta = delta + pen - pen[a]
    b = int(np.argmin(delta))
    return b if delta[b] < -tol else None


def _from_previous(pr: Problem, k: int) -> np.ndarray:
    """Units stay in their previous layers (clamped to k); new ones go where they cost
    least; in the containerfile model a unit is lifted above its dependencies."""
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


def _partial_cost(pr: Problem, assign: np.ndarray, mask: np.ndarray, k: int) -> float:
    sub = np.where(mask, assign, 0)
    S = np.bincount(sub, pr.s * mask, k)
    L = np.bincount(sub, pr.lam * mask, k)
    if pr.independent:
        return float(np.sum(S * pr.p(L)))
    used = np.bincount(sub, mask.astype(float), k) > 0
    return float(np.sum((S + pr.h * used) * pr.p(pr.base + np.cumsum(L))))


def _compact(pr: Problem, assign: np.ndarray) -> np.ndarray:
    """Drop empty layers; independent layers are ordered stable first (by rate, size)."""
    used = sorted(set(assign.tolist()))
    if pr.independent:
        L = {j: pr.lam[assign == j].sum() for j in used}
        S = {j: pr.s[assign == j].sum() for j in used}
        used.sort(key=lambda j: (L[j], -S[j], j))
    remap = {old: new for new, old in enumerate(used)}
    return np.array([remap[a] for a in assign.tolist()], dtype=int)
