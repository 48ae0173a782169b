"""What a build is asked to do, what it reports while it runs, and what it made."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..planner.layers import Plan
from ..tools import buildah
from .tags import Tags


class Events(Protocol):
    """What a build tells the person watching it (report/progress.py shows it)."""

    def start(self, what: str) -> None: ...  # a long step begins
    def step(self, n: int, total: int, what: str) -> None: ...  # buildah's STEP n/total
    def output(self, line: str) -> None: ...  # a line of buildah's own output
    def stop(self) -> None: ...  # the long step ended
    def say(self, text: str) -> None: ...  # one line of result


@dataclass(frozen=True)
class BuildOptions:
    push: bool = False
    isolation: buildah.Isolation = buildah.Isolation.CHROOT
    dry_run: bool = False
    cache_from: str | None = None
    cache_to: str | None = None
    workdir: Path | None = None
    resolve: bool = True
    tags: Tags | None = None  # given (--tag); default: from the stream, the time and git
    force: bool = False  # replace an existing versioned tag
    rechunk: bool = False  # re-layer by the independent plan before pushing
    previous: str | None = None  # image whose layers a re-chunk keeps (default: moving tag)


@dataclass(frozen=True)
class BuildResult:
    tags: Tags
    local_ref: str
    plan: Plan
    log: Path
    digest: str | None = None  # of the pushed manifest
