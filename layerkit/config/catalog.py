"""Package catalogs as frozen objects: sizes, observed updates, dependencies and change
sets (read by `catalog_file`; format in docs/formats.md#catalogs, fields written by
`layerkit catalog` in docs/catalog.md#format-additions)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from ..errors import LayerkitError

# Zero observed updates does not mean a package never changes. A package's rate is
# (updates + PRIOR_UPDATES) / years: the Jeffreys prior for a Poisson rate, i.e. half an
# update over the observed period, so never-seen changes still cost something.
PRIOR_UPDATES = 0.5
# update windows the history objective may use (a daily cadence over 27 years); every
# window costs a column of the planner's matrices
MAX_WINDOWS = 10_000


class Evidence(StrEnum):
    """Where a package's `updates` came from (docs/catalog.md#evidence)."""

    HISTORY = "history"  # change sets of the registry's releases
    UPDATEINFO = "updateinfo"  # a repository's errata
    CHANGELOG = "changelog"  # the installed package's changelog dates
    ESTIMATE = "estimate"  # a recipe's `update`, or nothing but the prior


@dataclass(frozen=True)
class Package:
    name: str
    size: int
    updates: int  # observed over the package's period (a count, not a rate)
    depends: tuple[str, ...] = ()
    source: str = ""
    version: str = ""
    evidence: Evidence | None = None  # None: the catalog does not say
    period: tuple[date, date] | None = None  # counted over this, not the catalog's period
    base: bool = False  # the base image has it: not planned

    @property
    def years(self) -> float | None:
        """Length of the package's own period, when it has one."""
        return (self.period[1] - self.period[0]).days / 365.25 if self.period else None


@dataclass(frozen=True)
class ChangeSet:
    """The packages that changed together on one date (one release)."""

    date: str
    changed: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    path: Path
    years: float
    packages: dict[str, Package]
    history: tuple[ChangeSet, ...] = ()
    start: date | None = None

    def windows(self, cadence_days: float) -> list[frozenset[str]]:
        """What changed between two client updates, for every update over the period
        (windows where nothing changed included: they cost nothing and count)."""
        if not self.history or self.start is None:
            return []
        span = self.years * 365.25 / cadence_days
        if not span <= MAX_WINDOWS:
            raise LayerkitError(f"{self.path}: period: {span:.3g} update windows at a cadence "
                                f"of {cadence_days:g} days, more than the {MAX_WINDOWS} "
                                "allowed; lengthen the cadence")
        n = max(1, math.ceil(span))
        out: list[set[str]] = [set() for _ in range(n)]
        for change in self.history:
            w = int((date.fromisoformat(change.date) - self.start).days // cadence_days)
            if 0 <= w < n:
                out[w].update(change.changed)
        return [frozenset(w) for w in out]

    def rate(self, name: str) -> float:
        """Changes per year of one package."""
        p = self.packages[name]
        return (p.updates + PRIOR_UPDATES) / (p.years or self.years)
