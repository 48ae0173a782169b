"""The world's plain base, one image per week, cached in local storage by content hash:
week 0 is the stand-in plus `dnf install` of every base package (one layer, a real
rpmdb); week k is week k-1 plus `dnf upgrade` of the packages that changed (the rpmdb
rewritten in full, as a distribution's update does)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from layerkit.tools.run import run
from standin.base import standin_base

from .rpmgen import build_rpms, make_week_repo
from .world import World

PLAIN_REPO = "localhost/layerkit-scale-base"
DNF = ["dnf", "-y", "--setopt=install_weak_deps=False", "--setopt=keepcache=0",
       "--disablerepo=*", "--enablerepo=scale"]
CLEAN = "dnf clean all >/dev/null; rm -rf /var/cache/dnf /var/lib/dnf /var/log/dnf* " \
        "/var/log/hawkey.log /etc/yum.repos.d/scale.repo"


class Weeks:
    """The world's versions per week, its RPM pool, weekly repositories and plain bases.
    url: the base URL under which `repos/` is served (RepoServer of `root`)."""

    def __init__(self, world: World, root: Path):
        self.world, self.root = world, root
        self.pool = root / "pool"
        self.changes = [set()] + world.weeks()
        self.versions: list[dict[str, str]] = []
        count = dict.fromkeys(world.packages, 1)
        for changed in self.changes:
            for n in changed:
                count[n] += 1
            self.versions.append({n: str(c) for n, c in count.items()})

    def repo(self, k: int) -> Path:
        """Week k's repository (built on first use)."""
        build_rpms(self.world, self.versions[k], self.pool)
        where = self.root / "repos" / f"w{k}"
        make_week_repo(self.versions[k], self.pool, where)
        return where

    def plain_tag(self, k: int) -> str:
        return f"{PLAIN_REPO}:{self.world.key()}-w{k}"

    def plain_base(self, k: int, url: str, log: Callable[[str], None] = print) -> str:
        """Week k's plain base in local storage (built unless there)."""
        ref = self.plain_tag(k)
        self.repo(k)  # the custom image installs from it, whether or not the base is cached
        if run(["buildah", "inspect", "--type", "image", ref], check=False).returncode == 0:
            return ref
        parent = standin_base(self.root) if k == 0 else self.plain_base(k - 1, url, log)
        if k == 0:
            step = DNF + ["install"] + self.world.base
        else:
            step = DNF + ["upgrade"] + sorted(n for n in self.changes[k]
                                              if not self.world.packages[n].custom)
        repo_file = f"[scale]\nname=scale\nbaseurl={url}repos/w{k}/\ngpgcheck=0\n" \
                    "metadata_expire=0\n"
        script = f"cat > /etc/yum.repos.d/scale.repo <<'EOF'\n{repo_file}EOF\n" \
                 f"{' '.join(step)} >/dev/null\n{CLEAN}\n"
        log(f"building {ref}")
        ctr = run(["buildah", "from", "--pull=false", parent]).stdout.decode().strip()
        try:
            run(["buildah", "run", "--isolation", "chroot", ctr, "--", "sh", "-euc", script])
            run(["buildah", "commit", "--timestamp", "0", ctr, ref])
        finally:
            run(["buildah", "rm", ctr], check=False)
        return ref

    def rpmdb_bytes(self, ref: str) -> int:
        """Size of the image's rpm database directory."""
        ctr = run(["buildah", "from", "--pull=false", ref]).stdout.decode().strip()
        try:
            root = Path(run(["buildah", "mount", ctr]).stdout.decode().strip())
            db = root / "usr/lib/sysimage/rpm"
            return sum(f.stat().st_size for f in db.rglob("*") if f.is_file())
        finally:
            run(["buildah", "rm", ctr], check=False)

    def forget(self) -> None:
        """Remove this world's plain bases from local storage (they are otherwise kept,
        so a rerun starts from them)."""
        out = run(["buildah", "images", "--json"]).stdout
        mine = f"{PLAIN_REPO}:{self.world.key()}-"
        for img in json.loads(out or b"[]"):
            for name in img.get("names") or []:
                if name.startswith(mine):
                    run(["buildah", "rmi", name], check=False)

    def clean_pool(self) -> None:
        shutil.rmtree(self.root / "repos", ignore_errors=True)
