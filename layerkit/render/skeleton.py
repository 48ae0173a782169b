"""What `layerkit init` writes: a project that `plan`, `lint` and `ci github` accept as
it is — an image on Fedora Kinoite, a trial image of config layers only (it builds on any
local base, the stand-in included), a few recipes and a catalog of estimates."""

from __future__ import annotations

import json
from datetime import date, timedelta

from ..config.image import DEFAULT_BASE

KINOITE = f'''# Your image: Fedora Kinoite plus the recipes below, built and pushed by CI.
# The base is mirrored into your registry by the workflow's base job (`layerkit base`);
# the image follows the mirror's moving tag. Change registry and repository to yours.
base = "ghcr.io/owner/kinoite-base:42"
registry = "ghcr.io"
repository = "owner/kinoite"
stream = "42"
recipes = ["cli-tools", "sysctl", "flathub"]
catalog = "../catalog.json"

[base_source]
upstream = "{DEFAULT_BASE}"
schedule = "0 4 * * *"
'''

TRIAL = '''# A trial image of config layers only: no package repository needed, so it builds on
# any local base (`layerkit build images/trial.toml`). layerkit's own checkout makes a
# stand-in base for it with `make demo`.
base = "localhost/layerkit-standin:latest"
registry = "localhost:5000"
repository = "trial/desktop"
stream = "trial"
recipes = ["sysctl"]
tls_verify = false
'''

RECIPES = {
    "cli-tools.toml": '''description = "Command-line tools on the host"
packages = ["htop", "ripgrep", "tmux"]
size = "6 MB"          # estimates for what no catalog knows
update = "monthly"
''',
    "sysctl.toml": '''description = "More inotify watches for editors and sync tools"
[[files]]
src = "sysctl/60-inotify.conf"
dest = "/etc/sysctl.d/60-inotify.conf"   # relocated to /usr/lib/sysctl.d
''',
    "flathub.toml": '''description = "Flathub, and apps installed once a machine is up"
[flatpaks]
remote = "flathub"
url = "https://dl.flathub.org/repo/flathub.flatpakrepo"
apps = ["org.mozilla.firefox"]
''',
    "sysctl/60-inotify.conf": "fs.inotify.max_user_watches = 524288\n",
}


def skeleton(today: date) -> dict[str, str]:
    """Relative path -> text of every file `init` writes (the workflow comes after)."""
    files = {"images/kinoite.toml": KINOITE, "images/trial.toml": TRIAL}
    files.update({f"recipes/{k}": v for k, v in RECIPES.items()})
    start = today - timedelta(days=365)
    catalog = {"period": [start.isoformat(), today.isoformat()],
               "packages": [{"name": n, "size": s, "updates": u, "depends": [],
                             "evidence": "estimate"}
                            for n, s, u in (("htop", 180_000, 2), ("ripgrep", 1_600_000, 4),
                                            ("tmux", 500_000, 2))]}
    files["catalog.json"] = json.dumps(catalog, indent=2) + "\n"
    return files
