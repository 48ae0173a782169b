"""Changelog dates as update counts over a stated period (docs/catalog.md#changelogs).

An entry is a build (a release bump), not necessarily an update a client received:
several builds on one day reach clients as one update at most (Fedora pushes stable
updates once a day), so same-day entries count once. rpm stores an entry's day at
12:00 UTC. A changelog says nothing after its package's build, so the period ends at the
newest build in the image; Fedora trims binary changelogs to two years, so keep it short.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from ..errors import LayerkitError
from .rpmdb import InstalledPackage


def merge_by_name(packages: Iterable[InstalledPackage]) -> dict[str, InstalledPackage]:
    """One record per name: multilib pairs (glibc.x86_64 + glibc.i686) and parallel
    install-only versions (kernels) add their sizes and dependencies; the newest build
    speaks for version and changelog."""
    out: dict[str, InstalledPackage] = {}
    for p in packages:
        q = out.get(p.name)
        if q is None:
            out[p.name] = p
            continue
        new, old = (p, q) if p.build_time >= q.build_time else (q, p)
        out[p.name] = replace(
            new, installed_size=new.installed_size + old.installed_size,
            depends=tuple(sorted(set(new.depends) | set(old.depends))),
            unresolved=tuple(dict.fromkeys(new.unresolved + old.unresolved)))
    return out


def utc_day(ts: int) -> date:
    return datetime.fromtimestamp(ts, UTC).date()


def count_updates(changelog: Iterable[int], period: tuple[date, date]) -> int:
    """Distinct UTC days with a changelog entry within `period` (the start excluded, the
    end included: a day belongs to one of two adjoining periods)."""
    start, end = period
    return len({d for d in map(utc_day, changelog) if start < d <= end})


def changelog_period(packages: Iterable[InstalledPackage], years: float,
                     where: str) -> tuple[date, date]:
    """The `years` before the newest build in the set (about when the image was made)."""
    newest = max((p.build_time for p in packages), default=0)
    if newest <= 0:
        raise LayerkitError(f"{where}: no package has a build time: the changelogs' period "
                            "cannot be stated")
    end = utc_day(newest)
    return end - timedelta(days=round(years * 365.25)), end
