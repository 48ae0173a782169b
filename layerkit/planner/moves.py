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
        layer = assign.tolist()  # the same, as Python ints: read once per dependency
        layers = None  # what every component's moves read of the layers, until one moves
        for u in range(pr.n):
            a = layer[u]
            lo = max((layer[d] for d in pr.deps[u]), default=0)
            hi = min((layer[d] for d in pr.dependents[u]), default=len(S) - 1)
            if lo == hi:
                continue
            if layers is None:
                layers = _Layers(pr, S, L, N)
            b = _best_ordered(pr, u, a, lo, hi, layers, tol)
            if b is None:
                continue
            S[a] -= pr.size[u]; L[a] -= pr.rate[u]; N[a] -= 1  # noqa: E702
            S[b] += pr.size[u]; L[b] += pr.rate[u]; N[b] += 1  # noqa: E702
            assign[u] = layer[u] = b
            layers = None
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


class _Layers:
    """The containerfile model's layers as a move sees them: cumulative rates C, each
    layer's size with its overhead SH, p(C), and each layer's expected bytes."""

    def __init__(self, pr: Instance, S: np.ndarray, L: np.ndarray, N: np.ndarray):
        self.S, self.N = S, N
        self.C = pr.base + np.cumsum(L)
        self.SH = S + pr.h * (N > 0)
        self.pC = pr.p(self.C)
        self.cost = self.SH * self.pC


def _best_ordered(pr, u, a, lo, hi, layers, tol):
    S, N, C, SH, pC, cost = layers.S, layers.N, layers.C, layers.SH, layers.pC, layers.cost
    s, rate, h = pr.size[u], pr.rate[u], pr.h
    h_left = h if N[a] > 1 else 0.0
    delta = np.full(len(S), np.inf)
    if hi > a:
        # moving up to b > a: layers a..b-1 lose rate from their cumulative rate
        down = SH * (pr.p(np.maximum(C - rate, 0.0)) - pC)
        bs = np.arange(a + 1, hi + 1)
        between = np.concatenate(([0.0], np.cumsum(down[a + 1:hi])))[: len(bs)]
        here = (S[a] - s + h_left) * pr.p(C[a] - rate) - cost[a]
        there = (S[bs] + s + h) * pr.p(C[bs]) - cost[bs]
        delta[bs] = here + between + there
    if lo < a:
        # moving down to b < a: layers b..a-1 gain rate
        up = SH * (pr.p(C + rate) - pC)
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
