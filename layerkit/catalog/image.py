"""Catalog facts from an image's rpmdb: every installed RPM's name, source package,
installed size, requires resolved to names, and its changelog as updates over a period
(docs/catalog.md#from-an-image)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..config.catalog import Evidence
from ..errors import LayerkitError
from ..tools.buildah import Mounted
from .changelog import changelog_period, count_updates, merge_by_name
from .found import Facts, Found, Kind, Observation
from .rpmdb import InstalledPackage, read_root


def from_image(ref: str, years: float, base: bool = False,
               tls_verify: bool = True) -> Found:
    """Mount `ref` read-only (pulled when not in local storage) and read its rpmdb."""
    with Mounted(ref, tls_verify) as root:
        installed = read_root(root, ref)
    return from_installed(installed, ref, years, base)


def from_root(root: Path, years: float, base: bool = False) -> Found:
    """The same from an unpacked root on disk."""
    return from_installed(read_root(root, str(root)), str(root), years, base)


def from_installed(installed: list[InstalledPackage], ref: str, years: float,
                   base: bool) -> Found:
    merged = merge_by_name(installed)
    if not merged:
        return Found(Kind.IMAGE, ref, date.min, {}, notes=(f"{ref}: the rpm database lists "
                                                            "no packages",))
    notes = []
    try:
        period: tuple[date, date] | None = changelog_period(merged.values(), years, ref)
    except LayerkitError as e:  # sizes and dependencies are still good
        period = None
        notes.append(f"{e.problems[0]}; its changelogs are not counted")
    facts = {}
    for name, p in merged.items():
        observed = Observation(Evidence.CHANGELOG, count_updates(p.changelog, period),
                               *period) if period else None
        facts[name] = Facts(name, p.installed_size, tuple(d for d in p.depends if d != name),
                            p.source, p.evr, observed, True if base else None)
    unresolved = sum(1 for p in merged.values() if p.unresolved)
    if unresolved:
        notes.append(f"{ref}: {unresolved} packages require something no installed package "
                     "provides (left out of their dependencies)")
    when = period[1] if period else date.min
    return Found(Kind.IMAGE, ref, when, facts, period=period, notes=tuple(notes))

