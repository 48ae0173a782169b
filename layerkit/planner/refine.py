"""Independent-model refinements: split-merge moves, and the observed-history objective.

Single-component moves get stuck where a better plan needs two layers to change at once: a
layer that should be split while two others should share one. `split_merge` makes that
move whenever the split gains more than the cheapest merge costs. It works on either
objective: Poisson rates (`RateObjective`) or observed update windows
(`HistoryObjective`).
"""

from __future__ import annotations

import numpy as np

MAX_PASSES = 40
MAX_ROUNDS = 300


class RateObjective:
    """Layer cost S * p(R): S its size, R its total rate."""

    def __init__(self, pr):
        self.pr = pr

    def stats(self, assign: np.ndarray, k: int):
        return np.bincount(assign, self.pr.size, k), np.bincount(assign, self.pr.rate, k)

    def cost(self, st) -> np.ndarray:
        S, L = st
        return -S * np.expm1(-L * self.pr.years)

    def merge(self, st, used: np.ndarray) -> np.ndarray:
        S, L = (x[used] for x in st)
        return -(S[:, None] + S[None, :]) * np.expm1(-(L[:, None] + L[None, :]) * self.pr.years)

    def split(self, members: np.ndarray, whole: float):
        pr = self.pr
        s, rate = pr.size[members], pr.rate[members]
        alone = -s * np.expm1(-rate * pr.years)
        best = (0.0, members[:0])
        for key in (rate, rate / np.maximum(s, 1.0), -alone):
            order = np.lexsort((members, key))
            cs, cl = np.cumsum(s[order]), np.cumsum(rate[order])
            left = -cs[:-1] * np.expm1(-cl[:-1] * pr.years)
            right = -(cs[-1] - cs[:-1]) * np.expm1(-np.maximum(cl[-1] - cl[:-1], 0) * pr.years)
            best = _better(best, whole - left - right, members, order)
        return best


class HistoryObjective:
    """Layer cost S * (T + (W - T) * q(N)) / W: T windows in which a member changed; in
    the others, q(N) the chance that one of its N members changes unseen (the prior)."""

    def __init__(self, pr):
        self.pr = pr
        self.X = pr.events
        self.W = self.X.shape[1]
        self.eps = pr.history_prior / self.W

    def stats(self, assign: np.ndarray, k: int):
        C = np.zeros((k, self.W), dtype=np.int32)
        np.add.at(C, assign, self.X)
        return np.bincount(assign, self.pr.size, k), C, np.bincount(assign, minlength=k)

    def _f(self, S, T, N):
        return S * (T + (self.W - T) * -np.expm1(-self.eps * N)) / self.W

    def cost(self, st) -> np.ndarray:
        S, C, N = st
        return self._f(S, (C > 0).sum(axis=1), N)

    def merge(self, st, used: np.ndarray) -> np.ndarray:
        S, C, N = (x[used] for x in st)
        T = ((C[:, None, :] + C[None, :, :]) > 0).sum(axis=2)
        return self._f(S[:, None] + S[None, :], T, N[:, None] + N[None, :])

    def split(self, members: np.ndarray, whole: float):
        pr, X = self.pr, self.X[members]
        s = pr.size[members]
        counts = X.sum(axis=1)
        best = (0.0, members[:0])
        pattern = np.lexsort(X.T[::-1])  # identical change patterns side by side
        rank = np.empty(len(members))
        rank[pattern] = np.arange(len(members))
        for key in (counts, counts / np.maximum(s, 1.0), rank):
            order = np.lexsort((members, key))
            cum = np.cumsum(X[order], axis=0)
            cs = np.cumsum(s[order])
            n = np.arange(1, len(members) + 1)
            left = self._f(cs[:-1], (cum[:-1] > 0).sum(axis=1), n[:-1])
            right = self._f(cs[-1] - cs[:-1], ((cum[-1] - cum[:-1]) > 0).sum(axis=1),
                            len(members) - n[:-1])
            best = _better(best, whole - left - right, members, order)
        return best


def _better(best, gains: np.ndarray, members: np.ndarray, order: np.ndarray):
    i = int(np.argmax(gains))
    return (float(gains[i]), members[order[: i + 1]]) if gains[i] > best[0] else best


def split_merge(pr, assign: np.ndarray, k: int, obj) -> np.ndarray:
    """While splitting one layer gains more than merging the cheapest other pair costs
    (or a layer is free), do both. The layer count never exceeds k."""
    assign = assign.copy()
    splits: dict[int, tuple[float, np.ndarray]] = {}
    for _ in range(MAX_ROUNDS):
        st = obj.stats(assign, k)
        f = obj.cost(st)
        used = np.flatnonzero(np.bincount(assign, minlength=k))
        tol = 1e-10 * max(float(f.sum()), 1.0)
        for layer in used.tolist():
            if layer not in splits:
                members = np.flatnonzero(assign == layer)
                splits[layer] = obj.split(members, float(f[layer])) if len(members) > 1 \
                    else (0.0, members[:0])
        target = max(used.tolist(), key=lambda j: (splits[j][0], -j))
        gain, part = splits[target]
        if gain <= tol:
            break
        if len(used) < k:
            new_layer = int(np.setdiff1d(np.arange(k), used)[0])
        else:
            cost = obj.merge(st, used) - f[used][:, None] - f[used][None, :]
            cost[np.tril_indices(len(used))] = np.inf
            t = int(np.searchsorted(used, target))
            cost[t, :] = np.inf
            cost[:, t] = np.inf
            a, b = np.unravel_index(int(np.argmin(cost)), cost.shape)
            if gain <= float(cost[a, b]) + tol:
                break
            keep, gone = int(used[a]), int(used[b])
            assign[assign == gone] = keep
            splits.pop(keep, None)
            splits.pop(gone, None)
            new_layer = gone
        assign[part] = new_layer
        splits.pop(target, None)
        splits.pop(new_layer, None)
    return assign


def improve_history(pr, assign: np.ndarray, k: int) -> np.ndarray:
    """Single-component moves on the history objective (see HistoryObjective)."""
    obj = HistoryObjective(pr)
    X = obj.X
    changed = [np.flatnonzero(x) for x in X]  # the windows in which each one changed
    assign = assign.copy()
    for _ in range(MAX_PASSES):
        S, C, N = obj.stats(assign, k)
        T = (C > 0).sum(axis=1)
        cost = obj._f(S, T, N)
        tol = 1e-10 * max(float(cost.sum()), 1.0)
        moved = 0
        for u in range(pr.n):
            xu, a, s, w = X[u], assign[u], pr.size[u], changed[u]
            # windows where a layer changed, without u (ta) or with it (tb): counts are
            # never negative, so only u's windows matter
            ta = int(T[a] - (C[a, w] == 1).sum())
            gain = cost[a] - float(obj._f(S[a] - s, ta, N[a] - 1))
            tb = T + (C[:, w] == 0).sum(axis=1)
            delta = obj._f(S + s, tb, N + 1) - cost - gain
            pen = pr.penalty(u, k)
            if isinstance(pen, np.ndarray):
                delta = delta + (pen - pen[a])
            delta[a] = np.inf
            b = int(np.argmin(delta))
            if delta[b] >= -tol:
                continue
            C[a] -= xu
            C[b] += xu
            S[a] -= s
            S[b] += s
            N[a] -= 1
            N[b] += 1
            T[a], T[b] = ta, int(tb[b])
            cost[a] = obj._f(S[a], T[a], N[a])
            cost[b] = obj._f(S[b], T[b], N[b])
            assign[u] = b
            moved += 1
        if not moved:
            break
    return assign
