"""One planned package layer as a RUN instruction: repositories written, removals,
replacements, installs (pinned versions, packages by URL), scripts, then the package
manager's logs removed. Every value is quoted for the shell (render/escape.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from ..config.image import Image, Installer
from ..config.recipe import Recipe, Repo
from ..planner.plan import Layer
from . import escape
from .context import ContextFile
from .label import pin

# the base's release: $releasever in repository and package URLs, for dnf and for us
RELEASEVER = ". /etc/os-release"
DNF_RELEASE = '${VERSION_ID:+"--releasever=$VERSION_ID"}'
CACHES = ["--mount=type=cache,target=/var/cache/dnf",
          "--mount=type=cache,target=/var/cache/libdnf5"]
# downloads and metadata untouched for a month: stale versions, repositories gone
PRUNE = f"find {' '.join(c.rsplit('=', 1)[1] for c in CACHES)} -type f -mtime +30 -delete"


def run_layer(image: Image, recipes: Mapping[str, Recipe], layer: Layer,
              versions: Mapping[str, str], files: list[ContextFile]) -> list[str]:
    rs = [recipes[n] for n in layer.recipes]
    dnf = image.installer is Installer.DNF
    cmds = ["set -eu", RELEASEVER]
    build_repos = [repo_file(r, f"layerkit-build-{r.id}") for r in image.repos]
    cmds += [c for c, _ in build_repos]
    for r in rs:
        cmds += [repo_file(repo, repo.id)[0] for repo in r.repos]
    removes = sorted({p for r in rs for p in r.remove})
    if removes:
        cmds.append(escape.shell_line(["dnf", "-y", "remove"] if dnf
                                      else ["rpm-ostree", "override", "remove"]) + " "
                    + escape.shell_line(removes))
    for r in rs:
        for rep in r.replace:
            cmds.append(_replace(rep.repo, rep.packages, dnf))
    words = [escape.shell(pin(p, versions)) for p in layer.packages]
    words += [url_word(u) for r in rs for u in r.rpms]
    if words:
        install = ("dnf -y install --refresh --setopt=keepcache=True " + DNF_RELEASE if dnf
                   else "rpm-ostree install -y")
        cmds.append(install + " " + " ".join(words))
    mounts = CACHES if dnf else []
    for r in rs:
        if r.script:
            files.append(ContextFile(f"scripts/{r.name}.sh", 0o755, r.script.encode()))
            digest = hashlib.sha256(r.script.encode()).hexdigest()[:16]
            mounts = mounts + ["--mount=type=bind,source=scripts,target=/run/layerkit-scripts"]
            # the digest in the command makes buildah's cache notice an edited script
            cmds.append(f"LAYERKIT_SCRIPT={digest} /bin/sh -eu /run/layerkit-scripts/"
                        f"{r.name}.sh")
    if build_repos:
        cmds.append(escape.shell_line(["rm", "-f"] + [p for _, p in build_repos]))
    # caches live in the cache mounts; dnf's logs and history are not worth a download
    cmds.append("rm -rf /var/log/dnf* /var/log/hawkey.log /var/lib/dnf /var/tmp/*" if dnf
                else "ostree container commit")
    if dnf:  # a cache mount keeps a copy per repository URL forever unless pruned
        cmds.append(PRUNE)
    head = (f"# layer {layer.index}: {', '.join(layer.recipes) or 'shared dependencies'}"
            f" ({len(layer.packages)} packages)")
    mounts = list(dict.fromkeys(mounts))
    return [head, "RUN " + " ".join(mounts) + " \\\n    " + " && \\\n    ".join(cmds), ""]


def _replace(repo: str, packages: tuple[str, ...], dnf: bool) -> str:
    """The base's packages at the versions `repo` offers (up or down)."""
    if dnf:
        return (f"dnf -y distro-sync --allowerasing {DNF_RELEASE} "
                + escape.shell_line([f"--repo={repo}", *packages]))
    return escape.shell_line(["rpm-ostree", "override", "replace", "--experimental",
                              "--from", f"repo={repo}", *packages])


def url_word(url: str) -> str:
    """A package URL as one shell word, `$releasever` standing for the base's VERSION_ID
    (set by RELEASEVER)."""
    return '"$VERSION_ID"'.join(escape.shell(part) for part in url.split("$releasever"))


def repo_file(repo: Repo, file_id: str) -> tuple[str, str]:
    """A shell command writing the repository's .repo file, and the file's path."""
    baseurl, metalink, gpgkey = repo.urls()
    lines = [f"[{repo.id}]", f"name={repo.name or repo.id}", "enabled=1"]
    lines.append(f"baseurl={baseurl}" if baseurl else f"metalink={metalink}")
    lines.append(f"gpgcheck={1 if repo.gpgcheck else 0}")
    if gpgkey:
        lines.append(f"gpgkey={gpgkey}")
    path = f"/etc/yum.repos.d/{file_id}.repo"
    return escape.shell_line(["printf", "%s\\n", *lines]) + " > " + escape.shell(path), path
