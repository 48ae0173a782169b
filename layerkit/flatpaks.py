"""The typed `[flatpaks]` section: a remote and app ids, installed by a boot-time unit.

Flatpak apps live in /var/lib/flatpak (system) or ~/.local/share/flatpak (user), never in
the image, so installing them is work for a booted system with network: a oneshot unit
that runs once (or on each deployment, to pick up a changed app list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import patterns
from .recipe_types import RunWhen, Scope, UnitSpec
from .tomlfields import Table

REMOTE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class FlatpakSpec:
    remote: str
    url: str
    apps: tuple[str, ...]
    scope: Scope = Scope.SYSTEM
    run: RunWhen = RunWhen.EACH_DEPLOYMENT


def parse_flatpaks(t: Table) -> FlatpakSpec | None:
    t.check_keys({"remote", "url", "apps", "scope", "run"})
    remote = t.get("remote", str, "flathub")
    if remote is not None and not REMOTE.match(remote):
        t.error("remote", f"{remote!r} is not a remote name")
    url = t.get("url", str, "https://dl.flathub.org/repo/flathub.flatpakrepo")
    if url is not None and not patterns.URL.match(url):
        t.error("url", f"{url!r} is not an https URL")
    apps = t.str_list("apps")
    for i, app in enumerate(apps):
        if not patterns.FLATPAK_APP.match(app):
            t.error(f"apps[{i}]", f"{app!r} is not a flatpak application id like "
                                  "org.mozilla.firefox")
    scope = t.enum("scope", Scope, Scope.SYSTEM)
    run = t.enum("run", RunWhen, RunWhen.EACH_DEPLOYMENT)
    if not apps or remote is None or url is None or scope is None or run is None:
        if not apps:
            t.error("apps", "list at least one application id")
        return None
    return FlatpakSpec(remote, url, tuple(apps), scope, run)


def flatpak_unit(recipe: str, spec: FlatpakSpec) -> UnitSpec:
    where = "--user" if spec.scope is Scope.USER else "--system"
    add = ("/usr/bin/flatpak", "remote-add", where, "--if-not-exists", spec.remote, spec.url)
    install = ("/usr/bin/flatpak", "install", where, "--noninteractive", "--or-update",
               spec.remote, *spec.apps)
    return UnitSpec(name=f"layerkit-flatpaks-{recipe}.service",
                    description=f"Install the Flatpak apps of recipe {recipe}",
                    exec=add, more=(install,), run=spec.run, network=True, scope=spec.scope)
