"""Static lint: ostree rules checked on validated recipes and the image file
(the checks are listed in docs/commands.md#lint)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .image import Project

SCHEMA_VERSION = 1
VERSIONED = re.compile(r":[A-Za-z0-9_.-]*-\d{4}-\d{2}-\d{2}T\d{4,6}(\.\d+)?-[0-9a-z]+(-dirty)?$")


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


# shell that writes below /etc, or account tools (which write /etc/passwd and friends)
# the verb and /etc/ at most 200 characters apart: keeps the search linear in the line
ETC_WRITE = re.compile(r"(sed\s+(-\w+\s+)*-i|tee|>>?|\bcp\b|\bmv\b|\bln\b|\binstall\b|"
                       r"\brm\b|\bmkdir\b|\btouch\b|\bchmod\b|\bchown\b)[^\n;&|]{0,200}\s/?etc/")
ACCOUNT_TOOLS = re.compile(r"(?<![\w/.-])(useradd|usermod|userdel|groupadd|groupmod|groupdel|"
                           r"chsh|chfn|chpasswd|passwd|gpasswd|adduser|addgroup|vipw)\b")


def lint_project(project: Project) -> list[Finding]:
    out = _base_pin(project)
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
            out += _script_etc(r.script, where)
    return sorted(out)


def _base_pin(project: Project) -> list[Finding]:
    """A base is pinned by a digest or by a versioned tag (which `layerkit base` never
    moves); a mirror's moving tag is followed on purpose (the base job renews it)."""
    image = project.image
    if image.digest_pinned or VERSIONED.search(image.base):
        return []
    if image.base_source is not None:
        return [Finding(Level.NOTE, "base-pin", str(image.path),
                        f"base {image.base} follows the mirror `layerkit base` renews; to "
                        "pin one build's base, use the versioned tag it printed "
                        "(<tag>-<YYYY-MM-DDTHHMM>-<sha>)")]
    return [Finding(Level.WARNING, "base-pin", str(image.path),
                    f"base {image.base} is not pinned: builds are not reproducible; pin a "
                    "digest (skopeo inspect docker://… prints it: base = \"…@sha256:<digest>\") "
                    "or mirror it with [base_source] and `layerkit base`")]


def _script_etc(script: str, where: str) -> list[Finding]:
    out = []
    for line in script.splitlines():
        if ACCOUNT_TOOLS.search(line):
            out.append(Finding(Level.WARNING, "script-accounts", f"{where}: script",
                               f"`{line.strip()[:80]}` writes /etc/passwd, /etc/shadow or "
                               "/etc/group into the image; machines keep their own copy "
                               "(three-way merge): declare [[users]]/[[groups]] instead"))
        elif "etc/" in line and ETC_WRITE.search(line):
            out.append(Finding(Level.WARNING, "script-etc", f"{where}: script",
                               f"`{line.strip()[:80]}` edits /etc at build time; machines "
                               "merge /etc with their own copy, so edits may never reach "
                               "them: ship the file with [[files]] (a /usr vendor "
                               "directory where there is one)"))
    return out


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
