"""What each source of a catalog found, before merging (docs/catalog.md#merging)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ..config.catalog import ChangeSet, Evidence

# which evidence wins when two observations end on the same day
EVIDENCE_RANK = {Evidence.HISTORY: 3, Evidence.UPDATEINFO: 2, Evidence.CHANGELOG: 1,
                 Evidence.ESTIMATE: 0}


class Kind(StrEnum):
    """A source's kind; for sizes, dependencies and versions the first listed wins."""

    IMAGE = "image"  # an installed rpmdb: what clients really have
    REPO = "repo"  # repository metadata: packages the image does not have yet
    CATALOG = "catalog"  # the catalog written before (kept where nothing newer says)
    HISTORY = "history"  # the registry's releases: names and versions only


@dataclass(frozen=True)
class Observation:
    """A count of updates over a period, and what it was counted from."""

    evidence: Evidence
    updates: int
    start: date
    end: date

    @property
    def years(self) -> float:
        return (self.end - self.start).days / 365.25

    def newer_than(self, other: Observation | None) -> bool:
        """Newer evidence wins: the later end, then history > updateinfo > changelog >
        estimate, then the longer period."""
        if other is None:
            return True
        mine = (self.end, EVIDENCE_RANK[self.evidence], -self.start.toordinal())
        theirs = (other.end, EVIDENCE_RANK[other.evidence], -other.start.toordinal())
        return mine > theirs


@dataclass(frozen=True)
class Facts:
    """What one source says about one package (None: it does not say)."""

    name: str
    size: int | None = None
    depends: tuple[str, ...] | None = None
    source: str | None = None
    version: str | None = None
    observed: Observation | None = None
    base: bool | None = None


@dataclass(frozen=True)
class Found:
    """What one source found: facts per package, change sets, and how new it is."""

    kind: Kind
    ref: str
    when: date  # how new its facts are (an image's newest build, a repository's metadata)
    packages: dict[str, Facts]
    history: tuple[ChangeSet, ...] = ()
    period: tuple[date, date] | None = None  # of its observations
    notes: tuple[str, ...] = ()

    def describe(self) -> dict:
        """The catalog's `sources` entry for it."""
        out: dict = {"kind": self.kind.value, "ref": self.ref, "packages": len(self.packages)}
        if self.period:
            out["period"] = [self.period[0].isoformat(), self.period[1].isoformat()]
        if self.history:
            out["releases"] = len(self.history) + 1
        return out
