"""Package catalogs: sizes, observed update counts and dependencies (see README)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import Problems

# Zero observed updates does not mean a package never changes. A package's rate is
# (updates + PRIOR_UPDATES) / years: the Jeffreys prior for a Poisson rate, i.e. half an
# update over the observed period, so never-seen changes still cost something.
PRIOR_UPDATES = 0.5


@dataclass(frozen=True)
class Package:
    name: str
    size: int
    updates: int
    depends: tuple[str, ...] = ()
    source: str = ""
    version: str = ""


@dataclass(frozen=True)
class Update:
    date: str
    changed: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    path: Path
    years: float
    packages: dict[str, Package]
    history: tuple[Update, ...] = ()
    start: date | None = None

    def windows(self, cadence_days: float) -> list[frozenset[str]]:
        """What changed between two client updates, for every update over the period
        (windows where nothing changed included: they cost nothing and count)."""
        if not self.history or self.start is None:
            return []
        n = max(1, math.ceil(self.years * 365.25 / cadence_days))
        out: list[set[str]] = [set() for _ in range(n)]
        for u in self.history:
            w = int((date.fromisoformat(u.date) - self.start).days // cadence_days)
            if 0 <= w < n:
                out[w].update(u.changed)
        return [frozenset(w) for w in out]

    def rate(self, name: str) -> float:
        """Changes per year of one package."""
        return (self.packages[name].updates + PRIOR_UPDATES) / self.years


def load_catalog(path: Path, problems: Problems, label: str | None = None) -> Catalog | None:
    label = label or str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        problems.add(label, f"cannot read: {e.strerror}")
        return None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        problems.add(label, f"invalid JSON: {e}")
        return None
    if not isinstance(data, dict) or not isinstance(data.get("packages"), list):
        problems.add(label, "packages: expected a list of package objects")
        return None
    years = _years(data.get("period"), label, problems)
    packages: dict[str, Package] = {}
    for i, p in enumerate(data["packages"]):
        where = f"{label}: packages[{i}]"
        if not isinstance(p, dict) or not isinstance(p.get("name"), str):
            problems.items.append(f"{where}.name: expected a string")
            continue
        size, updates = p.get("size", 0), p.get("updates", 0)
        deps = p.get("depends", [])
        if not isinstance(size, int) or size < 0:
            problems.items.append(f"{where}.size: expected bytes (a non-negative integer)")
            continue
        if not isinstance(updates, int) or updates < 0:
            problems.items.append(f"{where}.updates: expected a non-negative integer")
            continue
        if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
            problems.items.append(f"{where}.depends: expected a list of names")
            continue
        packages[p["name"]] = Package(p["name"], size, updates, tuple(deps),
                                      str(p.get("source") or p["name"]), str(p.get("version", "")))
    history = _history(data.get("history", []), label, problems)
    if years is None:
        return None
    # Dependencies outside the catalog are outside our content (the base, or virtual).
    packages = {n: Package(p.name, p.size, p.updates, tuple(d for d in p.depends
                                                             if d in packages and d != n),
                           p.source, p.version) for n, p in packages.items()}
    start = date.fromisoformat(data["period"][0])
    return Catalog(path=path, years=years, packages=packages, history=history, start=start)


def _years(period: object, label: str, problems: Problems) -> float | None:
    try:
        start, end = (date.fromisoformat(d) for d in period)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        problems.add(label, "period: expected [\"YYYY-MM-DD\", \"YYYY-MM-DD\"]")
        return None
    days = (end - start).days
    if days <= 0:
        problems.add(label, "period: the end must come after the start")
        return None
    return days / 365.25


def _history(raw: object, label: str, problems: Problems) -> tuple[Update, ...]:
    if not isinstance(raw, list):
        problems.add(label, "history: expected a list")
        return ()
    out = []
    for i, h in enumerate(raw):
        if (not isinstance(h, dict) or not isinstance(h.get("date"), str)
                or not isinstance(h.get("changed"), list)):
            problems.add(label, f"history[{i}]: expected {{\"date\": ..., \"changed\": [...]}}")
            continue
        out.append(Update(h["date"], tuple(str(c) for c in h["changed"])))
    return tuple(out)
