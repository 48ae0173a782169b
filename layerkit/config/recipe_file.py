"""Reading `recipes/<name>.toml` into Recipe objects, every problem reported
(format: docs/formats.md#recipes)."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import Problems
from . import patterns, sections
from .files import kind
from .image import MAX_RATE
from .recipe import Recipe, SystemdSpec
from .services import parse_service, parse_systemd
from .sizes import UPDATE_RATES
from .toml import Table

MAX_RECIPES = 2_000
RECIPE_KEYS = {"description", "packages", "rpms", "requires", "size", "update",
               "changes_per_year", "repos", "files", "units", "remove", "replace", "script",
               "users", "groups", "flatpaks", "systemd"}


def load_recipe(path: Path, problems: Problems, label: str | None = None) -> Recipe | None:
    label = label or str(path)
    name = path.stem
    if not patterns.RECIPE.fullmatch(name):
        problems.add(label, "recipe file name must be lower-case letters, digits, '-' or '_'")
    t = Table.load(path, problems, label, RECIPE_KEYS)
    if t is None:
        return None
    description = t.text("description")
    packages = _names(t, "packages", patterns.PACKAGE, "a package name")
    remove = _names(t, "remove", patterns.PACKAGE, "a package name")
    requires = _names(t, "requires", patterns.RECIPE, "a recipe name")
    size = t.size("size", None)
    rate = _rate(t)
    script = t.text("script", None, multiline=True)
    repos = tuple(r for r in (sections.parse_repo(rt) for rt in t.tables("repos")) if r)
    folder = path.parent
    files = tuple(f for f in (sections.parse_file(ft, folder) for ft in t.tables("files")) if f)
    services = tuple(s for s in (parse_service(ut) for ut in t.tables("units")) if s)
    replace = tuple(r for r in (sections.parse_replace(rt) for rt in t.tables("replace")) if r)
    st = t.table("systemd")
    systemd = parse_systemd(st) if st is not None else SystemdSpec()
    rpms = t.str_list("rpms", patterns.RPM_URL, "the URL of an .rpm file")
    users = tuple(u for u in (sections.parse_user(ut) for ut in t.tables("users")) if u)
    groups = tuple(g for g in (sections.parse_group(gt) for gt in t.tables("groups")) if g)
    ft = t.table("flatpaks")
    flatpaks = sections.parse_flatpaks(ft) if ft is not None else None
    _unique(t, "users", [u.name for u in users])
    _unique(t, "groups", [g.name for g in groups])
    _unique(t, "repos", [r.id for r in repos])
    _unique(t, "units", [s.name for s in services])
    _unique(t, "files", [f.dest for f in files])
    _unique(t, "rpms", rpms)
    ids = {r.id for r in repos}
    for i, rep in enumerate(replace):
        if rep.repo not in ids:
            t.error(f"replace[{i + 1}].repo", f"{rep.repo!r} is not one of this recipe's "
                                               "[[repos]]")
    if t.failed:
        return None
    return Recipe(name=name, path=path, description=description, packages=tuple(packages),
                  requires=tuple(requires), size=size, rate=rate, repos=repos,
                  files=files, services=services, remove=tuple(remove), script=script,
                  users=users, groups=groups, flatpaks=flatpaks, rpms=tuple(rpms),
                  replace=replace, systemd=systemd)


def load_recipes(folder: Path, names: list[str] | None, problems: Problems,
                 root: Path | None = None, where: str = "recipes") -> dict[str, Recipe]:
    """All recipes in `folder` (or just `names`, which must exist), keyed by name.
    where: what names the list in messages (the image file's `recipes` key)."""
    recipes: dict[str, Recipe] = {}
    what = kind(folder)
    if what != "dir":
        problems.add(str(folder), "recipe folder does not exist" if what == "missing"
                     else f"recipe folder: {what}")
        return recipes
    if len(paths := sorted(folder.glob("*.toml"))) > MAX_RECIPES:
        problems.add(str(folder), f"{len(paths)} recipes, more than the {MAX_RECIPES} allowed")
        return recipes
    if names is not None:
        found = {p.stem for p in paths}
        for i, name in enumerate(names):
            if name not in found:
                problems.add(f"{where}[{i + 1}]", f"recipe {name!r} not found "
                                                  f"({folder / (name + '.toml')})")
        paths = [p for p in paths if p.stem in set(names)]
    for p in paths:
        r = load_recipe(p, problems, _label(p, root))
        if r is not None:
            recipes[r.name] = r
    return recipes


def _label(p: Path, root: Path | None) -> str:
    """The recipe's own path (a link is named as the link, not its target), relative to
    the project root when it lies below it."""
    here, top = Path(os.path.abspath(p)), Path(os.path.abspath(root)) if root else None
    if top is not None and here.is_relative_to(top):
        return str(here.relative_to(top))
    return str(p)


def _names(t: Table, key: str, pattern, what: str) -> list[str]:
    out = t.str_list(key, pattern, f"{what} (allowed: {pattern.pattern})")
    _unique(t, key, out)
    return out


def _unique(t: Table, key: str, values: list[str]) -> None:
    """Each repeated value reported once, where it repeats (counted from 1)."""
    first: dict[str, int] = {}
    for i, v in enumerate(values):
        if v in first:
            t.error(f"{key}[{i + 1}]", f"{v!r} appears twice (first as {key}[{first[v] + 1}])")
        first.setdefault(v, i)


def _rate(t: Table) -> float | None:
    if "update" in t.data and "changes_per_year" in t.data:
        t.error("update", "give either update or changes_per_year, not both")
        return None
    if "update" in t.data:
        u = t.get("update", str)
        if u is None:
            return None
        if u not in UPDATE_RATES:
            t.error("update", f"{u!r} is not one of {', '.join(UPDATE_RATES)}")
            return None
        return UPDATE_RATES[u]
    return t.number("changes_per_year", None, 0, MAX_RATE)
