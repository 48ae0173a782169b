"""Parse updateinfo.xml (errata): which update shipped which package, and when.

Streamed like primary.xml (Fedora's is tens of MB). Fedora's updates repository carries
the updateinfo of every update pushed to stable for the release, so it is the release's
update history; `issued` is when the update was pushed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from .mdstream import ERRORS, ByteStream, RepoError, decompressed, failure, no_gc


def _date(text: str | None) -> date | None:
    """'2024-03-05 12:00:00', '2024-03-05', '2024-03-05T12:00:00Z' or epoch seconds."""
    text = (text or "").strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC).date()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


@dataclass
class UpdateInfo:
    """Per binary package name, the issue date of each update that shipped it."""

    dates: dict[str, list[date]]
    updates: int = 0
    undated: list[str] = field(default_factory=list)   # update ids with no readable date

    def span(self) -> tuple[date, date] | None:
        """First and last update date seen: the period updateinfo observed, at most
        (the release's first update is later than its release day)."""
        days = [d for ds in self.dates.values() for d in ds]
        return (min(days), max(days)) if days else None

    def counts(self, period: tuple[date, date]) -> dict[str, int]:
        """Updates per name within `period` (both ends included)."""
        start, end = period
        return {n: sum(start <= d <= end for d in ds) for n, ds in self.dates.items()}


def parse_updateinfo(fileobj: ByteStream, label: str = "updateinfo.xml",
                     skip_types: frozenset[str] = frozenset()) -> UpdateInfo:
    """Stream updateinfo.xml: each <update>'s issued date (its updated date when issued
    is missing) for every package name in its pkglist, once per update however many
    arches or collections list it. `skip_types` drops e.g. {"newpackage"}."""
    per_name: dict[str, set[tuple[str, date]]] = {}
    info = UpdateInfo({})
    stream = decompressed(fileobj, label)
    try:
        with no_gc():
            events = ET.iterparse(stream, events=("end",))
            for _, elem in events:
                if elem.tag.rpartition("}")[2] == "update":
                    _update(elem, info, per_name, skip_types)
                    elem.clear()
            root = events.root  # type: ignore[attr-defined]
    except ERRORS as e:
        raise failure(label, e) from None
    if root is None or root.tag.rpartition("}")[2] != "updates":
        raise RepoError(f"{label}: not an updateinfo.xml (root element "
                        f"{root.tag if root is not None else None})")
    per_name.pop("", None)
    info.dates = {n: sorted(d for _, d in s) for n, s in sorted(per_name.items())}
    return info


def _update(elem: ET.Element, info: UpdateInfo, per_name: dict[str, set[tuple[str, date]]],
            skip_types: frozenset[str]) -> None:
    """Count one <update> into `info` and `per_name`."""
    if elem.get("type", "") in skip_types:
        return
    info.updates += 1
    uid = (elem.findtext("{*}id") or "").strip()
    when = None
    for what in ("issued", "updated"):
        node = elem.find("{*}" + what)
        when = when or (_date(node.get("date")) if node is not None else None)
    if when is None:
        info.undated.append(uid)
        return
    for pkg in elem.iterfind("{*}pkglist/{*}collection/{*}package"):
        per_name.setdefault(pkg.get("name", ""), set()).add((uid, when))
