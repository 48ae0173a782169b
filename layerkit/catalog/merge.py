"""Merging what the sources found into one catalog (docs/catalog.md#merging).

- Rates: per package, the newest observation wins (the later end of its period; on a tie
  history > updateinfo > changelog > estimate). Each package says which (`evidence`) and,
  when it differs from the catalog's, over which `period` it was counted.
- Sizes, dependencies, source packages and versions: the first kind of source that knows
  the package, in the order image > repository > earlier catalog > registry history (what
  clients have installed beats what a repository offers), the newest source of that kind.
- History: every source's change sets, one per release (duplicates dropped). The
  catalog's period is the history's when there is one (the planner's update windows
  span it), else the period most packages were observed over.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from ..config.catalog import Catalog, ChangeSet, Evidence
from .found import Facts, Found, Kind, Observation

KIND_ORDER = [Kind.IMAGE, Kind.REPO, Kind.CATALOG, Kind.HISTORY]


@dataclass(frozen=True)
class Merged:
    """A catalog ready to write: packages as facts (every field known), period, history."""

    period: tuple[date, date]
    packages: dict[str, Facts]
    history: tuple[ChangeSet, ...]
    sources: tuple[Found, ...]

    def evidence(self) -> Counter[str]:
        return Counter(p.observed.evidence.value for p in self.packages.values()
                       if p.observed is not None)


def merge(found: list[Found], estimates: dict[str, float] | None = None) -> Merged | None:
    """None when no source found a package. `estimates`: changes per year for packages
    no source observed (a recipe's `update`); the rest get no update and the prior."""
    ranked = sorted(found, key=lambda f: (KIND_ORDER.index(f.kind), -f.when.toordinal()))
    names = sorted({n for f in found for n in f.packages})
    if not names:
        return None
    history = _history(found)
    period = _period(found, history)
    out: dict[str, Facts] = {}
    for name in names:
        said = [f.packages[name] for f in ranked if name in f.packages]
        observed = None
        for facts in said:
            if facts.observed is not None and facts.observed.newer_than(observed):
                observed = facts.observed
        if observed is None:
            rate = (estimates or {}).get(name, 0.0)
            years = (period[1] - period[0]).days / 365.25
            observed = Observation(Evidence.ESTIMATE, round(rate * years), *period)
        out[name] = Facts(name, _first(said, "size", 0), _first(said, "depends", ()),
                          _first(said, "source", name), _first(said, "version", ""),
                          observed, _first(said, "base", False))
    return Merged(period, out, history, tuple(found))


def _first(said: list[Facts], field: str, default):
    return next((getattr(f, field) for f in said if getattr(f, field) is not None), default)


def _history(found: list[Found]) -> tuple[ChangeSet, ...]:
    seen: dict[tuple[str, tuple[str, ...]], ChangeSet] = {}
    for f in found:
        for change in f.history:
            seen.setdefault((change.date, tuple(sorted(change.changed))), change)
    return tuple(sorted(seen.values(), key=lambda c: (c.date, c.changed)))


def _period(found: list[Found], history: tuple[ChangeSet, ...]) -> tuple[date, date]:
    if history:
        spans = [f.period for f in found if f.history and f.period]
        return min(s[0] for s in spans), max(s[1] for s in spans)
    periods: Counter[tuple[date, date]] = Counter()
    for f in found:
        for p in f.packages.values():
            if p.observed is not None:
                periods[(p.observed.start, p.observed.end)] += 1
    if periods:
        return max(periods, key=lambda k: (periods[k], k[1], k))
    spans = [f.period for f in found if f.period]
    if spans:
        return max(spans, key=lambda s: s[1])
    # nothing dated (an image without build times): estimates over the year to today
    newest = max(f.when for f in found)
    newest = newest if newest > date.min else datetime.now(UTC).date()
    return date.fromordinal(newest.toordinal() - 365), newest


def from_catalog(catalog: Catalog) -> Found:
    """An earlier catalog as a source: what nothing newer replaces stays."""
    end = date.fromordinal(catalog.start.toordinal() + round(catalog.years * 365.25)) \
        if catalog.start else date.min
    start = catalog.start or date.min
    facts = {}
    for p in catalog.packages.values():
        a, b = p.period or (start, end)
        facts[p.name] = Facts(p.name, p.size, p.depends, p.source, p.version or None,
                              Observation(p.evidence or Evidence.ESTIMATE, p.updates, a, b),
                              p.base)
    return Found(Kind.CATALOG, str(catalog.path), end, facts, catalog.history,
                 (start, end) if catalog.history else None)


def to_json(merged: Merged) -> dict:
    """The catalog JSON (docs/formats.md#catalogs; new fields in docs/catalog.md)."""
    packages = []
    for p in merged.packages.values():
        assert p.observed is not None
        entry: dict = {"name": p.name, "source": p.source, "version": p.version,
                       "size": p.size, "updates": p.observed.updates,
                       "depends": sorted(d for d in set(p.depends or ())
                                         if d in merged.packages),
                       "evidence": p.observed.evidence.value}
        if (p.observed.start, p.observed.end) != merged.period:
            entry["period"] = [p.observed.start.isoformat(), p.observed.end.isoformat()]
        if p.base:
            entry["base"] = True
        packages.append(entry)
    out: dict = {"period": [merged.period[0].isoformat(), merged.period[1].isoformat()],
                 "sources": [f.describe() for f in merged.sources], "packages": packages}
    if merged.history:
        out["history"] = [{"date": c.date, "changed": list(c.changed)} for c in merged.history]
    return out
