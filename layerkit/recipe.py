"""Package recipes: `recipes/<name>.toml` -> frozen Recipe objects, every problem reported."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from . import patterns, placement
from .accounts import GroupSpec, UserSpec, parse_group, parse_user
from .errors import Problems
from .flatpaks import FlatpakSpec, flatpak_unit, parse_flatpaks
from .recipe_types import RunWhen, Scope, UnitSpec
from .sizes import UPDATE_RATES, parse_size
from .tomlfields import Table, load_toml


@dataclass(frozen=True)
class Repo:
    id: str
    baseurl: str | None = None
    metalink: str | None = None
    copr: str | None = None
    gpgkey: str | None = None
    gpgcheck: bool = True
    name: str | None = None

    def urls(self) -> tuple[str | None, str | None, str | None]:
        """(baseurl, metalink, gpgkey) with copr shorthand expanded."""
        if self.copr:
            owner, project = self.copr.split("/", 1)
            owner = owner.replace("@", "group_")
            root = f"https://download.copr.fedorainfracloud.org/results/{owner}/{project}"
            gpgkey = self.gpgkey or f"{root}/pubkey.gpg"
            return f"{root}/fedora-$releasever-$basearch/", None, gpgkey
        return self.baseurl, self.metalink, self.gpgkey


@dataclass(frozen=True)
class FileSpec:
    src: Path  # absolute, resolved, inside the recipe folder
    src_rel: str  # as written in the recipe
    dest: str  # where it lands in the image (after placement)
    mode: int
    requested_dest: str  # as written, before any relocation
    note: str | None = None  # what placement did and why
    tmpfiles: tuple[str, ...] = ()  # tmpfiles.d lines placement asked for


@dataclass(frozen=True)
class Recipe:
    name: str
    path: Path
    description: str
    packages: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    size: int | None = None  # estimate, used when no catalog knows the packages
    changes_per_year: float | None = None  # estimate, likewise
    repos: tuple[Repo, ...] = ()
    files: tuple[FileSpec, ...] = ()
    units: tuple[UnitSpec, ...] = ()
    remove: tuple[str, ...] = ()
    script: str | None = None
    users: tuple[UserSpec, ...] = ()
    groups: tuple[GroupSpec, ...] = ()
    flatpaks: FlatpakSpec | None = None

    @property
    def all_units(self) -> tuple[UnitSpec, ...]:
        """Units written in the recipe plus the one its [flatpaks] section renders to."""
        extra = (flatpak_unit(self.name, self.flatpaks),) if self.flatpaks else ()
        return self.units + extra

    @property
    def ships_config(self) -> bool:
        return bool(self.files or self.all_units or self.users or self.groups)

    @property
    def files_size(self) -> int:
        return sum(f.src.stat().st_size for f in self.files)


RECIPE_KEYS = {"description", "packages", "requires", "size", "update", "changes_per_year",
               "repos", "files", "units", "remove", "script", "users", "groups", "flatpaks"}


def load_recipe(path: Path, problems: Problems, label: str | None = None) -> Recipe | None:
    label = label or str(path)
    name = path.stem
    if not patterns.RECIPE.match(name):
        problems.add(label, "recipe file name must be lower-case letters, digits, '-' or '_'")
    data = load_toml(path, label, problems)
    if data is None:
        return None
    before = len(problems.items)
    t = Table(data, label, "", problems)
    t.check_keys(RECIPE_KEYS)
    description = t.get("description", str)
    packages = _names(t, "packages", patterns.PACKAGE, "a package name")
    remove = _names(t, "remove", patterns.PACKAGE, "a package name")
    requires = _names(t, "requires", patterns.RECIPE, "a recipe name")
    size = None
    if "size" in data:
        try:
            size = parse_size(data["size"])
        except ValueError as e:
            t.error("size", str(e))
    rate = _rate(t)
    script = t.get("script", str, None)
    if script is not None and "\0" in script:
        t.error("script", "must not contain NUL bytes")
    repos = tuple(r for r in (parse_repo(rt) for rt in t.tables("repos")) if r)
    folder = path.parent
    files = tuple(f for f in (_file(ft, folder) for ft in t.tables("files")) if f)
    units = tuple(u for u in (_unit(ut) for ut in t.tables("units")) if u)
    users = tuple(u for u in (parse_user(ut) for ut in t.tables("users")) if u)
    groups = tuple(g for g in (parse_group(gt) for gt in t.tables("groups")) if g)
    ft = t.table("flatpaks")
    flatpaks = parse_flatpaks(ft) if ft is not None else None
    _unique(t, "users", [u.name for u in users])
    _unique(t, "groups", [g.name for g in groups])
    _unique(t, "repos", [r.id for r in repos])
    _unique(t, "units", [u.name for u in units])
    _unique(t, "files", [f.dest for f in files])
    if len(problems.items) > before:
        return None
    return Recipe(name=name, path=path, description=description, packages=tuple(packages),
                  requires=tuple(requires), size=size, changes_per_year=rate, repos=repos,
                  files=files, units=units, remove=tuple(remove), script=script,
                  users=users, groups=groups, flatpaks=flatpaks)


def load_recipes(folder: Path, names: list[str] | None, problems: Problems,
                 root: Path | None = None) -> dict[str, Recipe]:
    """All recipes in `folder` (or just `names`, which must exist), keyed by name."""
    recipes: dict[str, Recipe] = {}
    if not folder.is_dir():
        problems.add(str(folder), "recipe folder does not exist")
        return recipes
    paths = sorted(folder.glob("*.toml"))
    if names is not None:
        wanted = set(names)
        for missing in sorted(wanted - {p.stem for p in paths}):
            problems.add(str(folder), f"recipe {missing!r} not found ({missing}.toml)")
        paths = [p for p in paths if p.stem in wanted]
    for p in paths:
        label = _label(p, root)
        r = load_recipe(p, problems, label)
        if r is not None:
            recipes[r.name] = r
    return recipes


def _label(p: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(p.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(p)


def _names(t: Table, key: str, pattern, what: str) -> list[str]:
    out = []
    for i, v in enumerate(t.str_list(key)):
        if pattern.match(v):
            out.append(v)
        else:
            t.error(f"{key}[{i}]", f"{v!r} is not {what} (allowed: {pattern.pattern})")
    _unique(t, key, out)
    return out


def _unique(t: Table, key: str, values: list[str]) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            t.error(key, f"{v!r} appears twice")
        seen.add(v)


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
    rate = t.get("changes_per_year", float, None)
    if rate is not None and rate < 0:
        t.error("changes_per_year", "must not be negative")
        return None
    return rate


def _url(t: Table, key: str) -> str | None:
    v = t.get(key, str, None)
    if v is not None and not patterns.URL.match(v):
        t.error(key, f"{v!r} is not an http(s) or file URL without spaces or quotes")
        return None
    return v


def parse_repo(t: Table) -> Repo | None:
    t.check_keys({"id", "name", "baseurl", "metalink", "copr", "gpgkey", "gpgcheck"})
    rid = t.get("id", str, None)
    copr = t.get("copr", str, None)
    if copr is not None and not patterns.COPR.match(copr):
        t.error("copr", f"{copr!r} is not \"owner/project\"")
        copr = None
    if rid is None and copr:
        rid = "copr-" + copr.replace("/", "-").replace("@", "group_")
    if rid is None:
        t.error("id", "required key is missing (or give copr = \"owner/project\")")
        return None
    if not patterns.REPO_ID.match(rid):
        t.error("id", f"{rid!r} is not a repository id (allowed: {patterns.REPO_ID.pattern})")
    name = t.get("name", str, None)
    if name is not None and any(c in name for c in "\n\r\0"):
        t.error("name", "must be one line")
    baseurl, metalink, gpgkey = _url(t, "baseurl"), _url(t, "metalink"), _url(t, "gpgkey")
    if sum(x is not None for x in (baseurl, metalink, copr)) != 1:
        t.error("baseurl", "give exactly one of baseurl, metalink or copr")
    gpgcheck = t.get("gpgcheck", bool, True)
    if gpgcheck and not (gpgkey or copr) and baseurl and not baseurl.startswith("file://"):
        t.error("gpgkey", "required for a remote repository (or set gpgcheck = false, knowingly)")
    return Repo(id=rid, baseurl=baseurl, metalink=metalink, copr=copr, gpgkey=gpgkey,
                gpgcheck=gpgcheck, name=name)


def _file(t: Table, folder: Path) -> FileSpec | None:
    t.check_keys({"src", "dest", "mode", "etc"})
    src, dest = t.get("src", str), t.get("dest", str)
    mode = _mode(t)
    etc = t.get("etc", str, None)
    resolved = None
    if src is not None:
        resolved = _inside(t, src, folder)
    if dest is None:
        return None
    placed = placement.place(dest, etc)
    if placed.error:
        t.error("dest", placed.error)
    if resolved is None or placed.error or mode is None:
        return None
    return FileSpec(src=resolved, src_rel=src, dest=placed.dest, mode=mode,
                    requested_dest=dest, note=placed.note, tmpfiles=placed.tmpfiles)


def _inside(t: Table, src: str, folder: Path) -> Path | None:
    if src.startswith("/") or Path(src).is_absolute():
        t.error("src", f"{src!r} must be relative to the recipe's folder")
        return None
    root = folder.resolve()
    path = (folder / src).resolve()
    if not path.is_relative_to(root):
        t.error("src", f"{src!r} leads outside the recipe folder {folder}")
        return None
    if not path.is_file():
        t.error("src", f"{src!r} is not a file in {folder}")
        return None
    return path


def _mode(t: Table) -> int | None:
    raw = t.data.get("mode", 0o644)
    if isinstance(raw, str):
        try:
            raw = int(raw, 8)
        except ValueError:
            t.error("mode", f"{raw!r} is not an octal mode like \"0644\"")
            return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 0o7777:
        t.error("mode", "expected an octal mode like 0o644 or \"0644\"")
        return None
    return raw


def _unit(t: Table) -> UnitSpec | None:
    t.check_keys({"name", "description", "exec", "run", "after", "wants", "network", "scope"})
    name = t.get("name", str)
    if name is not None and not (patterns.UNIT_NAME.match(name) and name.endswith(".service")):
        t.error("name", f"{name!r} is not a service unit name like \"my-setup.service\"")
    description = t.get("description", str, "")
    if any(c in description for c in "\n\r\0"):
        t.error("description", "must be one line")
    argv = _argv(t)
    run = t.enum("run", RunWhen, RunWhen.ONCE)
    after = [u for u in t.str_list("after") if _unit_ref(t, "after", u)]
    wants = [u for u in t.str_list("wants") if _unit_ref(t, "wants", u)]
    network = t.get("network", bool, False)
    scope = t.enum("scope", Scope, Scope.SYSTEM)
    if name is None or argv is None or run is None or scope is None:
        return None
    return UnitSpec(name=name, description=description, exec=argv, run=run,
                    after=tuple(after), wants=tuple(wants), network=bool(network), scope=scope)


def _unit_ref(t: Table, key: str, value: str) -> bool:
    if patterns.UNIT_NAME.match(value):
        return True
    t.error(key, f"{value!r} is not a unit name")
    return False


def _argv(t: Table) -> tuple[str, ...] | None:
    raw = t.get("exec", (str, list), what="a command line or a list of arguments")
    if raw is None:
        return None
    try:
        argv = shlex.split(raw) if isinstance(raw, str) else list(raw)
    except ValueError as e:
        t.error("exec", f"cannot split: {e}")
        return None
    if not argv or not all(isinstance(a, str) for a in argv):
        t.error("exec", "expected a non-empty list of strings")
        return None
    if not argv[0].startswith("/"):
        t.error("exec", f"{argv[0]!r}: the program must be an absolute path")
        return None
    if any(c in a for a in argv for c in "\n\r\0"):
        t.error("exec", "arguments must not contain newlines or NUL bytes")
        return None
    return tuple(argv)
