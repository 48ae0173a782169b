"""From components to a layer plan (pure: no I/O, no subprocess)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..config.catalog import PRIOR_UPDATES
from ..config.image import Model
from . import optimise
from .components import Component
from .cost import DEFAULT_HORIZON, CostModel, history_layer_costs, layer_costs, lower_bound
from .instance import Instance
from .layers import Layer, Plan


def make_plan(components: Sequence[Component], cm: CostModel, max_layers: int,
              windows: Sequence[frozenset[str]] | None = None,
              previous: Mapping[str, int] | None = None,
              horizon: float = DEFAULT_HORIZON) -> Plan:
    """Place every component in exactly one of at most `max_layers` layers, minimising
    the expected bytes per update.

    windows: observed change sets, one per client update (independent model: the plan
    minimises the mean bytes over them). previous: component id -> layer of an earlier
    plan; components stay unless moving saves more than their size / horizon per update.
    """
    if max_layers < 1:
        raise ValueError("max_layers must be at least 1")
    index = {c.id: i for i, c in enumerate(components)}
    deps = [[index[d] for d in c.deps] for c in components]
    events = None
    use_history = bool(windows) and cm.model is Model.INDEPENDENT
    if use_history:
        events = _events(components, windows)  # type: ignore[arg-type]
    rates = [c.rate for c in components]
    if events is not None:
        # start the search from the rates the history shows (windows with a change)
        years = len(windows) * cm.years  # type: ignore[arg-type]
        rates = ((events.sum(axis=1) + PRIOR_UPDATES) / years).tolist()
    prev = None if previous is None else [previous.get(c.id, -1) for c in components]
    instance = Instance([c.size for c in components], rates, deps, cm.years,
                        cm.model is Model.INDEPENDENT, cm.layer_overhead, cm.base_rate,
                        events, prev, horizon)
    assign = optimise.solve(instance, max_layers)
    return assemble(components, assign.tolist(), cm, max_layers,
                    windows if use_history else None)


def _events(components: Sequence[Component], windows: Sequence[frozenset[str]]) -> np.ndarray:
    """events[i, w]: whether one of component i's packages changed in window w."""
    owners: dict[str, list[int]] = {}
    for i, c in enumerate(components):
        for p in c.packages:
            owners.setdefault(p, []).append(i)
    events = np.zeros((len(components), len(windows)), dtype=bool)
    for w, changed in enumerate(windows):
        for p in changed:
            for i in owners.get(p, ()):
                events[i, w] = True
    return events


def assemble(components: Sequence[Component], assign: Sequence[int], cm: CostModel,
             max_layers: int, windows: Sequence[frozenset[str]] | None = None) -> Plan:
    """A Plan from a component -> layer assignment, its cost by the reference model."""
    n_layers = max(assign, default=-1) + 1
    members: list[list[Component]] = [[] for _ in range(n_layers)]
    for c, a in zip(components, assign, strict=True):
        members[a].append(c)
    sizes = [sum(c.size for c in m) for m in members]
    rates = [sum(c.rate for c in m) for m in members]
    if windows:
        costs = history_layer_costs(sizes, [{p for c in m for p in c.packages}
                                            for m in members], windows)
        low = sum(history_layer_costs([c.size for c in components],
                                      [set(c.packages) for c in components], windows))
    else:
        costs = layer_costs(sizes, rates, cm)
        low = bound(components, cm)
    layers = tuple(Layer(i, tuple(sorted(m, key=lambda c: c.id)), sizes[i], rates[i],
                         costs[i]) for i, m in enumerate(members))
    return Plan(cm, max_layers, layers, low, "history" if windows else "rates",
                len(windows or ()))


def bound(components: Sequence[Component], cm: CostModel) -> float:
    sizes = [c.size for c in components]
    rates = [c.rate for c in components]
    anc = None if cm.model is Model.INDEPENDENT else ancestor_rates(components)
    return lower_bound(sizes, rates, anc, cm)


def ancestor_rates(components: Sequence[Component]) -> list[float]:
    """Sum of the rates of everything each component depends on, transitively (bitsets)."""
    index = {c.id: i for i, c in enumerate(components)}
    order = _deps_first(components, index)
    masks = [0] * len(components)
    for i in order:
        m = 0
        for d in components[i].deps:
            j = index[d]
            m |= masks[j] | (1 << j)
        masks[i] = m
    rates = np.array([c.rate for c in components])
    nbytes = (len(components) + 7) // 8
    out = []
    for m in masks:
        bits = np.unpackbits(np.frombuffer(m.to_bytes(nbytes, "little"), dtype=np.uint8),
                             bitorder="little")[: len(components)]
        out.append(float(bits @ rates))
    return out


def _deps_first(components: Sequence[Component], index: dict[str, int]) -> list[int]:
    seen: set[int] = set()
    order: list[int] = []
    for start in range(len(components)):
        stack = [(start, False)]
        while stack:
            i, done = stack.pop()
            if done:
                order.append(i)
                continue
            if i in seen:
                continue
            seen.add(i)
            stack.append((i, True))
            stack.extend((index[d], False) for d in components[i].deps if index[d] not in seen)
    return order
