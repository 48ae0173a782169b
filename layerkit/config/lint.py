"""Static lint: ostree rules checked on validated recipes and the image file
(the checks are listed in docs/commands.md#lint)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .image import Project

SCHEMA_VERSION = 1


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, order=True)
class Finding:
    level: Level
    check: str
    path: str
    message: str

    def to_json(self) -> dict:
        return {"level": self.level.value, "check": self.check, "path": self.path,
                "message": self.message}


def lint_project(project: Project) -> list[Finding]:
    out = []
    if not project.image.digest_pinned:
        out.append(Finding(Level.WARNING, "base-pin", str(project.image.path),
                           f"base {project.image.base} is not pinned by digest; builds are "
                           "not reproducible"))
    for name in sorted(project.recipes):
        r = project.recipes[name]
        where = f"recipes/{name}.toml"
        for f in r.files:
            if f.note and f.requested_dest != f.dest:
                out.append(Finding(Level.NOTE, "relocated", f"{where}: {f.requested_dest}",
                                   f.note))
            elif f.note and f.dest.startswith("/etc/"):
                required = f.note.startswith("kept in /etc")
                out.append(Finding(Level.NOTE if required else Level.WARNING,
                                   "etc-required" if required else "etc",
                                   f"{where}: {f.dest}", f.note))
        for repo in r.repos:
            if not repo.gpgcheck:
                out.append(Finding(Level.WARNING, "gpgcheck", f"{where}: repos {repo.id}",
                                   "packages from this repository are not verified"))
        if r.script:
            out.append(Finding(Level.WARNING, "script", f"{where}: script",
                               "runs arbitrary commands at build time"))
    return sorted(out)


def new_findings(findings: list[Finding], base: list[Finding]) -> list[Finding]:
    """Findings the image adds to its base's (same check on the same path)."""
    seen = {(f.check, f.path) for f in base}
    return [f for f in findings if (f.check, f.path) not in seen]


def to_json(findings: list[Finding], inherited: int = 0) -> dict:
    return {"schema": SCHEMA_VERSION,
            "errors": sum(f.level is Level.ERROR for f in findings),
            "warnings": sum(f.level is Level.WARNING for f in findings),
            "inherited_from_base": inherited,
            "findings": [f.to_json() for f in findings]}
