"""Lint of a built image's root filesystem (mounted read-only by the caller): ostree
rules that only the result shows. Never changes the root."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ..config.lint import Finding, Level
from ..config.placement import USR_EQUIVALENTS


def lint_root(root: Path) -> list[Finding]:
    """Every image check on a root filesystem."""
    checks = (_usr_etc, _var_run, _run_tmp, _utf8, _kernels, _etc_enablement, _etc_shadow,
              _var_tmpfiles)
    return sorted(f for check in checks for f in check(root))


def _usr_etc(root: Path) -> Iterator[Finding]:
    if (root / "usr/etc").exists():
        yield Finding(Level.ERROR, "usr-etc", "/usr/etc",
                      "/usr/etc is ostree's copy of the default /etc; ship config in /etc or "
                      "/usr vendor directories")


def _var_run(root: Path) -> Iterator[Finding]:
    p = root / "var/run"
    if p.exists() and not p.is_symlink():
        yield Finding(Level.ERROR, "var-run", "/var/run", "/var/run must be a symlink to /run")


def _run_tmp(root: Path) -> Iterator[Finding]:
    for top in ("run", "tmp"):
        d = root / top
        if d.is_dir() and any(d.iterdir()):
            yield Finding(Level.WARNING, "run-tmp", f"/{top}",
                          f"/{top} is emptied at boot; content there is lost: use tmpfiles.d")


def _utf8(root: Path) -> Iterator[Finding]:
    for dirpath, dirnames, filenames in os.walk(os.fsencode(root)):
        for name in dirnames + filenames:
            try:
                name.decode("utf-8")
            except UnicodeDecodeError:
                rel = os.path.join(dirpath, name)[len(os.fsencode(root)):]
                yield Finding(Level.ERROR, "utf8", rel.decode("utf-8", "replace"),
                              "file name is not UTF-8 (ostree refuses it)")


def _kernels(root: Path) -> Iterator[Finding]:
    modules = root / "usr/lib/modules"
    kernels = sorted(d.name for d in modules.iterdir() if (d / "vmlinuz").is_file()) \
        if modules.is_dir() else []
    if len(kernels) > 1:
        yield Finding(Level.ERROR, "kernel", "/usr/lib/modules",
                      f"more than one kernel: {', '.join(kernels)}")


def _etc_enablement(root: Path) -> Iterator[Finding]:
    for kind in ("system", "user"):
        base = root / "etc/systemd" / kind
        if not base.is_dir():
            continue
        for wants in sorted(base.glob("*.wants")) + sorted(base.glob("*.requires")):
            for link in sorted(wants.iterdir()):
                if link.is_symlink():
                    yield Finding(Level.WARNING, "etc-enable", f"/{link.relative_to(root)}",
                                  "unit enabled by a symlink in /etc: machines that already "
                                  "exist keep their own /etc; enable it with a preset")


def _etc_shadow(root: Path) -> Iterator[Finding]:
    for etc, usr in USR_EQUIVALENTS.items():
        if not etc.endswith("/"):
            continue
        etc_dir, usr_dir = root / etc.strip("/"), root / usr.strip("/")
        if not (etc_dir.is_dir() and usr_dir.is_dir()):
            continue
        for f in sorted(etc_dir.iterdir()):
            if f.is_file() and not f.is_symlink() and (usr_dir / f.name).exists():
                yield Finding(Level.WARNING, "etc-shadow", f"/{f.relative_to(root)}",
                              f"shadows {usr}{f.name} shipped in /usr: updates to it never "
                              "take effect")


def _var_tmpfiles(root: Path) -> Iterator[Finding]:
    covered = _tmpfiles_paths(root)
    var = root / "var"
    if not var.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(var):
        rel_dir = "/" + os.path.relpath(dirpath, root)
        keep = []
        for name in sorted(dirnames) + sorted(filenames):
            path = f"{rel_dir}/{name}"
            if path in ("/var/tmp", "/var/cache", "/var/run", "/var/lock"):
                continue
            if _covered(path, covered):
                continue
            if name in dirnames and any(c.startswith(path + "/") for c in covered):
                keep.append(name)  # an ancestor of covered paths: look inside
                continue
            yield Finding(Level.WARNING, "var-tmpfiles", path,
                          "content in /var is written at the first deployment only and never "
                          "updated; create it with a tmpfiles.d entry")
        dirnames[:] = [d for d in dirnames if d in keep]


def _tmpfiles_paths(root: Path) -> set[str]:
    paths = set()
    for d in ("usr/lib/tmpfiles.d", "etc/tmpfiles.d"):
        for conf in sorted((root / d).glob("*.conf")) if (root / d).is_dir() else []:
            for line in conf.read_text(errors="replace").splitlines():
                fields = line.split()
                if len(fields) >= 2 and not fields[0].startswith("#"):
                    paths.add(fields[1].rstrip("/"))
    return paths


def _covered(path: str, covered: set[str]) -> bool:
    parts = path.split("/")
    return any("/".join(parts[:i]) in covered for i in range(2, len(parts) + 1))


ACCOUNT_FILES = ("etc/passwd", "etc/shadow", "etc/group", "etc/gshadow")


def accounts_changed(root: Path, base_root: Path) -> list[Finding]:
    """Account databases that differ from the base's: written at build time (useradd,
    chsh, sed -i on /etc/passwd), they reach no machine that exists already."""
    out = []
    for rel in ACCOUNT_FILES:
        mine, theirs = _entries(root / rel), _entries(base_root / rel)
        if mine == theirs:
            continue
        changed = sorted(n for n in set(mine) | set(theirs) if mine.get(n) != theirs.get(n))
        out.append(Finding(Level.ERROR, "etc-accounts", f"/{rel}",
                           f"differs from the base's ({', '.join(changed[:5])}"
                           f"{', …' if len(changed) > 5 else ''}): accounts written at build "
                           "time land in the image's /etc, which machines merge with their "
                           "own copy; declare [[users]]/[[groups]] (sysusers.d) instead"))
    return out


def _entries(path: Path) -> dict[str, str]:
    """name -> line of a colon-separated account file (empty when there is none)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return {}
    return {line.split(":", 1)[0]: line for line in text.splitlines() if line.strip()}
