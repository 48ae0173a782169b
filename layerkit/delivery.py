"""How an image is delivered: where its base comes from, and the CI that builds it.

`[base]` says how the base reaches your registry: mirrored from `upstream`, or built from
an rpm-ostree `treefile`; `[ci]` configures the generated GitHub workflow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import patterns
from .tomlfields import Table

CRON = re.compile(r"^(\S+\s+){4}\S+$")
CRON_FIELD = re.compile(r"^[0-9*/,-]+$")
SECRET = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")


@dataclass(frozen=True)
class BaseSource:
    upstream: str | None = None  # mirror this reference
    treefile: Path | None = None  # or build with `rpm-ostree compose image`
    schedule: str = "0 4 * * *"  # cron for the CI base job


@dataclass(frozen=True)
class CiSettings:
    runs_on: str = "ubuntu-24.04"
    user_secret: str = "REGISTRY_USER"
    password_secret: str = "REGISTRY_PASSWORD"
    branch: str = "main"
    cache: bool = True  # buildah --cache-from/--cache-to <repository>-cache
    sign: bool = False  # cosign, key in secrets.COSIGN_PRIVATE_KEY
    bootc: bool = False  # clients switch with `bootc switch`


def parse_base(t: Table, image_dir: Path, ref_pattern) -> BaseSource | None:
    t.check_keys({"upstream", "treefile", "schedule"})
    upstream = t.get("upstream", str, None)
    if upstream is not None and not ref_pattern.match(upstream):
        t.error("upstream", f"{upstream!r} is not an image reference")
    treefile = t.get("treefile", str, None)
    tree = None
    if treefile is not None:
        tree = image_dir / treefile
        if not patterns.valid_abs_path("/" + treefile.lstrip("./")) or ".." in treefile:
            t.error("treefile", f"{treefile!r} must be a path inside the image's folder")
    if (upstream is None) == (treefile is None):
        t.error("upstream", "give exactly one of upstream (mirror) or treefile (build)")
        return None
    schedule = _cron(t, "schedule", "0 4 * * *")
    return BaseSource(upstream, tree, schedule or "0 4 * * *")


def parse_ci(t: Table) -> CiSettings:
    t.check_keys({"runs_on", "user_secret", "password_secret", "branch", "cache", "sign",
                  "bootc"})
    runs_on = t.get("runs_on", str, "ubuntu-24.04")
    if runs_on and not re.match(r"^[A-Za-z0-9._-]+$", runs_on):
        t.error("runs_on", f"{runs_on!r} is not a runner label")
    secrets = {}
    for key, default in (("user_secret", "REGISTRY_USER"), ("password_secret",
                                                            "REGISTRY_PASSWORD")):
        value = t.get(key, str, default)
        if value and not SECRET.match(value):
            t.error(key, f"{value!r} is not a secret name (upper case, digits, _)")
        secrets[key] = value or default
    branch = t.get("branch", str, "main")
    if branch and not patterns.TAG.match(branch.replace("/", "-")):
        t.error("branch", f"{branch!r} is not a branch name")
    return CiSettings(runs_on or "ubuntu-24.04", secrets["user_secret"],
                      secrets["password_secret"], branch or "main",
                      bool(t.get("cache", bool, True)), bool(t.get("sign", bool, False)),
                      bool(t.get("bootc", bool, False)))


def _cron(t: Table, key: str, default: str) -> str | None:
    value = t.get(key, str, default)
    if value is not None and not (CRON.match(value.strip())
                                  and all(CRON_FIELD.match(f) for f in value.split())):
        t.error(key, f"{value!r} is not a five-field cron expression")
        return None
    return value
