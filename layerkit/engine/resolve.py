"""Resolve package versions in the base image, so buildah's cache key changes with them.

buildah reuses a cached RUN layer while the instruction text is unchanged, even when the
repositories carry newer versions of its packages. Pinning `name-version-release` in the
instruction makes exactly the layers whose packages changed rebuild.
"""

from __future__ import annotations

import re
import shlex

from ..config.image import Project
from ..render.containerfile import repo_file
from ..tools import buildah

EVR = re.compile(r"^[A-Za-z0-9._+~^]+-[A-Za-z0-9._+~^]+$")


def resolve_script(project: Project, packages: list[str]) -> str:
    repos = [repo_file(r, f"layerkit-build-{r.id}")[0] for r in project.image.repos]
    repos += [repo_file(r, r.id)[0] for rec in project.recipes.values() for r in rec.repos]
    query = shlex.join(["dnf", "-q", "repoquery", "--refresh", "--latest-limit=1",
                        "--qf", "%{name}\t%{version}-%{release}\n", *packages])
    return " && ".join(["set -eu", "mkdir -p /etc/yum.repos.d", *repos, query])


def parse_versions(output: str, packages: list[str]) -> dict[str, str]:
    wanted, out = set(packages), {}
    for line in output.splitlines():
        parts = line.strip().split("\t")
        if len(parts) == 2 and parts[0] in wanted and EVR.fullmatch(parts[1]):
            out.setdefault(parts[0], parts[1])
    return out


def resolve_versions(project: Project, packages: list[str],
                     isolation: buildah.Isolation) -> dict[str, str]:
    """name -> version-release of each package, as the base's repositories offer it."""
    packages = sorted(set(packages))
    if not packages:
        return {}
    output = buildah.run_in(project.image.base, resolve_script(project, packages), isolation)
    return parse_versions(output, packages)
