"""What a recipe's COPY layer holds: its files where placement put them, unit files and
timers, presets that enable (or disable) units, masks, sysusers.d and tmpfiles.d lines."""

from __future__ import annotations

from ..config.recipe import Recipe, Scope
from . import services
from .context import ContextFile
from .sysusers import render_sysusers


def config_files(recipe: Recipe) -> list[ContextFile]:
    root = f"files/{recipe.name}"
    out = [ContextFile(root + f.dest, f.mode, src=f.src) for f in recipe.files]
    specs = list(recipe.all_services)
    for spec in specs:
        where = f"{root}{services.unit_dir(spec)}"
        out.append(ContextFile(f"{where}/{spec.name}", 0o644,
                               services.render_service(spec).encode()))
        if spec.timer:
            out.append(ContextFile(f"{where}/{spec.unit}", 0o644,
                                   services.render_timer(spec).encode()))
    for scope in Scope:
        enable = [s.unit for s in specs if s.scope is scope]
        disable: list[str] = []
        if scope is Scope.SYSTEM:
            enable += recipe.systemd.enable
            disable += recipe.systemd.disable
        if enable or disable:
            out.append(ContextFile(f"{root}{services.preset_dir(scope)}/50-layerkit-"
                                   f"{recipe.name}.preset", 0o644,
                                   services.render_preset(enable, disable).encode()))
    # a unit linked to /dev/null is masked, wherever it lies; here it replaces the base's
    out += [ContextFile(f"{root}/usr/lib/systemd/system/{unit}", 0o777, link="/dev/null")
            for unit in recipe.systemd.mask]
    if recipe.users or recipe.groups:
        out.append(ContextFile(f"{root}/usr/lib/sysusers.d/layerkit-{recipe.name}.conf", 0o644,
                               render_sysusers(recipe.users, recipe.groups).encode()))
    tmpfiles = [line for f in recipe.files for line in f.tmpfiles]
    if tmpfiles:
        out.append(ContextFile(f"{root}/usr/lib/tmpfiles.d/layerkit-{recipe.name}.conf", 0o644,
                               ("\n".join(tmpfiles) + "\n").encode()))
    return out
