"""The planner's objective: expected bytes one client downloads per update.

Each unit changes as a Poisson process at its rate (changes per year). A client updates
every `cadence_days`; over that interval a set of units with total rate R changes with
probability p(R) = 1 - exp(-R * cadence / 365.25).

- independent (content-addressed, re-chunked layers): layer j is downloaded when one of
  its own units changed: E = sum_j S_j * p(R_j).
- containerfile (RUN steps): layer j is rebuilt, hence downloaded, when anything in it or
  below it changed (the base included, at `base_changes_per_year`), and every rebuilt
  layer that installs packages carries a fresh copy of the package manager's state
  (`layer_overhead`): E = sum_j (S_j + h) * p(R_base + R_0 + ... + R_j).

This module is the reference implementation; plan.py optimises a vectorised copy of it
and tests check the two agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .image import Model

YEAR_DAYS = 365.25


@dataclass(frozen=True)
class CostModel:
    model: Model = Model.CONTAINERFILE
    cadence_days: float = 7.0
    layer_overhead: int = 0  # containerfile model only
    base_changes_per_year: float = 0.0  # containerfile model only

    @property
    def years(self) -> float:
        return self.cadence_days / YEAR_DAYS

    def p(self, rate: float) -> float:
        return -math.expm1(-rate * self.years)


def layer_costs(sizes: Sequence[float], rates: Sequence[float], cm: CostModel) -> list[float]:
    """Expected bytes per update of each layer, bottom layer first."""
    if cm.model is Model.INDEPENDENT:
        return [s * cm.p(r) for s, r in zip(sizes, rates, strict=True)]
    out, cumulative = [], cm.base_changes_per_year
    for s, r in zip(sizes, rates, strict=True):
        cumulative += r
        out.append((s + cm.layer_overhead) * cm.p(cumulative))
    return out


def lower_bound(sizes: Sequence[float], rates: Sequence[float],
                ancestor_rates: Sequence[float] | None, cm: CostModel) -> float:
    """No plan can beat this.

    independent: every unit alone. containerfile: a unit is downloaded at least whenever
    it, anything it depends on or the base changed, and at least one layer (with its
    overhead) is rebuilt whenever anything changed.
    """
    if cm.model is Model.INDEPENDENT or ancestor_rates is None:
        return sum(s * cm.p(r) for s, r in zip(sizes, rates, strict=True))
    base = cm.base_changes_per_year
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
