"""Reading a catalog JSON file, every problem reported (format: docs/formats.md#catalogs)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from ..errors import Problems
from . import patterns
from .catalog import MAX_WINDOWS, Catalog, ChangeSet, Evidence, Package
from .files import read_json
from .sizes import MAX_SIZE

MAX_PACKAGES = 200_000  # a whole distribution's binary packages, several times over
MAX_CHANGES = 100_000  # history entries
MAX_UPDATES = 1_000_000


def load_catalog(path: Path, problems: Problems, label: str | None = None) -> Catalog | None:
    label = label or str(path)
    before = len(problems.items)
    data = read_json(path, label, problems)
    if len(problems.items) > before:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("packages"), list):
        problems.add(label, "packages: expected a list of package objects")
        return None
    if len(data["packages"]) > MAX_PACKAGES:
        problems.add(label, f"packages: {len(data['packages'])} packages, more than the "
                            f"{MAX_PACKAGES} allowed")
        return None
    before = len(problems.items)
    period = _period(data.get("period"), label, problems)
    packages: dict[str, Package] = {}
    for i, p in enumerate(data["packages"]):
        package = _package(p, f"{label}: packages[{i + 1}]", problems)
        if package is not None:
            packages[package.name] = package
    history = _history(data.get("history", []), label, problems)
    if period is None or len(problems.items) > before:
        return None
    start, years = period
    # Dependencies outside the catalog are outside our content (the base, or virtual).
    packages = {n: replace(p, depends=tuple(d for d in p.depends if d in packages and d != n))
                for n, p in packages.items()}
    return Catalog(path=path, years=years, packages=packages, history=history, start=start)


def _package(p: object, where: str, problems: Problems) -> Package | None:
    if not isinstance(p, dict) or not isinstance(p.get("name"), str) or \
            not patterns.PACKAGE.fullmatch(p["name"]):
        problems.items.append(f"{where}.name: expected a package name")
        return None
    size, updates = p.get("size", 0), p.get("updates", 0)
    deps, source, version = p.get("depends", []), p.get("source") or p["name"], \
        p.get("version", "")
    if not _count(size, MAX_SIZE):
        problems.items.append(f"{where}.size: expected bytes (an integer from 0 to {MAX_SIZE})")
    elif not _count(updates, MAX_UPDATES):
        problems.items.append(f"{where}.updates: expected an integer from 0 to {MAX_UPDATES}")
    elif not isinstance(deps, list) or not all(isinstance(d, str) and
                                               patterns.PACKAGE.fullmatch(d) for d in deps):
        problems.items.append(f"{where}.depends: expected a list of package names")
    elif not isinstance(source, str) or not patterns.PACKAGE.fullmatch(source):
        problems.items.append(f"{where}.source: expected a source package name")
    elif not isinstance(version, str) or not patterns.clean_text(version) or len(version) > 200:
        problems.items.append(f"{where}.version: expected a version string")
    elif p.get("evidence") is not None and p["evidence"] not in EVIDENCE:
        problems.items.append(f"{where}.evidence: expected one of {', '.join(EVIDENCE)}")
    elif not isinstance(p.get("base", False), bool):
        problems.items.append(f"{where}.base: expected true or false")
    else:
        period = None
        if p.get("period") is not None:
            own = Problems()
            period = _period(p["period"], f"{where}.period", own, whole=True)
            if period is None:
                problems.items.append(own.items[0].replace(".period: period:", ".period:"))
                return None
        return Package(p["name"], size, updates, tuple(deps), source, version,
                       Evidence(p["evidence"]) if p.get("evidence") is not None else None,
                       period, p.get("base", False))
    return None


EVIDENCE = tuple(e.value for e in Evidence)


def _count(value: object, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= high


def _period(period: object, label: str, problems: Problems, whole: bool = False):
    """(start, years), or with `whole` (start, end); None after adding a problem."""
    try:
        start, end = (date.fromisoformat(d) for d in period)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        problems.add(label, "period: expected [\"YYYY-MM-DD\", \"YYYY-MM-DD\"]")
        return None
    days = (end - start).days
    if days <= 0:
        problems.add(label, "period: the end must come after the start")
        return None
    if days > MAX_WINDOWS:  # at most MAX_WINDOWS daily windows
        problems.add(label, f"period: {days} days, more than the {MAX_WINDOWS} allowed")
        return None
    return (start, end) if whole else (start, days / 365.25)


def _history(raw: object, label: str, problems: Problems) -> tuple[ChangeSet, ...]:
    if not isinstance(raw, list) or len(raw) > MAX_CHANGES:
        problems.add(label, f"history: expected a list of at most {MAX_CHANGES} entries")
        return ()
    out = []
    for i, h in enumerate(raw):
        where = f"history[{i + 1}]"
        if (not isinstance(h, dict) or not isinstance(h.get("date"), str)
                or not isinstance(h.get("changed"), list)):
            problems.add(label, f"{where}: expected {{\"date\": ..., \"changed\": [...]}}")
            continue
        try:
            date.fromisoformat(h["date"])
        except ValueError:
            problems.add(label, f"{where}.date: expected \"YYYY-MM-DD\"")
            continue
        if not all(isinstance(c, str) and patterns.PACKAGE.fullmatch(c) for c in h["changed"]):
            problems.add(label, f"{where}.changed: expected a list of package names")
            continue
        out.append(ChangeSet(h["date"], tuple(h["changed"])))
    return tuple(out)
