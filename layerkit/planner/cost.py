"""The planner's objective: expected bytes one client downloads per update
(docs/planner.md#cost-model).

This module is the reference implementation; `optimise` and `refine` work on a
vectorised copy of it and tests check that the two agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..config.image import Model

YEAR_DAYS = 365.25

# A component moved out of its previous layer costs every client its bytes once; spread
# over this many updates (half a year of weekly updates) the move must earn that back.
DEFAULT_HORIZON = 26.0


@dataclass(frozen=True)
class CostModel:
    model: Model = Model.CONTAINERFILE
    cadence_days: float = 7.0
    layer_overhead: int = 0  # containerfile model only
    base_rate: float = 0.0  # the base's changes per year; containerfile model only

    @property
    def years(self) -> float:
        return self.cadence_days / YEAR_DAYS

    def p(self, rate: float) -> float:
        return -math.expm1(-rate * self.years)


def layer_costs(sizes: Sequence[float], rates: Sequence[float], cm: CostModel) -> list[float]:
    """Expected bytes per update of each layer, bottom layer first."""
    if cm.model is Model.INDEPENDENT:
        return [s * cm.p(r) for s, r in zip(sizes, rates, strict=True)]
    out, cumulative = [], cm.base_rate
    for s, r in zip(sizes, rates, strict=True):
        cumulative += r
        out.append((s + cm.layer_overhead) * cm.p(cumulative))
    return out


def lower_bound(sizes: Sequence[float], rates: Sequence[float],
                ancestor_rates: Sequence[float] | None, cm: CostModel) -> float:
    """No plan can beat this.

    independent: every component alone. containerfile: a component is downloaded at
    least whenever it, anything it depends on or the base changed, and at least one
    layer (with its overhead) is rebuilt whenever anything changed.
    """
    if cm.model is Model.INDEPENDENT or ancestor_rates is None:
        return sum(s * cm.p(r) for s, r in zip(sizes, rates, strict=True))
    base = cm.base_rate
    total = base + sum(rates)
    return (sum(s * cm.p(base + r + a) for s, r, a in zip(sizes, rates, ancestor_rates,
                                                          strict=True))
            + (cm.layer_overhead * cm.p(total) if sizes else 0.0))


def history_layer_costs(sizes: Sequence[float], layer_packages: Sequence[set[str]],
                        windows: Sequence[frozenset[str]]) -> list[float]:
    """Observed objective (independent model): a layer costs its size in every update
    window in which one of its packages changed; the mean over all windows."""
    n = max(len(windows), 1)
    return [size * sum(1 for w in windows if not pkgs.isdisjoint(w)) / n
            for size, pkgs in zip(sizes, layer_packages, strict=True)]
