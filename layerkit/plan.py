"""From planning units to a layer plan (pure: no I/O, no subprocess)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import optimise
from .catalog import PRIOR_UPDATES
from .cost import CostModel, history_layer_costs, layer_costs, lower_bound
from .graph import PlanUnit
from .image import Model

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Layer:
    index: int
    units: tuple[PlanUnit, ...]
    size: int
    changes_per_year: float
    expected_bytes: float

    @property
    def recipes(self) -> tuple[str, ...]:
        return tuple(sorted({r for u in self.units for r in u.recipes}))

    @property
    def packages(self) -> tuple[str, ...]:
        return tuple(sorted({p for u in self.units for p in u.packages}))


@dataclass(frozen=True)
class Plan:
    cost_model: CostModel
    max_layers: int
    layers: tuple[Layer, ...]
    lower_bound: float
    objective: str = "rates"  # or "history": the mean over observed update windows
    updates: int = 0  # windows in the history objective

    @property
    def expected_bytes(self) -> float:
        return sum(layer.expected_bytes for layer in self.layers)

    @property
    def size(self) -> int:
        return sum(layer.size for layer in self.layers)

    def to_json(self, image: str) -> dict:
        return {
            "schema": SCHEMA_VERSION,
            "image": image,
            "model": self.cost_model.model.value,
            "max_layers": self.max_layers,
            "cadence_days": self.cost_model.cadence_days,
            "objective": self.objective,
            "layer_overhead": self.cost_model.layer_overhead,
            "image_size": self.size,
            "expected_bytes_per_update": round(self.expected_bytes),
            "lower_bound_bytes_per_update": round(self.lower_bound),
            "layers": [
                {"index": layer.index, "recipes": list(layer.recipes),
                 "packages": list(layer.packages), "units": [u.id for u in layer.units],
                 "size": layer.size, "changes_per_year": round(layer.changes_per_year, 6),
                 "expected_bytes_per_update": round(layer.expected_bytes)}
                for layer in self.layers
            ],
        }


# A unit moved out of its previous layer costs every client its bytes once; spread over
# this many updates (half a year of weekly updates) it must be earned back by the move.
DEFAULT_HORIZON = 26.0


def make_plan(units: Sequence[PlanUnit], cm: CostModel, max_layers: int,
              windows: Sequence[frozenset[str]] | None = None,
              previous: Mapping[str, int] | None = None,
              horizon: float = DEFAULT_HORIZON) -> Plan:
    """Place every unit in exactly one of at most `max_layers` layers, minimising cost.

    windows: observed change sets, one per client update (independent model: the plan
    minimises the mean bytes over them). previous: unit id -> layer of an earlier plan;
    units stay unless moving saves more than their size / horizon per update.
    """
    if max_layers < 1:
        raise ValueError("max_layers must be at least 1")
    index = {u.id: i for i, u in enumerate(units)}
    deps = [[index[d] for d in u.deps] for u in units]
    events = None
    use_history = bool(windows) and cm.model is Model.INDEPENDENT
    if use_history:
        events = np.array([[not set(u.packages).isdisjoint(w) for w in windows]
                           for u in units], dtype=bool).reshape(len(units), len(windows))
    rates = [u.changes_per_year for u in units]
    if events is not None:
        # start the search from the rates the history shows (windows with a change)
        years = len(windows) * cm.years  # type: ignore[arg-type]
        rates = ((events.sum(axis=1) + PRIOR_UPDATES) / years).tolist()
    prev = None if previous is None else [previous.get(u.id, -1) for u in units]
    pr = optimise.Problem([u.size for u in units], rates, deps,
                          cm.years, cm.model is Model.INDEPENDENT, cm.layer_overhead,
                          cm.base_changes_per_year, events, prev, horizon)
    assign = optimise.solve(pr, max_layers)
    return assemble(units, assign.tolist(), cm, max_layers, windows if use_history else None)


def assemble(units: Sequence[PlanUnit], assign: Sequence[int], cm: CostModel,
             max_layers: int, windows: Sequence[frozenset[str]] | None = None) -> Plan:
    """A Plan from a unit -> layer assignment, its cost computed by the reference model."""
    n_layers = max(assign, default=-1) + 1
    members: list[list[PlanUnit]] = [[] for _ in range(n_layers)]
    for u, a in zip(units, assign, strict=True):
        members[a].append(u)
    sizes = [sum(u.size for u in m) for m in members]
    rates = [sum(u.changes_per_year for u in m) for m in members]
    if windows:
        costs = history_layer_costs(sizes, [{p for u in m for p in u.packages}
                                            for m in members], windows)
        low = sum(history_layer_costs([u.size for u in units], [set(u.packages)
                                                                 for u in units], windows))
    else:
        costs = layer_costs(sizes, rates, cm)
        low = bound(units, cm)
    layers = tuple(Layer(i, tuple(sorted(m, key=lambda u: u.id)), sizes[i], rates[i], costs[i])
                   for i, m in enumerate(members))
    return Plan(cm, max_layers, layers, low, "history" if windows else "rates",
                len(windows or ()))


def previous_layers(plan_json: dict) -> dict[str, int]:
    """unit id -> layer index from a plan printed with --json."""
    return {uid: la["index"] for la in plan_json.get("layers", []) for uid in la.get("units", [])}


def bound(units: Sequence[PlanUnit], cm: CostModel) -> float:
    sizes = [u.size for u in units]
    rates = [u.changes_per_year for u in units]
    anc = None if cm.model is Model.INDEPENDENT else ancestor_rates(units)
    return lower_bound(sizes, rates, anc, cm)


def ancestor_rates(units: Sequence[PlanUnit]) -> list[float]:
    """Sum of the rates of everything each unit depends on, transitively (bitsets)."""
    index = {u.id: i for i, u in enumerate(units)}
    order = _deps_first(units, index)
    masks = [0] * len(units)
    for i in order:
        m = 0
        for d in units[i].deps:
            j = index[d]
            m |= masks[j] | (1 << j)
        masks[i] = m
    rates = np.array([u.changes_per_year for u in units])
    nbytes = (len(units) + 7) // 8
    out = []
    for m in masks:
        bits = np.unpackbits(np.frombuffer(m.to_bytes(nbytes, "little"), dtype=np.uint8),
                             bitorder="little")[: len(units)]
        out.append(float(bits @ rates))
    return out


def _deps_first(units: Sequence[PlanUnit], index: dict[str, int]) -> list[int]:
    seen: set[int] = set()
    order: list[int] = []
    for start in range(len(units)):
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
            stack.extend((index[d], False) for d in units[i].deps if index[d] not in seen)
    return order
