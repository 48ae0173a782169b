"""A repository fixture for the catalog's readers: small packages built with rpmbuild
(epochs, subpackages, multilib, rich and file dependencies), installed into an rpm root
(database only) and indexed with createrepo_c, with a hand-written updateinfo.xml added
by modifyrepo_c. The tables below are also what the tests expect."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from layerkit.tools.run import run

DBPATH = "/usr/lib/sysimage/rpm"  # Fedora's, inside the root
NOON = 12 * 3600


@dataclass(frozen=True)
class Bin:
    """One binary package of a spec."""

    name: str
    files: dict[str, int]                 # path → size in bytes (regular files only)
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    arch_provides: dict[str, tuple[str, ...]] = field(default_factory=dict)
    post: bool = False                    # a %post scriptlet: rpmbuild adds Requires(post): /bin/sh


@dataclass(frozen=True)
class Src:
    """One spec: a source package and the binaries built from it."""

    name: str
    version: str
    release: str
    bins: tuple[Bin, ...]
    changelog: tuple[tuple[date, str], ...] = ()   # newest first, as rpm wants them
    epoch: int | None = None
    targets: tuple[str, ...] = ("noarch",)
    built: date = date(2024, 6, 1)
    installed: bool = True                         # False: only in the repository


def _d(s: str) -> date:
    return date.fromisoformat(s)


SOURCES: tuple[Src, ...] = (
    Src("libbig", "1.0", "1", (Bin("libbig", {"/usr/share/libbig/data-%{_target_cpu}": 200_000},
                                   arch_provides={"x86_64": ("libbig.so.1()(64bit)",),
                                                  "i686": ("libbig.so.1",)}),),
        changelog=((_d("2024-02-10"), "1.0-1"), (_d("2023-01-15"), "0.9-1")),
        targets=("x86_64",), built=_d("2024-02-10"), installed=False),
    Src("libbig", "1.1", "1", (Bin("libbig", {"/usr/share/libbig/data-%{_target_cpu}": 300_000},
                                   arch_provides={"x86_64": ("libbig.so.1()(64bit)",),
                                                  "i686": ("libbig.so.1",)}),),
        changelog=((_d("2024-05-20"), "1.1-1"), (_d("2024-02-10"), "1.0-1"),
                   (_d("2023-01-15"), "0.9-1")),
        targets=("x86_64", "i686")),
    Src("suite", "2.0", "3", (
        Bin("suite-core", {"/usr/share/suite/core.bin": 120_000, "/etc/suite.conf": 1_000},
            requires=("libbig.so.1()(64bit)", "suite-data = 1:2.0-3")),
        Bin("suite-data", {"/usr/share/suite/data.bin": 80_000})),
        changelog=((_d("2024-04-01"), "2.0-3"), (_d("2024-04-01"), "2.0-2"),
                   (_d("2023-12-24"), "2.0-1"), (_d("2023-08-01"), "1.9-1")),
        epoch=1),
    Src("shellish", "1", "1", (Bin("shellish", {"/usr/bin/shellish": 5_000,
                                                "/usr/bin/legacy": 3_000}),)),
    Src("tool-a", "0.3", "2", (Bin("tool-a", {"/usr/share/tool-a/a.dat": 40_000}, requires=(
        "/usr/bin/shellish", "/bin/legacy", "libbig >= 1.0", "(suite-core or libalt)"),
        post=True),), changelog=((_d("2024-03-05"), "0.3-2"),)),
    Src("impl", "5", "1", (Bin("impl", {"/usr/share/impl/i.dat": 10_000},
                               provides=("webthing",)),),
        changelog=((_d("2022-11-11"), "5-1"),)),
    Src("app", "1", "1", (Bin("app", {"/usr/share/app/app.dat": 60_000}, requires=(
        "webthing", "(tool-a if impl)", "(tool-b if nothere else big-data)",
        "(nothere or alsonot)", "(libbig >= 1.0 with libbig < 2)")),),
        changelog=((_d("2024-01-02"), "1-1"),)),
    Src("tool-b", "0.5", "1", (Bin("tool-b", {"/usr/share/tool-b/b.dat": 7_000}),), epoch=2,
        changelog=((_d("2024-05-31"), "0.5-1"), (_d("2023-06-02"), "0.4-1"))),
    Src("big-data", "1", "1", (Bin("big-data", {"/usr/share/big/blob": 1_500_000}),),
        changelog=((_d("2023-06-01"), "1-1"),)),
)

UPDATEINFO = """<?xml version="1.0" encoding="UTF-8"?>
<updates>
  <update from="updates@example.org" status="stable" type="bugfix" version="2.0">
    <id>TEST-2024-0001</id><title>libbig</title>
    <issued date="2024-05-20 12:00:00"/><updated date="2024-05-21 08:00:00"/>
    <pkglist><collection short="T1"><name>Test 1</name>
      <package name="libbig" version="1.1" release="1" epoch="0" arch="x86_64">
        <filename>libbig-1.1-1.x86_64.rpm</filename></package>
      <package name="libbig" version="1.1" release="1" epoch="0" arch="i686">
        <filename>libbig-1.1-1.i686.rpm</filename></package>
    </collection></pkglist>
  </update>
  <update status="stable" type="security" version="2.0">
    <id>TEST-2024-0002</id><issued date="2024-04-01"/>
    <pkglist><collection short="T1">
      <package name="suite-core" version="2.0" release="3" epoch="1" arch="noarch"/>
      <package name="suite-data" version="2.0" release="3" epoch="1" arch="noarch"/>
    </collection></pkglist>
  </update>
  <update status="stable" type="enhancement" version="2.0">
    <id>TEST-2024-0003</id><issued date="1709640000"/>
    <pkglist><collection short="T1">
      <package name="tool-a" version="0.3" release="2" arch="noarch"/></collection></pkglist>
  </update>
  <update status="stable" type="newpackage" version="2.0">
    <id>TEST-2024-0004</id><issued date="2024-01-02 09:00:00"/>
    <pkglist><collection short="T1">
      <package name="app" version="1" release="1" arch="noarch"/></collection></pkglist>
  </update>
  <update status="stable" type="bugfix" version="2.0">
    <id>TEST-2024-0005</id><updated date="2024-03-03 10:00:00"/>
    <pkglist><collection short="T1">
      <package name="tool-a" version="0.3" release="1" arch="noarch"/></collection></pkglist>
  </update>
  <update status="stable" type="bugfix" version="2.0">
    <id>TEST-2024-0006</id><issued date="sometime"/>
    <pkglist><collection short="T1">
      <package name="impl" version="5" release="1" arch="noarch"/></collection></pkglist>
  </update>
</updates>
"""


def noon(d: date) -> int:
    """rpm's timestamp for a changelog day: 12:00 UTC."""
    return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()) + NOON


def payload(path: str, size: int) -> bytes:
    """Incompressible bytes that follow from the path, so package sizes are realistic."""
    out, block = bytearray(), hashlib.sha256(path.encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


def _spec(src: Src) -> tuple[str, dict[str, bytes]]:
    sources: dict[str, bytes] = {}
    lines = ["%define debug_package %{nil}", f"Name: {src.name}", f"Version: {src.version}",
             f"Release: {src.release}", "Summary: layerkit catalog fixture", "License: MIT"]
    if src.epoch is not None:
        lines.append(f"Epoch: {src.epoch}")
    if src.targets == ("noarch",):
        lines.append("BuildArch: noarch")
    subs, install, files_sections = [], ["%install"], []
    n = 0
    for b in src.bins:
        main = b.name == src.name
        head = [] if main else [f"%package -n {b.name}", "Summary: layerkit fixture subpackage"]
        head += [f"Requires: {r}" for r in b.requires] + [f"Provides: {p}" for p in b.provides]
        for arch, provs in b.arch_provides.items():
            head += [f"%ifarch {arch}"] + [f"Provides: {p}" for p in provs] + ["%endif"]
        if main:
            lines += head
        else:
            subs += head + [f"%description -n {b.name}", "fixture subpackage"]
        files = [f"%files -n {b.name}"]
        for path, size in b.files.items():
            key = f"s{n}"
            sources[key] = payload(f"{src.name}-{src.version}:{path}", size)
            lines.insert(6, f"Source{n}: {key}")
            install.append(f"install -D -m 0644 %{{SOURCE{n}}} %{{buildroot}}{path}")
            files.append(path)
            n += 1
        files_sections += files + ([f"%post -n {b.name}", "true"] if b.post else [])
    lines += ["%description", "fixture", *subs, *install, *files_sections, "%changelog"]
    for day, evr in src.changelog:
        lines += [f"* {day.strftime('%a %b %d %Y')} Tester <t@example.org> - {evr}", "- change"]
    return "\n".join(lines) + "\n", sources


def _run(argv: list[str], env: dict[str, str] | None = None) -> None:
    run(argv, env=env)


def build(src: Src, top: Path) -> list[Path]:
    """Build one spec's binary RPMs (one per target) and its SRPM; return their paths."""
    text, sources = _spec(src)
    topdir = top / f"{src.name}-{src.version}"
    (topdir / "SOURCES").mkdir(parents=True, exist_ok=True)
    for key, data in sources.items():
        (topdir / "SOURCES" / key).write_bytes(data)
    spec = topdir / f"{src.name}.spec"
    spec.write_text(text)
    env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(topdir), "TZ": "UTC",
           "SOURCE_DATE_EPOCH": str(noon(src.built))}
    common = ["--define", f"_topdir {topdir}", "--define", "use_source_date_epoch_as_buildtime 1",
              "--define", "_buildhost fixture.example.org"]
    _run(["rpmbuild", "-bs", *common, str(spec)], env=env)
    for target in src.targets:
        extra = [] if target == "noarch" else ["--target", target]
        _run(["rpmbuild", "-bb", *extra, *common, str(spec)], env=env)
    return sorted(topdir.glob("RPMS/*/*.rpm")) + sorted(topdir.glob("SRPMS/*.rpm"))


@dataclass
class Fixture:
    """Where the built fixture lives."""

    root: Path          # an image root with an rpmdb at DBPATH
    repo: Path          # a createrepo_c repository with updateinfo
    rpms: dict[str, Path] = field(default_factory=dict)   # file name → path


def make_fixture(work: Path) -> Fixture:
    """Build every package, install the `installed` ones into work/root (database only),
    and make work/repo from all of them (sources and the old libbig included)."""
    fx = Fixture(work / "root", work / "repo")
    fx.repo.mkdir(parents=True)
    installed: list[str] = []
    for src in SOURCES:
        for rpm in build(src, work / "build"):
            shutil.copy(rpm, fx.repo / rpm.name)
            fx.rpms[rpm.name] = fx.repo / rpm.name
            if src.installed and not rpm.name.endswith(".src.rpm"):
                installed.append(str(fx.repo / rpm.name))
    rpm = ["rpm", "--root", str(fx.root), "--dbpath", DBPATH]
    fx.root.mkdir()
    _run([*rpm, "--initdb"])
    _run([*rpm, "-i", "--justdb", "--nodeps", "--noscripts", "--ignorearch", *installed])
    _run(["createrepo_c", "-q", str(fx.repo)])
    info = work / "updateinfo.xml"
    info.write_text(UPDATEINFO)
    _run(["modifyrepo_c", "--mdtype", "updateinfo", str(info),
          str(fx.repo / "repodata")])
    return fx


if __name__ == "__main__":  # build once by hand: python3 -m standin.repodata DIR
    import sys
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/layerkit-rpmfixture")
    shutil.rmtree(target, ignore_errors=True)
    print(make_fixture(target), os.listdir(target / "repo" / "repodata"))
