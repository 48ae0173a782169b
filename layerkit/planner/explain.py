"""Why a plan's layers are as they are: what merging a layer with the one above, or
splitting it in two, would cost per update (the reference cost model, docs/planner.md)."""

from __future__ import annotations

from dataclasses import dataclass

from ..config.image import Model
from .components import Component
from .cost import layer_costs
from .plan import Plan


@dataclass(frozen=True)
class LayerWhy:
    index: int
    merge_above: float | None  # bytes per update added by merging with the next layer
    split: float | None  # added by the best split into two layers (None: one component)


def explain(plan: Plan) -> list[LayerWhy]:
    """Per layer, the cost of the nearest alternatives (rates objective only)."""
    if plan.objective != "rates":
        return []
    cm = plan.cost_model
    sizes = [float(la.size) for la in plan.layers]
    rates = [la.rate for la in plan.layers]
    base = sum(layer_costs(sizes, rates, cm))
    out = []
    for j, la in enumerate(plan.layers):
        merge = None
        if j + 1 < len(sizes):
            merged_s = sizes[:j] + [sizes[j] + sizes[j + 1]] + sizes[j + 2:]
            merged_r = rates[:j] + [rates[j] + rates[j + 1]] + rates[j + 2:]
            merge = sum(layer_costs(merged_s, merged_r, cm)) - base
        split = None
        if len(la.components) > 1:
            order = _order(list(la.components), cm.model)
            low_s = low_r = 0.0
            best = None
            for c in order[:-1]:
                low_s, low_r = low_s + c.size, low_r + c.rate
                cost = sum(layer_costs(sizes[:j] + [low_s, sizes[j] - low_s] + sizes[j + 1:],
                                       rates[:j] + [low_r, rates[j] - low_r] + rates[j + 1:],
                                       cm))
                best = cost if best is None else min(best, cost)
            split = best - base  # type: ignore[operator]
        out.append(LayerWhy(j, merge, split))
    return out


def _order(group: list[Component], model: Model) -> list[Component]:
    """Cut points worth trying: dependencies first (a RUN layer sits above what it needs),
    stable before volatile."""
    by_rate = sorted(group, key=lambda c: (c.rate, c.id))
    if model is Model.INDEPENDENT:
        return by_rate
    ids = {c.id for c in group}
    placed: list[Component] = []
    done: set[str] = set()
    while len(placed) < len(group):
        for c in by_rate:
            if c.id not in done and all(d in done or d not in ids for d in c.deps):
                placed.append(c)
                done.add(c.id)
                break
    return placed
