"""Today's layer packers, re-implemented from their public descriptions (our own code).

Each takes planning units and a layer limit L and returns a unit -> layer assignment:
- one_layer; biggest_alone: the L-1 biggest units alone, the rest together;
- basic_packing (ostree-rs-ext / rpm-ostree): a max-frequency bin, a small-package bin, a
  reserved empty bin, 60% of the rest for size outliers (>= median + 2 MAD), the medium
  units in 3x3 size/frequency buckets cut into equal counts, adjacent bins merged down;
- chunkah: size outliers (>= median + 1.5 MAD) alone, up to 80% of the layers; three
  stability tiers at mean +- 1 sigma share the rest in proportion; bin = hash(name) mod bins;
- rechunk (hhd-dev): small (< 0.5 MB) and medium (< 1 MB) units in their own bins, each
  other layer seeded with the largest unit and filled by least bandwidth increase up to
  0.4 total/L, the rest by least increase among layers under 1.3 total/L;
- nix (popularity contest): popularity = number of reverse-dependency paths from the roots,
  the L-1 most popular alone, the rest merged.
`order_respecting` turns any of them into a valid Containerfile stacking: groups that
depend on each other in a cycle are merged, then stacked in dependency order.
Where a description leaves a number open, the choice is stated in a comment.
"""

from __future__ import annotations

import hashlib
import math
import statistics
from collections.abc import Sequence

import networkx as nx

from layerkit.planner.components import Component


def one_layer(units: Sequence[Component], k: int, years: float) -> list[int]:
    return [0] * len(units)


def biggest_alone(units: Sequence[Component], k: int, years: float) -> list[int]:
    order = sorted(range(len(units)), key=lambda i: (-units[i].size, units[i].id))
    assign = [k - 1] * len(units)
    for layer, i in enumerate(order[: k - 1]):
        assign[i] = layer
    return _dense(assign)


def _mad(values: list[float]) -> tuple[float, float]:
    med = statistics.median(values)
    return med, statistics.median(abs(v - med) for v in values)


def _dense(assign: list[int]) -> list[int]:
    remap = {a: i for i, a in enumerate(sorted(set(assign)))}
    return [remap[a] for a in assign]


def basic_packing(units: Sequence[Component], k: int, years: float) -> list[int]:
    n = len(units)
    if k <= 3 or n <= k:
        return biggest_alone(units, k, years) if n > k else list(range(n))
    sizes = [u.size for u in units]
    rates = [u.rate for u in units]
    med, mad = _mad(sizes)
    top_rate = max(rates)
    rest = set(range(n))
    bins: list[list[int]] = []
    hot = [i for i in rest if rates[i] >= top_rate]
    bins.append(hot)
    rest -= set(hot)
    # "small": below a quarter of the median size (the description leaves the cut open)
    small = [i for i in rest if sizes[i] < med / 4]
    bins.append(small)
    rest -= set(small)
    bins.append([])  # reserved, empty
    free = k - 3
    outlier_slots = int(0.6 * free)
    outliers = sorted((i for i in rest if sizes[i] >= med + 2 * mad),
                      key=lambda i: (-sizes[i], units[i].id))[:outlier_slots]
    bins += [[i] for i in outliers]
    rest -= set(outliers)
    slots = max(1, k - len(bins))
    medium = sorted(rest, key=lambda i: units[i].id)
    if medium:
        s_cut = _tertiles([sizes[i] for i in medium])
        f_cut = _tertiles([rates[i] for i in medium])
        key = {i: (_bucket(sizes[i], s_cut), _bucket(rates[i], f_cut), units[i].id)
               for i in medium}
        medium.sort(key=lambda i: key[i])
        per = math.ceil(len(medium) / slots)
        bins += [medium[j:j + per] for j in range(0, len(medium), per)]
    while len(bins) > k:  # merge the adjacent pair with the fewest units
        j = min(range(len(bins) - 1), key=lambda j: len(bins[j]) + len(bins[j + 1]))
        bins[j:j + 2] = [bins[j] + bins[j + 1]]
    return _from_bins(bins, n)


def _tertiles(values: list[float]) -> tuple[float, float]:
    v = sorted(values)
    return v[len(v) // 3], v[2 * len(v) // 3]


def _bucket(x: float, cuts: tuple[float, float]) -> int:
    return 0 if x < cuts[0] else 1 if x < cuts[1] else 2


def _from_bins(bins: list[list[int]], n: int) -> list[int]:
    assign = [-1] * n
    for b, members in enumerate(b for b in bins if b):
        for i in members:
            assign[i] = b
    assert all(a >= 0 for a in assign)
    return assign


def chunkah(units: Sequence[Component], k: int, years: float) -> list[int]:
    n = len(units)
    if n <= k:
        return list(range(n))
    sizes = [u.size for u in units]
    med, mad = _mad(sizes)
    outliers = sorted((i for i in range(n) if sizes[i] >= med + 1.5 * mad),
                      key=lambda i: (-sizes[i], units[i].id))[: int(0.8 * k)]
    bins: list[list[int]] = [[i] for i in outliers]
    rest = [i for i in range(n) if i not in set(outliers)]
    # stability = probability of no change over a year; tiers at mean +- 1 sigma
    stab = {i: math.exp(-units[i].rate) for i in rest}
    if rest:
        mean = statistics.fmean(stab.values())
        sd = statistics.pstdev(stab.values())
        tiers = [[i for i in rest if stab[i] < mean - sd],
                 [i for i in rest if mean - sd <= stab[i] <= mean + sd],
                 [i for i in rest if stab[i] > mean + sd]]
        tiers = [t for t in tiers if t]
        free = max(len(tiers), k - len(bins))
        shares = [max(1, round(free * len(t) / len(rest))) for t in tiers]
        while sum(shares) > free:
            shares[shares.index(max(shares))] -= 1
        for tier, m in zip(tiers, shares, strict=True):
            tier_bins: list[list[int]] = [[] for _ in range(m)]
            for i in tier:
                h = int.from_bytes(hashlib.sha256(units[i].id.encode()).digest()[:8], "big")
                tier_bins[h % m].append(i)
            bins += tier_bins
    while len([b for b in bins if b]) > k:
        bins = [b for b in bins if b]
        bins[-2:] = [bins[-2] + bins[-1]]
    return _from_bins(bins, n)


def rechunk(units: Sequence[Component], k: int, years: float) -> list[int]:
    n = len(units)
    if n <= k:
        return list(range(n))
    sizes = [u.size for u in units]
    rates = [u.rate for u in units]
    small = [i for i in range(n) if sizes[i] < 500_000]
    medium = [i for i in range(n) if 500_000 <= sizes[i] < 1_000_000]
    big = sorted((i for i in range(n) if sizes[i] >= 1_000_000),
                 key=lambda i: (-sizes[i], units[i].id))
    bins: list[list[int]] = [b for b in (small, medium) if b]
    free = max(1, k - len(bins))
    layers = [[i] for i in big[:free]]
    total = sum(sizes)
    S = [sizes[i] for i in big[:free]]
    R = [rates[i] for i in big[:free]]

    def increase(j: int, i: int) -> float:
        p = lambda r: -math.expm1(-r * years)  # noqa: E731
        return (S[j] + sizes[i]) * p(R[j] + rates[i]) - S[j] * p(R[j])

    for i in big[free:]:
        for cap in (0.4 * total / k, 1.3 * total / k, math.inf):
            ok = [j for j in range(len(layers)) if S[j] < cap]
            if ok:
                j = min(ok, key=lambda j: (increase(j, i), j))
                break
        layers[j].append(i)
        S[j] += sizes[i]
        R[j] += rates[i]
    return _from_bins(bins + layers, n)


def nix(units: Sequence[Component], k: int, years: float) -> list[int]:
    n = len(units)
    if n <= k:
        return list(range(n))
    index = {u.id: i for i, u in enumerate(units)}
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from((i, index[d]) for i, u in enumerate(units) for d in u.deps)
    paths = [0] * n
    for i in nx.topological_sort(g):  # dependents before their dependencies
        preds = list(g.predecessors(i))
        paths[i] = 1 if not preds else sum(paths[p] for p in preds)
    order = sorted(range(n), key=lambda i: (-paths[i], units[i].id))
    assign = [k - 1] * n
    for layer, i in enumerate(order[: k - 1]):
        assign[i] = layer
    return assign


PACKERS = {"one layer": one_layer, "biggest alone": biggest_alone,
           "basic_packing": basic_packing, "chunkah": chunkah, "rechunk": rechunk, "nix": nix}


def order_respecting(units: Sequence[Component], assign: list[int]) -> list[int]:
    """Stack a packer's groups so every unit sits on or above its dependencies."""
    index = {u.id: i for i, u in enumerate(units)}
    g = nx.DiGraph()
    g.add_nodes_from(set(assign))
    for i, u in enumerate(units):
        for d in u.deps:
            a, b = assign[i], assign[index[d]]
            if a != b:
                g.add_edge(a, b)  # group a must sit above group b
    cond = nx.condensation(g)
    order = list(nx.lexicographical_topological_sort(cond.reverse(copy=False),
                                                     key=lambda c: min(cond.nodes[c]["members"])))
    layer_of = {}
    for layer, c in enumerate(order):
        for group in cond.nodes[c]["members"]:
            layer_of[group] = layer
    return [layer_of[a] for a in assign]
