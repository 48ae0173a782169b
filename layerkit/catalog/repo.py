"""Catalog facts from repository metadata: sizes, dependencies and source packages from
primary, update dates from updateinfo (docs/catalog.md#from-a-repository)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from ..config.catalog import Evidence
from .changelog import utc_day
from .found import Facts, Found, Kind, Observation
from .mdstream import no_gc
from .repodata import Primary
from .repofetch import load_repo


def from_repo(base: str, wanted: Collection[str] | None, have: Collection[str]) -> Found:
    """Packages of the repository at `base` (a directory, file:// or http(s):// URL):
    `wanted` (recipe packages) and what they need that `have` (the images read) lacks;
    every package when `wanted` is None. Where the repository has updateinfo, its update
    dates give every package it lists a count, installed ones included (a package the
    errata never name had no update: that is evidence too)."""
    md = load_repo(base)
    primary = md.primary
    chosen = sorted(primary.packages) if wanted is None else \
        _closure(primary, [w for w in wanted if w not in have], have)
    period = None
    dates: dict[str, list[date]] = {}
    if md.updateinfo is not None and md.updateinfo.span() is not None:
        first, last = md.updateinfo.span()  # type: ignore[misc]
        period = (first - timedelta(days=1), last)  # counted over (start, end]
        dates = md.updateinfo.dates
    facts: dict[str, Facts] = {}
    with no_gc():  # 100k records of tuples: each collection would walk all of them
        for name in chosen:
            p = primary.packages[name]
            facts[name] = Facts(name, p.installed_size, p.depends, p.source, str(p.evr),
                                _observed(dates.get(name, []), period))
    for name in have:
        if period is not None and name in primary.packages and name not in facts:
            facts[name] = Facts(name, observed=_observed(dates.get(name, []), period))
    notes = []
    missing = sorted(set(wanted or ()) - set(have) - set(primary.packages))
    if missing:
        notes.append(f"{base}: does not have {', '.join(missing[:10])}"
                     + (f" (+{len(missing) - 10})" if len(missing) > 10 else ""))
    if primary.unresolved:
        notes.append(f"{base}: {len(primary.unresolved)} packages require something the "
                     "repository's primary metadata does not provide (file requires need "
                     "filelists; left out of their dependencies)")
    newest = max((primary.packages[n].build_time for n in chosen), default=0)
    when = period[1] if period else utc_day(newest) if newest else date.min
    return Found(Kind.REPO, base, when, facts, period=period, notes=tuple(notes))


def _observed(days: list[date], period: tuple[date, date] | None) -> Observation | None:
    if period is None:
        return None
    start, end = period
    return Observation(Evidence.UPDATEINFO, len({d for d in days if start < d <= end}),
                       start, end)


def _closure(primary: Primary, roots: list[str], have: Collection[str]) -> list[str]:
    out: set[str] = set()
    stack = [r for r in roots if r in primary.packages]
    while stack:
        name = stack.pop()
        if name in out:
            continue
        out.add(name)
        stack.extend(d for d in primary.packages[name].depends
                     if d not in out and d not in have and d in primary.packages)
    return sorted(out)
