"""Image tags: `<stream>-<YYYY-MM-DDTHHMM>-<gitsha>[-dirty]` plus the moving `<stream>`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .run import has, run


@dataclass(frozen=True)
class Tags:
    versioned: str
    moving: str


def git_state(repo: Path) -> tuple[str, bool, int | None]:
    """(short sha or "nogit", dirty?, commit time) of the tree holding the image file."""
    if not has("git"):
        return "nogit", False, None
    head = run(["git", "-C", repo, "rev-parse", "--short=12", "HEAD"], check=False)
    if head.returncode != 0:
        return "nogit", False, None
    status = run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"])
    when = run(["git", "-C", repo, "log", "-1", "--format=%ct"])
    return (head.stdout.decode().strip(), bool(status.stdout.strip()),
            int(when.stdout.decode().strip() or 0))


def make_tags(stream: str, repo: Path, now: datetime | None = None) -> Tags:
    sha, dirty, _ = git_state(repo)
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H%M")
    return Tags(f"{stream}-{stamp}-{sha}{'-dirty' if dirty else ''}", stream)


def source_date_epoch(repo: Path) -> int:
    """SOURCE_DATE_EPOCH if set, else the last commit's time, else 0: timestamps for
    reproducible layers."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    _, _, when = git_state(repo)
    return when or 0
