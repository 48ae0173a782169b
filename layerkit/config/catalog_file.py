"""Reading a catalog JSON file, every problem reported (format: docs/formats.md#catalogs)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from ..errors import Problems
from .catalog import Catalog, ChangeSet, Package


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


def _history(raw: object, label: str, problems: Problems) -> tuple[ChangeSet, ...]:
    if not isinstance(raw, list):
        problems.add(label, "history: expected a list")
        return ()
    out = []
    for i, h in enumerate(raw):
        if (not isinstance(h, dict) or not isinstance(h.get("date"), str)
                or not isinstance(h.get("changed"), list)):
            problems.add(label, f"history[{i}]: expected {{\"date\": ..., \"changed\": [...]}}")
            continue
        out.append(ChangeSet(h["date"], tuple(str(c) for c in h["changed"])))
    return tuple(out)
