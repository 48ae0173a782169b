"""The planning problem as arrays: components' sizes, rates and dependencies, plus what
the objective needs (history windows, a previous plan). Terms: docs/glossary.md."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import refine


class Instance:
    """Components as arrays: `size`, `rate`, `deps` (indices each one depends on).

    Optional: `events` (components x update windows, True where it changed) makes the
    independent model's objective the observed one (mean bytes over the windows);
    `prev` (a previous layer per component, -1 for new ones) with `horizon` charges a
    component moved out of its previous layer size/horizon per update: the one-off
    download of its bytes, spread over `horizon` updates.
    """

    def __init__(self, size: Sequence[float], rate: Sequence[float],
                 deps: Sequence[Sequence[int]],
                 years: float, independent: bool, overhead: float = 0.0, base: float = 0.0,
                 events: np.ndarray | None = None, prev: Sequence[int] | None = None,
                 horizon: float = 26.0, history_prior: float = 0.5):
        self.size = np.asarray(size, dtype=float)
        self.rate = np.asarray(rate, dtype=float)
        self.deps = [list(d) for d in deps]
        self.n = len(self.size)
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
        self.move_cost = self.size / horizon

    def penalty(self, u: int, k: int) -> np.ndarray | float:
        """Per-layer charge for placing component u there, given its previous layer."""
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
        S = np.bincount(assign, self.size, k)
        if self.events is not None:
            obj = refine.HistoryObjective(self)
            return float(obj.cost(obj.stats(assign, k)).sum())
        L = np.bincount(assign, self.rate, k)
        if self.independent:
            return float(np.sum(S * self.p(L)))
        used = np.bincount(assign, minlength=k) > 0
        C = self.base + np.cumsum(L)
        return float(np.sum((S + self.h * used) * self.p(C)))
