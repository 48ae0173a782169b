"""Local search: single components move between layers while a move lowers the cost
(respecting dependency order in the containerfile model)."""

from __future__ import annotations

import math

import numpy as np

from .instance import Instance

MAX_PASSES = 40
MIN_PASS_GAIN = 1e-6


def improve(pr: Instance, assign: np.ndarray, k: int) -> np.ndarray:
    """Single-component moves while one lowers the cost; free layer slots sit on top. Stops
    when a whole pass gains less than MIN_PASS_GAIN of the cost."""
    if pr.independent:
        return _independent(pr, assign, k)
    assign = assign.copy()
    for _ in range(MAX_PASSES):
        S = np.bincount(assign, pr.size, k)
        L = np.bincount(assign, pr.rate, k)
        N = np.bincount(assign, minlength=k)
        start = pr.cost_of(assign, k)
        tol = 1e-10 * max(start, 1.0)
        moved = 0
        for u in range(pr.n):
            a = assign[u]
            b = _best_ordered(pr, u, a, S, L, N, tol, assign)
            if b is None:
                continue
            S[a] -= pr.size[u]; L[a] -= pr.rate[u]; N[a] -= 1  # noqa: E702
            S[b] += pr.size[u]; L[b] += pr.rate[u]; N[b] += 1  # noqa: E702
            assign[u] = b
            moved += 1
        if not moved or start - pr.cost_of(assign, k) < MIN_PASS_GAIN * start:
            break
    return assign


def _independent(pr: Instance, assign: np.ndarray, k: int) -> np.ndarray:
    """The independent model's single-component moves, with each layer's (negated) cost kept
    up to date in F so scoring a component's moves takes two vector operations."""
    assign = assign.copy()
    y = pr.years
    sizes, rates = pr.size.tolist(), pr.rate.tolist()
    for _ in range(MAX_PASSES):
        S = np.bincount(assign, pr.size, k)
        L = np.bincount(assign, pr.rate, k)
        F = S * np.expm1(-L * y)  # minus each layer's expected bytes
        start = -float(F.sum())
        tol = 1e-10 * max(start, 1.0)
        moved = 0
        for u in range(pr.n):
            a, s, rate = int(assign[u]), sizes[u], rates[u]
            gain = -F[a] + (S[a] - s) * math.expm1(-max(L[a] - rate, 0.0) * y)
            add = F - (S + s) * np.expm1(-(L + rate) * y)
            pen = pr.penalty(u, k)
            if isinstance(pen, np.ndarray):
                add += pen - pen[a]
            add[a] = np.inf
            b = int(add.argmin())
            if add[b] >= gain - tol:
                continue
            S[a] -= s; L[a] -= rate; S[b] += s; L[b] += rate  # noqa: E702
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
    s, rate, h = pr.size[u], pr.rate[u], pr.h
    C = pr.base + np.cumsum(L)
    H = h * (N > 0)
    cost = (S + H) * pr.p(C)
    h_left = h if N[a] > 1 else 0.0
    # moving up to b > a: layers a..b-1 lose rate from their cumulative rate
    down = (S + H) * (pr.p(np.maximum(C - rate, 0.0)) - pr.p(C))
    # moving down to b < a: layers b..a-1 gain rate
    up = (S + H) * (pr.p(C + rate) - pr.p(C))
    delta = np.full(len(S), np.inf)
    if hi > a:
        bs = np.arange(a + 1, hi + 1)
        between = np.concatenate(([0.0], np.cumsum(down[a + 1:hi])))[: len(bs)]
        here = (S[a] - s + h_left) * pr.p(C[a] - rate) - cost[a]
        there = (S[bs] + s + h) * pr.p(C[bs]) - cost[bs]
        delta[bs] = here + between + there
    if lo < a:
        bs = np.arange(lo, a)
        # sum of up[j] for b < j < a
        tail = np.concatenate((np.cumsum(up[lo:a][::-1])[::-1][1:], [0.0]))
        here = (S[a] - s + h_left) * pr.p(C[a]) - cost[a]
        there = (S[bs] + s + h) * pr.p(C[bs] + rate) - cost[bs]
        delta[bs] = here + tail + there
    pen = pr.penalty(u, len(S))
    if isinstance(pen, np.ndarray):
        delta = delta + pen - pen[a]
    b = int(np.argmin(delta))
    return b if delta[b] < -tol else None
