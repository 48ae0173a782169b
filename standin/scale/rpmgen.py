"""The world's RPMs, fast: one rpmbuild call builds ~100 packages as subpackages of one
spec (each `%package -n NAME` with its own Version), their files written beforehand from
name and version (half random, half a repeated phrase: ~2:1 under gzip, like binaries),
payloads stored uncompressed. Built once per name-version into a pool; a week's
repository is the pool's files at that week's versions, indexed with createrepo_c."""

from __future__ import annotations

import os
import random
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from layerkit.tools.run import run

from .world import World, _h

BATCH = 100
ENV = {"SOURCE_DATE_EPOCH": "0", "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"}
DEFINES = {"_binary_payload": "w0.ufdio", "__os_install_post": "%{nil}",
           "__spec_install_post": "%{nil}", "debug_package": "%{nil}",
           "_build_id_links": "none", "use_source_date_epoch_as_buildtime": "1",
           "clamp_mtime_to_source_date_epoch": "1", "_buildhost": "layerkit"}


def rpm_name(name: str, version: str) -> str:
    return f"{name}-{version}-1.noarch.rpm"


def write_files(root: Path, name: str, version: str, files: int, payload: int) -> None:
    """The package's files under root/usr/lib/scale/NAME, bytes fixed by name-version."""
    rnd = random.Random(_h(f"{name}-{version}"))
    weights = [1 + _h(f"{name}/{j}") % 7 for j in range(files)]
    total = sum(weights)
    phrase = f"{name} {version} layerkit scale world ".encode()
    top = root / "usr/lib/scale" / name
    for j, w in enumerate(weights):
        d = top / f"d{j // 64:02d}"
        if j % 64 == 0:
            d.mkdir(parents=True, exist_ok=True)
        n = max(1, payload * w // total)
        data = rnd.randbytes(n // 2) + (phrase * (n // len(phrase) + 1))[: n - n // 2]
        (d / f"f{j:04d}").write_bytes(data)


# Fedora headers average ~60-90 kB (changelogs, file lists with digests, signatures),
# which is what makes a Kinoite rpmdb 100-260 MB; ours carry their file lists and a
# description of pseudo-words standing in for the rest (20-64 kB, fixed by the name)
SYLLABLES = [a + b for a in "bcdfgklmnprstvz" for b in ("a", "e", "i", "o", "u", "ai", "ou")]


def header_text(name: str, version: str) -> list[str]:
    rnd = random.Random(_h("text/" + name))
    words = [rnd.choice(SYLLABLES) + rnd.choice(SYLLABLES) + rnd.choice(["", "n", "s", "t"])
             for _ in range(int(rnd.uniform(20_000, 64_000)) // 7)]
    lines = [" ".join(words[i:i + 12]) for i in range(0, len(words), 12)]
    return [f"{name} {version}: stand-in package of the layerkit scale world."] + lines


def _spec(world: World, batch: list[tuple[str, str]], prepared: Path, tag: str) -> str:
    out = [f"Name: scale-batch-{tag}", "Version: 1", "Release: 1", "Summary: batch",
           "License: MIT", "BuildArch: noarch", "", "%description", "batch", ""]
    for name, version in batch:
        out += [f"%package -n {name}", f"Version: {version}", "Release: 1",
                f"Summary: {name}", "AutoReqProv: no"]
        out += [f"Requires: {d}" for d in world.packages[name].depends]
        out += [f"%description -n {name}", *header_text(name, version), ""]
    out += ["%install", "rm -rf %{buildroot}", f"mv {prepared} %{{buildroot}}", ""]
    for name, _ in batch:
        out += [f"%files -n {name}", f"/usr/lib/scale/{name}", ""]
    return "\n".join(out)


def _build(world: World, batch: list[tuple[str, str]], pool: Path, tag: str) -> None:
    top = pool.resolve() / ".build" / tag
    shutil.rmtree(top, ignore_errors=True)
    prepared = top / "prepared"
    for name, version in batch:
        p = world.packages[name]
        write_files(prepared, name, version, p.files, p.payload)
    spec = top / "batch.spec"
    spec.write_text(_spec(world, batch, prepared, tag))
    argv = ["rpmbuild", "-bb", "--define", f"_topdir {top}"]
    for k, v in DEFINES.items():
        argv += ["--define", f"{k} {v}"]
    run(argv + [spec], env=ENV)
    for name, version in batch:
        (top / "RPMS/noarch" / rpm_name(name, version)).replace(pool / rpm_name(name, version))
    shutil.rmtree(top, ignore_errors=True)


def build_rpms(world: World, versions: dict[str, str], pool: Path) -> int:
    """Build the missing name-versions into pool (two rpmbuilds at a time); returns how
    many were built."""
    pool.mkdir(parents=True, exist_ok=True)
    todo = sorted((n, v) for n, v in versions.items() if not (pool / rpm_name(n, v)).exists())
    batches = [todo[i:i + BATCH] for i in range(0, len(todo), BATCH)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        list(ex.map(lambda ib: _build(world, ib[1], pool, str(ib[0])), enumerate(batches)))
    return len(todo)


def make_week_repo(versions: dict[str, str], pool: Path, repo: Path) -> None:
    """A repository of exactly these name-versions (hard links into the pool)."""
    if (repo / "repodata" / "repomd.xml").exists():
        return
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    for n, v in sorted(versions.items()):
        os.link(pool / rpm_name(n, v), repo / rpm_name(n, v))
    run(["createrepo_c", "-q", "--workers", "2", repo])
