"""git: the commit an image is built from, and whether the tree differs from it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .run import has, run


@dataclass(frozen=True)
class GitState:
    sha: str  # short commit id, or "nogit"
    dirty: bool
    commit_time: int | None


def git_state(repo: Path, paths: Sequence[Path] = ()) -> GitState:
    """The commit of the tree holding the image file, and whether any of `paths` (all of
    the tree when none are given) differs from it: changed, staged, or new and not
    ignored."""
    if not has("git"):
        return GitState("nogit", False, None)
    head = run(["git", "-C", repo, "rev-parse", "--short=12", "HEAD"], check=False)
    if head.returncode != 0:
        return GitState("nogit", False, None)
    top = toplevel(repo)
    inside = [str(p.resolve()) for p in paths if top and p.resolve().is_relative_to(top)]
    status = run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=all", "--",
                  *inside])
    when = run(["git", "-C", repo, "log", "-1", "--format=%ct"])
    return GitState(head.stdout.decode().strip(), bool(status.stdout.strip()),
                    int(when.stdout.decode().strip() or 0))


def toplevel(path: Path) -> Path | None:
    """The root of the git work tree holding `path`, if any."""
    if not has("git"):
        return None
    proc = run(["git", "-C", path, "rev-parse", "--show-toplevel"], check=False)
    return Path(proc.stdout.decode().strip()) if proc.returncode == 0 else None


def source_date_epoch(repo: Path) -> int:
    """SOURCE_DATE_EPOCH if set, else the last commit's time, else 0: timestamps for
    reproducible layers."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    return git_state(repo).commit_time or 0
