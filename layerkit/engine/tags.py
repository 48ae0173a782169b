"""Image tags: `<stream>-<YYYY-MM-DDTHHMM>-<gitsha>[-dirty]` plus the moving `<stream>`.

A versioned tag names one build for ever: when the minute's tag is taken the seconds are
added, then a counter; a push never replaces an existing versioned tag unless forced."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..tools.git import git_state


@dataclass(frozen=True)
class Tags:
    versioned: str
    moving: str


def make_tags(stream: str, repo: Path, paths: Sequence[Path] = (),
              now: datetime | None = None,
              taken: Callable[[str], bool] = lambda tag: False) -> Tags:
    """paths: what the build reads (the tree is dirty when any of them changed, tracked or
    untracked); taken: whether a versioned tag already exists in the registry."""
    state = git_state(repo, paths)
    now = now or datetime.now(UTC)
    suffix = f"-{state.sha}{'-dirty' if state.dirty else ''}"
    candidates = [now.strftime("%Y-%m-%dT%H%M"), now.strftime("%Y-%m-%dT%H%M%S")]
    candidates += [f"{candidates[1]}.{n}" for n in range(2, 100)]
    for stamp in candidates:
        tag = f"{stream}-{stamp}{suffix}"
        if not taken(tag):
            return Tags(tag, stream)
    raise RuntimeError("a hundred builds in one second")  # pragma: no cover
