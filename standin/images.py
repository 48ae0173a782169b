"""Images for the stand-in world made without layerkit: a plain buildah build FROM the
stand-in base that installs packages with dnf from a repository on loopback (what the
catalog reads back), or one whose rpm database is damaged."""

from __future__ import annotations

import shlex
from pathlib import Path

from layerkit.tools.run import run


def build(containerfile: str, tag: str, workdir: Path) -> str:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "Containerfile").write_text(containerfile)
    run(["buildah", "build", "--isolation", "chroot", "--pull=false", "--layers=false",
         "-t", tag, "-f", workdir / "Containerfile", workdir])
    return tag


def install_image(base: str, repo_url: str, packages: list[str], tag: str,
                  workdir: Path) -> str:
    """`base` with `packages` installed by dnf from the repository at `repo_url`."""
    repo = shlex.join(["printf", r"%s\n", "[rig]", "name=rig", f"baseurl={repo_url}",
                       "gpgcheck=0", "enabled=1"])
    return build(f"FROM {base}\n"
                 f"RUN {repo} > /etc/yum.repos.d/rig.repo && "
                 f"dnf -y install --setopt=install_weak_deps=False {shlex.join(packages)} && "
                 "rm -rf /var/cache/dnf /var/log/dnf* /etc/yum.repos.d/rig.repo\n", tag, workdir)


def corrupt_rpmdb_image(base: str, tag: str, workdir: Path) -> str:
    """`base` with garbage where its rpm database should be."""
    return build(f"FROM {base}\nRUN mkdir -p /usr/lib/sysimage/rpm && "
                 "yes 'not a database' | head -c 65536 > /usr/lib/sysimage/rpm/rpmdb.sqlite\n",
                 tag, workdir)
