"""The stand-in base: a minimal Debian root with dnf and rpm (mmdebstrap), imported with
buildah, rebuilt only when its inputs change (tag = hash of the inputs). The Fedora
Kinoite base cannot be pulled here; nothing in this package pretends to be it."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from layerkit.tools.run import run

STANDIN_REPO = "localhost/layerkit-standin"
STANDIN_INPUTS = {
    "suite": "bookworm",
    "variant": "essential",
    "include": "dnf,rpm",
    # dnf wants its repo dir; rpmdb where Fedora keeps it, in /usr
    "hooks": ['mkdir -p "$1/etc/yum.repos.d" "$1/usr/lib/sysimage/rpm" "$1/etc/rpm"',
              'echo "%_dbpath /usr/lib/sysimage/rpm" > "$1/etc/rpm/macros.dbpath"',
              'rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/*'],
    "version": 2,
}


def standin_tag() -> str:
    key = hashlib.sha256(repr(sorted(STANDIN_INPUTS.items())).encode()).hexdigest()[:12]
    return f"{STANDIN_REPO}:{key}"


def standin_base(workdir: Path | None = None) -> str:
    """The stand-in base's image reference, built on first use (~25 s)."""
    ref = standin_tag()
    if run(["buildah", "inspect", "--type", "image", ref], check=False).returncode == 0:
        return ref
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        tar = Path(tmp) / "root.tar"
        argv = ["mmdebstrap", f"--variant={STANDIN_INPUTS['variant']}",
                f"--include={STANDIN_INPUTS['include']}"]
        argv += [f"--customize-hook={h}" for h in STANDIN_INPUTS["hooks"]]
        run(argv + [STANDIN_INPUTS["suite"], tar])
        ctr = run(["buildah", "from", "scratch"]).stdout.decode().strip()
        try:
            run(["buildah", "add", ctr, tar, "/"])
            run(["buildah", "config", "--cmd", "/bin/sh", ctr])
            run(["buildah", "commit", "--timestamp", "0", ctr, ref])
        finally:
            run(["buildah", "rm", ctr], check=False)
    return ref
