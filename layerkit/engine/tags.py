"""Image tags: `<stream>-<YYYY-MM-DDTHHMM>-<gitsha>[-dirty]` plus the moving `<stream>`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..tools.git import git_state


@dataclass(frozen=True)
class Tags:
    versioned: str
    moving: str


def make_tags(stream: str, repo: Path, now: datetime | None = None) -> Tags:
    state = git_state(repo)
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H%M")
    return Tags(f"{stream}-{stamp}-{state.sha}{'-dirty' if state.dirty else ''}", stream)
