"""Reading the tables a recipe (or image) holds: repos, files, users, groups, flatpaks,
replacements (units: `services`). Each reader reports its problems on the Table and
returns None when the section is unusable."""

from __future__ import annotations

from pathlib import Path

from . import patterns, placement
from .files import kind, resolved
from .recipe import FileSpec, FlatpakSpec, GroupSpec, Replace, Repo, RunWhen, Scope, UserSpec
from .toml import Table


def _url(t: Table, key: str) -> str | None:
    v = t.get(key, str, None)
    if v is not None and not patterns.URL.fullmatch(v):
        t.error(key, f"{v!r} is not an http(s) or file URL without spaces or quotes")
        return None
    return v


def parse_repo(t: Table) -> Repo | None:
    t.check_keys({"id", "name", "baseurl", "metalink", "copr", "gpgkey", "gpgcheck"})
    rid = t.get("id", str, None)
    copr = t.get("copr", str, None)
    if copr is not None and not patterns.COPR.fullmatch(copr):
        t.error("copr", f"{copr!r} is not \"owner/project\"")
        copr = None
    if rid is None and copr:
        rid = "copr-" + copr.replace("/", "-").replace("@", "group_")
    if rid is None:
        t.error("id", "required key is missing (or give copr = \"owner/project\")")
        return None
    if not patterns.REPO_ID.fullmatch(rid):
        t.error("id", f"{rid!r} is not a repository id (allowed: {patterns.REPO_ID.pattern})")
    name = t.text("name", None)
    baseurl, metalink, gpgkey = _url(t, "baseurl"), _url(t, "metalink"), _url(t, "gpgkey")
    if sum(x is not None for x in (baseurl, metalink, copr)) != 1:
        t.error("baseurl", "give exactly one of baseurl, metalink or copr")
    gpgcheck = t.get("gpgcheck", bool, True)
    if gpgcheck and not (gpgkey or copr) and baseurl and not baseurl.startswith("file://"):
        t.error("gpgkey", "required for a remote repository (or set gpgcheck = false, knowingly)")
    return Repo(id=rid, baseurl=baseurl, metalink=metalink, copr=copr, gpgkey=gpgkey,
                gpgcheck=gpgcheck, name=name)


def parse_file(t: Table, folder: Path) -> FileSpec | None:
    t.check_keys({"src", "dest", "mode", "etc"})
    src, dest = t.get("src", str), t.get("dest", str)
    mode = _mode(t)
    etc = t.text("etc", None)
    resolved = _inside(t, src, folder) if src is not None else None
    if dest is None:
        return None
    placed = placement.place(dest, etc)
    if placed.error:
        t.error("dest", placed.error)
    if resolved is None or placed.error or mode is None:
        return None
    return FileSpec(src=resolved, dest=placed.dest, mode=mode,
                    requested_dest=dest, note=placed.note, tmpfiles=placed.tmpfiles)


def _inside(t: Table, src: str, folder: Path) -> Path | None:
    if src.startswith("/") or Path(src).is_absolute():
        t.error("src", f"{src!r} must be relative to the recipe's folder")
        return None
    root, path = resolved(folder), resolved(folder / src)
    if root is None or path is None or not path.is_relative_to(root):
        t.error("src", f"{src!r} leads outside the recipe folder {folder}")
        return None
    if kind(path) != "file":
        t.error("src", f"{src!r} is not a regular file in {folder}")
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


def parse_group(t: Table) -> GroupSpec | None:
    t.check_keys({"name", "gid"})
    name = _account(t)
    gid = _system_id(t, "gid")
    return GroupSpec(name, gid) if name else None


NO_LOGIN = {"/usr/sbin/nologin", "/sbin/nologin", "/usr/bin/false", "/bin/false"}
LOGIN_REFUSED = ("would be a login account; an image must not carry people's accounts "
                 "(every machine would get the same one, outside any password policy): "
                 "create them in the installer (Anaconda, kickstart `user`) or with a "
                 "first-boot unit running homectl or useradd; [[users]] makes system "
                 "accounts with sysusers.d")


def parse_user(t: Table) -> UserSpec | None:
    """sysusers.d creates system accounts: people's accounts belong to the machine."""
    t.check_keys({"name", "uid", "description", "home", "shell", "groups"})
    name = _account(t)
    uid = _system_id(t, "uid")
    description = t.text("description", "")
    if description and any(c in description for c in '"\\:'):
        t.error("description", "must not contain double quotes, backslashes or colons")
    home, shell = t.get("home", str, "/"), t.get("shell", str, "/usr/sbin/nologin")
    for key, value in (("home", home), ("shell", shell)):
        if value is not None and not patterns.valid_abs_path(value):
            t.error(key, f"{value!r} is not a clean absolute path")
    groups = t.str_list("groups", patterns.USER_NAME, "a group name")
    for key, login in (("shell", shell not in NO_LOGIN), ("groups", "wheel" in groups),
                       ("home", (home or "/").startswith(("/home/", "/var/home/")))):
        if login and key in t.data:
            t.error(key, f"{name!r} {LOGIN_REFUSED}")
    if not name:
        return None
    return UserSpec(name, uid, description, home or "/", shell or "/usr/sbin/nologin",
                    tuple(groups))


def _account(t: Table) -> str | None:
    name = t.get("name", str)
    if name is not None and not patterns.USER_NAME.fullmatch(name):
        t.error("name", f"{name!r} is not an account name (allowed: {patterns.USER_NAME.pattern})")
        return None
    return name


def _system_id(t: Table, key: str) -> int | None:
    value = t.get(key, int, None)
    # sysusers.d creates system accounts: ids below 1000 (Fedora's SYS_UID_MAX is 999)
    if value is not None and not 1 <= value <= 999:
        t.error(key, f"{value} is not a system id (1-999); leave it out to let sysusers pick")
        return None
    return value


def parse_replace(t: Table) -> Replace | None:
    """`[[replace]] repo = "id"; packages = [...]`: the base's packages, replaced by the
    versions that repository offers (rpm-ostree override replace --from repo=)."""
    t.check_keys({"repo", "packages"})
    repo = t.get("repo", str)
    if repo is not None and not patterns.REPO_ID.fullmatch(repo):
        t.error("repo", f"{repo!r} is not a repository id")
        repo = None
    packages = t.str_list("packages", patterns.PACKAGE, "a package name")
    if not t.data.get("packages"):
        t.error("packages", "name at least one package to replace")
    return Replace(repo, tuple(packages)) if repo and packages else None


def parse_flatpaks(t: Table) -> FlatpakSpec | None:
    """Flatpak apps live in /var, never in the image: a service installs them."""
    t.check_keys({"remote", "url", "apps", "scope", "run"})
    remote = t.get("remote", str, "flathub")
    if remote is not None and not patterns.FLATPAK_REMOTE.fullmatch(remote):
        t.error("remote", f"{remote!r} is not a remote name")
    url = t.get("url", str, "https://dl.flathub.org/repo/flathub.flatpakrepo")
    if url is not None and not patterns.URL.fullmatch(url):
        t.error("url", f"{url!r} is not an https URL")
    apps = t.str_list("apps", patterns.FLATPAK_APP,
                      "a flatpak application id like org.mozilla.firefox")
    scope = t.enum("scope", Scope, Scope.SYSTEM)
    run = t.enum("run", RunWhen, RunWhen.EACH_DEPLOYMENT)
    if not apps:
        t.error("apps", "list at least one application id")
    if not apps or remote is None or url is None or scope is None or run is None:
        return None
    return FlatpakSpec(remote, url, tuple(apps), scope, run)
