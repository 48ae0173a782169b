"""Resolve package versions in the base image, so buildah's cache key changes with them.

buildah reuses a cached RUN layer while the instruction text is unchanged, even when the
repositories carry newer versions of its packages. Pinning `name-version-release` in the
instruction makes exactly the layers whose packages changed rebuild.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping

from ..config.image import Project
from ..errors import LayerkitError
from ..render.containerfile import DNF_RELEASE, RELEASEVER, repo_file
from ..tools import buildah

EVR = re.compile(r"[A-Za-z0-9._+~^]+-[A-Za-z0-9._+~^]+")


def resolve_script(project: Project, packages: list[str]) -> str:
    repos = [repo_file(r, f"layerkit-build-{r.id}")[0] for r in project.image.repos]
    repos += [repo_file(r, r.id)[0] for rec in project.recipes.values() for r in rec.repos]
    # the base's release, for repositories whose URLs say $releasever
    query = (f"dnf -q repoquery --refresh --latest-limit=1 {DNF_RELEASE} "
             + shlex.join(["--qf", "%{name}\t%{version}-%{release}\n", *packages]))
    return " && ".join(["set -eu", "mkdir -p /etc/yum.repos.d", *repos, RELEASEVER, query])


def parse_versions(output: str, packages: list[str]) -> dict[str, str]:
    wanted, versions = set(packages), {}
    for line in output.splitlines():
        parts = line.strip().split("\t")
        if len(parts) == 2 and parts[0] in wanted and EVR.fullmatch(parts[1]):
            versions.setdefault(parts[0], parts[1])
    return versions


def resolve(project: Project, packages: list[str], owners: Mapping[str, list[str]],
            isolation: buildah.Isolation) -> dict[str, str]:
    """name -> version-release, as the base's repositories offer them (found in a
    throwaway container of the base). A package no repository offers is bad input, named
    with the recipes that ask for it."""
    packages = sorted(set(packages))
    if not packages:
        return {}
    output = buildah.run_in(project.image.base, resolve_script(project, packages), isolation)
    versions = parse_versions(output, packages)
    missing = [p for p in packages if p not in versions]
    if missing:
        raise LayerkitError([f"recipes/{r}.toml: packages: {p!r}: no repository offers it "
                             f"(searched from {project.image.base} with the image's and "
                             "recipes' repositories)" for p in missing
                             for r in owners.get(p, ["?"])])
    return versions
